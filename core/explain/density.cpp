#include "explain/density.h"

#include "calib/profile.h"
#include "base/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ood {

namespace {

std::vector<double> valuesOf(const at::Tensor &scores, const char *what)
{
    if (!scores.defined())
        throw Error(std::string(what) + ": no scores");
    if (scores.dim() != 1)
        throw Error(std::string(what) + ": expected a 1-D score vector, got " + std::to_string(scores.dim()) +
                    " dimensions");
    const at::Tensor flat = scores.to(torch::kFloat64).contiguous();
    const double *data = flat.data_ptr<double>();
    std::vector<double> values(data, data + flat.numel());
    const auto bad = std::count_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); });
    if (bad > 0)
        throw Error(std::string(what) + ": " + std::to_string(bad) + " of " + std::to_string(values.size()) +
                    " scores are not finite");
    return values;
}

void requireFinite(const std::vector<double> &sample, const char *what)
{
    for (double v : sample)
        if (!std::isfinite(v))
            throw Error(std::string(what) + ": the sample has a non-finite value");
}

/// numpy.percentile's default linear interpolation on a sorted sample (docs/detectors.md,
/// Conventions).
double sortedPercentile(const std::vector<double> &sorted, double percent)
{
    const double q = percent / 100.0 * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<size_t>(std::floor(q));
    const auto hi = static_cast<size_t>(std::ceil(q));
    return sorted[lo] + (q - std::floor(q)) * (sorted[hi] - sorted[lo]);
}

/// Counts with numpy.histogram's convention: half-open bins [e_i, e_{i+1}), the last one closed.
std::vector<int64_t> histogramCounts(const std::vector<double> &values, const std::vector<double> &edges)
{
    const size_t bins = edges.size() - 1;
    const double lo = edges.front(), width = (edges.back() - edges.front()) / static_cast<double>(bins);
    std::vector<int64_t> counts(bins, 0);
    for (double v : values) {
        if (v < lo || v > edges.back())
            continue;
        auto index =
            static_cast<size_t>(std::min(std::floor((v - lo) / width), static_cast<double>(bins - 1)));
        // The division can land one bin off next to an edge; the edges themselves decide.
        if (index > 0 && v < edges[index])
            --index;
        else if (index + 1 < bins && v >= edges[index + 1])
            ++index;
        ++counts[index];
    }
    return counts;
}

std::vector<double> heightsOf(const std::vector<int64_t> &counts, const std::vector<double> &edges, size_t n)
{
    std::vector<double> heights(counts.size());
    for (size_t i = 0; i < counts.size(); ++i)
        heights[i] = static_cast<double>(counts[i]) / (static_cast<double>(n) * (edges[i + 1] - edges[i]));
    return heights;
}

int binCount(const std::vector<double> &idSample, double span, const DensityOptions &options)
{
    if (options.bins > 0)
        return options.bins;
    std::vector<double> sorted = idSample;
    std::sort(sorted.begin(), sorted.end());
    const double n = static_cast<double>(sorted.size());
    const double iqr = sortedPercentile(sorted, 75) - sortedPercentile(sorted, 25);
    double bins = 0;
    if (iqr > 0 && span > 0)
        bins = std::ceil(span / (2.0 * iqr * std::pow(n, -1.0 / 3.0)));
    else // Freedman-Diaconis has no width when half the sample is one value: Sturges' count.
        bins = std::ceil(std::log2(n) + 1.0);
    return static_cast<int>(std::clamp(bins, 1.0, static_cast<double>(options.maxBins)));
}

} // namespace

double fallbackBandwidth(const std::vector<double> &sample, const std::vector<double> &context)
{
    if (sample.empty())
        throw Error("kernel density: empty sample");
    double mean = 0;
    for (double v : sample)
        mean += v;
    mean /= static_cast<double>(sample.size());
    double range = 0;
    if (!context.empty()) {
        const auto [lo, hi] = std::minmax_element(context.begin(), context.end());
        range = *hi - *lo;
    }
    const double scale = std::max(std::abs(mean), range);
    return scale > 0 ? 0.01 * scale : 0.01;
}

double scottBandwidth(const std::vector<double> &sample, bool *fallback)
{
    if (sample.empty())
        throw Error("kernel density: empty sample");
    requireFinite(sample, "kernel density");
    const double n = static_cast<double>(sample.size());
    double mean = 0;
    for (double v : sample)
        mean += v;
    mean /= n;
    double squares = 0;
    for (double v : sample)
        squares += (v - mean) * (v - mean);
    const double sd = sample.size() > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
    const double h = sd * std::pow(n, -0.2);
    // Equal values are tested directly: the rounded mean of a constant sample can differ from
    // the values by an ulp, which would give a tiny positive h instead of the fallback.
    const auto [lo, hi] = std::minmax_element(sample.begin(), sample.end());
    const bool degenerate = *lo == *hi || !(h > 0) || !std::isfinite(h);
    if (fallback)
        *fallback = degenerate;
    return degenerate ? fallbackBandwidth(sample) : h;
}

std::vector<double> gaussianKde(const std::vector<double> &sample, double bandwidth,
                                const std::vector<double> &grid)
{
    if (sample.empty())
        throw Error("kernel density: empty sample");
    if (!(bandwidth > 0) || !std::isfinite(bandwidth))
        throw Error("kernel density: the bandwidth must be positive, got " + std::to_string(bandwidth));
    const double norm = 1.0 / (static_cast<double>(sample.size()) * bandwidth * std::sqrt(2.0 * M_PI));
    std::vector<double> density(grid.size());
    for (size_t g = 0; g < grid.size(); ++g) {
        double sum = 0;
        for (double v : sample) {
            const double u = (grid[g] - v) / bandwidth;
            sum += std::exp(-0.5 * u * u);
        }
        density[g] = sum * norm;
    }
    return density;
}

double percentileAmongValidation(const at::Tensor &validationScores, double value)
{
    const std::vector<double> values = valuesOf(validationScores, "percentile among validation scores");
    if (values.empty())
        throw Error("percentile among validation scores: the profile has no validation scores");
    if (std::isnan(value))
        throw Error("percentile among validation scores: the value is NaN");
    const auto below = std::count_if(values.begin(), values.end(), [value](double v) { return v <= value; });
    return 100.0 * static_cast<double>(below) / static_cast<double>(values.size());
}

ScoreDensity scoreDensity(const at::Tensor &validationScores, double threshold, const at::Tensor &setScores,
                          std::optional<double> frameValue, const DensityOptions &options)
{
    if (options.gridPoints < 2)
        throw Error("score density: at least 2 grid points are needed, got " +
                    std::to_string(options.gridPoints));
    if (!(options.padBandwidths >= 0))
        throw Error("score density: the grid padding must be >= 0 bandwidths");
    if (options.bins < 0 || options.maxBins < 1)
        throw Error("score density: the bin count must be >= 0 and the maximum >= 1");
    const std::vector<double> id = valuesOf(validationScores, "score density (ID validation)");
    if (id.empty())
        throw Error("score density: the profile has no ID validation scores");
    std::vector<double> set;
    if (setScores.defined())
        set = valuesOf(setScores, "score density (set)");
    if (!std::isfinite(threshold))
        throw Error("score density: the threshold is not finite");
    if (frameValue && !std::isfinite(*frameValue))
        throw Error("score density: the frame's score is not finite");

    // Everything that shares the axis: both samples, the threshold and the frame.
    std::vector<double> axis = id;
    axis.insert(axis.end(), set.begin(), set.end());
    axis.push_back(threshold);
    if (frameValue)
        axis.push_back(*frameValue);
    const auto [minIt, maxIt] = std::minmax_element(axis.begin(), axis.end());
    const double lo = *minIt, hi = *maxIt;

    ScoreDensity result;
    result.threshold = threshold;
    result.idBandwidth = scottBandwidth(id, &result.idBandwidthFallback);
    if (result.idBandwidthFallback)
        result.idBandwidth = fallbackBandwidth(id, axis);
    if (!set.empty()) {
        result.setBandwidth = scottBandwidth(set, &result.setBandwidthFallback);
        if (result.setBandwidthFallback)
            result.setBandwidth = fallbackBandwidth(set, axis);
    }

    const double pad = options.padBandwidths * std::max(result.idBandwidth, result.setBandwidth);
    const double gridLo = lo - pad, gridHi = hi + pad;
    result.grid.resize(static_cast<size_t>(options.gridPoints));
    for (int i = 0; i < options.gridPoints; ++i)
        result.grid[static_cast<size_t>(i)] = gridLo + (gridHi - gridLo) * i / (options.gridPoints - 1);
    result.idDensity = gaussianKde(id, result.idBandwidth, result.grid);
    if (!set.empty())
        result.setDensity = gaussianKde(set, result.setBandwidth, result.grid);

    // numpy.histogram widens an empty range to +-0.5 around the value; so do we.
    const double edgeLo = hi > lo ? lo : lo - 0.5, edgeHi = hi > lo ? hi : hi + 0.5;
    const int bins = binCount(id, hi - lo, options);
    result.binEdges.resize(static_cast<size_t>(bins) + 1);
    for (int i = 0; i <= bins; ++i)
        result.binEdges[static_cast<size_t>(i)] = edgeLo + (edgeHi - edgeLo) * i / bins;
    result.binEdges.back() = edgeHi;
    result.idCounts = histogramCounts(id, result.binEdges);
    result.idHeights = heightsOf(result.idCounts, result.binEdges, id.size());
    if (!set.empty()) {
        result.setCounts = histogramCounts(set, result.binEdges);
        result.setHeights = heightsOf(result.setCounts, result.binEdges, set.size());
    }

    if (frameValue) {
        result.frameValue = frameValue;
        result.framePercentile = percentileAmongValidation(validationScores, *frameValue);
    }
    return result;
}

ScoreDensity scoreDensity(const ProfileDetector &detector, const at::Tensor &setScores,
                          std::optional<double> frameValue, const DensityOptions &options)
{
    return scoreDensity(detector.validationScores, detector.threshold, setScores, frameValue, options);
}

} // namespace ood
