// Timing of the explanation parts that are too slow for a unit test's budget (docs/benchmarks.md,
// "Bench executables"); formerly the on-request functions lrptest timing224 and landscapetest speed.
// Usage: explain-bench [lrp] [landscape]   (no argument: both). LibTorch on 2 threads, as the
// figures of docs/explanations.md were taken.
// Random weights: the cost of a pass does not depend on the values, and no checkpoint is needed.

#include "bench/benchreport.h"
#include "detect/registry.h"
#include "explain/landscape.h"
#include "explain/lrp.h"
#include "model/resnet.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <set>
#include <string>

using namespace ood;
using bench::report;
using bench::secondsSince;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char *kBench = "explain-bench";

/// Pixels in [0, 1] normalised with the ImageNet statistics, as the model card says.
at::Tensor normalisedImages(int64_t n, int64_t side)
{
    const at::Tensor pixels = torch::rand({n, 3, side, side});
    const at::Tensor mean = torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1});
    const at::Tensor std = torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1});
    return (pixels - mean) / std;
}

void benchLrp()
{
    torch::manual_seed(17);
    ResNet model = createResNet("resnet18", 10, 64);
    model->eval();
    const at::Tensor x = normalisedImages(1, 224);
    const at::Tensor r = torch::full({1, 10}, 0.1);
    {
        torch::NoGradGuard noGrad;
        model->forward(x); // warm-up: the first pass allocates
        const auto start = Clock::now();
        model->forward(x);
        report(kBench, "lrp: the model's float32 forward", secondsSince(start), "s",
               "resnet18 width 64, one 224 px image");
    }
    for (const LrpPrecision precision : {LrpPrecision::Float32, LrpPrecision::Float64})
        for (const LrpComposite composite :
             {LrpComposite::EpsilonGammaBox, LrpComposite::EpsilonPlusFlat, LrpComposite::EpsilonPlus}) {
            LrpOptions options;
            options.composite = composite;
            options.precision = precision;
            const std::string name = "lrp: " + lrpCompositeName(composite) +
                                     (precision == LrpPrecision::Float64 ? " float64" : " float32");
            const auto build = Clock::now();
            const ResNetLrp lrp(*model, options);
            const double canonize = secondsSince(build);
            lrp.explain(x, r); // warm-up
            double best = 1e300;
            for (int i = 0; i < 3; ++i) {
                const auto start = Clock::now();
                lrp.explain(x, r);
                best = std::min(best, secondsSince(start));
            }
            report(kBench, name + ", explain", best, "s", "best of 3, one 224 px image");
            report(kBench, name + ", canonize", canonize, "s");
        }
}

void benchLandscape()
{
    torch::manual_seed(0);
    ResNetBackbone backbone(createResNet("resnet18", 2));
    // The same weights with the convolution kernels stored channels-last too.
    torch::manual_seed(0);
    ResNet model = createResNet("resnet18", 2);
    {
        torch::NoGradGuard noGrad;
        for (at::Tensor &p : model->parameters())
            if (p.dim() == 4)
                p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
    }
    ResNetBackbone channelsLastWeights(model);
    auto detector = createDetector("energy");
    torch::manual_seed(1);
    const at::Tensor x = torch::randn({3, 224, 224});
    struct Variant
    {
        const char *name;
        Backbone *backbone;
        bool channelsLast;
    };
    const Variant variants[] = {{"contiguous input and weights", &backbone, false},
                                {"channels-last input", &backbone, true},
                                {"channels-last input and weights", &channelsLastWeights, true}};
    // The machine is shared: the variants take turns, twice, and the faster run of each counts.
    std::vector<ScoreLandscape> results(3);
    std::vector<double> seconds(3, 1e300), cpuSeconds(3, 1e300);
    for (int round = 0; round < 2; ++round)
        for (size_t v = 0; v < 3; ++v) {
            LandscapeOptions options;
            options.channelsLast = variants[v].channelsLast;
            const auto start = Clock::now();
            const std::clock_t cpuStart = std::clock(); // all threads of the process
            results[v] = scoreLandscape(*variants[v].backbone, *detector, x, options);
            seconds[v] = std::min(seconds[v], secondsSince(start));
            cpuSeconds[v] = std::min(cpuSeconds[v], double(std::clock() - cpuStart) / CLOCKS_PER_SEC);
        }
    for (size_t v = 0; v < 3; ++v) {
        const std::string name = std::string("landscape: ") + variants[v].name;
        report(kBench, name + ", wall", seconds[v], "s", "best of 2; 21x21 energy, resnet18 w64, 224 px");
        report(kBench, name + ", CPU", cpuSeconds[v], "s", "best of 2, all threads");
    }
    // Not a pass/fail check here (core_landscapetest memoryLayoutDoesNotMatter is): printed so a
    // run whose layouts disagree is not read as a speed-up.
    for (size_t v = 1; v < 3; ++v)
        report(kBench, std::string("landscape: ") + variants[v].name + ", max |score - contiguous|",
               (results[0].scores - results[v].scores).abs().max().item<double>(), "");
}

} // namespace

int main(int argc, char **argv)
{
    std::set<std::string> parts;
    for (int i = 1; i < argc; ++i)
        parts.insert(argv[i]);
    for (const std::string &part : parts)
        if (part != "lrp" && part != "landscape") {
            std::fprintf(stderr, "usage: explain-bench [lrp] [landscape]\n");
            return 2;
        }
    torch::set_num_threads(2);
    std::printf("%s | LibTorch threads %d\n", kBench, torch::get_num_threads());
    if (parts.empty() || parts.count("lrp"))
        benchLrp();
    if (parts.empty() || parts.count("landscape"))
        benchLandscape();
    return 0;
}
