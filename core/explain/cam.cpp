#include "explain/cam.h"

#include "base/error.h"

#include <torch/torch.h>

namespace ood {

namespace {

at::Tensor singleFrameMaps(const at::Tensor &featureMaps)
{
    if (!featureMaps.defined() || featureMaps.numel() == 0)
        throw Error("no feature maps: the model did not return its last convolutional block");
    if (featureMaps.dim() == 4 && featureMaps.size(0) == 1)
        return featureMaps[0].to(torch::kFloat64);
    if (featureMaps.dim() == 3)
        return featureMaps.to(torch::kFloat64);
    throw Error("feature maps of one frame must be [K,h,w] or [1,K,h,w]");
}

} // namespace

at::Tensor proportionalPoolingMap(const at::Tensor &featureMaps, const at::Tensor &weights)
{
    const at::Tensor a = singleFrameMaps(featureMaps);
    if (!weights.defined() || weights.dim() != 1 || weights.size(0) != a.size(0))
        throw Error("one weight per feature map is needed (" + std::to_string(a.size(0)) + " maps)");
    const at::Tensor mass = a.sum({1, 2}); // = h*w*h_k
    // A silent channel (all zero) has nowhere to put its weight; for NERO's relevance that
    // weight is 0 anyway (R_k carries the factor h_k).
    const at::Tensor share =
        torch::where(mass != 0, weights.to(torch::kFloat64) / mass, torch::zeros_like(mass));
    return (a * share.view({-1, 1, 1})).sum(0);
}

at::Tensor gradCamMap(const at::Tensor &featureMaps, const at::Tensor &features, const at::Tensor &headWeight,
                      int64_t targetClass)
{
    const at::Tensor a = singleFrameMaps(featureMaps);
    const int64_t k = a.size(0);
    if (!headWeight.defined() || headWeight.dim() != 2 || headWeight.size(1) != k)
        throw Error("Grad-CAM: the head weight must be [C," + std::to_string(k) + "]");
    if (targetClass < 0 || targetClass >= headWeight.size(0))
        throw Error("Grad-CAM: class " + std::to_string(targetClass) + " does not exist (the model has " +
                    std::to_string(headWeight.size(0)) + ")");
    const at::Tensor pooled = a.mean({1, 2});
    const at::Tensor h = features.to(torch::kFloat64).reshape({-1});
    if (h.numel() != k || !torch::allclose(pooled, h, 1e-4, 1e-5))
        throw Error("Grad-CAM needs a global-average-pooling head: the features are not the mean of the "
                    "last feature maps for this model");
    const double cells = static_cast<double>(a.size(1) * a.size(2));
    const at::Tensor alpha = headWeight.to(torch::kFloat64)[targetClass] / cells;
    return torch::relu((a * alpha.view({-1, 1, 1})).sum(0));
}

} // namespace ood
