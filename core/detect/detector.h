#pragma once
// The interface every OOD detector implements. Detectors look like FAISS indexes: created by id
// from the registry, `fit` once on in-distribution data, `score` batches, state saved into and
// restored from a profile.
//
// Score convention: `score` returns [N] float64 where HIGHER MEANS MORE LIKELY OOD, for every
// detector. Where the reference implementation reports an ID-high confidence, the reference value
// is -score (see Detector::referenceIsIdHigh).

#include "model/activations.h"

#include <map>
#include <string>
#include <vector>

namespace ood {

class Backbone;

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

/// What a detector needs beyond logits and penultimate features.
struct DetectorNeeds
{
    ForwardRequest forward;     ///< optional activations of the forward pass when scoring
    EarlyTrainNeeds trainEarly; ///< reductions of the TRAIN early activations fit() reads
    bool inputGradient = false; ///< needs extra passes with autograd w.r.t. the input (ODIN, PRO)
    bool trainData = false;     ///< fit() reads FitContext::train
    bool trainLabels = false;   ///< ... with ground-truth labels
    bool valData = false;       ///< fit() reads FitContext::val (runs after the validation pass)
    bool valLabels = false;     ///< ... with ground-truth labels (a validation folder with class sub-folders)
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
    Backbone *backbone = nullptr;
};

struct ScoreContext
{
    const Activations &activations;
    at::Tensor input;             ///< [N,3,H,W] normalised; defined when inputGradient is needed
    Backbone *backbone = nullptr; ///< for detectors that run extra passes
    at::Tensor headWeight;        ///< [C,D] float32
    at::Tensor headBias;          ///< [C] float32
};

/// Fitted statistics and settings, by name. Settings are stored as 0-d float64 tensors under
/// "setting.<name>" so a profile remembers how each detector was configured.
using DetectorState = std::map<std::string, at::Tensor>;

class Detector
{
  public:
    virtual ~Detector() = default;

    virtual std::string id() const = 0;          ///< lowercase CLI id, e.g. "nero"
    virtual std::string displayName() const = 0; ///< e.g. "NERO"
    virtual DetectorNeeds needs() const { return {}; }
    /// True when the reference implementation reports an ID-high value (reference = -score).
    virtual bool referenceIsIdHigh() const = 0;
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

    /// Fitted state (tensors) plus settings.
    DetectorState state() const;
    /// Restores what state() wrote; throws ood::Error naming a missing or malformed entry.
    void setState(const DetectorState &state);

    double setting(const std::string &name) const;
    /// Throws ood::Error for a name this detector does not have.
    void setSetting(const std::string &name, double value);
    const std::map<std::string, double> &settings() const { return m_settings; }

  protected:
    /// Declares a setting with its default; call from the constructor.
    void declareSetting(const std::string &name, double defaultValue);
    virtual DetectorState fittedState() const { return {}; }
    virtual void restoreFittedState(const DetectorState &state) { (void)state; }
    /// Throws ood::Error naming the detector and the entry when `name` is missing.
    static at::Tensor require(const DetectorState &state, const std::string &name,
                              const std::string &detectorId);

  private:
    std::map<std::string, double> m_settings;
};

} // namespace ood
