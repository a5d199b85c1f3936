#include "fit/profilefitter.h"

#include "calib/thresholdpolicy.h"

#include "detect/gradientpass.h"
#include "detect/registry.h"
#include "base/error.h"
#include "eval/metrics.h"
#include "pipeline/verdict.h"
#include "base/version.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>
#include <set>

#include <torch/torch.h>

namespace ood {

namespace {

/// Reduces the TRAIN early activations while the batches stream by, as the detectors asked
/// (EarlyTrainNeeds): per-class sums in float64 and the maps of a few evenly spaced samples.
/// Memory is C + M maps, whatever the number of images.
struct EarlyReducer
{
    bool classMeans = false;
    int64_t classes = 0;
    std::vector<bool> keep; ///< per sample-list position
    int64_t listSize = 0;
    at::Tensor sums; ///< [C,...] float64
    std::vector<int64_t> counts;
    std::vector<at::Tensor> subset;
    std::vector<int64_t> subsetRows, subsetSamples;

    bool active() const { return classMeans || !keep.empty(); }

    void add(const at::Tensor &early, const std::vector<Sample> &samples, const Batch &batch,
             int64_t firstRow)
    {
        if (!early.defined() || early.size(0) != static_cast<int64_t>(batch.sampleIndices.size()))
            throw Error("the model returned no early activations for the training images");
        if (classMeans) {
            if (!sums.defined()) {
                std::vector<int64_t> shape = early.sizes().vec();
                shape[0] = classes;
                sums = torch::zeros(shape, torch::kFloat64);
                counts.assign(static_cast<size_t>(classes), 0);
            }
            if (early.sizes().slice(1) != sums.sizes().slice(1))
                throw Error("the model's early activations change shape between training images");
            std::vector<int64_t> labels;
            for (size_t index : batch.sampleIndices) {
                const int64_t label = samples[index].label;
                if (label < 0 || label >= classes)
                    throw Error("training image " + samples[index].path.toStdString() +
                                " has no class label");
                labels.push_back(label);
                ++counts[static_cast<size_t>(label)];
            }
            sums.index_add_(0, torch::tensor(labels, torch::kInt64), early.to(torch::kFloat64));
        }
        for (size_t row = 0; row < batch.sampleIndices.size(); ++row) {
            const size_t position = batch.sampleIndices[row];
            if (position < keep.size() && keep[position]) {
                subset.push_back(early[static_cast<int64_t>(row)].to(torch::kFloat32).clone());
                subsetRows.push_back(firstRow + static_cast<int64_t>(row));
                subsetSamples.push_back(static_cast<int64_t>(position));
            }
        }
    }

    void takeInto(FeatureSet &set)
    {
        set.listSize = listSize;
        if (classMeans && sums.defined()) {
            at::Tensor divisors = torch::tensor(counts, torch::kInt64).to(torch::kFloat64).clamp_min(1.0);
            std::vector<int64_t> shape(static_cast<size_t>(sums.dim()), 1);
            shape[0] = classes;
            set.earlyClassMeans = sums / divisors.reshape(shape);
            set.earlyClassCounts = torch::tensor(counts, torch::kInt64);
        }
        if (!subset.empty()) {
            set.earlySubset = torch::stack(subset).contiguous();
            set.earlySubsetRows = torch::tensor(subsetRows, torch::kInt64);
            set.earlySubsetSamples = torch::tensor(subsetSamples, torch::kInt64);
        }
        sums = at::Tensor();
        subset.clear();
    }
};

struct Collector
{
    std::vector<at::Tensor> features, logits;
    std::vector<int64_t> labels;
    EarlyReducer early;

    FeatureSet take()
    {
        FeatureSet set;
        if (features.empty())
            return set;
        set.features = torch::cat(features).contiguous();
        set.logits = torch::cat(logits).contiguous();
        set.labels = torch::tensor(labels, torch::kInt64);
        early.takeInto(set);
        return set;
    }
};

void collect(Collector &collector, const std::vector<Sample> &samples, const Batch &batch,
             const BatchScores &scores)
{
    const int64_t firstRow = static_cast<int64_t>(collector.labels.size());
    // Copy out of the inference-mode tensors so the stored sets are ordinary tensors.
    collector.features.push_back(scores.activations.features.to(torch::kFloat32).clone());
    collector.logits.push_back(scores.activations.logits.to(torch::kFloat32).clone());
    if (collector.early.active())
        collector.early.add(scores.activations.early, samples, batch, firstRow);
    for (size_t index : batch.sampleIndices)
        collector.labels.push_back(samples[index].label);
}

void checkClasses(const LoadedModel &model, const SampleList &train, const SampleList &validation)
{
    const bool zeroShot = model.backbone->asClip() != nullptr;
    if (train.classNames.isEmpty() && !(zeroShot && train.samples.empty()))
        throw Error("the training folder must have one sub-folder per class (ImageFolder layout)");
    if (zeroShot && !train.classNames.isEmpty()) {
        QStringList modelClasses;
        for (const std::string &name : model.card.classNames)
            modelClasses << QString::fromStdString(name);
        if (train.classNames != modelClasses)
            throw Error("the training folder's classes (" + train.classNames.join(", ").toStdString() +
                        ") differ from the ID labels the CLIP model was given (" +
                        modelClasses.join(", ").toStdString() + ")");
    }
    if (!train.classNames.isEmpty() && train.classNames.size() != model.card.numClasses)
        throw Error("the training folder has " + std::to_string(train.classNames.size()) +
                    " classes but the model has " + std::to_string(model.card.numClasses) + " outputs");
    // A labelled validation folder's labels are positions in this list, so its classes must come in
    // the same order: the training folders', or a CLIP's ID labels as given.
    QStringList reference = train.classNames;
    if (reference.isEmpty() && zeroShot)
        for (const std::string &name : model.card.classNames)
            reference << QString::fromStdString(name);
    if (!validation.classNames.isEmpty() && !reference.isEmpty() && validation.classNames != reference)
        throw Error("the validation folder's classes (" + validation.classNames.join(", ").toStdString() +
                    ") differ from " +
                    (train.classNames.isEmpty() ? "the ID labels (" : "the training folder's (") +
                    reference.join(", ").toStdString() +
                    "): name the classes in the folders' order, or give a flat validation folder");
}

} // namespace

Profile fitProfile(LoadedModel &model, const SampleList &train, const SampleList &validation,
                   const FitOptions &options, const ProgressCallback &progress, FitReport *report)
{
    checkClasses(model, train, validation);
    Backbone &backbone = *model.backbone;
    // A CLIP needs no image at all: its head is the ID labels' text. Without training images the
    // detectors that learn from them sit out; without validation images nothing has a threshold.
    const bool zeroShot = backbone.asClip() != nullptr;
    if (train.samples.empty() && !zeroShot)
        throw Error("the training folder has no images");
    if (validation.samples.empty() && !zeroShot)
        throw Error("the validation folder has no images");

    Profile profile;
    profile.model = model.card;
    if (!zeroShot) {
        profile.model.classNames.clear();
        for (const QString &name : train.classNames)
            profile.model.classNames.push_back(name.toStdString());
    }
    profile.targetTpr = options.targetTpr;
    profile.appVersion = OOD_VERSION_STRING;
    profile.createdUtc = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();

    const std::vector<std::string> ids = options.detectorIds.empty() ? detectorIds() : options.detectorIds;
    for (const auto &[id, unused] : options.settings)
        if (std::find(ids.begin(), ids.end(), id) == ids.end())
            throw Error("a setting is given for detector '" + id +
                        "', which is not among the detectors to fit");
    ForwardRequest trainRequest;
    bool earlyClassMeans = false;
    std::vector<int64_t> earlySubsetSizes;
    for (const std::string &id : ids) {
        ProfileDetector entry;
        entry.detector = createDetector(id);
        if (const auto overrides = options.settings.find(id); overrides != options.settings.end())
            for (const auto &[name, value] : overrides->second)
                entry.detector->setSetting(name, value);
        const std::string reason = entry.detector->unavailableReason(backbone);
        if (!reason.empty()) {
            profile.unavailable.emplace_back(id, reason);
            continue;
        }
        // A flat validation folder is allowed; detectors fitted on validation labels then sit out
        // (reported with the reason) instead of failing the whole fit.
        const FitNeeds needs = entry.detector->needs().fit;
        if (needs.trainData && train.samples.empty()) {
            profile.unavailable.emplace_back(id, entry.detector->displayName() +
                                                     " learns from ID training images (give --train)");
            continue;
        }
        if (needs.valData && validation.samples.empty()) {
            profile.unavailable.emplace_back(id, entry.detector->displayName() +
                                                     " learns from ID validation images (give --val)");
            continue;
        }
        if (needs.valLabels && validation.classNames.isEmpty()) {
            profile.unavailable.emplace_back(
                id, entry.detector->displayName() +
                        " needs a labelled validation folder (one sub-folder per class)");
            continue;
        }
        if (needs.trainData && needs.trainEarly.any()) {
            trainRequest.early = true;
            earlyClassMeans = earlyClassMeans || needs.trainEarly.classMeans;
            if (needs.trainEarly.subsetSize > 0)
                earlySubsetSizes.push_back(needs.trainEarly.subsetSize);
        }
        profile.detectors.push_back(std::move(entry));
    }
    if (profile.detectors.empty())
        throw Error("none of the selected detectors can run on this model: " +
                    profile.unavailable.front().first + ": " + profile.unavailable.front().second);
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
    context.clip = backbone.asClip();
    context.negatives = options.negatives;
    context.progress = progress;
    if (!train.samples.empty()) {
        Collector collector;
        collector.early.listSize = static_cast<int64_t>(train.samples.size());
        collector.early.classMeans = earlyClassMeans;
        collector.early.classes = static_cast<int64_t>(train.classNames.size());
        if (!earlySubsetSizes.empty()) {
            // The union of every detector's positions; each picks its own back by position.
            collector.early.keep.assign(train.samples.size(), false);
            for (int64_t size : earlySubsetSizes)
                for (int64_t position : evenlySpacedPositions(collector.early.listSize, size))
                    collector.early.keep[static_cast<size_t>(position)] = true;
        }
        // A scorer without detectors is a plain feature extractor.
        Scorer extractor(backbone, {}, trainRequest);
        runBatches(
            backbone, extractor, train.samples, model.card.input, options.run, "train",
            [&](const Batch &batch, const BatchScores *scores) {
                recordFailures(train.samples, batch);
                if (scores)
                    collect(collector, train.samples, batch, *scores);
            },
            progress);
        context.train = collector.take();
    }
    profile.trainCount = context.train.size();
    if (context.train.size() == 0 && !train.samples.empty())
        throw Error("no training image could be read");

    // A detector that cannot be fitted on this model and data (e.g. ASH on signed features) sits
    // out with its reason instead of failing the fit of every other detector.
    std::set<const Detector *> failed;
    auto setAside = [&](const ProfileDetector &entry, const std::string &reason) {
        profile.unavailable.emplace_back(entry.detector->id(), reason);
        failed.insert(entry.detector.get());
    };
    // The model's extra passes go only to the detectors that ask for them (GROOD).
    const GradientPass gradientPass(backbone);
    auto tryFit = [&](ProfileDetector &entry) {
        try {
            context.gradientPass = entry.detector->needs().fit.gradientPass ? &gradientPass : nullptr;
            entry.detector->fit(context);
            return true;
        } catch (const Cancelled &) {
            throw;
        } catch (const Error &e) {
            setAside(entry, std::string("could not be fitted: ") + e.what());
            return false;
        }
    };
    std::vector<ProfileDetector *> afterValidation;
    std::vector<const Detector *> scoredDuringValidation;
    for (ProfileDetector &entry : profile.detectors) {
        if (entry.detector->needs().fit.valData) {
            afterValidation.push_back(&entry);
            continue;
        }
        if (tryFit(entry))
            scoredDuringValidation.push_back(entry.detector.get());
    }
    bool lateNeedsEarly = false;
    for (const ProfileDetector *entry : afterValidation)
        lateNeedsEarly = lateNeedsEarly || entry->detector->needs().fit.trainEarly.any();
    if (!lateNeedsEarly) {
        // Up to 100 early maps (80 MB at 224 px for ResNet-18): not worth keeping through pass 2.
        context.train.earlySubset = at::Tensor();
        context.train.earlyClassMeans = at::Tensor();
    }

    // Pass 2: validation images -> features (for validation-fitted detectors) and the scores of
    // every detector fitted so far, ODIN's gradient passes included, on the same batches.
    Collector validationFeatures;
    validationFeatures.early.listSize = static_cast<int64_t>(validation.samples.size());
    std::vector<std::vector<at::Tensor>> validationScores(scoredDuringValidation.size());
    if (!validation.samples.empty()) {
        Scorer scorer(backbone, scoredDuringValidation);
        runBatches(
            backbone, scorer, validation.samples, model.card.input, options.run, "validation",
            [&](const Batch &batch, const BatchScores *scores) {
                recordFailures(validation.samples, batch);
                if (!scores)
                    return;
                collect(validationFeatures, validation.samples, batch, *scores);
                for (size_t d = 0; d < scores->scores.size(); ++d)
                    validationScores[d].push_back(scores->scores[d]);
            },
            progress);
    }
    context.val = validationFeatures.take();
    profile.validationCount = context.val.size();
    if (context.val.size() == 0 && !validation.samples.empty())
        throw Error("no validation image could be read");

    for (size_t d = 0; d < scoredDuringValidation.size(); ++d) {
        for (ProfileDetector &entry : profile.detectors)
            if (entry.detector.get() == scoredDuringValidation[d])
                entry.validationScores = validationScores[d].empty() ? torch::zeros({0}, torch::kFloat64)
                                                                     : torch::cat(validationScores[d]);
    }
    std::vector<ProfileDetector *> fittedLate;
    for (ProfileDetector *entry : afterValidation)
        if (tryFit(*entry))
            fittedLate.push_back(entry);
    if (!fittedLate.empty()) {
        std::vector<const Detector *> late;
        for (ProfileDetector *entry : fittedLate)
            late.push_back(entry->detector.get());
        Scorer scorer(backbone, late);
        Activations stored;
        stored.features = context.val.features;
        stored.logits = context.val.logits;
        const std::vector<at::Tensor> scores = scorer.scoreActivations(stored);
        for (size_t i = 0; i < fittedLate.size(); ++i)
            fittedLate[i]->validationScores = scores[i];
    }

    for (ProfileDetector &entry : profile.detectors) {
        if (failed.count(entry.detector.get()))
            continue;
        const at::Tensor s = entry.validationScores.contiguous();
        const int64_t nonFinite = s.numel() - torch::isfinite(s).sum().item<int64_t>();
        if (nonFinite > 0) {
            setAside(entry, "produced non-finite scores on " + std::to_string(nonFinite) + " of " +
                                std::to_string(s.numel()) + " validation images");
            continue;
        }
        entry.threshold = thresholdForTpr(s, options.targetTpr);
    }
    profile.detectors.erase(
        std::remove_if(profile.detectors.begin(), profile.detectors.end(),
                       [&](const ProfileDetector &entry) { return failed.count(entry.detector.get()) > 0; }),
        profile.detectors.end());
    if (profile.detectors.empty())
        throw Error("no selected detector could be fitted: " + profile.unavailable.back().first + " " +
                    profile.unavailable.back().second);
    return profile;
}

SampleList withClassOrder(const SampleList &list, const QStringList &order, const QString &folder)
{
    if (list.classNames.isEmpty())
        return list;
    const std::string where = folder.toStdString();
    std::vector<int> newLabel(static_cast<size_t>(list.classNames.size()), -1);
    for (int i = 0; i < order.size(); ++i) {
        const int old = static_cast<int>(list.classNames.indexOf(order[i]));
        if (old < 0)
            throw Error("the class order names '" + order[i].toStdString() +
                        "', which is not a class folder of " + where +
                        " (its class folders: " + list.classNames.join(", ").toStdString() + ")");
        if (newLabel[static_cast<size_t>(old)] >= 0)
            throw Error("the class order names '" + order[i].toStdString() + "' twice");
        newLabel[static_cast<size_t>(old)] = i;
    }
    for (int old = 0; old < list.classNames.size(); ++old)
        if (newLabel[static_cast<size_t>(old)] < 0)
            throw Error("the class folder '" + list.classNames[old].toStdString() + "' of " + where +
                        " is not in the class order (" + order.join(", ").toStdString() +
                        "): name every class the model was trained on");
    SampleList relabelled = list;
    relabelled.classNames = order;
    for (Sample &sample : relabelled.samples)
        if (sample.label >= 0 && sample.label < static_cast<int>(newLabel.size()))
            sample.label = newLabel[static_cast<size_t>(sample.label)];
    return relabelled;
}

std::vector<OodValidationResult> oodValidationResults(const Profile &profile, const ScoredImages &ood)
{
    if (!profile.canFlag())
        throw Error("the profile has no ID validation frames to compare the OOD validation frames with");
    const at::Tensor scores = ood.scores.to(torch::kFloat64).contiguous();
    const auto columns = static_cast<int64_t>(ood.detectorIds.size());
    if (scores.dim() != 2 || scores.size(0) != static_cast<int64_t>(ood.samples.size()) ||
        scores.size(1) != columns)
        throw Error("internal: the OOD validation scores do not match their frames and detectors");
    const double *data = scores.data_ptr<double>();
    std::vector<OodValidationResult> results;
    for (int64_t column = 0; column < columns; ++column) {
        const ProfileDetector *entry = profile.find(ood.detectorIds[static_cast<size_t>(column)]);
        if (!entry || !entry->validationScores.defined() || entry->validationScores.numel() == 0)
            continue;
        const at::Tensor id = entry->validationScores.to(torch::kFloat64).contiguous();
        const std::vector<double> idScores(id.data_ptr<double>(), id.data_ptr<double>() + id.numel());
        std::vector<double> oodScores;
        for (int64_t row = 0; row < scores.size(0); ++row)
            if (ood.errors[static_cast<size_t>(row)].isEmpty() && std::isfinite(data[row * columns + column]))
                oodScores.push_back(data[row * columns + column]);
        if (oodScores.empty())
            continue;
        OodValidationResult result;
        result.detectorId = entry->detector->id();
        result.auroc = auroc(idScores, oodScores);
        result.oodFrames = static_cast<int64_t>(oodScores.size());
        const auto flagged = std::count_if(oodScores.begin(), oodScores.end(), [&](double score) {
            return exceedsThreshold(score, entry->threshold);
        });
        result.oodFlagged = static_cast<double>(flagged) / static_cast<double>(oodScores.size());
        results.push_back(std::move(result));
    }
    if (results.empty())
        throw Error("none of the OOD validation frames could be scored");
    std::stable_sort(
        results.begin(), results.end(),
        [](const OodValidationResult &a, const OodValidationResult &b) { return a.auroc > b.auroc; });
    return results;
}

} // namespace ood
