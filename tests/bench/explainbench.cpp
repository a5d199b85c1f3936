// Timing of the explanation parts that are too slow for a unit test's budget (docs/benchmarks.md,
// "Bench executables"); formerly the on-request functions lrptest timing224 and landscapetest speed.
// Usage: explain-bench [lrp] [landscape] [progressive|passes|bf16 [--profile P [--model M] [--image I]
//        [--id DIR --ood DIR]]...]
// (no argument: lrp and landscape). LibTorch on 2 threads, as the figures of docs/explanations.md
// were taken.
// lrp, landscape: random weights: the cost of a pass does not depend on the values, and no
// checkpoint is needed. progressive: the window's explanation of one real frame under a real
// profile (default: the demo's), and how soon each part arrives.

#include "bench/benchreport.h"
#include "base/error.h"
#include "calib/profilemodel.h"
#include "data/samplelist.h"
#include "detect/registry.h"
#include "eval/metrics.h"
#include "explain/frameexplainer.h"
#include "explain/landscape.h"
#include "explain/lrp.h"
#include "image/imagedecoder.h"
#include "image/preprocess.h"
#include "model/resnet.h"
#include "pipeline/scorer.h"
#include "pipeline/scoringrun.h"

#include <QDir>
#include <QFileInfo>

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

struct ProgressiveCase
{
    QString profile, model, image;
    QString id, ood; ///< bf16: folders of ID and OOD frames
};

/// The explanation as the window asks for it (ui/jobs/explanationjob.cpp: its parts, a 21x21
/// landscape with the 5x5 and 11x11 levels first), timed from the decoded frame: when the verdicts,
/// the heatmaps, each landscape level and the whole arrive. Once with the frame's scores known (the
/// window after scoring) and once without (a frame selected before it was scored: every detector,
/// ODIN and PRO included, runs for the verdicts).
void benchProgressive(const ProgressiveCase &c)
{
    const Profile profile = loadProfile(c.profile);
    LoadedModel model = loadProfileModel(profile, c.model);
    Backbone &backbone = *model.backbone;
    const RgbImage frame = decodeImageFile(c.image);
    const std::string where = QFileInfo(c.profile).fileName().toStdString() + ", " +
                              QFileInfo(c.image).fileName().toStdString() + " (" +
                              std::to_string(frame.width) + "x" + std::to_string(frame.height) + " px -> " +
                              std::to_string(profile.model.input.width) + " px)";
    std::printf("%s | progressive: %s\n", kBench, where.c_str());

    ExplainOptions window;
    window.parts = {ExplainPart::Neurons,  ExplainPart::RelevanceCam, ExplainPart::DeviationCam,
                    ExplainPart::GradCam,  ExplainPart::Lrp,          ExplainPart::Landscape,
                    ExplainPart::Densities};
    if (backbone.asClip()) {
        window.parts.push_back(ExplainPart::Labels);
        window.parts.push_back(ExplainPart::Saliency);
    }
    window.landscape.gridSize = 21;
    window.landscape.levels = {5, 11};

    // Warm-up: the first passes allocate.
    {
        ExplainOptions warm = window;
        warm.landscape.gridSize = 3;
        warm.landscape.levels.clear();
        explainFrame(backbone, profile, preprocessImage(frame, profile.model.input), warm);
    }
    // The scores a scoring run would have for this frame.
    std::map<std::string, double> known;
    {
        std::vector<const Detector *> detectors;
        for (const ProfileDetector &d : profile.detectors)
            detectors.push_back(d.detector.get());
        const at::Tensor x = preprocessImage(frame, profile.model.input).unsqueeze(0);
        const BatchScores scored = Scorer(backbone, detectors).scoreBatch(x);
        for (size_t i = 0; i < detectors.size(); ++i)
            known[detectors[i]->id()] = scored.scores[i][0].item<double>();
    }

    ScoreLandscape levelled;
    for (const bool scored : {true, false}) {
        ExplainOptions options = window;
        if (scored)
            options.knownScores = known;
        const std::string scenario = scored ? "scored frame" : "unscored frame";
        std::vector<std::pair<std::string, double>> arrivals;
        const auto start = Clock::now();
        options.partial = [&](const FrameExplanation &, const std::string &stage) {
            arrivals.emplace_back(stage, secondsSince(start));
        };
        const FrameExplanation e =
            explainFrame(backbone, profile, preprocessImage(frame, profile.model.input), options);
        const double whole = secondsSince(start);
        const std::string note = std::string(profile.model.architecture) + ", " + where;
        for (const auto &[stage, seconds] : arrivals)
            if (stage != "done")
                report(kBench, "progressive: " + scenario + ", " + stage + " after", seconds, "s", note);
        report(kBench, "progressive: " + scenario + ", complete after", whole, "s",
               "before: nothing until this; " + note);
        for (size_t i = 0; i < e.seconds.size(); ++i)
            std::printf("%s |   %-14s %8.3f s %6lld forward %6lld gradient images\n", kBench,
                        e.seconds[i].first.c_str(), e.seconds[i].second,
                        static_cast<long long>(e.forwardImages[i].second),
                        static_cast<long long>(e.gradientImages[i].second));
        if (scored && e.landscape)
            levelled = *e.landscape;
    }
    // Levels change only which grid points share a batch: the full grid against today's order.
    if (levelled.scores.defined()) {
        LandscapeOptions plain = window.landscape;
        plain.levels.clear();
        const at::Tensor x = preprocessImage(frame, profile.model.input);
        const ScoreLandscape today =
            scoreLandscape(backbone, *profile.find(levelled.detectorId)->detector, x, plain);
        const double relative = ((levelled.scores - today.scores).abs() / today.scores.abs().clamp_min(1e-12))
                                    .max()
                                    .item<double>();
        report(kBench, "progressive: max relative |levelled - unlevelled landscape|", relative, "",
               levelled.detectorId + ", 21x21");
    }
}

/// `ood-inspect explain`'s explanation (every part that applies, defaults) against what its passes
/// through the model cost one by one: (forward images) x (one image's forward at the landscape's
/// batch of 32, channels-last) + (gradient images) x (one image's forward and backward with
/// autograd, batch 1). Issue #15 asks for a ratio of at most 1.15. Best of two explanations and of
/// three rounds per pass, taking turns, so that a slow moment of the machine hits both sides.
void benchPasses(const ProgressiveCase &c)
{
    const Profile profile = loadProfile(c.profile);
    LoadedModel model = loadProfileModel(profile, c.model);
    Backbone &backbone = *model.backbone;
    const at::Tensor x = preprocessImage(decodeImageFile(c.image), profile.model.input);
    ExplainOptions options;
    options.parts = explainPartsFor(backbone);
    const at::Tensor batch =
        x.unsqueeze(0).expand({32, -1, -1, -1}).contiguous(at::MemoryFormat::ChannelsLast) + 0.001f;
    const at::Tensor single = x.unsqueeze(0);
    (void)explainFrame(backbone, profile, x, options); // warm-up

    // Wall time and process CPU time (all threads): on a virtual machine whose cores are now and
    // then taken by others, CPU time leaves out the stolen moments that make wall time jump.
    struct Cost
    {
        double wall = 1e9, cpu = 1e9;
        void keep(Clock::time_point start, std::clock_t cpuStart, double per = 1.0)
        {
            wall = std::min(wall, secondsSince(start) / per);
            cpu = std::min(cpu, double(std::clock() - cpuStart) / CLOCKS_PER_SEC / per);
        }
    };
    Cost explanation, forward, gradient, landscape, levelled;
    const Detector &msp = *profile.find("msp")->detector;
    FrameExplanation e;
    for (int round = 0; round < 2; ++round) {
        auto start = Clock::now();
        std::clock_t cpuStart = std::clock();
        e = explainFrame(backbone, profile, x, options);
        explanation.keep(start, cpuStart);
        // The landscape alone, in one go and in the window's levels (other batch shapes).
        LandscapeOptions grid;
        start = Clock::now();
        cpuStart = std::clock();
        (void)scoreLandscape(backbone, msp, x, grid);
        landscape.keep(start, cpuStart, 441);
        grid.levels = {5, 11};
        start = Clock::now();
        cpuStart = std::clock();
        (void)scoreLandscape(backbone, msp, x, grid);
        levelled.keep(start, cpuStart, 441);
        for (int pass = 0; pass < 3; ++pass) {
            start = Clock::now();
            cpuStart = std::clock();
            for (int b = 0; b < 4; ++b)
                (void)backbone.forward(batch, {});
            forward.keep(start, cpuStart, 4 * 32);
            start = Clock::now();
            cpuStart = std::clock();
            for (int g = 0; g < 4; ++g) {
                torch::AutoGradMode grad(true);
                const at::Tensor input = single.clone().requires_grad_(true);
                const at::Tensor logits = backbone.logitsWithGradient(input);
                (void)torch::autograd::grad({logits.max()}, {input});
            }
            gradient.keep(start, cpuStart, 4);
        }
    }
    int64_t forwardImages = 0, gradientImages = 0;
    for (size_t i = 0; i < e.seconds.size(); ++i) {
        forwardImages += e.forwardImages[i].second;
        gradientImages += e.gradientImages[i].second;
        std::printf("%s |   %-14s %8.3f s %6lld forward %6lld gradient images\n", kBench,
                    e.seconds[i].first.c_str(), e.seconds[i].second,
                    static_cast<long long>(e.forwardImages[i].second),
                    static_cast<long long>(e.gradientImages[i].second));
    }
    const std::string note = QFileInfo(c.profile).fileName().toStdString() + ", " +
                             QFileInfo(c.image).fileName().toStdString() + ", " +
                             backbone.inferenceDescription();
    for (const auto &[clock, pick] :
         {std::pair<std::string, double Cost::*>{"wall", &Cost::wall}, {"CPU", &Cost::cpu}}) {
        const double passes = static_cast<double>(forwardImages) * forward.*pick +
                              static_cast<double>(gradientImages) * gradient.*pick;
        const std::string what = "passes (" + clock + "): ";
        report(kBench, what + "one forward, per image (batch 32)", forward.*pick * 1e3, "ms", note);
        report(kBench, what + "one gradient image (batch 1)", gradient.*pick * 1e3, "ms", "");
        report(kBench, what + "landscape 21x21 alone, per image", landscape.*pick * 1e3, "ms", "batch 32");
        report(kBench, what + "landscape 5, 11, 21 levels, per image", levelled.*pick * 1e3, "ms", "");
        report(kBench, what + "explanation", explanation.*pick, "s",
               std::to_string(forwardImages) + " forward + " + std::to_string(gradientImages) +
                   " gradient images");
        report(kBench, what + "their cost one by one", passes, "s", "");
        report(kBench, what + "explanation / passes", explanation.*pick / passes, "", "issue #15: <= 1.15");
    }
}

/// What bfloat16 does to each detector's AUROC (ID frames against OOD frames) and how long the
/// forward takes, against float32 on the same frames. On a CPU without AVX512-BF16 or AMX the
/// bfloat16 convolutions are emulated: the AUROC change is what it is on any CPU (the same
/// roundings), the time is not (the program refuses bfloat16 there; this bench does not).
void benchBFloat16(const ProgressiveCase &c, const QString &idFolder, const QString &oodFolder)
{
    const Profile profile = loadProfile(c.profile);
    const std::vector<Sample> id = scanInputs({idFolder}).samples, ood = scanInputs({oodFolder}).samples;
    const std::string native = bfloat16Unsupported();
    std::printf("%s | bf16: %s, %zu ID + %zu OOD frames, %s\n", kBench,
                QFileInfo(c.profile).fileName().toStdString().c_str(), id.size(), ood.size(),
                native.empty() ? "native bfloat16" : "bfloat16 EMULATED (this CPU has no AVX512-BF16/AMX)");
    std::map<Precision, std::vector<double>> aurocs;
    for (Precision precision : {Precision::Float32, Precision::BFloat16}) {
        InferenceOptions inference;
        inference.precision = precision;
        LoadedModel model = loadProfileModel(profile, c.model, inference);
        RunOptions run;
        run.batchSize = 16;
        const auto start = Clock::now();
        const ScoredImages a = scoreImages(*model.backbone, profile, id, {}, run);
        const ScoredImages b = scoreImages(*model.backbone, profile, ood, {}, run);
        report(kBench, "bf16: scoring " + precisionName(precision), secondsSince(start), "s",
               std::to_string(id.size() + ood.size()) + " frames, every detector");
        for (size_t d = 0; d < a.detectorIds.size(); ++d) {
            const auto column = [d](const ScoredImages &s) {
                const at::Tensor t = s.scores.select(1, static_cast<int64_t>(d)).contiguous();
                return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
            };
            aurocs[precision].push_back(auroc(column(a), column(b)));
        }
    }
    for (size_t d = 0; d < profile.detectors.size(); ++d)
        std::printf("%s |   %-12s AUROC float32 %.4f  bf16 %.4f  change %+.4f\n", kBench,
                    profile.detectors[d].detector->id().c_str(), aurocs[Precision::Float32][d],
                    aurocs[Precision::BFloat16][d],
                    aurocs[Precision::BFloat16][d] - aurocs[Precision::Float32][d]);
}

} // namespace

int main(int argc, char **argv)
{
    std::set<std::string> parts;
    std::vector<ProgressiveCase> cases;
    auto usage = [] {
        std::fprintf(stderr,
                     "usage: explain-bench [lrp] [landscape] [progressive|passes [--profile P [--model M] "
                     "--image I]...]\n");
        return 2;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "lrp" || arg == "landscape" || arg == "progressive" || arg == "passes" || arg == "bf16") {
            parts.insert(arg);
        } else if ((arg == "--id" || arg == "--ood") && i + 1 < argc && !cases.empty()) {
            (arg == "--id" ? cases.back().id : cases.back().ood) = QString::fromLocal8Bit(argv[++i]);
        } else if ((arg == "--profile" || arg == "--model" || arg == "--image") && i + 1 < argc &&
                   (parts.count("progressive") || parts.count("passes") || parts.count("bf16"))) {
            const QString value = QString::fromLocal8Bit(argv[++i]);
            if (arg == "--profile")
                cases.push_back({value, {}, {}});
            else if (cases.empty())
                return usage();
            else
                (arg == "--model" ? cases.back().model : cases.back().image) = value;
        } else {
            return usage();
        }
    }
    if (cases.empty()) {
        const QString assets = OOD_SOURCE_DIR "/resources/demo/assets";
        const QStringList frames =
            QDir(assets + "/frames/far-ood").entryList({"*.png"}, QDir::Files, QDir::Name);
        cases.push_back({assets + "/demo.oodprofile", assets + "/model.pt",
                         frames.isEmpty() ? QString() : assets + "/frames/far-ood/" + frames.first(),
                         assets + "/frames/id", assets + "/frames/far-ood"});
    }
    for (const ProgressiveCase &c : cases)
        if ((parts.count("progressive") || parts.count("passes")) && c.image.isEmpty())
            return usage();
    for (const ProgressiveCase &c : cases)
        if (parts.count("bf16") && (c.id.isEmpty() || c.ood.isEmpty()))
            return usage();
    torch::set_num_threads(2);
    std::printf("%s | LibTorch threads %d\n", kBench, torch::get_num_threads());
    if (parts.empty() || parts.count("lrp"))
        benchLrp();
    if (parts.empty() || parts.count("landscape"))
        benchLandscape();
    if (parts.count("progressive") || parts.count("passes") || parts.count("bf16")) {
        for (const ProgressiveCase &c : cases) {
            try {
                if (parts.count("progressive"))
                    benchProgressive(c);
                if (parts.count("passes"))
                    benchPasses(c);
                if (parts.count("bf16"))
                    benchBFloat16(c, c.id, c.ood);
            } catch (const std::exception &e) {
                std::fprintf(stderr, "%s: %s\n", qPrintable(c.profile), e.what());
                return 1;
            }
        }
    }
    return 0;
}
