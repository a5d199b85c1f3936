#include "detect/gradientpass.h"

#include "model/backbone.h"

#include <torch/torch.h>

namespace ood {

InputGraph GradientPass::inputGraph(const at::Tensor &input) const
{
    if (!m_batch.defined() || !input.is_same(m_batch))
        return buildInputGraph(input);
    const std::lock_guard<std::mutex> lock(m_sharedMutex);
    if (!m_shared.logits.defined())
        m_shared = buildInputGraph(input);
    return m_shared;
}

InputGraph GradientPass::buildInputGraph(const at::Tensor &input) const
{
    // The caller's grad mode is thread-local: the thread that builds the shared graph may not be
    // the one that differentiates it.
    torch::AutoGradMode enableGrad(true);
    InputGraph graph;
    // A copy, so the loader's tensor (possibly an inference tensor) is never part of a graph.
    graph.input = input.detach().to(torch::kFloat32).clone().set_requires_grad(true);
    graph.logits = m_backbone.logitsWithGradient(graph.input);
    return graph;
}

at::Tensor GradientPass::logitsWithGradient(const at::Tensor &input) const
{
    return m_backbone.logitsWithGradient(input);
}

at::Tensor GradientPass::logits(const at::Tensor &input) const
{
    return m_backbone.forward(input, {}).logits;
}

at::Tensor GradientPass::featuresFromEarly(const at::Tensor &early) const
{
    return m_backbone.featuresFromEarly(early);
}

} // namespace ood
