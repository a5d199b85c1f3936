// AbeT: the energy of the learned-temperature logits without its leading T (docs/detectors.md,
// AbeT). The reference reports A = LSE(f/T), ID-high; the unified score is s = -LSE(f/T).
//
// Not post-hoc: f (cosine numerators) and T (learned temperature) come from heads the model was
// trained with. A model without them cannot use AbeT, and the detector says so instead of
// scoring (Detector::unavailableReason).

#include "detect/detectors.h"
#include "base/error.h"
#include "model/backbone.h"

#include <torch/torch.h>

namespace ood::detectors {

namespace {

class Abet final : public Detector
{
  public:
    Abet() : Detector(abetDescriptor()) {}

    std::string unavailableReason(const Backbone &backbone) const override
    {
        if (backbone.hasLearnedTemperature())
            return {};
        return "the model has no learned-temperature head (AbeT needs a model trained with it; see "
               "docs/model-contract.md)";
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        const Activations &a = context.activations;
        const int64_t n = a.batchSize();
        if (!a.cosine.defined() || !a.temperature.defined())
            throw Error("detector 'abet': the forward pass gave no " +
                        std::string(a.cosine.defined() ? "temperature" : "cosine numerators") +
                        "; the model has no learned-temperature head (see docs/model-contract.md)");
        if (a.cosine.dim() != 2 || a.cosine.size(0) != n || a.temperature.numel() != n)
            throw Error("detector 'abet': cosine must be [N,C] and temperature [N] for a batch of " +
                        std::to_string(n));
        const at::Tensor f = a.cosine.to(torch::kFloat64);
        const at::Tensor t = a.temperature.to(torch::kFloat64).reshape({n, 1});
        if (!(t > 0).all().item<bool>())
            throw Error("detector 'abet': the learned temperature must be positive");
        // T can be tiny, so |f/T| can be huge: torch's logsumexp subtracts the row maximum first
        // (the stable form, docs/detectors.md, Conventions); the reference's plain log(sum(exp)) is
        // safe only for moderate values even in float64.
        return -torch::logsumexp(f / t, 1);
    }
};

} // namespace

const DetectorDescriptor &abetDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "abet";
        d.displayName = "AbeT";
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Abet); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
