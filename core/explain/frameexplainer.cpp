#include "explain/frameexplainer.h"
#include "model/countingbackbone.h"

#include "base/error.h"
#include "explain/cam.h"
#include "explain/saliency.h"
#include "model/clipbackbone.h"
#include "detect/headrelevance.h"
#include "model/resnet.h"
#include "pipeline/scorer.h"
#include "pipeline/scoringrun.h"
#include "pipeline/verdict.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <chrono>

namespace ood {

namespace {

const std::vector<std::pair<ExplainPart, const char *>> &partNames()
{
    static const std::vector<std::pair<ExplainPart, const char *>> names{
        {ExplainPart::Neurons, "neurons"},
        {ExplainPart::RelevanceCam, "relevance-cam"},
        {ExplainPart::DeviationCam, "deviation-cam"},
        {ExplainPart::GradCam, "grad-cam"},
        {ExplainPart::Lrp, "lrp"},
        {ExplainPart::Faithfulness, "faithfulness"},
        {ExplainPart::Landscape, "landscape"},
        {ExplainPart::Densities, "densities"},
        {ExplainPart::Labels, "labels"},
        {ExplainPart::Saliency, "saliency"},
    };
    return names;
}

class StageClock
{
  public:
    StageClock(FrameExplanation &out, const CountingBackbone &model) : m_out(out), m_model(model) {}
    void done(const std::string &stage)
    {
        const auto now = std::chrono::steady_clock::now();
        m_out.seconds.emplace_back(stage, std::chrono::duration<double>(now - m_start).count());
        m_start = now;
        m_out.forwardImages.emplace_back(stage, m_model.forwardImages() - m_forward);
        m_out.gradientImages.emplace_back(stage, m_model.gradientImages() - m_gradient);
        m_forward = m_model.forwardImages();
        m_gradient = m_model.gradientImages();
    }

  private:
    FrameExplanation &m_out;
    const CountingBackbone &m_model;
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
    int64_t m_forward = 0, m_gradient = 0;
};

std::string pickLandscapeDetector(const Profile &profile, const std::string &wanted)
{
    auto forwardOnly = [](const ProfileDetector &d) { return !d.detector->needs().score.gradientPass; };
    if (!wanted.empty()) {
        const ProfileDetector *d = profile.find(wanted);
        if (!d) {
            const std::string reason = profile.unavailableReason(wanted);
            throw Error("the landscape detector '" + wanted + "' is not in the profile" +
                        (reason.empty() ? std::string() : ": " + reason));
        }
        if (!forwardOnly(*d))
            throw Error("the landscape needs a detector that scores from one forward pass; '" + wanted +
                        "' differentiates through the model for every image (choose msp, energy, nero, ...)");
        return wanted;
    }
    if (const ProfileDetector *msp = profile.find("msp"))
        return msp->detector->id();
    for (const ProfileDetector &d : profile.detectors)
        if (forwardOnly(d))
            return d.detector->id();
    return {};
}

} // namespace

std::string explainPartName(ExplainPart part)
{
    for (const auto &[value, name] : partNames())
        if (value == part)
            return name;
    return "unknown";
}

std::vector<ExplainPart> allExplainParts()
{
    std::vector<ExplainPart> parts;
    for (const auto &entry : partNames())
        parts.push_back(entry.first);
    return parts;
}

std::vector<ExplainPart> explainPartsFor(const Backbone &backbone)
{
    std::vector<ExplainPart> parts = allExplainParts();
    if (!backbone.asClip())
        parts.erase(std::remove(parts.begin(), parts.end(), ExplainPart::Labels), parts.end());
    return parts;
}

ExplainPart explainPartFromName(const std::string &name)
{
    std::string valid;
    for (const auto &[value, text] : partNames()) {
        if (name == text)
            return value;
        valid += (valid.empty() ? "" : ", ") + std::string(text);
    }
    throw Error("unknown explanation '" + name + "' (choose from " + valid + ")");
}

int FrameExplanation::flaggedCount() const
{
    return static_cast<int>(
        std::count_if(verdicts.begin(), verdicts.end(), [](const DetectorVerdict &v) { return v.flagged; }));
}

const Heatmap *FrameExplanation::heatmap(const std::string &method) const
{
    for (const Heatmap &map : heatmaps)
        if (map.method == method)
            return &map;
    return nullptr;
}

FrameExplanation explainFrame(Backbone &model, const Profile &profile, const at::Tensor &input,
                              const ExplainOptions &options)
{
    if (!input.defined() || !(input.dim() == 3 || (input.dim() == 4 && input.size(0) == 1)) ||
        input.size(-3) != 3)
        throw Error("explain takes one frame as [3,H,W] or [1,3,H,W], normalised");
    const at::Tensor batch =
        input.reshape({1, 3, input.size(-2), input.size(-1)}).to(torch::kFloat32).contiguous();
    const int height = static_cast<int>(batch.size(2)), width = static_cast<int>(batch.size(3));
    auto wants = [&](ExplainPart part) {
        return std::find(options.parts.begin(), options.parts.end(), part) != options.parts.end();
    };
    auto checkCancel = [&](const std::string &stage, int done, int total) {
        if (options.progress && !options.progress(stage, done, total))
            throw Error("explanation cancelled during " + stage);
    };

    // Every part runs on the counting wrapper; only LRP needs the native network behind it.
    CountingBackbone backbone(model);
    FrameExplanation out;
    StageClock clock(out, backbone);
    auto partial = [&](const std::string &stage) {
        if (options.partial)
            options.partial(out, stage);
    };

    // One pass gives the activations and the verdicts of the selected detectors whose score is not
    // known yet; a known score (from the scoring run) is reused, not computed again.
    std::vector<const ProfileDetector *> selected;
    if (options.verdicts)
        selected = selectDetectors(profile, options.detectorIds);
    std::vector<const Detector *> detectors;
    for (const ProfileDetector *d : selected)
        if (!options.knownScores.count(d->detector->id()))
            detectors.push_back(d->detector.get());
    checkCancel("scores", 0, 1);
    const Scorer scorer(backbone, detectors, ForwardRequest{/*featureMaps=*/true, false});
    const BatchScores scored = scorer.scoreBatch(batch);
    const Activations &activations = scored.activations;
    const at::Tensor probabilities = torch::softmax(activations.logits.to(torch::kFloat64), 1)[0];
    out.prediction = scored.predictions[0].item<int64_t>();
    for (int64_t c = 0; c < probabilities.size(0); ++c)
        out.probabilities.push_back(probabilities[c].item<double>());
    size_t computed = 0;
    for (const ProfileDetector *d : selected) {
        DetectorVerdict verdict;
        verdict.id = d->detector->id();
        verdict.displayName = d->detector->displayName();
        const auto known = options.knownScores.find(verdict.id);
        verdict.score =
            known != options.knownScores.end() ? known->second : scored.scores[computed++][0].item<double>();
        verdict.reference = d->detector->referenceIsIdHigh() ? -verdict.score : verdict.score;
        verdict.threshold = d->threshold;
        verdict.percentile = percentileAmongValidation(d->validationScores, verdict.score);
        verdict.flagged = exceedsThreshold(verdict.score, d->threshold);
        out.verdicts.push_back(verdict);
    }
    clock.done("scores");

    // The densities need only the verdicts and cost milliseconds: they come with them.
    if (wants(ExplainPart::Densities) && !options.verdicts)
        out.unavailable.emplace_back(explainPartName(ExplainPart::Densities),
                                     "the frame was not scored (verdicts off)");
    else if (wants(ExplainPart::Densities)) {
        for (size_t i = 0; i < selected.size(); ++i) {
            const ProfileDetector &d = *selected[i];
            const auto set = options.setScores.find(d.detector->id());
            out.densities.emplace_back(
                d.detector->id(), scoreDensity(d, set == options.setScores.end() ? at::Tensor() : set->second,
                                               out.verdicts[i].score, options.density));
        }
        clock.done("densities");
    }
    partial("verdicts");

    const at::Tensor headWeight = backbone.headWeight(), headBias = backbone.headBias();
    const ProfileDetector *nero = profile.find("nero");
    const at::Tensor maps = activations.featureMaps;
    auto unavailable = [&](ExplainPart part, const std::string &reason) {
        out.unavailable.emplace_back(explainPartName(part), reason);
    };
    const std::string noMaps =
        backbone.asClip() ? "a CLIP image encoder (a vision transformer) has no convolutional feature maps; "
                            "the input-gradient "
                            "saliency map works on it"
                          : "the model does not return its last feature maps (a TorchScript model without a "
                            "'feature_maps' output, docs/model-contract.md)";
    const std::string noNero = "the profile has no NERO detector (fit with --methods including nero)";

    if (wants(ExplainPart::Neurons) || wants(ExplainPart::DeviationCam)) {
        if (nero)
            out.neurons = explainNeurons(*nero->detector, activations.features, headWeight, headBias);
        else {
            if (wants(ExplainPart::Neurons))
                unavailable(ExplainPart::Neurons, noNero);
        }
    }
    if (wants(ExplainPart::RelevanceCam)) {
        if (!maps.defined())
            unavailable(ExplainPart::RelevanceCam, noMaps);
        else {
            const HeadRelevance relevance = headRelevance(activations.features, headWeight, headBias,
                                                          nero ? nero->detector->setting("epsilon") : 0.0);
            out.heatmaps.push_back(heatmapFromGrid("relevance-cam", "NERO relevance per feature-map cell",
                                                   true, proportionalPoolingMap(maps, relevance.neurons[0]),
                                                   height, width));
        }
    }
    if (wants(ExplainPart::DeviationCam)) {
        if (!out.neurons)
            unavailable(ExplainPart::DeviationCam, noNero);
        else if (!maps.defined())
            unavailable(ExplainPart::DeviationCam, noMaps);
        else
            out.heatmaps.push_back(heatmapFromGrid(
                "deviation-cam", "relevance minus the nearest class's mean, per feature-map cell", true,
                proportionalPoolingMap(maps, out.neurons->deviation), height, width));
    }
    if (wants(ExplainPart::GradCam)) {
        if (!maps.defined())
            unavailable(ExplainPart::GradCam, noMaps);
        else {
            try {
                out.heatmaps.push_back(heatmapFromGrid(
                    "grad-cam", "logit per feature-map cell", false,
                    gradCamMap(maps, activations.features, headWeight, out.prediction), height, width));
            } catch (const Error &e) {
                unavailable(ExplainPart::GradCam, e.what());
            }
        }
    }
    clock.done("cams");

    if (wants(ExplainPart::Labels)) {
        if (const ClipBackbone *clip = backbone.asClip())
            out.labels = matchLabels(*clip, profile, activations.features);
        else
            unavailable(ExplainPart::Labels,
                        "labels in words need a vision-language model (architecture clip)");
    }
    if (wants(ExplainPart::Saliency)) {
        checkCancel("saliency", 0, 1);
        try {
            out.heatmaps.push_back(heatmapFromPixels("saliency",
                                                     "|gradient of the predicted class's logit| per pixel "
                                                     "(largest over colour channels)",
                                                     false,
                                                     inputGradientSaliency(backbone, batch, out.prediction)));
        } catch (const Error &e) {
            unavailable(ExplainPart::Saliency, e.what());
        }
        clock.done("saliency");
    }

    if (wants(ExplainPart::Lrp)) {
        checkCancel("lrp", 0, 1);
        auto *resnet = dynamic_cast<ResNetBackbone *>(&model);
        if (!resnet) {
            unavailable(ExplainPart::Lrp, "LRP needs the layer structure of a native ResNet; " +
                                              backbone.architecture() + " models are opaque");
        } else {
            LrpOptions lrpOptions;
            lrpOptions.composite = options.lrpComposite;
            for (int c = 0; c < 3; ++c) {
                lrpOptions.mean[static_cast<size_t>(c)] = profile.model.input.mean[static_cast<size_t>(c)];
                lrpOptions.std[static_cast<size_t>(c)] = profile.model.input.std[static_cast<size_t>(c)];
            }
            const ResNetLrp lrp(*resnet->module(), lrpOptions);
            const at::Tensor target =
                torch::one_hot(scored.predictions, backbone.numClasses()).to(torch::kFloat64);
            const LrpResult result = lrp.explain(batch, target);
            // One forward and one relevance pass per image through the canonised copy: counted as
            // a gradient image, which costs about the same.
            backbone.countGradientImages(batch.size(0));
            out.heatmaps.push_back(heatmapFromPixels("lrp",
                                                     "relevance of the predicted class's logit per pixel "
                                                     "(" +
                                                         lrpCompositeName(options.lrpComposite) + ")",
                                                     true, lrpPixelMap(result.relevance)[0]));
        }
        clock.done("lrp");
    }

    if (wants(ExplainPart::Neurons) || wants(ExplainPart::RelevanceCam) || wants(ExplainPart::DeviationCam) ||
        wants(ExplainPart::GradCam) || wants(ExplainPart::Labels) || wants(ExplainPart::Saliency) ||
        wants(ExplainPart::Lrp))
        partial("heatmaps");

    if (wants(ExplainPart::Landscape)) {
        const std::string id = pickLandscapeDetector(profile, options.landscapeDetector);
        if (id.empty())
            unavailable(ExplainPart::Landscape, "every detector of the profile needs input gradients");
        else {
            LandscapeProgress progress;
            if (options.progress)
                progress = [&](int done, int total) { return options.progress("landscape", done, total); };
            LandscapeLevelReady levelReady;
            if (options.partial)
                levelReady = [&](const ScoreLandscape &level) {
                    out.landscape = level;
                    const std::string n = std::to_string(level.coordinates.size());
                    partial("landscape " + n + "x" + n);
                };
            out.landscape = scoreLandscape(backbone, *profile.find(id)->detector, batch, options.landscape,
                                           progress, levelReady);
        }
        clock.done("landscape");
    }

    if (wants(ExplainPart::Faithfulness)) {
        if (out.heatmaps.empty())
            unavailable(ExplainPart::Faithfulness, "no heatmap was made to test");
        else {
            std::vector<NamedHeatmap> named;
            for (const Heatmap &map : out.heatmaps)
                named.push_back({map.method, map.values});
            FaithfulnessOptions faithfulness = options.faithfulness;
            if (faithfulness.target < 0)
                faithfulness.target = static_cast<int>(out.prediction);
            checkCancel("faithfulness", 0, 1);
            out.faithfulness = faithfulnessCurves(backbone, batch, named, faithfulness);
        }
        clock.done("faithfulness");
        partial("faithfulness");
    }

    partial("done");
    return out;
}

} // namespace ood
