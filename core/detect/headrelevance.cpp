#include "detect/headrelevance.h"

#include <torch/torch.h>

namespace ood {

HeadRelevance headRelevance(const at::Tensor &features, const at::Tensor &weight, const at::Tensor &bias,
                            double epsilon)
{
    const at::Tensor h = features.to(torch::kFloat64);
    const at::Tensor w = weight.to(torch::kFloat64);
    const at::Tensor b = bias.to(torch::kFloat64);
    const at::Tensor logits = torch::addmm(b, h, w.t());
    const at::Tensor p = torch::softmax(logits, 1);

    // The reference has no guard (a logit of exactly 0 divides by zero); keep its value
    // everywhere else and nudge only exact-zero-ish denominators, flagging the sample.
    at::Tensor denominator = logits + epsilon;
    const at::Tensor tiny = denominator.abs() < 1e-12;
    const at::Tensor direction =
        torch::where(denominator >= 0, torch::ones_like(denominator), -torch::ones_like(denominator));
    denominator = torch::where(tiny, direction * 1e-12, denominator);

    const at::Tensor share = p / denominator; // [N,C]
    HeadRelevance result;
    result.neurons = h * torch::matmul(share, w);
    result.bias = torch::matmul(share, b);
    result.nearZeroLogit = tiny.any(1);
    return result;
}

} // namespace ood
