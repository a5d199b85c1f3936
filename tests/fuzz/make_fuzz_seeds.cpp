// Seed corpora for the fuzzers, made from real files: the demo frames and Fashion-MNIST images
// re-encoded in every format the decoder reads, the demo profile (whole and cut down to a few
// detectors), the demo model, a torchvision-style state_dict and LibTorch's own pickle_save.
//
//   make_fuzz_seeds SOURCE_DIR OUT_DIR   (writes OUT_DIR/{image,profile,checkpoint}/)

#include "calib/profile.h"
#include "base/error.h"
#include "model/checkpointreader.h"

#include "support/torchfiles.h"
#include "torchinput.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>

#include <caffe2/serialize/inline_container.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>
#include <zlib.h>

#include <cstdio>
#include <sstream>

namespace {

constexpr int kMaxBlob = 64 * 1024;

void writeSeed(const QString &folder, const QString &name, const QByteArray &bytes)
{
    QDir().mkpath(folder);
    QFile file(QDir(folder).filePath(name));
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        throw ood::Error("cannot write seed " + file.fileName().toStdString());
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw ood::Error("cannot read " + path.toStdString());
    return file.readAll();
}

/// The first `count` 28x28 images of a gzip IDX file.
std::vector<cv::Mat> fashionMnist(const QString &path, int count)
{
    std::vector<cv::Mat> images;
    gzFile file = gzopen(QFile::encodeName(path).constData(), "rb");
    if (!file)
        return images;
    unsigned char header[16];
    if (gzread(file, header, 16) == 16)
        for (int i = 0; i < count; ++i) {
            cv::Mat image(28, 28, CV_8UC1);
            if (gzread(file, image.data, 28 * 28) != 28 * 28)
                break;
            images.push_back(image);
        }
    gzclose(file);
    return images;
}

void imageSeeds(const QString &source, const QString &out)
{
    std::vector<std::pair<QString, cv::Mat>> images;
    QDirIterator frames(source + "/resources/demo/assets/frames", {"*.png"}, QDir::Files,
                        QDirIterator::Subdirectories);
    for (int i = 0; i < 3 && frames.hasNext(); ++i) {
        const QString path = frames.next();
        images.emplace_back("demo" + QString::number(i),
                            cv::imread(QFile::encodeName(path).toStdString(), cv::IMREAD_COLOR));
    }
    int n = 0;
    for (const cv::Mat &grey :
         fashionMnist("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", 3)) {
        cv::Mat colour;
        cv::cvtColor(grey, colour, cv::COLOR_GRAY2BGR);
        images.emplace_back("fmnist" + QString::number(n++), colour);
    }
    int written = 0;
    for (const auto &[name, bgr] : images) {
        if (bgr.empty())
            continue;
        cv::Mat grey, alpha, deep;
        cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
        cv::cvtColor(bgr, alpha, cv::COLOR_BGR2BGRA);
        bgr.convertTo(deep, CV_16UC3, 257.0);
        const std::vector<std::tuple<const char *, const char *, cv::Mat, std::vector<int>>> encodings = {
            {"png", ".png", bgr, {}},
            {"grey.png", ".png", grey, {}},
            {"alpha.png", ".png", alpha, {}},
            {"16bit.png", ".png", deep, {}},
            {"jpg", ".jpg", bgr, {cv::IMWRITE_JPEG_QUALITY, 90}},
            {"grey.jpg", ".jpg", grey, {}},
            {"progressive.jpg", ".jpg", bgr, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}},
            {"bmp", ".bmp", bgr, {}},
            {"tiff", ".tiff", bgr, {}},
            {"webp", ".webp", bgr, {cv::IMWRITE_WEBP_QUALITY, 80}},
            {"lossless.webp", ".webp", bgr, {cv::IMWRITE_WEBP_QUALITY, 101}},
            {"ppm", ".ppm", bgr, {}},
            {"pgm", ".pgm", grey, {}},
        };
        for (const auto &[suffix, extension, image, params] : encodings) {
            std::vector<uchar> bytes;
            if (!cv::imencode(extension, image, bytes, params))
                continue;
            writeSeed(out, name + "." + suffix,
                      QByteArray(reinterpret_cast<const char *>(bytes.data()),
                                 static_cast<qsizetype>(bytes.size())));
            ++written;
        }
    }
    std::printf("image: %d seeds\n", written);
}

/// data.pkl and the largest storage record of a torch zip, as a wrapped input (torchinput.h).
QByteArray asWrapped(const QByteArray &zip)
{
    std::istringstream stream(std::string(zip.constData(), static_cast<size_t>(zip.size())));
    caffe2::serialize::PyTorchStreamReader reader(&stream);
    auto [pickle, pickleSize] = reader.getRecord("data.pkl");
    QByteArray blob;
    for (const std::string &record : reader.getAllRecords()) {
        if (record.rfind("data/", 0) != 0)
            continue;
        auto [data, size] = reader.getRecord(record);
        if (static_cast<qsizetype>(size) > blob.size())
            blob = QByteArray(static_cast<const char *>(data.get()),
                              static_cast<qsizetype>(std::min<size_t>(size, kMaxBlob)));
    }
    return ood::fuzz::wrappedInput(
        QByteArray(static_cast<const char *>(pickle.get()), static_cast<qsizetype>(pickleSize)), blob);
}

void torchSeed(const QString &folder, const QString &name, const QByteArray &zip)
{
    writeSeed(folder, name + ".raw", ood::fuzz::rawInput(zip));
    writeSeed(folder, name + ".wrapped", asWrapped(zip));
}

void profileSeeds(const QString &source, const QString &out)
{
    const QString demo = source + "/resources/demo/assets/demo.oodprofile";
    torchSeed(out, "demo", readFile(demo));
    // The same profile cut down to a few detectors and ten validation scores: small enough for
    // thousands of executions a second.
    ood::Profile profile = ood::loadProfile(demo);
    std::vector<ood::ProfileDetector> kept;
    for (auto &entry : profile.detectors)
        if (entry.detector->id() == "msp" || entry.detector->id() == "energy" ||
            entry.detector->id() == "react" || entry.detector->id() == "gen") {
            entry.validationScores = entry.validationScores.slice(0, 0, 10).clone();
            kept.push_back(std::move(entry));
        }
    profile.detectors = std::move(kept);
    const QString small = QDir(out).filePath("small.tmp");
    ood::saveProfile(profile, small);
    torchSeed(out, "small", readFile(small));
    QFile::remove(small);
    std::printf("profile: 4 seeds (%zu detectors in the small one)\n", profile.detectors.size());
}

void checkpointSeeds(const QString &source, const QString &out)
{
    const QString model = source + "/resources/demo/assets/model.pt";
    torchSeed(out, "demo-model", readFile(model));
    // The demo model's first tensors, re-saved as Python's torch.save writes an OrderedDict.
    std::vector<ood::test::FloatTensor> firstTensors;
    for (const auto &[name, tensor] : ood::readCheckpointTensors(model.toStdString())) {
        if (firstTensors.size() == 6)
            break;
        const at::Tensor values = tensor.to(torch::kFloat32).contiguous();
        firstTensors.push_back(
            {name, values.sizes().vec(),
             std::vector<float>(values.data_ptr<float>(), values.data_ptr<float>() + values.numel())});
    }
    torchSeed(out, "demo-model-head", ood::test::stateDictFile(firstTensors));
    // A torchvision ResNet's key names and kinds at toy sizes.
    torchSeed(out, "torchvision-style",
              ood::test::stateDictFile({{"conv1.weight", {4, 3, 3, 3}, {}},
                                        {"bn1.weight", {4}, {}},
                                        {"bn1.bias", {4}, {}},
                                        {"bn1.running_mean", {4}, {}},
                                        {"bn1.running_var", {4}, {}},
                                        {"fc.weight", {3, 4}, {}},
                                        {"fc.bias", {3}, {}}}));
    // LibTorch's pickle_save: a plain dict, other dtypes, a non-tensor entry.
    c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
    dict.insert("weight", torch::arange(12, torch::kFloat32).reshape({3, 4}));
    dict.insert("steps", torch::arange(5, torch::kInt64));
    dict.insert("half", torch::linspace(-1, 1, 4).to(torch::kFloat16));
    dict.insert("epoch", int64_t(3));
    const std::vector<char> saved = torch::pickle_save(c10::IValue(dict));
    torchSeed(out, "pickle-save", QByteArray(saved.data(), static_cast<qsizetype>(saved.size())));
    std::printf("checkpoint: 8 seeds\n");
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: make_fuzz_seeds SOURCE_DIR OUT_DIR\n");
        return 2;
    }
    const QString source = QString::fromLocal8Bit(argv[1]);
    const QString out = QString::fromLocal8Bit(argv[2]);
    try {
        imageSeeds(source, out + "/image");
        profileSeeds(source, out + "/profile");
        checkpointSeeds(source, out + "/checkpoint");
    } catch (const std::exception &e) {
        std::fprintf(stderr, "make_fuzz_seeds: %s\n", e.what());
        return 1;
    }
    return 0;
}
