#pragma once
// The interface every OOD detector implements. Detectors look like FAISS indexes: described by a
// static DetectorDescriptor (id, name, needs, state version) that the registry lists, created by
// id, `fit` once on in-distribution data, `score` batches, state saved into and restored from a
// profile with its version.
//
// Score convention: `score` returns [N] float64 where HIGHER MEANS MORE LIKELY OOD, for every
// detector. Where the reference implementation reports an ID-high confidence, the reference value
// is -score (see Detector::referenceIsIdHigh).

#include "base/progress.h"
#include "model/activations.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ood {

class Backbone;
class ClipBackbone;
class GradientPass;

/// Where the zero-shot detectors (neglabel, negrefine) take their negative labels from
/// (docs/zero-shot.md). Recorded in the profile.
struct NegativeLabelSource
{
    /// WordNet database with data.noun and data.adj (Debian's wordnet-base).
    std::string wordNetDir = "/usr/share/wordnet";
    /// Ready lists used instead of mining (one label per line), e.g. NegRefine's published
    /// neg_labels_noun.txt and neg_labels_adj.txt. Either may be empty.
    std::string nounListFile, adjectiveListFile;
    /// NegRefine only: drop proper nouns, taxonomic names and subcategories of the ID labels with
    /// WordNet's relations (the stand-in for NegRefine's LLM filter). Not applied to ready lists.
    bool wordNetFilter = true;

    bool readyList() const { return !nounListFile.empty() || !adjectiveListFile.empty(); }
};

/// A zero-shot detector's negative labels, for explanations in words.
struct NegativeLabels
{
    std::vector<std::string> labels; ///< nouns first, then adjectives
    int64_t nounCount = 0;
    at::Tensor embeddings; ///< [labels, D] float32 unit rows
    std::string source;    ///< where they came from, as recorded in the profile
};

/// What fit() reads of the TRAIN split's early activations (ForwardRequest::early). Never the
/// maps of the whole split: a ResNet-18 layer1 map at 224x224 is 800 KB per image, so the
/// profile fitter reduces them while it streams the batches (docs/architecture.md).
struct EarlyTrainNeeds
{
    bool classMeans = false; ///< FeatureSet::earlyClassMeans / earlyClassCounts
    /// Keep the maps of the samples at evenlySpacedPositions(list size, subsetSize) in
    /// FeatureSet::earlySubset; 0 keeps none.
    int64_t subsetSize = 0;

    bool any() const { return classMeans || subsetSize > 0; }
};

/// Positions floor(k*listSize/count), k = 0..count-1, in the sorted sample list (all positions
/// when listSize <= count): a subset spread over every class of an ImageFolder list, whose first
/// entries would all come from class 0.
std::vector<int64_t> evenlySpacedPositions(int64_t listSize, int64_t count);

/// What fit() reads, beyond the head's weights.
struct FitNeeds
{
    bool trainData = false;     ///< FitContext::train
    bool trainLabels = false;   ///< ... with ground-truth labels
    bool valData = false;       ///< FitContext::val (fit runs after the validation pass)
    bool valLabels = false;     ///< ... with ground-truth labels (a validation folder with class sub-folders)
    EarlyTrainNeeds trainEarly; ///< reductions of the TRAIN early activations (with trainData)
    /// FitContext::gradientPass: fit() runs parts of the network itself (GROOD, from mixed early
    /// activations).
    bool gradientPass = false;
};

/// The passes through the model that score() runs per batch, hence per image, beyond the shared
/// inference forward pass that feeds every detector (docs/detectors.md, "Cost in passes"). A
/// backward pass counts as one pass, like a forward.
struct PassCost
{
    /// Differentiates the batch's shared input graph (GradientPass::inputGraph): a forward with
    /// autograd on the unperturbed batch, run once per batch for every detector that reads it.
    bool sharedGraphForward = false;
    int64_t graphForwards = 0;     ///< forwards with autograd on graphs of its own (PRO's x_1..x_K-1)
    int64_t backwardPasses = 0;    ///< input gradients
    int64_t inferenceForwards = 0; ///< forwards without autograd (the perturbed batch)

    /// Every pass counted once: of one detector, what it costs when it is the only one selected.
    int64_t passes() const
    {
        return (sharedGraphForward ? 1 : 0) + graphForwards + backwardPasses + inferenceForwards;
    }
};

/// What score() reads beyond logits and penultimate features.
struct ScoreNeeds
{
    ForwardRequest forward; ///< optional activations of the shared forward pass
    /// ScoreContext::gradientPass: extra passes with autograd w.r.t. the input (ODIN, PRO). Only
    /// these detectors get the model; they cost most of the scoring time.
    bool gradientPass = false;
    /// What those passes cost; zero for a detector that reads only the shared forward pass.
    PassCost cost;
};

struct DetectorNeeds
{
    FitNeeds fit;
    ScoreNeeds score;
};

class Detector;

/// The passes of `detectors` scored together, at their current settings (Detector::needs()): the
/// shared input graph's forward counted once, everything else summed.
PassCost combinedPassCost(const std::vector<const Detector *> &detectors);
/// combinedPassCost(detectors).passes(): the passes through the model per image that scoring
/// `detectors` together costs beyond the shared inference forward pass.
int64_t extraPassesPerImage(const std::vector<const Detector *> &detectors);

/// What the program knows of a detector without constructing one: the registry lists these
/// (registry.cpp), each detector's file defines its own next to its class. Detector::id(),
/// displayName(), referenceIsIdHigh() and the static part of needs() read it, so they cannot
/// disagree with the registry.
struct DetectorDescriptor
{
    std::string id;          ///< lowercase CLI id, e.g. "nero"; the key in profiles
    std::string displayName; ///< e.g. "NERO"
    /// The needs that hold whatever the settings; Detector::needs() adds those that depend on
    /// them (GROOD's subset size, ReAct's VAL percentile, PRO's cost).
    DetectorNeeds needs;
    /// True when the reference implementation reports an ID-high value (reference = -score).
    bool referenceIsIdHigh = false;
    /// Version of the fitted state this build writes ("state_version" in the state). Raise it when
    /// the meaning or layout of a state entry changes, and read the older layouts in
    /// restoreFittedState (Detector::restoredStateVersion()). A state without a version is 1.
    int64_t stateVersion = 1;
    std::unique_ptr<Detector> (*create)() = nullptr;
};

/// Activations of a whole split, gathered batch by batch.
struct FeatureSet
{
    at::Tensor features; ///< [N,D] float32
    at::Tensor logits;   ///< [N,C] float32
    at::Tensor labels;   ///< [N] int64, -1 where unknown

    /// Early activations, reduced as DetectorNeeds::trainEarly asked; undefined otherwise.
    at::Tensor earlyClassMeans;    ///< [C,...] float64: mean early map per label 0..C-1
    at::Tensor earlyClassCounts;   ///< [C] int64: images behind each mean (0: that mean is 0)
    at::Tensor earlySubset;        ///< [M,...] float32: maps of the kept samples, in list order
    at::Tensor earlySubsetRows;    ///< [M] int64: their rows in features/logits/labels
    at::Tensor earlySubsetSamples; ///< [M] int64: their positions in the sample list
    /// Samples in the list the split came from, decoded or not: the evenly spaced positions are
    /// taken from it, so an image that fails to decode only drops itself from the subset.
    int64_t listSize = 0;

    int64_t size() const { return features.defined() ? features.size(0) : 0; }
};

struct FitContext
{
    FeatureSet train;
    FeatureSet val;
    at::Tensor headWeight;    ///< [C,D] float32
    at::Tensor headBias;      ///< [C] float32
    std::string architecture; ///< "resnet18", ..., or what a TorchScript model declares
    /// Set only for a detector whose needs().fit.gradientPass is set.
    const GradientPass *gradientPass = nullptr;
    /// The vision-language model when the backbone is one (Backbone::asClip), else null.
    const ClipBackbone *clip = nullptr;
    NegativeLabelSource negatives;
    /// Long fits (mining negative labels) report here; may be empty.
    ProgressCallback progress;
};

struct ScoreContext
{
    const Activations &activations;
    at::Tensor input; ///< [N,3,H,W] normalised; defined when needs().score.gradientPass is set
    /// Extra passes through the model; set only for a detector whose needs().score.gradientPass is
    /// set (the scorer never hands the model to the others). The scorer binds it to `input`, so
    /// the detectors of one batch share the graph of GradientPass::inputGraph(input).
    const GradientPass *gradientPass = nullptr;
    at::Tensor headWeight; ///< [C,D] float32
    at::Tensor headBias;   ///< [C] float32
    /// The vision-language model when the backbone is one (Backbone::asClip), else null.
    const ClipBackbone *clip = nullptr;
};

/// Fitted statistics and settings, by name. Settings are stored as 0-d float64 tensors under
/// "setting.<name>" so a profile remembers how each detector was configured, and the version of
/// the state's layout as a 0-d int64 tensor "state_version" (DetectorDescriptor::stateVersion).
using DetectorState = std::map<std::string, at::Tensor>;

/// The state entry that holds DetectorDescriptor::stateVersion.
inline constexpr const char *kStateVersionKey = "state_version";

class Detector
{
  public:
    /// `descriptor` must outlive the detector (each detector file's descriptor is a static).
    explicit Detector(const DetectorDescriptor &descriptor) : m_descriptor(descriptor) {}
    virtual ~Detector() = default;
    Detector(const Detector &) = delete;
    Detector &operator=(const Detector &) = delete;

    const DetectorDescriptor &descriptor() const { return m_descriptor; }
    const std::string &id() const { return m_descriptor.id; }
    const std::string &displayName() const { return m_descriptor.displayName; }
    /// True when the reference implementation reports an ID-high value (reference = -score).
    bool referenceIsIdHigh() const { return m_descriptor.referenceIsIdHigh; }
    /// The descriptor's needs plus those that depend on the current settings.
    DetectorNeeds needs() const;
    /// Empty when the detector can run on `backbone`; otherwise why it cannot (e.g. AbeT on a
    /// model without a learned-temperature head). An unavailable detector is left out of the
    /// profile and reported with this reason; it is never scored as zero.
    virtual std::string unavailableReason(const Backbone &backbone) const
    {
        (void)backbone;
        return {};
    }

    /// Called once with everything needs() asked for. Throws ood::Error when the data cannot
    /// support the detector (e.g. too few samples).
    virtual void fit(const FitContext &context) { (void)context; }
    /// [N] float64, higher = more OOD.
    virtual at::Tensor score(const ScoreContext &context) const = 0;

    /// Fitted state (tensors) plus settings and "state_version".
    DetectorState state() const;
    /// Restores what state() wrote; throws ood::Error naming a missing or malformed entry, and a
    /// state written by a newer version of this detector (its "state_version" above the
    /// descriptor's). A state without a version is version 1.
    void setState(const DetectorState &state);
    /// The version of the state setState() restored (1 for a state without one), 0 before any;
    /// restoreFittedState() reads it to tell older layouts from the current one.
    int64_t restoredStateVersion() const { return m_restoredStateVersion; }

    double setting(const std::string &name) const;
    /// Throws ood::Error for a name this detector does not have.
    void setSetting(const std::string &name, double value);
    const std::map<std::string, double> &settings() const { return m_settings; }
    /// Throws ood::Error naming the detector and the entry when `name` is missing.
    static at::Tensor require(const DetectorState &state, const std::string &name,
                              const std::string &detectorId);
    /// The negative labels of a zero-shot detector (neglabel, negrefine), else null.
    virtual const NegativeLabels *negativeLabels() const { return nullptr; }

  protected:
    /// Declares a setting with its default; call from the constructor.
    void declareSetting(const std::string &name, double defaultValue);
    /// Adds to `needs` (the descriptor's) what depends on the settings; the default adds nothing.
    virtual void addSettingNeeds(DetectorNeeds &needs) const { (void)needs; }
    virtual DetectorState fittedState() const { return {}; }
    virtual void restoreFittedState(const DetectorState &state) { (void)state; }

  private:
    const DetectorDescriptor &m_descriptor;
    std::map<std::string, double> m_settings;
    int64_t m_restoredStateVersion = 0;
};

} // namespace ood
