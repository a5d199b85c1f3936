#include "pipeline/scoringrun.h"

#include "error.h"

#include <torch/torch.h>

#include <limits>

namespace ood {

void runBatches(Backbone &backbone, const Scorer &scorer, const std::vector<Sample> &samples,
                const InputSpec &input, const RunOptions &options, const std::string &stage,
                const std::function<void(const Batch &, const BatchScores *)> &onBatch,
                const ProgressCallback &progress)
{
    (void)backbone;
    BatchLoader loader(samples, input, options.batchSize, options.decodeWorkers, options.limits);
    size_t done = 0;
    if (progress && !progress({stage, 0, samples.size()}))
        throw Cancelled();
    Batch batch;
    while (loader.next(batch)) {
        if (batch.input.defined() && batch.input.size(0) > 0) {
            const BatchScores scores = scorer.scoreBatch(batch.input);
            onBatch(batch, &scores);
        } else {
            onBatch(batch, nullptr);
        }
        done += batch.sampleIndices.size() + batch.errors.size();
        if (progress && !progress({stage, done, samples.size()}))
            throw Cancelled();
    }
}

size_t ScoredImages::failedCount() const
{
    size_t n = 0;
    for (const QString &e : errors)
        n += e.isEmpty() ? 0 : 1;
    return n;
}

ScoredImages scoreImages(Backbone &backbone, const Profile &profile, const std::vector<Sample> &samples,
                         const std::vector<std::string> &detectorIds, const RunOptions &options,
                         const ProgressCallback &progress, const std::string &stage)
{
    ScoredImages result;
    result.samples = samples;
    std::vector<const Detector *> detectors;
    if (detectorIds.empty()) {
        for (const ProfileDetector &entry : profile.detectors) {
            detectors.push_back(entry.detector.get());
            result.detectorIds.push_back(entry.detector->id());
        }
    } else {
        for (const std::string &id : detectorIds) {
            const ProfileDetector *entry = profile.find(id);
            if (!entry) {
                const std::string reason = profile.unavailableReason(id);
                if (!reason.empty())
                    throw Error("detector '" + id + "' is unavailable for this model: " + reason);
                throw Error("the profile has no fitted '" + id +
                            "' detector (refit with --methods including it)");
            }
            detectors.push_back(entry->detector.get());
            result.detectorIds.push_back(id);
        }
    }
    const auto n = static_cast<int64_t>(samples.size());
    const auto k = static_cast<int64_t>(detectors.size());
    result.scores = torch::full({n, k}, std::numeric_limits<double>::quiet_NaN(), torch::kFloat64);
    result.predictions.assign(samples.size(), -1);
    result.confidences.assign(samples.size(), std::numeric_limits<double>::quiet_NaN());
    result.errors.assign(samples.size(), QString());

    Scorer scorer(backbone, detectors);
    auto *scoreData = result.scores.data_ptr<double>();
    runBatches(
        backbone, scorer, samples, profile.model.input, options, stage,
        [&](const Batch &batch, const BatchScores *scores) {
            for (const SampleError &error : batch.errors)
                result.errors[error.index] = error.message;
            if (!scores)
                return;
            const at::Tensor predictions = scores->predictions.contiguous();
            const at::Tensor confidences = scores->confidences.contiguous();
            for (size_t row = 0; row < batch.sampleIndices.size(); ++row) {
                const size_t index = batch.sampleIndices[row];
                const auto r = static_cast<int64_t>(row);
                result.predictions[index] = predictions[r].item<int64_t>();
                result.confidences[index] = confidences[r].item<double>();
                for (int64_t d = 0; d < k; ++d)
                    scoreData[static_cast<int64_t>(index) * k + d] = scores->scores[d][r].item<double>();
            }
        },
        progress);
    return result;
}

} // namespace ood
