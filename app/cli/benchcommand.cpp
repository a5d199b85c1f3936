#include "commands.h"

#include "data/samplelist.h"
#include "base/error.h"
#include "image/imagedecoder.h"
#include "image/preprocess.h"
#include "pipeline/scorer.h"

#include <QElapsedTimer>

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
    if (const int exit = parseCommandLine(parser, arguments, "bench", {"profile"}, true); exit >= 0)
        return exit;
    const QStringList inputs = inputsFrom(parser);
    const RunOptions options = runOptionsFrom(parser);
    const Profile profile = loadProfile(parser.value("profile"));
    LoadedModel model = loadProfileModel(profile, parser.value("model"));
    const SampleList list = scanInputs(inputs);
    if (list.samples.empty())
        throw Error("bench found no images");

    std::printf("threads %d, batch %d, %zu images, input %dx%d, model %s\n", at::get_num_threads(),
                options.batchSize, list.samples.size(), profile.model.input.width, profile.model.input.height,
                profile.model.architecture.c_str());

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
    qint64 forwardNs = 0;
    std::vector<Activations> activations;
    for (const at::Tensor &batch : batches) {
        timer.start();
        activations.push_back(model.backbone->forward(batch, bare.forwardRequest()));
        forwardNs += timer.nsecsElapsed();
    }
    printRate("forward", tensors.size(), forwardNs);

    const at::Tensor weight = model.backbone->headWeight(), bias = model.backbone->headBias();
    const GradientPass gradientPass(*model.backbone); // ODIN and PRO run their extra passes through it
    qint64 allDetectorsNs = 0;
    for (const ProfileDetector &entry : profile.detectors) {
        qint64 ns = 0;
        for (size_t b = 0; b < batches.size(); ++b) {
            ScoreContext context{activations[b], batches[b], &gradientPass,
                                 weight,         bias,       model.backbone->asClip()};
            timer.start();
            (void)entry.detector->score(context);
            ns += timer.nsecsElapsed();
        }
        allDetectorsNs += ns;
        printRate(("  " + entry.detector->id()).c_str(), tensors.size(), ns);
    }
    printRate("all detectors", tensors.size(), allDetectorsNs);

    timer.start();
    const ScoredImages scored = scoreImages(*model.backbone, profile, list.samples, {}, options);
    printRate("pipeline (end to end)", scored.samples.size() - scored.failedCount(), timer.nsecsElapsed());
    return ExitOk;
}

} // namespace ood::cli
