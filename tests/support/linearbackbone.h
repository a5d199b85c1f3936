#pragma once
// A Backbone whose whole network is one linear layer on the flattened input:
// features = flatten(x), logits = W features + b. Its gradients are known in closed form,
// which makes it the reference network for detectors that differentiate through the model.

#include "detect/detector.h"
#include "detect/gradientpass.h"
#include "model/backbone.h"

namespace ood::test {

class LinearBackbone final : public Backbone
{
  public:
    /// weight [C, D] with D = 3*H*W of the inputs it will see, bias [C].
    LinearBackbone(at::Tensor weight, at::Tensor bias);

    std::string architecture() const override { return "linear"; }
    int numClasses() const override;
    int featureDim() const override;
    Activations forward(const at::Tensor &input, const ForwardRequest &request) override;
    at::Tensor logitsWithGradient(const at::Tensor &input) override;
    at::Tensor headWeight() const override { return m_weight; }
    at::Tensor headBias() const override { return m_bias; }

  private:
    at::Tensor m_weight, m_bias;
};

/// Activations of a hand-made batch for detectors that only read logits and features.
Activations activationsOf(const at::Tensor &features, const at::Tensor &weight, const at::Tensor &bias);

} // namespace ood::test

namespace ood::test {
/// A FitContext whose TRAIN split is `features` (float rows) with `labels`, logits from W, b.
FitContext trainContext(const at::Tensor &features, const std::vector<int64_t> &labels,
                        const at::Tensor &weight, const at::Tensor &bias,
                        const std::string &architecture = "resnet18");
/// Scores `features` with a fitted detector.
at::Tensor scoreFeatures(const Detector &detector, const at::Tensor &features, const at::Tensor &weight,
                         const at::Tensor &bias);
} // namespace ood::test
