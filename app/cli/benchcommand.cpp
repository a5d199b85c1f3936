#include "commands.h"

#include "data/samplelist.h"
#include "base/error.h"
#include "image/imagedecoder.h"
#include "image/preprocess.h"
#include "model/resnetinference.h"
#include "pipeline/scorer.h"

#include <QElapsedTimer>
#include <QProcess>

#include <torch/torch.h>

#include <cstdio>

namespace ood::cli {

namespace {

void printRate(const char *stage, size_t images, qint64 nanoseconds)
{
    const double seconds = static_cast<double>(nanoseconds) / 1e9;
    std::printf("%-22s %8zu images %10.3f s %10.1f img/s %10.3f ms/img\n", stage, images, seconds,
                seconds > 0 ? static_cast<double>(images) / seconds : 0.0,
                images ? 1000.0 * seconds / static_cast<double>(images) : 0.0);
}

double imagesPerSecond(size_t images, qint64 nanoseconds)
{
    return nanoseconds > 0 ? static_cast<double>(images) * 1e9 / static_cast<double>(nanoseconds) : 0.0;
}

/// Largest |a - b| / (1 + max |a|) over the logits and features of two passes.
double relativeDifference(const std::vector<Activations> &a, const std::vector<Activations> &b)
{
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        for (const auto &pair :
             {std::make_pair(a[i].logits, b[i].logits), std::make_pair(a[i].features, b[i].features)}) {
            const double scale = 1.0 + pair.first.abs().max().item<double>();
            worst = std::max(worst, (pair.first - pair.second).abs().max().item<double>() / scale);
        }
    }
    return worst;
}

/// The forward pass of a native ResNet on each path (and in bfloat16 where the CPU has it), two
/// rounds taking turns so that a busy moment of the machine does not favour one path; the faster
/// round counts. Returns the frozen path's images/s.
double benchResNetPaths(const ResNetBackbone &backbone, const std::vector<at::Tensor> &batches, size_t images)
{
    struct Candidate
    {
        std::string name;
        std::unique_ptr<ResNetInference> inference;
        qint64 best = 0;
        std::vector<Activations> outputs;
    };
    std::vector<Candidate> candidates;
    for (ForwardPath path : {ForwardPath::Eager, ForwardPath::Folded, ForwardPath::Frozen})
        candidates.push_back({"forward " + forwardPathName(path),
                              std::make_unique<ResNetInference>(backbone.module(), path),
                              0,
                              {}});
    const std::string bf16Refusal = bfloat16Unsupported();
    if (bf16Refusal.empty())
        candidates.push_back(
            {"forward bf16 (folded)",
             std::make_unique<ResNetInference>(backbone.module(), ForwardPath::Folded, Precision::BFloat16),
             0,
             {}});
    QElapsedTimer timer;
    for (int round = 0; round < 3; ++round) {
        for (Candidate &candidate : candidates) {
            std::vector<Activations> outputs;
            timer.start();
            for (const at::Tensor &batch : batches) {
                const ResNetOutputs out = candidate.inference->forward(batch, false, false);
                Activations activations;
                activations.logits = out.logits;
                activations.features = out.features;
                outputs.push_back(activations);
            }
            const qint64 ns = timer.nsecsElapsed();
            // Round 0 warms up (oneDNN primitives, the graph executor's first runs).
            if (round > 0 && (candidate.best == 0 || ns < candidate.best))
                candidate.best = ns;
            candidate.outputs = std::move(outputs);
        }
    }
    for (const Candidate &candidate : candidates) {
        printRate(candidate.name.c_str(), images, candidate.best);
        std::printf("%-22s largest difference to eager: %.2e (relative to 1 + max |value|)%s\n", "",
                    relativeDifference(candidates.front().outputs, candidate.outputs),
                    candidate.inference->fallbackReason().empty()
                        ? ""
                        : (", " + candidate.inference->fallbackReason()).c_str());
    }
    if (!bf16Refusal.empty())
        std::printf("%-22s refused: %s\n", "forward bf16", bf16Refusal.c_str());
    return imagesPerSecond(images, candidates[2].best);
}

/// Python's figure for the same forward: torchvision's model of this architecture, frozen and
/// passed through torch.jit.optimize_for_inference, same batch, threads and input size, timed as
/// benchResNetPaths times it. The one-liner of docs/benchmarks.md, "Forward pass".
double pythonFrozenRate(const QString &python, const std::string &architecture, int batch, int height,
                        int width, int batches)
{
    const int rounds = std::max(10, batches);
    const QString script =
        QString(
            "import torch,torchvision,time;torch.set_num_threads(%1);g=torch.no_grad();g.__enter__();"
            "m=torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script("
            "torchvision.models.%2().eval())));x=torch.randn(%3,3,%4,%5);[m(x) for i in range(3)];"
            "f=lambda:(lambda t:([m(x) for i in range(%6)],time.perf_counter()-t)[1])(time.perf_counter());"
            "print(%3*%6/min(f(),f()))")
            .arg(at::get_num_threads())
            .arg(QString::fromStdString(architecture))
            .arg(batch)
            .arg(height)
            .arg(width)
            .arg(rounds);
    QProcess process;
    process.start(python, {"-c", script});
    if (!process.waitForFinished(600000) || process.exitCode() != 0)
        throw Error("the Python comparison failed (" + python.toStdString() +
                    "): " + QString::fromUtf8(process.readAllStandardError()).trimmed().toStdString());
    bool ok = false;
    const double rate = QString::fromUtf8(process.readAllStandardOutput()).trimmed().toDouble(&ok);
    if (!ok)
        throw Error("the Python comparison printed no figure");
    return rate;
}

} // namespace

int runBench(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Throughput of each stage on a folder: decode, preprocess, forward, every detector, and\n"
        "the whole scoring pipeline (decoding on worker threads overlapped with inference).");
    parser.addHelpOption();
    addProfileAndInputOptions(parser, "Folder, images or list file; repeatable.");
    addRunOptions(parser);
    parser.addOption({"compare-python",
                      "Also time torchvision's model of the profile's architecture in Python, frozen and "
                      "optimised for inference (torch.jit.optimize_for_inference), with the same batch, "
                      "threads and input size, and print the native frozen path against it. PYTHON is "
                      "an interpreter with torch and torchvision (Debian: /usr/bin/python3 with "
                      "python3-torchvision).",
                      "PYTHON"});
    if (const int exit = parseCommandLine(parser, arguments, "bench", {"profile"}, true); exit >= 0)
        return exit;
    const QStringList inputs = inputsFrom(parser);
    const RunOptions options = runOptionsFrom(parser);
    const Profile profile = loadProfile(parser.value("profile"));
    LoadedModel model = loadProfileModel(profile, parser.value("model"), options.inference);
    warnAboutPrecision(precisionMismatch(profile, options.inference.precision));
    const SampleList list = scanInputs(inputs);
    if (list.samples.empty())
        throw Error("bench found no images");

    std::printf("threads %d, batch %d, %zu images, input %dx%d, model %s, forward: %s\n",
                at::get_num_threads(), options.batchSize, list.samples.size(), profile.model.input.width,
                profile.model.input.height, profile.model.architecture.c_str(),
                model.backbone->inferenceDescription().c_str());

    // Stage by stage, on one thread for decode/preprocess (per-image cost).
    std::vector<at::Tensor> tensors;
    QElapsedTimer timer;
    qint64 decodeNs = 0, preprocessNs = 0;
    for (const Sample &sample : list.samples) {
        try {
            timer.start();
            const RgbImage image = decodeImageFile(sample.path, options.limits);
            decodeNs += timer.nsecsElapsed();
            timer.start();
            tensors.push_back(preprocessImage(image, profile.model.input));
            preprocessNs += timer.nsecsElapsed();
        } catch (const Error &) {
        }
    }
    if (tensors.empty())
        throw Error("bench could not decode any image");
    printRate("decode (1 thread)", tensors.size(), decodeNs);
    printRate("preprocess (1 thread)", tensors.size(), preprocessNs);

    std::vector<at::Tensor> batches;
    for (size_t start = 0; start < tensors.size(); start += static_cast<size_t>(options.batchSize)) {
        const size_t end = std::min(tensors.size(), start + static_cast<size_t>(options.batchSize));
        batches.push_back(torch::stack(std::vector<at::Tensor>(tensors.begin() + static_cast<long>(start),
                                                               tensors.begin() + static_cast<long>(end))));
    }
    Scorer bare(*model.backbone, {});
    // Three untimed batches first: oneDNN builds its kernels and a frozen graph is profiled on its
    // first calls, a start-up cost each program pays once.
    for (size_t b = 0; b < std::min<size_t>(3, batches.size()); ++b)
        (void)model.backbone->forward(batches[b], bare.forwardRequest());
    qint64 forwardNs = 0;
    std::vector<Activations> activations;
    for (const at::Tensor &batch : batches) {
        timer.start();
        activations.push_back(model.backbone->forward(batch, bare.forwardRequest()));
        forwardNs += timer.nsecsElapsed();
    }
    printRate("forward", tensors.size(), forwardNs);
    if (const auto *resnet = dynamic_cast<const ResNetBackbone *>(model.backbone.get())) {
        const double frozen = benchResNetPaths(*resnet, batches, tensors.size());
        if (parser.isSet("compare-python")) {
            const double python = pythonFrozenRate(
                parser.value("compare-python"), profile.model.architecture, options.batchSize,
                profile.model.input.height, profile.model.input.width, static_cast<int>(batches.size()));
            std::printf("%-22s %8s        %10s %10.1f img/s  native frozen = %.0f%% of it%s\n",
                        "python frozen+opt", "", "", python, 100.0 * frozen / python,
                        resnet->module()->width() == kResNetStandardWidth
                            ? ""
                            : " (torchvision's width 64: not the same network as this slim model)");
        }
    } else if (parser.isSet("compare-python")) {
        std::printf("--compare-python: only for the native ResNets (this model: %s)\n",
                    profile.model.architecture.c_str());
    }

    // Each detector alone (a fresh shared input graph per batch and detector, so a gradient
    // detector pays its whole cost here), in forward-pass units: its time over the forward's, and
    // the passes it declares (PassCost). "all detectors" below shares the input graph per batch.
    const at::Tensor weight = model.backbone->headWeight(), bias = model.backbone->headBias();
    const double forwardPerImage = static_cast<double>(forwardNs) / static_cast<double>(tensors.size());
    qint64 allDetectorsNs = 0;
    for (const ProfileDetector &entry : profile.detectors) {
        qint64 ns = 0;
        for (size_t b = 0; b < batches.size(); ++b) {
            const GradientPass gradientPass(*model.backbone, batches[b]);
            ScoreContext context{activations[b], batches[b], &gradientPass,
                                 weight,         bias,       model.backbone->asClip()};
            timer.start();
            (void)entry.detector->score(context);
            ns += timer.nsecsElapsed();
        }
        allDetectorsNs += ns;
        const std::string name = "  " + entry.detector->id();
        printRate(name.c_str(), tensors.size(), ns);
        std::printf("%-22s cost %.2f forward passes measured, %lld declared\n", "",
                    static_cast<double>(ns) / static_cast<double>(tensors.size()) / forwardPerImage,
                    static_cast<long long>(entry.detector->needs().score.cost.passes()));
    }
    std::vector<const Detector *> all;
    for (const ProfileDetector &entry : profile.detectors)
        all.push_back(entry.detector.get());
    std::printf("%-22s %lld extra passes per image together (shared input graph counted once)\n",
                "detectors together", static_cast<long long>(extraPassesPerImage(all)));
    printRate("detectors, each alone", tensors.size(), allDetectorsNs);

    timer.start();
    const ScoredImages scored = scoreImages(*model.backbone, profile, list.samples, {}, options);
    printRate("pipeline (end to end)", scored.samples.size() - scored.failedCount(), timer.nsecsElapsed());
    return ExitOk;
}

} // namespace ood::cli
