#include "explain/landscape.h"

#include "detect/detector.h"
#include "base/error.h"
#include "model/backbone.h"
#include "pipeline/scorer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace ood {

namespace {

at::Tensor imageOf(const at::Tensor &image)
{
    if (!image.defined())
        throw Error("score landscape: no image");
    const bool batched = image.dim() == 4 && image.size(0) == 1;
    if (!(image.dim() == 3 || batched) || image.size(-3) != 3)
        throw Error("score landscape: expected one image [3,H,W] or [1,3,H,W], got " +
                    std::to_string(image.dim()) + "-D " + c10::str(image.sizes()));
    if (image.scalar_type() != at::kFloat)
        throw Error("score landscape: expected a float32 image, got " +
                    std::string(c10::toString(image.scalar_type())));
    const at::Tensor x = (batched ? image[0] : image).contiguous();
    if (!torch::isfinite(x).all().item<bool>())
        throw Error("score landscape: the image has non-finite values");
    return x;
}

double defaultRadius(const LandscapeOptions &options)
{
    if (options.radius != 0)
        return options.radius;
    return options.directions == LandscapeDirections::Sign ? 0.004 : 0.05;
}

void checkOptions(const LandscapeOptions &options)
{
    if (options.gridSize < 3)
        throw Error("score landscape: the grid needs at least 3 points per axis, got " +
                    std::to_string(options.gridSize));
    if (options.gridSize % 2 == 0)
        throw Error(
            "score landscape: the grid size must be odd so that its centre is the unperturbed image, got " +
            std::to_string(options.gridSize));
    const double r = defaultRadius(options);
    if (!(r > 0) || !std::isfinite(r))
        throw Error("score landscape: the radius must be positive, got " + std::to_string(options.radius));
    if (options.batchSize < 1)
        throw Error("score landscape: the batch size must be at least 1, got " +
                    std::to_string(options.batchSize));
    if (!(options.epsilon >= 0) || !std::isfinite(options.epsilon))
        throw Error("score landscape: epsilon must be >= 0, got " + std::to_string(options.epsilon));
}

/// Directions in float64 from an already checked [3,H,W] image.
std::pair<at::Tensor, at::Tensor> drawDirections(const at::Tensor &x, const LandscapeOptions &options)
{
    // An explicit generator: the landscape must not depend on, nor disturb, the global RNG.
    at::Generator generator = at::detail::createCPUGenerator(options.seed);
    std::array<at::Tensor, 2> d;
    for (auto &direction : d)
        direction = at::randn(x.sizes(), generator, at::TensorOptions().dtype(at::kFloat)).to(at::kDouble);

    const at::Tensor x64 = x.to(at::kDouble);
    for (auto &direction : d) {
        if (options.directions == LandscapeDirections::Sign) {
            direction = direction.sign();
        } else {
            // Per colour channel (Li et al.'s filter normalisation with channels as filters).
            const at::Tensor target = x64.flatten(1).norm(2, {1}).view({3, 1, 1});
            const at::Tensor current = direction.flatten(1).norm(2, {1}).view({3, 1, 1});
            direction = direction * (target / current);
            if (direction.abs().max().item<double>() == 0)
                throw Error(
                    "score landscape: the image is zero in every channel, so filter-normalised directions "
                    "are zero; use sign directions");
        }
    }
    if (options.orthogonalise) {
        const double before = d[1].norm().item<double>();
        d[1] = d[1] - (d[1] * d[0]).sum() / (d[0] * d[0]).sum() * d[0];
        const double after = d[1].norm().item<double>();
        if (!(after > 1e-12 * before))
            throw Error("score landscape: the second direction is parallel to the first; try another seed");
        d[1] = d[1] * (before / after);
    }
    return {d[0], d[1]};
}

} // namespace

std::pair<at::Tensor, at::Tensor> landscapeDirections(const at::Tensor &image,
                                                      const LandscapeOptions &options)
{
    const auto [d1, d2] = drawDirections(imageOf(image), options);
    return {d1.to(at::kFloat), d2.to(at::kFloat)};
}

std::vector<int> landscapeLevelSizes(const LandscapeOptions &options)
{
    std::vector<int> sizes;
    for (const int size : options.levels) {
        if (size < 3 || size % 2 == 0)
            throw Error("score landscape: a level must be an odd grid of at least 3 points per axis, got " +
                        std::to_string(size));
        if (size < options.gridSize && (options.gridSize - 1) % (size - 1) == 0)
            sizes.push_back(size);
    }
    std::sort(sizes.begin(), sizes.end());
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
    sizes.push_back(options.gridSize);
    return sizes;
}

ScoreLandscape scoreLandscape(Backbone &backbone, const Detector &detector, const at::Tensor &image,
                              const LandscapeOptions &options, const LandscapeProgress &progress,
                              const LandscapeLevelReady &levelReady)
{
    if (detector.needs().score.gradientPass)
        throw Error("score landscape: detector '" + detector.id() +
                    "' needs input gradients (extra forward and backward passes per image), so one forward "
                    "pass per grid point does not give its score; choose a single-pass detector");
    checkOptions(options);
    const std::vector<int> levels = landscapeLevelSizes(options);
    const at::Tensor x = imageOf(image);
    const int n = options.gridSize, m = (n - 1) / 2;

    ScoreLandscape full;
    full.detectorId = detector.id();
    full.referenceIsIdHigh = detector.referenceIsIdHigh();
    full.radius = defaultRadius(options);
    full.epsilon = options.epsilon;
    full.coordinates.resize(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        full.coordinates[static_cast<size_t>(i)] = full.radius * (i - m) / m;

    // The perturbation is built in float64 from the float32 directions, so the applied
    // directions are exactly the reported ones and the centre point is x itself.
    const auto [d1Exact, d2Exact] = drawDirections(x, options);
    full.direction1 = d1Exact.to(at::kFloat);
    full.direction2 = d2Exact.to(at::kFloat);
    const at::Tensor d1 = full.direction1.to(at::kDouble), d2 = full.direction2.to(at::kDouble);
    const at::Tensor x64 = x.to(at::kDouble);

    const int total = n * n;
    std::vector<double> scores(static_cast<size_t>(total)), norms(static_cast<size_t>(total));
    std::vector<char> scored(static_cast<size_t>(total), 0);
    int done = 0;
    const Scorer scorer(backbone, {&detector});
    // Points are indices p = i*n + j of the full grid, so a coarse level's points are the full
    // grid's very inputs and a finer level reuses their scores.
    auto scorePoints = [&](const std::vector<int> &points) {
        for (size_t start = 0; start < points.size(); start += static_cast<size_t>(options.batchSize)) {
            const size_t count = std::min(static_cast<size_t>(options.batchSize), points.size() - start);
            std::vector<at::Tensor> inputs;
            inputs.reserve(count);
            for (size_t k = start; k < start + count; ++k) {
                const int p = points[k];
                const double a = full.coordinates[static_cast<size_t>(p / n)];
                const double b = full.coordinates[static_cast<size_t>(p % n)];
                const at::Tensor delta = a * d1 + b * d2;
                norms[static_cast<size_t>(p)] = delta.abs().max().item<double>();
                inputs.push_back(p == m * n + m ? x : (x64 + delta).to(at::kFloat));
            }
            at::Tensor batch = torch::stack(inputs);
            if (options.channelsLast)
                batch = batch.contiguous(at::MemoryFormat::ChannelsLast);
            const at::Tensor s = scorer.scoreBatch(batch).scores.at(0).contiguous();
            for (size_t k = 0; k < count; ++k) {
                scores[static_cast<size_t>(points[start + k])] = s.data_ptr<double>()[k];
                scored[static_cast<size_t>(points[start + k])] = 1;
            }
            done += static_cast<int>(count);
            if (progress && !progress(done, total))
                throw Error("score landscape cancelled after " + std::to_string(done) + " of " +
                            std::to_string(total) + " grid points");
        }
    };

    // A relative slack so that a point exactly on the ball's surface counts despite rounding.
    const double limit = options.epsilon * (1 + 1e-9);
    for (const int size : levels) {
        const int step = (n - 1) / (size - 1);
        std::vector<int> points;
        for (int i = 0; i < n; i += step)
            for (int j = 0; j < n; j += step)
                if (!scored[static_cast<size_t>(i * n + j)])
                    points.push_back(i * n + j);
        scorePoints(points);

        ScoreLandscape level = full;
        level.coordinates.clear();
        for (int i = 0; i < n; i += step)
            level.coordinates.push_back(full.coordinates[static_cast<size_t>(i)]);
        std::vector<double> levelScores, levelNorms;
        for (int i = 0; i < n; i += step)
            for (int j = 0; j < n; j += step) {
                levelScores.push_back(scores[static_cast<size_t>(i * n + j)]);
                levelNorms.push_back(norms[static_cast<size_t>(i * n + j)]);
            }
        level.scores = torch::tensor(levelScores, torch::kFloat64).view({size, size});
        level.perturbationNorms = torch::tensor(levelNorms, torch::kFloat64).view({size, size});
        level.centre = scores[static_cast<size_t>(m * n + m)];
        for (size_t p = 0; p < levelScores.size(); ++p) {
            if (levelNorms[p] > limit)
                continue;
            ++level.pointsInBall;
            level.deltaZ = std::max(level.deltaZ, std::abs(level.centre - levelScores[p]));
        }
        if (levelReady)
            levelReady(level);
        if (size == n)
            return level;
    }
    throw Error("internal: score landscape without its full grid"); // levels always end with gridSize
}

} // namespace ood
