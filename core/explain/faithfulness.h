#pragma once
// Deletion and insertion curves ("pixel flipping") for heatmaps: how fast the target class's
// probability falls when the pixels a heatmap ranks first are removed, and how fast it rises when
// they are put back into a baseline image, against a seeded random order
// (docs/explanations.md, "Faithfulness").

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ood {

class Backbone;

struct NamedHeatmap
{
    std::string name; ///< e.g. "lrp", "gradcam"; "random" is reserved
    at::Tensor map;   ///< [H,W] at the model input resolution, any float dtype, signed allowed
};

struct FaithfulnessOptions
{
    int steps = 10;           ///< S: the curves have S+1 points, fractions ~ 0, 1/S, ..., 1
    double baselineValue = 0; ///< removed pixels take this value in normalised space (0 = mean colour)
    at::Tensor baselineImage; ///< [3,H,W] or [1,3,H,W] float32; overrides baselineValue when defined
    int target = -1;          ///< class whose probability is followed; -1 = the image's predicted class
    uint64_t seed = 0;        ///< of the random order
    int batchSize = 32;       ///< images per forward pass
};

struct FaithfulnessCurve
{
    std::string name;
    /// [S+1] n_k / P with n_k = round(k P / S) pixels changed (= k/S when S divides P).
    std::vector<double> fractions;
    std::vector<double> deletion;  ///< [S+1] p_target(image with its first n_k pixels set to the baseline)
    std::vector<double> insertion; ///< [S+1] p_target(baseline with the image's first n_k pixels)
    double deletionArea = 0;       ///< trapezoid over fractions: lower = more faithful
    double insertionArea = 0;      ///< higher = more faithful
};

struct Faithfulness
{
    int target = 0;                        ///< the class followed
    double originalProbability = 0;        ///< = deletion[0] = insertion[S]
    double baselineProbability = 0;        ///< = deletion[S] = insertion[0]
    std::vector<FaithfulnessCurve> curves; ///< the heatmaps in the order given, then "random"
};

/// Pixel indices (row-major h*W + w) by heatmap value, largest first; equal values in index
/// order. Throws ood::Error for a map that is not 2-D or has non-finite values.
std::vector<int64_t> heatmapOrder(const at::Tensor &heatmap);

/// A uniformly random permutation of 0..pixels-1: Fisher-Yates driven by std::mt19937_64(seed),
/// so it is the same on every platform.
std::vector<int64_t> randomPixelOrder(int64_t pixels, uint64_t seed);

/// Trapezoid rule: sum (x_i - x_{i-1}) (y_i + y_{i-1}) / 2. Throws ood::Error for sizes that
/// differ or are below 2.
double trapezoidArea(const std::vector<double> &x, const std::vector<double> &y);

/// Deletion and insertion curves of every heatmap and of a random order on `image` ([3,H,W] or
/// [1,3,H,W] float32, normalised), through backbone.forward in batches. The original image and
/// the baseline are forwarded once and shared by every curve. Throws ood::Error for a map whose
/// size is not the image's, steps < 1, a target outside the classes, a bad baseline or image.
Faithfulness faithfulnessCurves(Backbone &backbone, const at::Tensor &image,
                                const std::vector<NamedHeatmap> &heatmaps,
                                const FaithfulnessOptions &options = {});

} // namespace ood
