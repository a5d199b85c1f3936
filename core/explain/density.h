#pragma once
// Where a frame's score falls among the ID validation scores of a profile: Gaussian kernel
// density estimates and histograms of the validation scores and of a set of frames on one shared
// axis, the threshold, and the frame's percentile (docs/explanations.md, "Densities").
//
// Plain std::vector<double> results, so that a plot or a CSV writer can take them without LibTorch.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace ood {

struct ProfileDetector;

struct DensityOptions
{
    int gridPoints = 256;       ///< KDE evaluation points, >= 2
    double padBandwidths = 3.0; ///< the grid extends this many (largest) bandwidths past the data
    /// Histogram bins: 0 = Freedman-Diaconis width from the ID validation scores (Sturges when
    /// their interquartile range is 0), capped at maxBins; > 0 = that many equal bins.
    int bins = 0;
    int maxBins = 200;
};

/// Everything a density plot needs, in the unified sign (higher = more OOD).
struct ScoreDensity
{
    std::vector<double> grid;       ///< [G] ascending, evenly spaced
    std::vector<double> idDensity;  ///< [G] KDE of the ID validation scores
    std::vector<double> setDensity; ///< [G] KDE of the set's scores; empty when no set was given
    double idBandwidth = 0;
    double setBandwidth = 0;          ///< 0 when no set
    bool idBandwidthFallback = false; ///< the ID sample was degenerate (n < 2 or constant)
    bool setBandwidthFallback = false;

    std::vector<double> binEdges;   ///< [B+1] ascending, shared by both histograms
    std::vector<int64_t> idCounts;  ///< [B]
    std::vector<double> idHeights;  ///< [B] count / (n * bin width): integrates to 1
    std::vector<int64_t> setCounts; ///< [B], empty when no set
    std::vector<double> setHeights; ///< [B], empty when no set

    double threshold = 0; ///< flag a frame when score > threshold
    std::optional<double> frameValue;
    std::optional<double> framePercentile; ///< percentileAmongValidation(frameValue), in %
};

/// Scott's rule in 1-D, as scipy.stats.gaussian_kde: h = std(ddof=1) * n^(-1/5). For a
/// degenerate sample (n < 2, or every value equal) it returns fallbackBandwidth(sample) and sets
/// *fallback. Throws ood::Error for an empty or non-finite sample.
double scottBandwidth(const std::vector<double> &sample, bool *fallback = nullptr);

/// Bandwidth for a degenerate sample: 1% of max(|mean|, range of `context`), or 0.01 when both
/// are 0. `context` is every value that shares the plot axis (may be empty).
double fallbackBandwidth(const std::vector<double> &sample, const std::vector<double> &context = {});

/// f(x) = 1/(n h) * sum_i phi((x - x_i) / h) at every grid point, phi the standard normal pdf.
/// Throws ood::Error for an empty sample or h <= 0.
std::vector<double> gaussianKde(const std::vector<double> &sample, double bandwidth,
                                const std::vector<double> &grid);

/// Share, in %, of `validationScores` ([N] any float dtype) that are <= value: ties count as
/// below (scipy.stats.percentileofscore kind="weak"). Throws ood::Error when empty or non-finite.
double percentileAmongValidation(const at::Tensor &validationScores, double value);

/// Densities and histograms of the ID validation scores and, when `setScores` is defined and
/// non-empty, of a set of frames' scores ([M], unified sign), on one grid and one set of bin
/// edges spanning both samples, the threshold and the frame value. Throws ood::Error for an empty
/// validation sample, non-finite values or bad options.
ScoreDensity scoreDensity(const at::Tensor &validationScores, double threshold,
                          const at::Tensor &setScores = {}, std::optional<double> frameValue = std::nullopt,
                          const DensityOptions &options = {});
/// The same for one detector of a profile (its validationScores and threshold).
ScoreDensity scoreDensity(const ProfileDetector &detector, const at::Tensor &setScores = {},
                          std::optional<double> frameValue = std::nullopt,
                          const DensityOptions &options = {});

} // namespace ood
