#pragma once
// A heatmap over the model input: float values with their range and meaning. Signed maps
// (relevance) stay signed; positive = evidence for the explained output.

#include <ATen/core/Tensor.h>

#include <string>

namespace ood {

struct Heatmap
{
    std::string method; ///< "relevance-cam", "deviation-cam", "least-relevant-cam", "grad-cam", "lrp"
    std::string unit;   ///< what one unit of `values` means, for legends
    bool isSigned = true;
    /// [h,w] float64 before upsampling (the feature-map grid); undefined for pixel-level maps.
    at::Tensor lowResolution;
    /// [H,W] float32 at the model input resolution.
    at::Tensor values;
    double minimum = 0;
    double maximum = 0;
};

/// Bilinear upsampling (align_corners = false, docs/detectors.md, Explanation maps) of
/// `lowResolution` [h,w] to [height,width]; fills values, minimum and maximum.
Heatmap heatmapFromGrid(std::string method, std::string unit, bool isSigned, const at::Tensor &lowResolution,
                        int height, int width);

/// A pixel-level map [H,W] as it is.
Heatmap heatmapFromPixels(std::string method, std::string unit, bool isSigned, const at::Tensor &values);

} // namespace ood
