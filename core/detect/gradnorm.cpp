// GradNorm (docs/detectors.md, gradnorm) in closed form: the gradient of sum_c -log softmax(Wh+b)_c
// with respect to W is (C p_c - 1) h_j, so the L1 norm factorises into two sums. No autograd.

#include "detect/detectors.h"

#include <torch/torch.h>

namespace ood::detectors {

namespace {

class GradNorm final : public Detector
{
  public:
    GradNorm() : Detector(gradNormDescriptor()) {}
    at::Tensor score(const ScoreContext &context) const override
    {
        const at::Tensor logits = context.activations.logits.to(torch::kFloat64);
        const auto classes = static_cast<double>(logits.size(1));
        const at::Tensor p = torch::softmax(logits, 1);
        const at::Tensor classFactor = (classes * p - 1).abs().sum(1);
        const at::Tensor featureFactor = context.activations.features.to(torch::kFloat64).abs().sum(1);
        return -(classFactor * featureFactor);
    }
};

} // namespace

const DetectorDescriptor &gradNormDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "gradnorm";
        d.displayName = "GradNorm";
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new GradNorm); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
