// GradNorm (docs/detectors.md, gradnorm) in closed form: the gradient of sum_c -log softmax(Wh+b)_c
// with respect to W is (C p_c - 1) h_j, so the L1 norm factorises into two sums. No autograd.

#include "detect/detectors.h"

#include <torch/torch.h>

namespace ood::detectors {

namespace {

class GradNorm final : public Detector
{
  public:
    std::string id() const override { return "gradnorm"; }
    std::string displayName() const override { return "GradNorm"; }
    bool referenceIsIdHigh() const override { return true; }
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

std::unique_ptr<Detector> makeGradNorm()
{
    return std::make_unique<GradNorm>();
}

} // namespace ood::detectors
