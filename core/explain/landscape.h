#pragma once
// PRO-style score landscape around one image (docs/detectors.md, Explanation maps): the detector's
// score on a grid of perturbations x + a*d1 + b*d2 along two seeded random directions, to show how
// flat or steep the score is in the neighbourhood PRO probes (docs/explanations.md, "Score
// landscape").

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ood {

class Backbone;
class Detector;

enum class LandscapeDirections {
    Sign,             ///< sign(d), d ~ N(0, I): Rademacher vectors, a and b in L-infinity units
    FilterNormalised, ///< d rescaled per colour channel so that ||d[c]||_F = ||x[c]||_F
};

struct LandscapeOptions
{
    int gridSize = 21; ///< points per axis, odd (the centre is the unperturbed image)
    /// Half-width r of the grid, a, b in [-r, r]; 0 = the default of the direction kind:
    /// 0.004 for Sign (4 * PRO's eps 1e-3), 0.05 for FilterNormalised.
    double radius = 0;
    LandscapeDirections directions = LandscapeDirections::Sign;
    bool orthogonalise = false; ///< Gram-Schmidt d2 against d1 (then rescaled to its former L2 norm)
    uint64_t seed = 0;          ///< of the explicit generator both directions are drawn from
    int batchSize = 32;         ///< grid points per forward pass
    double epsilon = 1e-3;      ///< radius of the L-infinity ball for deltaZ (PRO's eps)
    /// Feed the grid batches in channels-last layout (faster convolutions on the CPU, same values
    /// to 1e-5; docs/explanations.md gives the measurement).
    bool channelsLast = true;
    /// Coarser grids to score and hand over first, coarse to fine, e.g. {5, 11} under gridSize 21:
    /// the n x n grid is the full grid's indices 0, k, 2k, ... with k = (gridSize-1)/(n-1), so each
    /// finer level scores only the points no coarser one has and the full grid costs gridSize^2
    /// images all the same. Each size must be odd and >= 3; one that is not a sub-grid of
    /// gridSize ((gridSize-1) not divisible by (n-1), or n >= gridSize) is skipped.
    std::vector<int> levels;
};

struct ScoreLandscape
{
    std::string detectorId;
    bool referenceIsIdHigh = false; ///< reference value = -score (Detector::referenceIsIdHigh)
    double radius = 0;
    std::vector<double> coordinates; ///< [N] a_i = r * (i - m) / m, m = (N-1)/2; a_m = 0 exactly
    /// [N,N] float64, unified sign (higher = more OOD): scores[i][j] = s(x + a_i d1 + a_j d2).
    at::Tensor scores;
    /// [N,N] float64: ||a_i d1 + a_j d2||_inf, the perturbation actually applied.
    at::Tensor perturbationNorms;
    double centre = 0;    ///< scores[m][m] = the score of the unperturbed image
    double deltaZ = 0;    ///< max |centre - scores[i][j]| over points with norm <= epsilon
    int pointsInBall = 0; ///< how many grid points that maximum ran over (>= 1: the centre)
    double epsilon = 0;
    at::Tensor direction1; ///< [3,H,W] float32, as applied
    at::Tensor direction2; ///< [3,H,W] float32
};

/// Called after each batch with the grid points done so far; return false to cancel.
using LandscapeProgress = std::function<bool(int done, int total)>;
/// Called with each level's complete landscape, coarse to fine, the full grid last.
using LandscapeLevelReady = std::function<void(const ScoreLandscape &level)>;

/// The grid sizes scoreLandscape hands over, coarse to fine: the applicable LandscapeOptions::levels,
/// then gridSize. Throws ood::Error for a level size that is even or below 3.
std::vector<int> landscapeLevelSizes(const LandscapeOptions &options);

/// The directions alone, as scoreLandscape draws them for `image` [3,H,W] (or [1,3,H,W]).
std::pair<at::Tensor, at::Tensor> landscapeDirections(const at::Tensor &image,
                                                      const LandscapeOptions &options);

/// Scores the N*N perturbed copies of `image` ([3,H,W] or [1,3,H,W] float32, normalised as the
/// model card says) with a fitted `detector` through Scorer, batch by batch, each point once; with
/// `options.levels`, coarse grids first, each handed to `levelReady` with its own coordinates (the
/// full grid's at its indices), scores, norms, centre and deltaZ. Without levels the points go in
/// row-major order in batches of batchSize; with them a batch never spans two levels, so other
/// points share a batch: the inputs are the same, and a forward pass that rounds a batch by its
/// size could move a score in the last digits (none did in landscapetest and explain-bench
/// progressive, ResNet-18 at 224 px included). Throws ood::Error for a detector that
/// needs input gradients (ODIN, PRO: more than one forward pass per image), an even or too small
/// grid or level, a bad radius, batch size or image, and "... cancelled ..." when `progress`
/// returns false.
ScoreLandscape scoreLandscape(Backbone &backbone, const Detector &detector, const at::Tensor &image,
                              const LandscapeOptions &options = {}, const LandscapeProgress &progress = {},
                              const LandscapeLevelReady &levelReady = {});

} // namespace ood
