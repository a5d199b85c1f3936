#include "explain/faithfulness.h"

#include "base/error.h"
#include "model/backbone.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace ood {

namespace {

at::Tensor singleImage(const at::Tensor &image, const char *what)
{
    if (!image.defined())
        throw Error(std::string("faithfulness: no ") + what);
    const bool batched = image.dim() == 4 && image.size(0) == 1;
    if (!(image.dim() == 3 || batched) || image.size(-3) != 3)
        throw Error(std::string("faithfulness: expected the ") + what + " as [3,H,W] or [1,3,H,W], got " +
                    c10::str(image.sizes()));
    if (image.scalar_type() != at::kFloat)
        throw Error(std::string("faithfulness: expected a float32 ") + what + ", got " +
                    std::string(c10::toString(image.scalar_type())));
    const at::Tensor x = (batched ? image[0] : image).contiguous();
    if (!torch::isfinite(x).all().item<bool>())
        throw Error(std::string("faithfulness: the ") + what + " has non-finite values");
    return x;
}

/// rank[p] = position of pixel p in `order`, as an [H,W] tensor to compare against n_k.
at::Tensor ranksOf(const std::vector<int64_t> &order, int64_t height, int64_t width)
{
    std::vector<int64_t> rank(order.size());
    for (size_t r = 0; r < order.size(); ++r)
        rank[static_cast<size_t>(order[r])] = static_cast<int64_t>(r);
    return torch::tensor(rank, torch::kInt64).view({height, width});
}

/// One image to forward: ordering o with its first `count` pixels deleted or inserted.
struct Job
{
    int ordering;
    int64_t count;
    bool insertion;
};

} // namespace

std::vector<int64_t> heatmapOrder(const at::Tensor &heatmap)
{
    if (!heatmap.defined() || heatmap.dim() != 2)
        throw Error("faithfulness: a heatmap must be 2-D [H,W], got " +
                    (heatmap.defined() ? c10::str(heatmap.sizes()) : std::string("no tensor")));
    const at::Tensor values = heatmap.to(torch::kFloat64).contiguous();
    const double *v = values.data_ptr<double>();
    const int64_t pixels = values.numel();
    for (int64_t p = 0; p < pixels; ++p)
        if (!std::isfinite(v[p]))
            throw Error("faithfulness: the heatmap has non-finite values");
    std::vector<int64_t> order(static_cast<size_t>(pixels));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [v](int64_t a, int64_t b) { return v[a] > v[b]; });
    return order;
}

std::vector<int64_t> randomPixelOrder(int64_t pixels, uint64_t seed)
{
    if (pixels < 0)
        throw Error("faithfulness: negative pixel count");
    std::vector<int64_t> order(static_cast<size_t>(pixels));
    std::iota(order.begin(), order.end(), 0);
    // Own Fisher-Yates: std::shuffle and uniform_int_distribution differ between standard
    // libraries. The modulo bias is below pixels / 2^64.
    std::mt19937_64 engine(seed);
    for (int64_t i = pixels - 1; i > 0; --i) {
        const auto j = static_cast<int64_t>(engine() % static_cast<uint64_t>(i + 1));
        std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
    }
    return order;
}

double trapezoidArea(const std::vector<double> &x, const std::vector<double> &y)
{
    if (x.size() != y.size() || x.size() < 2)
        throw Error("trapezoid area: need two sequences of the same length >= 2, got " +
                    std::to_string(x.size()) + " and " + std::to_string(y.size()));
    double area = 0;
    for (size_t i = 1; i < x.size(); ++i)
        area += 0.5 * (x[i] - x[i - 1]) * (y[i] + y[i - 1]);
    return area;
}

Faithfulness faithfulnessCurves(Backbone &backbone, const at::Tensor &image,
                                const std::vector<NamedHeatmap> &heatmaps, const FaithfulnessOptions &options)
{
    if (options.steps < 1)
        throw Error("faithfulness: at least 1 step is needed, got " + std::to_string(options.steps));
    if (options.batchSize < 1)
        throw Error("faithfulness: the batch size must be at least 1, got " +
                    std::to_string(options.batchSize));
    if (options.target < -1 || options.target >= backbone.numClasses())
        throw Error("faithfulness: target class " + std::to_string(options.target) + " but the model has " +
                    std::to_string(backbone.numClasses()) + " classes (-1 = the predicted class)");
    const at::Tensor x = singleImage(image, "image");
    const int64_t height = x.size(1), width = x.size(2), pixels = height * width;
    at::Tensor baseline;
    if (options.baselineImage.defined()) {
        baseline = singleImage(options.baselineImage, "baseline image");
        if (!baseline.sizes().equals(x.sizes()))
            throw Error("faithfulness: the baseline image is " + c10::str(baseline.sizes()) +
                        " but the image is " + c10::str(x.sizes()));
    } else {
        if (!std::isfinite(options.baselineValue))
            throw Error("faithfulness: the baseline value is not finite");
        baseline = torch::full_like(x, options.baselineValue);
    }

    std::vector<std::string> names;
    std::vector<at::Tensor> ranks;
    for (const NamedHeatmap &heatmap : heatmaps) {
        if (heatmap.name == "random")
            throw Error("faithfulness: the name 'random' is reserved for the random order");
        if (!heatmap.map.defined() || heatmap.map.dim() != 2 || heatmap.map.size(0) != height ||
            heatmap.map.size(1) != width)
            throw Error("faithfulness: heatmap '" + heatmap.name + "' is " +
                        (heatmap.map.defined() ? c10::str(heatmap.map.sizes()) : std::string("undefined")) +
                        " but the input is " + std::to_string(height) + "x" + std::to_string(width) +
                        "; bring it to the model input resolution first");
        names.push_back(heatmap.name);
        ranks.push_back(ranksOf(heatmapOrder(heatmap.map), height, width));
    }
    names.push_back("random");
    ranks.push_back(ranksOf(randomPixelOrder(pixels, options.seed), height, width));

    const int steps = options.steps;
    std::vector<int64_t> counts(static_cast<size_t>(steps) + 1);
    for (int k = 0; k <= steps; ++k) // round(k P / S), halves up, in integers
        counts[static_cast<size_t>(k)] = (2 * k * pixels + steps) / (2 * steps);

    // Deletion at 0 and insertion at S are the image; deletion at S and insertion at 0 the
    // baseline: two forwards for every curve, then the inner steps of each.
    std::vector<Job> jobs = {{-1, 0, false}, {-1, 0, true}};
    for (int o = 0; o < static_cast<int>(ranks.size()); ++o)
        for (int k = 1; k < steps; ++k)
            for (bool insertion : {false, true})
                jobs.push_back({o, counts[static_cast<size_t>(k)], insertion});

    std::vector<at::Tensor> logits;
    for (size_t start = 0; start < jobs.size(); start += static_cast<size_t>(options.batchSize)) {
        const size_t end = std::min(jobs.size(), start + static_cast<size_t>(options.batchSize));
        std::vector<at::Tensor> inputs;
        for (size_t j = start; j < end; ++j) {
            const Job &job = jobs[j];
            if (job.ordering < 0) {
                inputs.push_back(job.insertion ? baseline : x);
                continue;
            }
            const at::Tensor changed = (ranks[static_cast<size_t>(job.ordering)] < job.count).unsqueeze(0);
            inputs.push_back(job.insertion ? torch::where(changed, x, baseline)
                                           : torch::where(changed, baseline, x));
        }
        const at::Tensor batchLogits = backbone.forward(torch::stack(inputs), ForwardRequest{}).logits;
        if (!batchLogits.defined() || batchLogits.dim() != 2 ||
            batchLogits.size(0) != static_cast<int64_t>(end - start))
            throw Error("faithfulness: the model returned logits of an unexpected shape");
        logits.push_back(batchLogits.to(torch::kFloat64));
    }
    const at::Tensor all = torch::cat(logits);

    Faithfulness result;
    const int64_t classes = all.size(1);
    result.target = options.target >= 0 ? options.target : static_cast<int>(all[0].argmax().item<int64_t>());
    if (result.target >= classes)
        throw Error("faithfulness: target class " + std::to_string(result.target) + " but the model has " +
                    std::to_string(classes) + " classes");
    const at::Tensor p = torch::softmax(all, 1).select(1, result.target).contiguous();
    const double *probability = p.data_ptr<double>();
    result.originalProbability = probability[0];
    result.baselineProbability = probability[1];

    std::vector<double> fractions(counts.size());
    for (size_t k = 0; k < counts.size(); ++k)
        fractions[k] = static_cast<double>(counts[k]) / static_cast<double>(pixels);
    size_t next = 2;
    for (const std::string &name : names) {
        FaithfulnessCurve curve;
        curve.name = name;
        curve.fractions = fractions;
        curve.deletion = {result.originalProbability};
        curve.insertion = {result.baselineProbability};
        for (int k = 1; k < steps; ++k) {
            curve.deletion.push_back(probability[next++]);
            curve.insertion.push_back(probability[next++]);
        }
        curve.deletion.push_back(result.baselineProbability);
        curve.insertion.push_back(result.originalProbability);
        curve.deletionArea = trapezoidArea(curve.fractions, curve.deletion);
        curve.insertionArea = trapezoidArea(curve.fractions, curve.insertion);
        result.curves.push_back(std::move(curve));
    }
    return result;
}

} // namespace ood
