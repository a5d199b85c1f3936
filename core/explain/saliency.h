#pragma once
// Input-gradient saliency (Simonyan et al., 2014): how strongly each pixel moves the predicted
// class's logit. Needs nothing but a differentiable model, so it is the heatmap for models without
// convolutional feature maps (a CLIP's vision transformer, TorchScript models).

#include <ATen/Tensor.h>

namespace ood {

class Backbone;

/// [H,W] float32: max over colour channels of |d logit_target / d input| for a [1,3,H,W] batch.
at::Tensor inputGradientSaliency(Backbone &backbone, const at::Tensor &batch, int64_t target);

} // namespace ood
