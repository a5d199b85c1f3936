#pragma once
// Everything that explains one frame under a profile, computed in the core so the CLI and the
// GUI show the same numbers: the detectors' verdicts, NERO's neuron-level view, heatmaps
// (relevance CAM and its deviation variant, Grad-CAM, LRP), their faithfulness, the score
// landscape and where the frame falls in each detector's ID validation distribution.

#include "calib/profile.h"
#include "explain/density.h"
#include "explain/faithfulness.h"
#include "explain/heatmap.h"
#include "explain/labelmatches.h"
#include "explain/landscape.h"
#include "explain/lrp.h"
#include "explain/neuronexplanation.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ood {

class Backbone;

/// The parts of an explanation; each can be left out.
enum class ExplainPart {
    Neurons,      ///< NERO's neuron relevance against the nearest class (needs NERO in the profile)
    RelevanceCam, ///< NERO relevance through the pooling layer (docs/detectors.md, Explanation maps)
    DeviationCam, ///< relevance minus the nearest class's mean relevance (deviation map; needs NERO)
    GradCam,      ///< Grad-CAM of the predicted class
    Lrp,          ///< pixel-level LRP (native ResNets)
    Faithfulness, ///< deletion/insertion curves of every heatmap against a random order
    Landscape,    ///< PRO-style score landscape
    Densities,    ///< each detector's ID validation density with the frame marked
    Labels,       ///< a CLIP's verdict in words: the ID and negative labels the frame matched most
    Saliency,     ///< input-gradient saliency of the predicted class (any differentiable model)
};

/// "neurons", "relevance-cam", "deviation-cam", "grad-cam", "lrp", "faithfulness", "landscape",
/// "densities", "labels", "saliency" (the CLI's --methods names).
std::string explainPartName(ExplainPart part);
std::vector<ExplainPart> allExplainParts();
/// The parts that apply to `backbone`: all of them, less the labels in words on a classifier.
std::vector<ExplainPart> explainPartsFor(const Backbone &backbone);
/// Throws ood::Error listing the valid names for an unknown one.
ExplainPart explainPartFromName(const std::string &name);

struct FrameExplanation;

struct ExplainOptions
{
    std::vector<ExplainPart> parts = allExplainParts();
    /// Score the frame with every detector of the profile (verdicts; densities need them).
    /// Off for heatmaps alone (reports): the pass then runs no detector.
    bool verdicts = true;
    /// The detectors to give a verdict for, by id (empty: every detector of the profile); the
    /// others are not run (e.g. the ones switched off in the window).
    std::vector<std::string> detectorIds;
    /// Scores already computed for this frame by id (unified sign, e.g. by the scoring run):
    /// their verdicts reuse them and those detectors are not run again.
    std::map<std::string, double> knownScores;
    /// Detector of the landscape; empty: "msp" when the profile has it, else the first detector
    /// that needs one forward pass only.
    std::string landscapeDetector;
    LandscapeOptions landscape;
    FaithfulnessOptions faithfulness;
    /// The composite; mean and std are taken from the profile's model card.
    LrpComposite lrpComposite = LrpComposite::EpsilonGammaBox;
    DensityOptions density;
    /// Scores of a set of frames per detector id ([M], unified sign) to draw against the ID
    /// validation density (e.g. the folder the frame belongs to); may be empty.
    std::map<std::string, at::Tensor> setScores;
    /// Called between and inside the expensive parts; return false to cancel (ood::Error
    /// "cancelled").
    std::function<bool(const std::string &stage, int done, int total)> progress;
    /// Called on the explaining thread with what is made so far, after each stage in this order
    /// (a stage none of whose parts was asked for is left out): "verdicts" (always: the
    /// prediction, with the verdicts and densities), "heatmaps" (neurons, CAMs, labels, saliency,
    /// LRP), "landscape NxN" once per landscape level (LandscapeOptions::levels; soFar.landscape
    /// is that level), "faithfulness", and "done" with the whole explanation. A front-end shows
    /// the cheap parts while the landscape (most of the time) is still running.
    std::function<void(const FrameExplanation &soFar, const std::string &stage)> partial;
};

/// One detector's opinion of the frame.
struct DetectorVerdict
{
    std::string id;
    std::string displayName;
    double score = 0;     ///< unified sign: higher = more OOD
    double reference = 0; ///< the reference implementation's value (-score when it is ID-high)
    double threshold = 0;
    double percentile = 0; ///< share of ID validation frames with a score <= this one, in %
    bool flagged = false;  ///< score > threshold
};

struct FrameExplanation
{
    int64_t prediction = -1;
    std::vector<double> probabilities; ///< softmax of the logits
    std::vector<DetectorVerdict> verdicts;
    std::optional<NeuronExplanation> neurons;
    std::vector<Heatmap> heatmaps;
    std::optional<Faithfulness> faithfulness;
    std::optional<ScoreLandscape> landscape;
    std::vector<std::pair<std::string, ScoreDensity>> densities; ///< detector id, density
    std::optional<LabelMatches> labels;                          ///< CLIP models only
    /// Parts that could not be made for this model or profile, with the reason.
    std::vector<std::pair<std::string, std::string>> unavailable;
    /// Wall-clock seconds per stage ("scores", "lrp", "landscape", ...), in the order run.
    std::vector<std::pair<std::string, double>> seconds;
    /// Images each stage sent through Backbone::forward, and through Backbone::logitsWithGradient
    /// (input gradients: ODIN and PRO verdicts, saliency), with the stages of `seconds`. LRP runs
    /// its own passes through a canonized copy of the network and counts in neither.
    std::vector<std::pair<std::string, int64_t>> forwardImages;
    std::vector<std::pair<std::string, int64_t>> gradientImages;

    int flaggedCount() const;
    const Heatmap *heatmap(const std::string &method) const;
};

/// `input` is the frame as the model sees it ([3,H,W] or [1,3,H,W], normalised as the profile's
/// model card says). The profile's detectors must be fitted for `backbone`. Throws ood::Error on
/// bad input or cancellation; a part that cannot be made is listed in `unavailable` instead.
FrameExplanation explainFrame(Backbone &backbone, const Profile &profile, const at::Tensor &input,
                              const ExplainOptions &options = {});

} // namespace ood
