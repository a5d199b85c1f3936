#include "explain/heatmap.h"

#include "base/error.h"

#include <torch/torch.h>

namespace ood {

namespace {

void fillRange(Heatmap &map)
{
    map.minimum = map.values.min().item<double>();
    map.maximum = map.values.max().item<double>();
}

} // namespace

Heatmap heatmapFromGrid(std::string method, std::string unit, bool isSigned, const at::Tensor &lowResolution,
                        int height, int width)
{
    if (!lowResolution.defined() || lowResolution.dim() != 2 || lowResolution.numel() == 0)
        throw Error("a heatmap grid must be a non-empty [h,w] map");
    if (height < 1 || width < 1)
        throw Error("a heatmap needs a positive output size");
    Heatmap map;
    map.method = std::move(method);
    map.unit = std::move(unit);
    map.isSigned = isSigned;
    map.lowResolution = lowResolution.to(torch::kFloat64);
    namespace F = torch::nn::functional;
    map.values = F::interpolate(map.lowResolution.unsqueeze(0).unsqueeze(0),
                                F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{height, width})
                                    .mode(torch::kBilinear)
                                    .align_corners(false))
                     .squeeze(0)
                     .squeeze(0)
                     .to(torch::kFloat32)
                     .contiguous();
    fillRange(map);
    return map;
}

Heatmap heatmapFromPixels(std::string method, std::string unit, bool isSigned, const at::Tensor &values)
{
    if (!values.defined() || values.dim() != 2 || values.numel() == 0)
        throw Error("a pixel heatmap must be a non-empty [H,W] map");
    Heatmap map;
    map.method = std::move(method);
    map.unit = std::move(unit);
    map.isSigned = isSigned;
    map.values = values.to(torch::kFloat32).contiguous();
    fillRange(map);
    return map;
}

} // namespace ood
