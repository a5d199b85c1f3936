// ODIN (docs/detectors.md, ODIN), NERO preset by default: T = 100, eps = 5e-4 in normalised input
// units (no division by the channel std), one signed-gradient step that raises the confidence of
// the predicted class, then max softmax at temperature T.

#include "detect/detectors.h"

#include "base/error.h"
#include "model/backbone.h"

#include <torch/torch.h>

namespace ood::detectors {

namespace {

class Odin final : public Detector
{
  public:
    Odin()
    {
        declareSetting("temperature", 100.0);
        declareSetting("epsilon", 0.0005);
    }
    std::string id() const override { return "odin"; }
    std::string displayName() const override { return "ODIN"; }
    bool referenceIsIdHigh() const override { return true; }
    DetectorNeeds needs() const override
    {
        DetectorNeeds n;
        n.inputGradient = true;
        return n;
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        if (!context.backbone || !context.input.defined())
            throw Error("ODIN needs the input batch and the model (input-gradient stage)");
        const double temperature = setting("temperature");
        const double epsilon = setting("epsilon");

        torch::AutoGradMode enableGrad(true);
        at::Tensor x = context.input.detach().clone().set_requires_grad(true);
        const at::Tensor logits = context.backbone->logitsWithGradient(x);
        const at::Tensor predicted = logits.argmax(1).detach();
        const at::Tensor loss = torch::nn::functional::cross_entropy(logits / temperature, predicted);
        const at::Tensor gradient = torch::autograd::grad({loss}, {x})[0];
        // Zero gradients count as positive, as in the reference (torch.ge(grad, 0)).
        const at::Tensor direction = gradient.ge(0).to(torch::kFloat32) * 2 - 1;
        const at::Tensor perturbed = (x.detach() - epsilon * direction).contiguous();

        const Activations shifted = context.backbone->forward(perturbed, {});
        const at::Tensor p = torch::softmax(shifted.logits.to(torch::kFloat32) / temperature, 1);
        return -std::get<0>(p.max(1)).to(torch::kFloat64);
    }
};

} // namespace

std::unique_ptr<Detector> makeOdin()
{
    return std::make_unique<Odin>();
}

} // namespace ood::detectors
