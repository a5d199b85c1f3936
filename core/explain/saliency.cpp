#include "explain/saliency.h"

#include "base/error.h"
#include "model/backbone.h"

#include <torch/torch.h>

namespace ood {

at::Tensor inputGradientSaliency(Backbone &backbone, const at::Tensor &batch, int64_t target)
{
    if (batch.dim() != 4 || batch.size(0) != 1)
        throw Error("saliency takes one frame as [1,3,H,W]");
    c10::InferenceMode off(false);
    torch::AutoGradMode gradients(true);
    const at::Tensor input = batch.detach().clone().requires_grad_(true);
    const at::Tensor logits = backbone.logitsWithGradient(input);
    if (target < 0 || target >= logits.size(1))
        throw Error("saliency: class " + std::to_string(target) + " is not among the model's " +
                    std::to_string(logits.size(1)) + " outputs");
    const at::Tensor gradient = torch::autograd::grad({logits[0][target]}, {input})[0];
    return std::get<0>(gradient[0].abs().max(0)).to(torch::kFloat32).contiguous();
}

} // namespace ood
