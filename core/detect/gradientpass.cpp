#include "detect/gradientpass.h"

#include "model/backbone.h"

namespace ood {

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
