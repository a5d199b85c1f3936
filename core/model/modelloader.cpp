#include "model/modelloader.h"

#include "base/error.h"
#include "model/checkpointreader.h"
#include "model/clipbackbone.h"
#include "model/resnetinference.h"
#include "model/torchscriptbackbone.h"

// Qt
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>

#include <caffe2/serialize/inline_container.h>

#include <algorithm>
#include <cctype>

namespace ood {

namespace {

void checkModelFile(const std::string &path)
{
    const QFileInfo info(QString::fromStdString(path));
    if (path.empty())
        throw Error("No model file given");
    if (!info.exists())
        throw Error("Model file " + path + " does not exist");
    if (info.isDir())
        throw Error(path + " is a directory, not a model file");
    if (!info.isFile()) // a pipe or device would block the reads below forever
        throw Error(path + " is not a regular file (a pipe, socket or device), not a model file");
    QFile file(info.filePath());
    if (!file.open(QIODevice::ReadOnly))
        throw Error("Cannot read model file " + path + ": " + file.errorString().toStdString());
    if (file.size() == 0)
        throw Error("Model file " + path + " is empty");
}

enum class ArchiveKind { NotZip, TorchScript, Checkpoint, OtherZip };

/// torch.jit.save archives carry constants.pkl next to data.pkl; torch.save zips do not.
ArchiveKind archiveKind(const std::string &path)
{
    try {
        checkTorchZip(path, "model file"); // keeps LibTorch from leaking on a broken zip
    } catch (const Error &) {
        return ArchiveKind::NotZip;
    }
    try {
        caffe2::serialize::PyTorchStreamReader reader(path);
        if (reader.hasRecord("constants.pkl"))
            return ArchiveKind::TorchScript;
        if (reader.hasRecord("data.pkl"))
            return ArchiveKind::Checkpoint;
        return ArchiveKind::OtherZip;
    } catch (const c10::Error &) {
        return ArchiveKind::NotZip;
    }
}

void refuseBFloat16(const InferenceOptions &inference, const std::string &path, const std::string &what)
{
    if (inference.precision == Precision::BFloat16)
        throw Error(path + " is " + what +
                    ": bfloat16 is available for the native ResNets (resnet18, resnet34, "
                    "resnet50) only; use float32");
}

} // namespace

LoadedModel loadModel(const std::string &path, const std::string &requested,
                      const std::vector<std::string> &classNames, const InferenceOptions &inference)
{
    std::string architecture = requested;
    std::transform(architecture.begin(), architecture.end(), architecture.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::vector<std::string> resnets = resnetArchitectures();
    const bool resnet = std::find(resnets.begin(), resnets.end(), architecture) != resnets.end();
    const bool clip = architecture == "clip";
    if (!resnet && !clip && architecture != "torchscript")
        throw Error(
            "Unknown architecture \"" + requested +
            "\": expected resnet18, resnet34, resnet50, torchscript or clip (see docs/model-contract.md)");
    checkModelFile(path);

    const ArchiveKind kind = archiveKind(path);
    LoadedModel loaded;
    if (resnet) {
        if (kind == ArchiveKind::TorchScript)
            throw Error(path + " is a TorchScript archive, not a " + architecture +
                        " checkpoint: open it with the architecture \"torchscript\"");
        const NamedTensors state = readCheckpointTensors(path);
        loaded.backbone =
            std::make_unique<ResNetBackbone>(architecture, state, path, inference.path, inference.precision);
    } else if (clip) {
        refuseBFloat16(inference, path, "a CLIP");
        if (kind != ArchiveKind::TorchScript)
            throw Error(path +
                        " is not a TorchScript archive: export the CLIP with "
                        "app/python/export_clip_for_ood_inspector.py (see docs/model-contract.md, \"CLIP\")");
        auto model = std::make_shared<const ClipModel>(path);
        loaded.card.sha256 = sha256OfFile(path);
        loaded.card.input = model->inputSpec();
        loaded.card.classNames = classNames;
        loaded.backbone = std::make_unique<ClipBackbone>(std::move(model), classNames, loaded.card.sha256);
    } else {
        if (kind == ArchiveKind::Checkpoint)
            throw Error(
                path +
                " is a torch.save checkpoint, not a TorchScript archive: open it as resnet18, "
                "resnet34 or resnet50, or export the model with app/python/export_for_ood_inspector.py "
                "(see docs/model-contract.md)");
        refuseBFloat16(inference, path, "a TorchScript model");
        auto script = std::make_unique<TorchScriptBackbone>(path, inference.path != ForwardPath::Eager);
        loaded.card.input = script->inputSpec();
        loaded.backbone = std::move(script);
    }
    loaded.card.architecture = architecture;
    loaded.card.modelPath = path;
    if (loaded.card.sha256.empty())
        loaded.card.sha256 = sha256OfFile(path);
    loaded.card.numClasses = loaded.backbone->numClasses();
    loaded.card.featureDim = loaded.backbone->featureDim();
    return loaded;
}

std::string forwardPathName(ForwardPath path)
{
    switch (path) {
    case ForwardPath::Eager:
        return "eager";
    case ForwardPath::Folded:
        return "folded";
    case ForwardPath::Frozen:
        return "frozen";
    }
    return "unknown";
}

std::string precisionName(Precision precision)
{
    return precision == Precision::BFloat16 ? "bf16" : "float32";
}

Precision precisionFromName(const std::string &name)
{
    if (name == "float32" || name == "fp32")
        return Precision::Float32;
    if (name == "bf16" || name == "bfloat16")
        return Precision::BFloat16;
    throw Error("unknown precision \"" + name + "\": expected float32 or bf16");
}

std::string bfloat16Unsupported()
{
    // readAll, not atEnd/readLine: /proc files report a size of 0.
    QFile cpuinfo("/proc/cpuinfo");
    QByteArray flags;
    if (cpuinfo.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : cpuinfo.readAll().split('\n')) {
            if (line.startsWith("flags")) {
                flags = " " + line.mid(line.indexOf(':') + 1).simplified() + " ";
                break;
            }
        }
    }
    if (flags.isEmpty())
        return "bfloat16 needs a CPU with AVX512-BF16 or AMX, and this system does not say what its CPU has "
               "(no flags in /proc/cpuinfo); use float32";
    if (flags.contains(" avx512_bf16 ") || flags.contains(" amx_bf16 "))
        return {};
    return "bfloat16 needs a CPU with AVX512-BF16 or AMX; this one has neither (bfloat16 would be emulated, "
           "slower than float32); use float32";
}

std::string sha256OfFile(const std::string &path)
{
    QFile file(QString::fromStdString(path));
    if (QFileInfo(file).isDir())
        throw Error("Cannot hash " + path + ": it is a directory");
    if (!QFileInfo(file).isFile())
        throw Error("Cannot hash " + path + ": it is not a regular file (a pipe, socket or device)");
    if (!file.open(QIODevice::ReadOnly))
        throw Error("Cannot read " + path + " to hash it: " + file.errorString().toStdString());
    QCryptographicHash hash(QCryptographicHash::Sha256);
    // Streams the file in blocks: model files can be hundreds of megabytes.
    if (!hash.addData(&file))
        throw Error("Cannot read " + path + " to hash it: " + file.errorString().toStdString());
    return hash.result().toHex().toStdString();
}

} // namespace ood
