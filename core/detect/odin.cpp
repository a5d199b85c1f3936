// ODIN (docs/detectors.md, ODIN), NERO preset by default: T = 100, eps = 5e-4 in normalised input
// units (no division by the channel std), one signed-gradient step that raises the confidence of
// the predicted class, then max softmax at temperature T.

#include "detect/detectors.h"

#include "base/error.h"
#include "detect/gradientpass.h"

#include <torch/torch.h>

namespace ood::detectors {

namespace {

class Odin final : public Detector
{
  public:
    Odin() : Detector(odinDescriptor())
    {
        declareSetting("temperature", 100.0);
        declareSetting("epsilon", 0.0005);
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        if (!context.gradientPass || !context.input.defined())
            throw Error("ODIN needs the input batch and the model's gradient pass (input-gradient stage)");
        const double temperature = setting("temperature");
        const double epsilon = setting("epsilon");

        torch::AutoGradMode enableGrad(true);
        // The batch's shared graph on x0 (PRO starts from it too): retained for the others.
        const InputGraph graph = context.gradientPass->inputGraph(context.input);
        const at::Tensor predicted = graph.logits.argmax(1).detach();
        const at::Tensor loss = torch::nn::functional::cross_entropy(graph.logits / temperature, predicted);
        const at::Tensor gradient =
            torch::autograd::grad({loss}, {graph.input}, {}, /*retain_graph=*/true)[0];
        // Zero gradients count as positive, as in the reference (torch.ge(grad, 0)).
        const at::Tensor direction = gradient.ge(0).to(torch::kFloat32) * 2 - 1;
        const at::Tensor perturbed = (graph.input.detach() - epsilon * direction).contiguous();

        const at::Tensor shifted = context.gradientPass->logits(perturbed);
        const at::Tensor p = torch::softmax(shifted.to(torch::kFloat32) / temperature, 1);
        return -std::get<0>(p.max(1)).to(torch::kFloat64);
    }
};

} // namespace

const DetectorDescriptor &odinDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "odin";
        d.displayName = "ODIN";
        d.needs.score.gradientPass = true;
        // x0's graph (shared), its backward, the perturbed batch's forward.
        d.needs.score.cost.sharedGraphForward = true;
        d.needs.score.cost.backwardPasses = 1;
        d.needs.score.cost.inferenceForwards = 1;
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Odin); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
