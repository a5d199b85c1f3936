// ood-make-demo: builds the demo set from Debian's dataset-fashion-mnist package and trains its
// model, deterministically (fixed seeds, sorted file order).
//
//   <out>/data/train/<class>/*.png     ID training images  (T-shirt_top, Trouser, Bag)
//   <out>/data/valid/<class>/*.png     ID validation images
//   <out>/data/test-id/<class>/*.png   ID test images (from the t10k split)
//   <out>/data/ood-near/<class>/*.png  held-out Fashion-MNIST classes (Pullover, Sneaker)
//   <out>/data/ood-far/*.png           foreign images: noise, stripes, checkerboards, blobs
//   <out>/model.pt                     ResNet-18 state_dict (torchvision key layout), input 32x32,
//                                      base width 16 (D = 128, about 3 MB) with AbeT heads
//
// The demo model is slim so that it ships in a few megabytes and trains in about a minute; it
// carries AbeT's learned-temperature heads next to the ordinary fc head so that every detector,
// AbeT included, runs on it (docs/model-contract.md).

#include "data/idxfile.h"
#include "data/samplelist.h"
#include "base/error.h"
#include "fit/classifiertrainer.h"
#include "model/resnet.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <torch/torch.h>

#include <cstdio>
#include <random>
#include <thread>
#include <unistd.h>

using namespace ood;

namespace {

const std::vector<int> kIdClasses = {0, 1, 8};   // T-shirt_top, Trouser, Bag
const std::vector<int> kNearOodClasses = {2, 7}; // Pullover, Sneaker

void writePng(const QString &path, const cv::Mat &image)
{
    if (!cv::imwrite(path.toStdString(), image))
        throw Error("cannot write " + path.toStdString());
}

/// The first `count` images of each class at or after `offset` (per class) in file order.
void writeClasses(const at::Tensor &images, const at::Tensor &labels, const std::vector<int> &classes,
                  int offset, int count, const QString &root)
{
    const auto *label = labels.data_ptr<uint8_t>();
    for (int c : classes) {
        const QString folder = root + "/" + fashionMnistClassNames().at(c);
        QDir().mkpath(folder);
        int seen = 0, written = 0;
        for (int64_t i = 0; i < labels.size(0) && written < count; ++i) {
            if (label[i] != c)
                continue;
            if (seen++ < offset)
                continue;
            const at::Tensor image = images[i].contiguous();
            const cv::Mat mat(28, 28, CV_8UC1, image.data_ptr<uint8_t>());
            writePng(QString("%1/%2.png").arg(folder).arg(i, 5, 10, QChar('0')), mat);
            ++written;
        }
        if (written < count)
            throw Error("Fashion-MNIST has too few images of class " + std::to_string(c));
    }
}

void writeFarOod(const QString &folder, int count, uint64_t seed)
{
    QDir().mkpath(folder);
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> byte(0, 255), period(2, 9);
    for (int i = 0; i < count; ++i) {
        cv::Mat image(28, 28, CV_8UC3);
        const int k = i % 4;
        if (k == 0) { // colour noise
            for (int y = 0; y < 28; ++y)
                for (int x = 0; x < 28; ++x)
                    image.at<cv::Vec3b>(y, x) = cv::Vec3b(byte(rng), byte(rng), byte(rng));
        } else if (k == 1) { // stripes
            const int t = period(rng);
            const cv::Vec3b a(byte(rng), byte(rng), byte(rng)), b(byte(rng), byte(rng), byte(rng));
            for (int y = 0; y < 28; ++y)
                for (int x = 0; x < 28; ++x)
                    image.at<cv::Vec3b>(y, x) = ((x + (i % 2) * y) / t) % 2 ? a : b;
        } else if (k == 2) { // checkerboard
            const int t = period(rng);
            for (int y = 0; y < 28; ++y)
                for (int x = 0; x < 28; ++x)
                    image.at<cv::Vec3b>(y, x) =
                        ((x / t + y / t) % 2) ? cv::Vec3b(255, 255, 255) : cv::Vec3b(0, 0, 0);
        } else if (k == 3) { // coloured blobs on a plain background
            image.setTo(cv::Scalar(byte(rng), byte(rng), byte(rng)));
            for (int b = 0; b < 3; ++b)
                cv::circle(image, {byte(rng) % 28, byte(rng) % 28}, 3 + byte(rng) % 8,
                           cv::Scalar(byte(rng), byte(rng), byte(rng)), cv::FILLED);
        }
        writePng(QString("%1/far_%2.png").arg(folder).arg(i, 3, 10, QChar('0')), image);
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription("Build the OOD Inspector demo set and model from Fashion-MNIST.");
    parser.addHelpOption();
    parser.addOption({"out", "Output folder.", "DIR"});
    parser.addOption(
        {"fashion-mnist", "Folder with the IDX files.", "DIR", "/usr/share/datasets/fashion-mnist"});
    parser.addOption({"train-per-class", "Training images per class.", "N", "1000"});
    parser.addOption({"test-per-class", "Validation / test / near-OOD images per class.", "N", "150"});
    parser.addOption({"epochs", "Training epochs.", "N", "6"});
    parser.addOption({"learning-rate", "Initial SGD learning rate (cosine schedule).", "LR", "0.02"});
    parser.addOption({"input-size", "Network input side.", "N", "32"});
    parser.addOption({"seed", "Random seed.", "N", "1"});
    parser.addOption({"width", "ResNet base width (torchvision: 64).", "N", "16"});
    parser.addOption({"abet", "Train AbeT's learned-temperature heads with the model (the default)."});
    parser.addOption({"no-abet", "A plain classifier without AbeT heads."});
    parser.addOption({"abet-joint",
                      "Let the AbeT loss train the backbone too (AbeT's own training); by default it "
                      "trains only the heads, so the other detectors see the same backbone as without "
                      "them."});
    parser.process(app);
    if (!parser.isSet("out")) {
        std::fprintf(stderr, "ood-make-demo: --out is required\n");
        return 2;
    }
    at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    try {
        const QString out = QDir(parser.value("out")).absolutePath();
        const QString fashion = parser.value("fashion-mnist");
        const int trainPerClass = parser.value("train-per-class").toInt();
        const int testPerClass = parser.value("test-per-class").toInt();
        const int inputSize = parser.value("input-size").toInt();
        const auto seed = parser.value("seed").toULongLong();
        bool widthOk = false;
        const int width = parser.value("width").toInt(&widthOk);
        if (trainPerClass < 2 || testPerClass < 2 || inputSize < 16)
            throw Error("--train-per-class and --test-per-class must be >= 2, --input-size >= 16");
        if (!widthOk || width < 1 || width > 1024)
            throw Error("--width must be between 1 and 1024");
        if (parser.isSet("abet") && parser.isSet("no-abet"))
            throw Error("--abet and --no-abet exclude each other");
        const bool abet = !parser.isSet("no-abet");

        const at::Tensor trainImages = readIdxFile(fashion + "/train-images-idx3-ubyte.gz");
        const at::Tensor trainLabels = readIdxFile(fashion + "/train-labels-idx1-ubyte.gz");
        const at::Tensor testImages = readIdxFile(fashion + "/t10k-images-idx3-ubyte.gz");
        const at::Tensor testLabels = readIdxFile(fashion + "/t10k-labels-idx1-ubyte.gz");
        QDir(out + "/data").removeRecursively();
        writeClasses(trainImages, trainLabels, kIdClasses, 0, trainPerClass, out + "/data/train");
        writeClasses(trainImages, trainLabels, kIdClasses, trainPerClass, testPerClass, out + "/data/valid");
        writeClasses(testImages, testLabels, kIdClasses, 0, testPerClass, out + "/data/test-id");
        writeClasses(testImages, testLabels, kNearOodClasses, 0, testPerClass, out + "/data/ood-near");
        writeFarOod(out + "/data/ood-far", testPerClass, seed);
        std::printf("wrote the demo images under %s/data\n", qPrintable(out));

        InputSpec input;
        input.width = input.height = inputSize;
        const SampleList train = scanImageFolder(out + "/data/train");
        torch::manual_seed(seed); // the initial weights are part of what makes the demo reproducible
        ResNet model = createResNet("resnet18", static_cast<int>(kIdClasses.size()), width, abet);
        TrainOptions options;
        options.epochs = parser.value("epochs").toInt();
        options.seed = seed;
        options.learningRate = parser.value("learning-rate").toDouble();
        options.abetTrainsBackbone = parser.isSet("abet-joint");
        const bool terminal = isatty(STDERR_FILENO) != 0;
        const TrainReport report =
            trainClassifier(*model, train, input, options, [terminal](const Progress &p) {
                if (terminal || p.done == p.total)
                    std::fprintf(stderr, "%straining %s %zu/%zu%s", terminal ? "\r" : "", p.stage.c_str(),
                                 p.done, p.total, terminal ? "" : "\n");
                return true;
            });
        if (terminal)
            std::fprintf(stderr, "\n");
        for (size_t e = 0; e < report.epochLoss.size(); ++e) {
            std::printf("epoch %zu: loss %.4f, train accuracy %.3f", e + 1, report.epochLoss[e],
                        report.epochAccuracy[e]);
            if (e < report.epochAbetLoss.size())
                std::printf("; AbeT head: loss %.4f, accuracy %.3f", report.epochAbetLoss[e],
                            report.epochAbetAccuracy[e]);
            std::printf("\n");
        }
        saveStateDict((out + "/model.pt").toStdString(), resnetStateDict(*model));
        std::printf("wrote %s/model.pt\n", qPrintable(out));
    } catch (const std::exception &e) {
        std::fprintf(stderr, "ood-make-demo: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
