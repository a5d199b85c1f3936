#include "model/resnet.h"

#include "base/atomicfile.h"
#include "base/error.h"
#include "model/messagetext.h"

// Qt
#include <QByteArray>
#include <QString>

#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <set>

namespace ood {

namespace {

bool endsWith(const std::string &text, const std::string &suffix)
{
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool startsWith(const std::string &text, const std::string &prefix)
{
    return text.compare(0, prefix.size(), prefix) == 0;
}

/// "a, b, c and 12 more"
std::string someKeys(const std::vector<std::string> &keys, size_t shown = 4)
{
    std::string text;
    for (size_t i = 0; i < keys.size() && i < shown; ++i)
        text += (i ? ", " : "") + keys[i];
    if (keys.size() > shown)
        text += " and " + std::to_string(keys.size() - shown) + " more";
    return text;
}

std::string suggestion(const NamedTensors &state, const std::string &architecture)
{
    const std::string guess = guessArchitecture(state);
    if (guess.empty() || guess == architecture)
        return {};
    const std::vector<std::string> native = resnetArchitectures();
    if (std::find(native.begin(), native.end(), guess) != native.end())
        return " The keys look like a " + guess + " checkpoint: choose " + guess + " as the architecture.";
    return " The keys look like " + (startsWith(guess, "a ") ? guess : "a " + guess + " checkpoint") +
           ", which is not built in (resnet18, resnet34, resnet50): export it to TorchScript as described in "
           "docs/model-contract.md.";
}

} // namespace

int resnetWidth(const NamedTensors &state)
{
    for (const auto &[name, tensor] : state)
        if (name == "conv1.weight" && tensor.defined() && tensor.dim() == 4)
            return static_cast<int>(tensor.size(0));
    return kResNetStandardWidth;
}

bool hasAbetKeys(const NamedTensors &state)
{
    return std::any_of(state.begin(), state.end(),
                       [](const auto &entry) { return startsWith(entry.first, "abet."); });
}

NamedTensors resnetStateDict(ResNetImpl &model)
{
    NamedTensors state;
    // Python's state_dict walks modules depth-first: own parameters, own buffers, children.
    for (const auto &item : model.named_modules(/*name_prefix=*/"", /*include_self=*/true)) {
        const std::string prefix = item.key().empty() ? std::string() : item.key() + ".";
        for (const auto &parameter : item.value()->named_parameters(/*recurse=*/false))
            state.emplace_back(prefix + parameter.key(), parameter.value().detach());
        for (const auto &buffer : item.value()->named_buffers(/*recurse=*/false))
            state.emplace_back(prefix + buffer.key(), buffer.value().detach());
    }
    return state;
}

std::string guessArchitecture(const NamedTensors &state)
{
    std::map<std::string, at::Tensor> byName(state.begin(), state.end());
    auto has = [&](const std::string &key) { return byName.count(key) > 0; };
    if (has("cls_token") || has("blocks.0.attn.qkv.weight") ||
        has("encoder.layers.encoder_layer_0.ln_1.weight"))
        return "a Vision Transformer (timm/DeiT or torchvision ViT)";
    if (has("layers.0.blocks.0.attn.qkv.weight"))
        return "a Swin Transformer";
    if (has("features.denseblock1.denselayer1.conv1.weight"))
        return "a DenseNet";
    if (!has("conv1.weight") || !has("layer1.0.conv1.weight") || !has("layer4.0.conv1.weight")) {
        // Keys of a wrapped or prefixed ResNet ("backbone.layer1...", "model.layer1...").
        for (const auto &entry : state) {
            const size_t at = entry.first.find("layer1.0.conv1.weight");
            if (at != std::string::npos && at > 0)
                return "a ResNet whose keys start with \"" + entry.first.substr(0, at) + "\"";
        }
        return {};
    }
    std::array<int, 4> blocks{0, 0, 0, 0};
    for (int stage = 0; stage < 4; ++stage)
        while (
            has("layer" + std::to_string(stage + 1) + "." + std::to_string(blocks[stage]) + ".conv1.weight"))
            ++blocks[stage];
    const bool bottleneck = has("layer1.0.conv3.weight");
    auto is = [&](std::array<int, 4> expected) { return blocks == expected; };
    if (!bottleneck) {
        if (is({2, 2, 2, 2}))
            return "resnet18";
        if (is({3, 4, 6, 3}))
            return "resnet34";
        return {};
    }
    // Wide ResNets and ResNeXts share the Bottleneck layout but not the width of conv2.
    const at::Tensor conv2 = byName["layer1.0.conv2.weight"];
    std::string variant = "resnet";
    if (conv2.defined() && conv2.dim() == 4) {
        if (conv2.size(0) == 128 && conv2.size(1) == 128)
            variant = "wide_resnet";
        else if (conv2.size(1) != conv2.size(0))
            variant = "resnext";
    }
    if (is({3, 4, 6, 3}))
        return variant == "resnet" ? "resnet50" : variant == "wide_resnet" ? "wide_resnet50_2" : "resnext50";
    if (is({3, 4, 23, 3}))
        return variant == "resnet"        ? "resnet101"
               : variant == "wide_resnet" ? "wide_resnet101_2"
                                          : "resnext101";
    if (is({3, 8, 36, 3}))
        return "resnet152";
    return {};
}

int resnetClassCount(const NamedTensors &state, const std::string &architecture, const std::string &source)
{
    for (const auto &entry : state) {
        if (entry.first != "fc.weight")
            continue;
        if (!entry.second.defined() || entry.second.dim() != 2 || entry.second.size(0) < 1)
            throw Error(source + ": fc.weight has shape " +
                        (entry.second.defined() ? shapeString(entry.second.sizes()) : std::string("(none)")) +
                        ", expected [classes,features]");
        return static_cast<int>(entry.second.size(0));
    }
    if (state.empty())
        throw Error(source + ": the checkpoint holds no tensors");
    throw Error(source + ": no fc.weight, so this is not a torchvision " + architecture +
                " state_dict (first keys: " + someKeys([&] {
                    std::vector<std::string> keys;
                    for (const auto &entry : state)
                        keys.push_back(entry.first);
                    return keys;
                }()) +
                ")." + suggestion(state, architecture));
}

void loadResNetStateDict(ResNetImpl &model, const NamedTensors &state, const std::string &source)
{
    const std::string &architecture = model.spec().name;
    std::map<std::string, at::Tensor> byName;
    for (const auto &entry : state)
        byName[entry.first] = entry.second;
    const NamedTensors expected = resnetStateDict(model);

    std::string firstMismatch;
    std::vector<std::string> missing, unexpected;
    std::set<std::string> expectedNames;
    for (const auto &[name, target] : expected) {
        expectedNames.insert(name);
        const auto found = byName.find(name);
        if (found == byName.end()) {
            if (!endsWith(name, "num_batches_tracked"))
                missing.push_back(name);
            continue;
        }
        const at::Tensor &given = found->second;
        if (firstMismatch.empty() && (!given.defined() || given.sizes() != target.sizes())) {
            firstMismatch = name + ": checkpoint has " +
                            (given.defined() ? shapeString(given.sizes()) : std::string("no tensor")) + ", " +
                            architecture + " expects " + shapeString(target.sizes());
        }
    }
    for (const auto &entry : state)
        if (!expectedNames.count(entry.first))
            unexpected.push_back(entry.first);

    if (!firstMismatch.empty() || !missing.empty() || !unexpected.empty()) {
        std::string message = source + " does not fit " + architecture + ": ";
        std::vector<std::string> parts;
        if (!firstMismatch.empty())
            parts.push_back(firstMismatch);
        if (!missing.empty())
            parts.push_back(std::to_string(missing.size()) + " missing key" +
                            (missing.size() > 1 ? "s" : "") + " (" + someKeys(missing) + ")");
        if (!unexpected.empty())
            parts.push_back(std::to_string(unexpected.size()) + " unexpected key" +
                            (unexpected.size() > 1 ? "s" : "") + " (" + someKeys(unexpected) + ")");
        for (size_t i = 0; i < parts.size(); ++i)
            message += (i ? "; " : "") + parts[i];
        throw Error(message + "." + suggestion(state, architecture));
    }

    torch::NoGradGuard noGrad;
    for (const auto &[name, target] : expected) {
        const auto found = byName.find(name);
        if (found == byName.end())
            continue;
        const at::Tensor &given = found->second;
        if (at::isFloatingType(target.scalar_type()) && !at::isFloatingType(given.scalar_type()))
            throw Error(source + ": " + name + " holds " + std::string(c10::toString(given.scalar_type())) +
                        " values, expected floating point");
        target.copy_(given.to(target.scalar_type()));
    }
}

void saveStateDict(const std::string &path, const NamedTensors &state)
{
    c10::Dict<std::string, at::Tensor> dict;
    for (const auto &[name, tensor] : state) {
        if (dict.contains(name))
            throw Error("Cannot save a state_dict with the key " + name + " twice to " + path);
        // A compact CPU copy, so the file does not carry the storage of a larger view.
        dict.insert(name, tensor.detach().to(at::kCPU).contiguous().clone());
    }
    const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
    QString reason;
    if (!tryWriteFileAtomically(QString::fromStdString(path),
                                QByteArray::fromRawData(bytes.data(), static_cast<qsizetype>(bytes.size())),
                                reason))
        throw Error("Cannot write " + path + ": " + reason.toStdString());
}

} // namespace ood
