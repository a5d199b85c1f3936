#include "pipeline/scoringrun.h"

#include "base/error.h"
#include "calib/verdictcalibration.h"
#include "pipeline/verdict.h"

#include <torch/torch.h>

#include <algorithm>
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

std::vector<const ProfileDetector *> selectDetectors(const Profile &profile,
                                                     const std::vector<std::string> &detectorIds)
{
    std::vector<const ProfileDetector *> selected;
    if (detectorIds.empty()) {
        for (const ProfileDetector &entry : profile.detectors)
            selected.push_back(&entry);
        return selected;
    }
    for (const std::string &id : detectorIds) {
        const ProfileDetector *entry = profile.find(id);
        if (!entry) {
            const std::string reason = profile.unavailableReason(id);
            if (!reason.empty())
                throw Error("detector '" + id + "' is unavailable for this model: " + reason);
            throw Error("the profile has no fitted '" + id +
                        "' detector (refit with --methods including it)");
        }
        selected.push_back(entry);
    }
    return selected;
}

VerdictRule runVerdict(const Profile &profile, const std::vector<std::string> &detectorIds)
{
    const std::vector<const ProfileDetector *> selected = selectDetectors(profile, detectorIds);
    std::vector<bool> enabled(profile.detectors.size(), false);
    for (const ProfileDetector *entry : selected)
        enabled[static_cast<size_t>(entry - profile.detectors.data())] = true;
    return calibrateVerdict(profile, enabled);
}

void scoreFrames(Backbone &backbone, const Profile &profile, const std::vector<Sample> &samples,
                 const std::vector<std::string> &detectorIds, const RunOptions &options,
                 const FramesCallback &onFrames, const ProgressCallback &progress, const std::string &stage)
{
    const std::vector<const ProfileDetector *> selected = selectDetectors(profile, detectorIds);
    std::vector<const Detector *> detectors;
    std::vector<double> thresholds;
    std::vector<std::string> ids;
    for (const ProfileDetector *entry : selected) {
        detectors.push_back(entry->detector.get());
        thresholds.push_back(entry->threshold);
        ids.push_back(entry->detector->id());
    }
    const VerdictRule verdict = runVerdict(profile, detectorIds);
    const size_t k = detectors.size();
    Scorer scorer(backbone, detectors);
    const auto onBatch = [&](const Batch &batch, const BatchScores *scores) {
        size_t first = std::numeric_limits<size_t>::max(), last = 0;
        for (size_t index : batch.sampleIndices)
            first = std::min(first, index), last = std::max(last, index);
        for (const SampleError &error : batch.errors)
            first = std::min(first, error.index), last = std::max(last, error.index);
        if (first > last)
            return;
        std::vector<FrameResult> results(last - first + 1);
        for (FrameResult &result : results)
            result.scores.assign(k, std::numeric_limits<double>::quiet_NaN());
        for (const SampleError &error : batch.errors)
            results[error.index - first].error = error.message;
        if (scores) {
            const at::Tensor predictions = scores->predictions.to(torch::kInt64).contiguous();
            const at::Tensor confidences = scores->confidences.to(torch::kFloat64).contiguous();
            std::vector<at::Tensor> columns;
            for (const at::Tensor &column : scores->scores)
                columns.push_back(column.to(torch::kFloat64).contiguous());
            for (size_t row = 0; row < batch.sampleIndices.size(); ++row) {
                FrameResult &result = results[batch.sampleIndices[row] - first];
                result.scored = true;
                result.prediction = static_cast<int>(predictions.data_ptr<int64_t>()[row]);
                result.confidence = confidences.data_ptr<double>()[row];
                for (size_t d = 0; d < k; ++d)
                    result.scores[d] = columns[d].data_ptr<double>()[row];
                result.flaggedBy = countFlags(result.scores, thresholds);
                result.flagged = isUnusual(verdict, ids, result.scores, thresholds);
            }
        }
        onFrames(first, std::move(results));
    };
    runBatches(backbone, scorer, samples, profile.model.input, options, stage, onBatch, progress);
}

ScoredImages scoreImages(Backbone &backbone, const Profile &profile, const std::vector<Sample> &samples,
                         const std::vector<std::string> &detectorIds, const RunOptions &options,
                         const ProgressCallback &progress, const std::string &stage)
{
    ScoredImages result;
    result.samples = samples;
    for (const ProfileDetector *entry : selectDetectors(profile, detectorIds))
        result.detectorIds.push_back(entry->detector->id());
    const auto n = static_cast<int64_t>(samples.size());
    const auto k = static_cast<int64_t>(result.detectorIds.size());
    result.scores = torch::full({n, k}, std::numeric_limits<double>::quiet_NaN(), torch::kFloat64);
    result.predictions.assign(samples.size(), -1);
    result.confidences.assign(samples.size(), std::numeric_limits<double>::quiet_NaN());
    result.errors.assign(samples.size(), QString());
    result.flaggedBy.assign(samples.size(), 0);
    result.unusual.assign(samples.size(), false);
    result.verdict = runVerdict(profile, detectorIds);
    double *scoreData = result.scores.data_ptr<double>();
    scoreFrames(
        backbone, profile, samples, detectorIds, options,
        [&](size_t first, std::vector<FrameResult> frames) {
            for (size_t i = 0; i < frames.size(); ++i) {
                const size_t index = first + i;
                const FrameResult &frame = frames[i];
                result.errors[index] = frame.error;
                if (!frame.scored)
                    continue;
                result.predictions[index] = frame.prediction;
                result.confidences[index] = frame.confidence;
                result.flaggedBy[index] = frame.flaggedBy;
                result.unusual[index] = frame.flagged;
                std::copy(frame.scores.begin(), frame.scores.end(),
                          scoreData + static_cast<int64_t>(index) * k);
            }
        },
        progress, stage);
    return result;
}

} // namespace ood
