#include "calib/profilefitter.h"

#include "detect/registry.h"
#include "error.h"
#include "eval/metrics.h"
#include "version.h"

#include <QDateTime>

#include <torch/torch.h>

namespace ood {

namespace {

struct Collector
{
    std::vector<at::Tensor> features, logits, early;
    std::vector<int64_t> labels;

    FeatureSet take()
    {
        FeatureSet set;
        if (features.empty())
            return set;
        set.features = torch::cat(features).contiguous();
        set.logits = torch::cat(logits).contiguous();
        set.labels = torch::tensor(labels, torch::kInt64);
        if (!early.empty())
            set.early = torch::cat(early).contiguous();
        return set;
    }
};

void collect(Collector &collector, const std::vector<Sample> &samples, const Batch &batch,
             const BatchScores &scores, bool keepEarly)
{
    // Copy out of the inference-mode tensors so the stored sets are ordinary tensors.
    collector.features.push_back(scores.activations.features.to(torch::kFloat32).clone());
    collector.logits.push_back(scores.activations.logits.to(torch::kFloat32).clone());
    if (keepEarly && scores.activations.early.defined())
        collector.early.push_back(scores.activations.early.to(torch::kFloat32).clone());
    for (size_t index : batch.sampleIndices)
        collector.labels.push_back(samples[index].label);
}

void checkClasses(const LoadedModel &model, const SampleList &train, const SampleList &validation)
{
    if (train.classNames.isEmpty())
        throw Error("the training folder must have one sub-folder per class (ImageFolder layout)");
    if (train.classNames.size() != model.card.numClasses)
        throw Error("the training folder has " + std::to_string(train.classNames.size()) +
                    " classes but the model has " + std::to_string(model.card.numClasses) + " outputs");
    if (!validation.classNames.isEmpty() && validation.classNames != train.classNames)
        throw Error("the validation folder's classes (" + validation.classNames.join(", ").toStdString() +
                    ") differ from the training folder's (" + train.classNames.join(", ").toStdString() + ")");
}

} // namespace

Profile fitProfile(LoadedModel &model, const SampleList &train, const SampleList &validation,
                   const FitOptions &options, const ProgressCallback &progress, FitReport *report)
{
    checkClasses(model, train, validation);
    if (train.samples.empty())
        throw Error("the training folder has no images");
    if (validation.samples.empty())
        throw Error("the validation folder has no images");
    Backbone &backbone = *model.backbone;

    Profile profile;
    profile.model = model.card;
    profile.model.classNames.clear();
    for (const QString &name : train.classNames)
        profile.model.classNames.push_back(name.toStdString());
    profile.targetTpr = options.targetTpr;
    profile.appVersion = OOD_VERSION_STRING;
    profile.createdUtc = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();

    const std::vector<std::string> ids = options.detectorIds.empty() ? detectorIds() : options.detectorIds;
    ForwardRequest trainRequest;
    for (const std::string &id : ids) {
        ProfileDetector entry;
        entry.detector = createDetector(id);
        const std::string reason = entry.detector->unavailableReason(backbone);
        if (!reason.empty()) {
            profile.unavailable.emplace_back(id, reason);
            continue;
        }
        // A flat validation folder is allowed; detectors fitted on validation labels then sit out
        // (reported with the reason) instead of failing the whole fit.
        if (entry.detector->needs().valLabels && validation.classNames.isEmpty()) {
            profile.unavailable.emplace_back(id, entry.detector->displayName() +
                                                     " needs a labelled validation folder (one sub-folder per class)");
            continue;
        }
        if (entry.detector->needs().trainData)
            trainRequest.early = trainRequest.early || entry.detector->needs().forward.early;
        profile.detectors.push_back(std::move(entry));
    }
    if (profile.detectors.empty())
        throw Error("none of the selected detectors can run on this model: " + profile.unavailable.front().first +
                    ": " + profile.unavailable.front().second);
    auto recordFailures = [&](const std::vector<Sample> &samples, const Batch &batch) {
        if (!report)
            return;
        for (const SampleError &e : batch.errors)
            report->failedImages.emplace_back(samples[e.index].path, e.message);
    };

    // Pass 1: training images -> features, logits, labels.
    FitContext context;
    context.headWeight = backbone.headWeight();
    context.headBias = backbone.headBias();
    context.architecture = backbone.architecture(); // what a TorchScript model declares, e.g. "deit_small"
    context.backbone = &backbone;
    {
        Collector collector;
        // A scorer without detectors is a plain feature extractor.
        Scorer extractor(backbone, {}, trainRequest);
        runBatches(
            backbone, extractor, train.samples, model.card.input, options.run, "train",
            [&](const Batch &batch, const BatchScores *scores) {
                recordFailures(train.samples, batch);
                if (scores)
                    collect(collector, train.samples, batch, *scores, trainRequest.early);
            },
            progress);
        context.train = collector.take();
    }
    profile.trainCount = context.train.size();
    if (context.train.size() == 0)
        throw Error("no training image could be read");

    std::vector<ProfileDetector *> afterValidation;
    std::vector<const Detector *> scoredDuringValidation;
    for (ProfileDetector &entry : profile.detectors) {
        if (entry.detector->needs().valData) {
            afterValidation.push_back(&entry);
            continue;
        }
        entry.detector->fit(context);
        scoredDuringValidation.push_back(entry.detector.get());
    }

    // Pass 2: validation images -> features (for validation-fitted detectors) and the scores of
    // every detector fitted so far, ODIN's gradient passes included, on the same batches.
    Collector validationFeatures;
    std::vector<std::vector<at::Tensor>> validationScores(scoredDuringValidation.size());
    {
        Scorer scorer(backbone, scoredDuringValidation);
        runBatches(
            backbone, scorer, validation.samples, model.card.input, options.run, "validation",
            [&](const Batch &batch, const BatchScores *scores) {
                recordFailures(validation.samples, batch);
                if (!scores)
                    return;
                collect(validationFeatures, validation.samples, batch, *scores, false);
                for (size_t d = 0; d < scores->scores.size(); ++d)
                    validationScores[d].push_back(scores->scores[d]);
            },
            progress);
    }
    context.val = validationFeatures.take();
    profile.validationCount = context.val.size();
    if (context.val.size() == 0)
        throw Error("no validation image could be read");

    for (size_t d = 0; d < scoredDuringValidation.size(); ++d) {
        for (ProfileDetector &entry : profile.detectors)
            if (entry.detector.get() == scoredDuringValidation[d])
                entry.validationScores = torch::cat(validationScores[d]);
    }
    if (!afterValidation.empty()) {
        std::vector<const Detector *> late;
        for (ProfileDetector *entry : afterValidation) {
            entry->detector->fit(context);
            late.push_back(entry->detector.get());
        }
        Scorer scorer(backbone, late);
        Activations stored;
        stored.features = context.val.features;
        stored.logits = context.val.logits;
        const std::vector<at::Tensor> scores = scorer.scoreActivations(stored);
        for (size_t i = 0; i < afterValidation.size(); ++i)
            afterValidation[i]->validationScores = scores[i];
    }

    for (ProfileDetector &entry : profile.detectors) {
        const at::Tensor s = entry.validationScores.contiguous();
        if (!torch::isfinite(s).all().item<bool>())
            throw Error("detector '" + entry.detector->id() +
                        "' produced non-finite scores on the validation images");
        entry.threshold = thresholdAtTpr(std::vector<double>(s.data_ptr<double>(), s.data_ptr<double>() + s.numel()),
                                         options.targetTpr);
    }
    return profile;
}

} // namespace ood
