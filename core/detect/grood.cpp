// GROOD (docs/detectors.md, GROOD): class prototypes at the penultimate layer, an OOD prototype
// made by mixing TRAIN early activations with the early prototype of their runner-up class, and the
// score = distance from the gradient of the nearest-class-prototype loss w.r.t. the OOD prototype
// to the nearest such gradient of a correctly classified TRAIN image. Defaults are the spec's
// "Recommended" column, not OpenOOD's config: synthetic prototype (no OOD data exists in the app),
// lambda 0.5, 100 evenly spaced TRAIN samples, exact 1-NN (IndexFlatL2), paper distance.

#include "detect/grood.h"
#include "detect/nearestneighbours.h"

#include "detect/detectors.h"
#include "detect/fitsupport.h"
#include "detect/gradientpass.h"
#include "detect/linalg.h"
#include "base/error.h"
#include "model/backbone.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <set>

namespace ood::grood {

at::Tensor gradients(const at::Tensor &features, const at::Tensor &classPrototypes,
                     const at::Tensor &oodPrototype)
{
    const at::Tensor prototypes = classPrototypes.to(torch::kFloat64);
    const at::Tensor ood = oodPrototype.to(torch::kFloat64).reshape({1, -1});
    const at::Tensor h = features.to(torch::kFloat64);
    std::vector<at::Tensor> parts;
    // Explicit differences rather than cdist: cdist's matrix-product shortcut loses the digits a
    // distance near zero needs. Chunks keep the [n,C,D] differences small for a whole TRAIN set.
    const int64_t chunk = 256;
    for (int64_t start = 0; start < h.size(0); start += chunk) {
        const at::Tensor x = h.slice(0, start, std::min(start + chunk, h.size(0)));
        const at::Tensor classDistances = (x.unsqueeze(1) - prototypes.unsqueeze(0)).norm(2, {2});
        const at::Tensor fromOod = x - ood;
        const at::Tensor oodDistance = fromOod.norm(2, {1}, /*keepdim=*/true);
        const at::Tensor logits = -torch::cat({classDistances, oodDistance}, 1);
        const at::Tensor qOod = torch::softmax(logits, 1).narrow(1, logits.size(1) - 1, 1);
        // The unit vector is undefined at h = p_ood; the reference's normalisation gives 0 there.
        const at::Tensor safe = torch::where(oodDistance > 0, oodDistance, torch::ones_like(oodDistance));
        parts.push_back(torch::where(oodDistance > 0, qOod * fromOod / safe, torch::zeros_like(fromOod)));
    }
    if (parts.empty())
        return torch::zeros({0, prototypes.size(1)}, torch::kFloat64);
    return torch::cat(parts);
}

} // namespace ood::grood

namespace ood::detectors {

namespace {

class Grood final : public Detector
{
  public:
    Grood() : Detector(groodDescriptor())
    {
        declareSetting("mix_lambda", 0.5);
        // >= the number of TRAIN images: every one of them (memory: one early map each).
        declareSetting("synthetic_samples", 100.0);
        declareSetting("filter_ood", 0.0);
        declareSetting("filter_quantile", 0.8);
    }

    std::string unavailableReason(const Backbone &backbone) const override
    {
        if (backbone.canRunFromEarly())
            return {};
        return "GROOD needs the model's early activations (the first residual stage's output) and a way to "
               "run the "
               "rest of the network from them: a native ResNet, or a TorchScript model that returns "
               "\"early\" and "
               "has features_from_early(early) (docs/model-contract.md)";
    }

    void fit(const FitContext &context) override
    {
        fitsupport::requireTrain(context, id(), 1, true);
        const double lambda = setting("mix_lambda");
        const int64_t syntheticCount = std::llround(setting("synthetic_samples"));
        const double quantile = setting("filter_quantile");
        if (syntheticCount < 1)
            throw Error("detector 'grood': setting 'synthetic_samples' must be at least 1");
        if (quantile < 0.0 || quantile > 1.0)
            throw Error("detector 'grood': setting 'filter_quantile' must lie in [0, 1]");
        const FeatureSet &train = context.train;
        const int64_t classes = train.logits.size(1);
        if (classes < 2)
            throw Error(
                "detector 'grood' needs a model with at least 2 classes (the mix uses the runner-up class)");
        if (!train.earlyClassMeans.defined() || !train.earlySubset.defined() ||
            !train.earlySubsetRows.defined() || !train.earlySubsetSamples.defined())
            throw Error("detector 'grood': the early activations of the training images were not collected");
        if (train.earlyClassMeans.size(0) != classes)
            throw Error("detector 'grood': " + std::to_string(train.earlyClassMeans.size(0)) +
                        " early class means for " + std::to_string(classes) + " classes");
        if (!context.gradientPass)
            throw Error(
                "detector 'grood' needs the model to fit (it runs the network from mixed early activations)");

        // Prototypes: class means with ground-truth labels, every class must have an image.
        const at::Tensor labels = train.labels.to(torch::kInt64);
        if ((labels >= classes).any().item<bool>())
            throw Error("detector 'grood': a training label exceeds the model's " + std::to_string(classes) +
                        " classes");
        const at::Tensor counts = torch::bincount(labels, {}, classes);
        const auto emptyClass = (counts == 0).nonzero();
        if (emptyClass.size(0) > 0)
            throw Error("detector 'grood' needs at least one training image of every class; class " +
                        std::to_string(emptyClass[0][0].item<int64_t>()) + " has none");
        const at::Tensor h = train.features.to(torch::kFloat64);
        m_classPrototypes = torch::zeros({classes, h.size(1)}, torch::kFloat64).index_add_(0, labels, h) /
                            counts.to(torch::kFloat64).unsqueeze(1);
        const at::Tensor earlyPrototypes = train.earlyClassMeans.to(torch::kFloat64);

        // The evenly spaced samples this detector asked for; images that failed to decode are absent.
        const std::vector<int64_t> wanted = evenlySpacedPositions(train.listSize, syntheticCount);
        const std::set<int64_t> wantedSet(wanted.begin(), wanted.end());
        const std::vector<int64_t> kept = fitsupport::labelsOf(train.earlySubsetSamples);
        std::vector<int64_t> subsetIndex;
        for (size_t i = 0; i < kept.size(); ++i)
            if (wantedSet.count(kept[i]))
                subsetIndex.push_back(static_cast<int64_t>(i));
        if (subsetIndex.empty())
            throw Error("detector 'grood': none of the evenly spaced training images could be read");
        const at::Tensor select = torch::tensor(subsetIndex, torch::kInt64);
        const at::Tensor early = train.earlySubset.index_select(0, select);
        const at::Tensor rows = train.earlySubsetRows.index_select(0, select);

        // Runner-up class: stable descending order, so ties go to the lower class index.
        const at::Tensor order = std::get<1>(train.logits.index_select(0, rows).sort(true, 1, true));
        const at::Tensor runnerUp = order.select(1, 1);
        at::Tensor synthetic = mixedFeatures(*context.gradientPass, early, earlyPrototypes, runnerUp, lambda)
                                   .to(torch::kFloat64);
        if (synthetic.dim() != 2 || synthetic.size(0) != early.size(0) || synthetic.size(1) != h.size(1))
            throw Error("detector 'grood': the model returned features of shape " + shapeOf(synthetic) +
                        " from the mixed early activations, expected [" + std::to_string(early.size(0)) +
                        "," + std::to_string(h.size(1)) + "]");
        if (setting("filter_ood") != 0.0)
            synthetic = farthestFromPrototypes(synthetic, quantile);
        m_syntheticCount = synthetic.size(0);
        m_oodPrototype = synthetic.mean(0);

        // Gradient bank: only the TRAIN images the classifier gets right (as the reference).
        const at::Tensor correct = (labels == train.logits.argmax(1)).nonzero().reshape({-1});
        if (correct.size(0) == 0)
            throw Error("detector 'grood': the model classifies none of the training images correctly");
        m_bank = grood::gradients(h.index_select(0, correct), m_classPrototypes, m_oodPrototype)
                     .to(torch::kFloat32)
                     .contiguous();
        buildIndex();
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        if (!m_index.isValid())
            throw Error("detector 'grood' is not fitted");
        const at::Tensor g =
            grood::gradients(context.activations.features, m_classPrototypes, m_oodPrototype);
        // FAISS finds the neighbour; the distance is recomputed in float64 because its float32
        // |a|^2 + |b|^2 - 2ab form is off by ~1e-7 in S^2, i.e. ~3e-4 in S near a stored gradient.
        const at::Tensor index = m_index.search(g.to(torch::kFloat32), 1).indices.reshape({-1});
        if ((index < 0).any().item<bool>())
            throw Error("detector 'grood': the gradient index returned no neighbour");
        return (g - m_bank.index_select(0, index).to(torch::kFloat64)).norm(2, {1});
    }

  protected:
    void addSettingNeeds(DetectorNeeds &needs) const override
    {
        needs.fit.trainEarly.subsetSize = std::max<int64_t>(1, std::llround(setting("synthetic_samples")));
    }

    DetectorState fittedState() const override
    {
        if (!m_bank.defined())
            return {};
        return {{"class_prototypes", m_classPrototypes},
                {"ood_prototype", m_oodPrototype},
                {"gradient_bank", m_bank},
                {"synthetic_count", torch::tensor(m_syntheticCount, torch::kInt64)}};
    }

    void restoreFittedState(const DetectorState &state) override
    {
        m_classPrototypes = require(state, "class_prototypes", id()).to(torch::kFloat64).contiguous();
        m_oodPrototype = require(state, "ood_prototype", id()).to(torch::kFloat64).contiguous();
        m_bank = require(state, "gradient_bank", id()).to(torch::kFloat32).contiguous();
        m_syntheticCount = require(state, "synthetic_count", id()).to(torch::kInt64).item<int64_t>();
        const int64_t dim = m_classPrototypes.dim() == 2 ? m_classPrototypes.size(1) : -1;
        if (dim < 1 || m_classPrototypes.size(0) < 2 || m_oodPrototype.dim() != 1 ||
            m_oodPrototype.size(0) != dim || m_bank.dim() != 2 || m_bank.size(0) < 1 || m_bank.size(1) != dim)
            throw Error("detector 'grood': the profile's prototypes " + shapeOf(m_classPrototypes) + ", " +
                        shapeOf(m_oodPrototype) + " and gradient bank " + shapeOf(m_bank) +
                        " do not fit together");
        buildIndex();
    }

  private:
    static std::string shapeOf(const at::Tensor &t)
    {
        if (!t.defined())
            return "(none)";
        std::string s = "[";
        for (int64_t i = 0; i < t.dim(); ++i)
            s += (i ? "," : "") + std::to_string(t.size(i));
        return s + "]";
    }

    /// f_mid(lambda * e + (1 - lambda) * p_{runner-up}^early), mixed in float64 and run in float32.
    static at::Tensor mixedFeatures(const GradientPass &pass, const at::Tensor &early,
                                    const at::Tensor &earlyPrototypes, const at::Tensor &runnerUp,
                                    double lambda)
    {
        // Chunks: at 224 px, 100 mixed maps and the mid network's activations would take ~0.5 GB.
        std::vector<at::Tensor> parts;
        const int64_t chunk = 16;
        for (int64_t start = 0; start < early.size(0); start += chunk) {
            const int64_t end = std::min(start + chunk, early.size(0));
            const at::Tensor mixed =
                (lambda * early.slice(0, start, end).to(torch::kFloat64) +
                 (1.0 - lambda) * earlyPrototypes.index_select(0, runnerUp.slice(0, start, end)))
                    .to(torch::kFloat32);
            at::Tensor part = pass.featuresFromEarly(mixed);
            if (!part.defined())
                throw Error("detector 'grood': the model cannot run from its early activations");
            parts.push_back(part.to(torch::kFloat32).clone());
        }
        return torch::cat(parts);
    }

    /// The proximity filter: keeps the mixed features whose distance to the nearest class
    /// prototype exceeds the q-quantile of those distances, at least the two farthest.
    at::Tensor farthestFromPrototypes(const at::Tensor &synthetic, double quantile) const
    {
        const at::Tensor distances =
            std::get<0>((synthetic.unsqueeze(1) - m_classPrototypes.unsqueeze(0)).norm(2, {2}).min(1))
                .contiguous();
        const std::vector<double> d(distances.data_ptr<double>(),
                                    distances.data_ptr<double>() + distances.numel());
        const double threshold = linalg::percentile(d, 100.0 * quantile);
        std::vector<int64_t> keep;
        for (size_t i = 0; i < d.size(); ++i)
            if (d[i] > threshold)
                keep.push_back(static_cast<int64_t>(i));
        const size_t minimum = std::min<size_t>(2, d.size());
        if (keep.size() < minimum) {
            std::vector<int64_t> order(d.size());
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
                return d[static_cast<size_t>(a)] > d[static_cast<size_t>(b)];
            });
            keep.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(minimum));
            std::sort(keep.begin(), keep.end());
        }
        return synthetic.index_select(0, torch::tensor(keep, torch::kInt64));
    }

    void buildIndex() { m_index = nn::NearestNeighbours::exact(m_bank); }

    at::Tensor m_classPrototypes; // [C,D] float64
    at::Tensor m_oodPrototype;    // [D] float64
    at::Tensor m_bank;            // [M,D] float32, gradients of the correctly classified TRAIN images
    int64_t m_syntheticCount = 0;
    nn::NearestNeighbours m_index;
};

} // namespace

const DetectorDescriptor &groodDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "grood";
        d.displayName = "GROOD";
        d.needs.fit.trainData = d.needs.fit.trainLabels = true;
        d.needs.fit.trainEarly.classMeans = true;
        d.needs.fit.gradientPass = true; // runs the network from mixed early activations
        // OpenOOD returns -(squared distance) to the nearest gradient; S^2 ranks as S does.
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Grood); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
