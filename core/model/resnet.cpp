#include "model/resnet.h"

#include "error.h"

// Qt
#include <QFileInfo>
#include <QSaveFile>
#include <QString>

#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace ood {

namespace {

namespace nn = torch::nn;

const std::vector<ResNetSpec> &specs()
{
    static const std::vector<ResNetSpec> all{
        {"resnet18", false, {2, 2, 2, 2}, 512},
        {"resnet34", false, {3, 4, 6, 3}, 512},
        {"resnet50", true, {3, 4, 6, 3}, 2048},
    };
    return all;
}

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding)
{
    return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
}

/// torchvision's BasicBlock and Bottleneck in one class: they register their children in the
/// same order (conv1, bn1, conv2, bn2, [conv3, bn3], [downsample]), which fixes the key order.
class ResidualBlockImpl : public nn::Module
{
  public:
    ResidualBlockImpl(bool bottleneck, int64_t inplanes, int64_t planes, int64_t stride)
        : m_bottleneck(bottleneck)
    {
        const int64_t expansion = bottleneck ? 4 : 1;
        if (bottleneck) {
            // v1.5: the stride is on the 3x3 conv, as in torchvision.
            m_conv1 = register_module("conv1", conv(inplanes, planes, 1, 1, 0));
            m_bn1 = register_module("bn1", nn::BatchNorm2d(planes));
            m_conv2 = register_module("conv2", conv(planes, planes, 3, stride, 1));
            m_bn2 = register_module("bn2", nn::BatchNorm2d(planes));
            m_conv3 = register_module("conv3", conv(planes, planes * expansion, 1, 1, 0));
            m_bn3 = register_module("bn3", nn::BatchNorm2d(planes * expansion));
        } else {
            m_conv1 = register_module("conv1", conv(inplanes, planes, 3, stride, 1));
            m_bn1 = register_module("bn1", nn::BatchNorm2d(planes));
            m_conv2 = register_module("conv2", conv(planes, planes, 3, 1, 1));
            m_bn2 = register_module("bn2", nn::BatchNorm2d(planes));
        }
        if (stride != 1 || inplanes != planes * expansion) {
            m_downsample =
                register_module("downsample", nn::Sequential(conv(inplanes, planes * expansion, 1, stride, 0),
                                                             nn::BatchNorm2d(planes * expansion)));
        }
    }

    at::Tensor forward(const at::Tensor &x)
    {
        at::Tensor out = torch::relu(m_bn1(m_conv1(x)));
        out = m_bn2(m_conv2(out));
        if (m_bottleneck)
            out = m_bn3(m_conv3(torch::relu(out)));
        const at::Tensor identity = m_downsample ? m_downsample->forward(x) : x;
        return torch::relu(out + identity);
    }

  private:
    bool m_bottleneck;
    nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr}, m_conv3{nullptr};
    nn::BatchNorm2d m_bn1{nullptr}, m_bn2{nullptr}, m_bn3{nullptr};
    nn::Sequential m_downsample{nullptr};
};
TORCH_MODULE(ResidualBlock);

std::string shapeString(at::IntArrayRef sizes)
{
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < sizes.size(); ++i)
        out << (i ? "," : "") << sizes[i];
    out << ']';
    return out.str();
}

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

void checkInput(const at::Tensor &input, const char *what)
{
    if (!input.defined() || input.dim() != 4 || input.size(1) != 3)
        throw Error(std::string("ResNet ") + what + ": expected an input of shape [N,3,H,W], got " +
                    (input.defined() ? shapeString(input.sizes()) : std::string("no tensor")));
    if (input.scalar_type() != at::kFloat)
        throw Error(std::string("ResNet ") + what + ": expected a float32 input, got " +
                    std::string(c10::toString(input.scalar_type())));
}

ResNet loadedResNet(const std::string &architecture, const NamedTensors &state, const std::string &source)
{
    const int classes = resnetClassCount(state, architecture, source);
    const int width = resnetWidth(state);
    if (width < 1 || width > 1024)
        throw Error(source + ": conv1.weight has " + std::to_string(width) +
                    " output channels, which is not a usable ResNet width (1 to 1024; torchvision uses 64)");
    ResNet model(architecture, classes, width, hasAbetKeys(state));
    loadResNetStateDict(*model, state, source);
    return model;
}

} // namespace

const ResNetSpec &resnetSpec(const std::string &architecture)
{
    for (const ResNetSpec &spec : specs())
        if (spec.name == architecture)
            return spec;
    throw Error("Unknown ResNet architecture \"" + architecture +
                "\": expected resnet18, resnet34 or resnet50");
}

std::vector<std::string> resnetArchitectures()
{
    std::vector<std::string> names;
    for (const ResNetSpec &spec : specs())
        names.push_back(spec.name);
    return names;
}

AbetHeadsImpl::AbetHeadsImpl(int64_t featureDim, int64_t numClasses)
{
    m_cosine = register_module("cosine", nn::Linear(nn::LinearOptions(featureDim, numClasses).bias(false)));
    // A plain container, so that the keys read temperature.linear.* / temperature.bn.*.
    auto temperature = register_module("temperature", std::make_shared<nn::Module>());
    m_temperatureLinear = temperature->register_module("linear", nn::Linear(featureDim, 1));
    m_temperatureBn = temperature->register_module("bn", nn::BatchNorm1d(1));
    // The AbeT reference: kaiming_normal_(nonlinearity="relu") with the default fan_in mode for
    // the cosine weights; the temperature Linear keeps the default init.
    torch::NoGradGuard noGrad;
    nn::init::kaiming_normal_(m_cosine->weight, 0.0, torch::kFanIn, torch::kReLU);
}

void AbetHeadsImpl::forward(ResNetOutputs &out, bool detachFeatures)
{
    // As the AbeT reference: the numerators in float64, the temperature through the float32
    // Linear and BatchNorm (whose running statistics train mode must update) and then float64.
    // The 1e-12 keeps T > 0 where the sigmoid underflows, so f/T stays finite.
    constexpr double kNormEpsilon = 1e-4, kTemperatureFloor = 1e-12;
    const at::Tensor features = detachFeatures ? out.features.detach() : out.features;
    const at::Tensor h = features.to(at::kDouble);
    const at::Tensor w = m_cosine->weight.to(at::kDouble);
    const at::Tensor hUnit = h / (h.norm(2, {1}, /*keepdim=*/true) + kNormEpsilon);
    const at::Tensor wUnit = w / (w.norm(2, {1}, /*keepdim=*/true) + kNormEpsilon);
    out.cosine = hUnit.matmul(wUnit.t());
    out.temperature =
        torch::sigmoid(m_temperatureBn(m_temperatureLinear(features))).reshape({-1}).to(at::kDouble) +
        kTemperatureFloor;
    out.abetLogits = out.cosine / out.temperature.unsqueeze(1);
}

ResNetImpl::ResNetImpl(const std::string &architecture, int numClasses, int width, bool abetHeads)
    : m_spec(resnetSpec(architecture)), m_numClasses(numClasses), m_width(width)
{
    if (numClasses < 1)
        throw Error(architecture + ": the number of classes must be at least 1, got " +
                    std::to_string(numClasses));
    if (width < 1 || width > 1024)
        throw Error(architecture + ": the base width must be between 1 and 1024 (torchvision: 64), got " +
                    std::to_string(width));
    // Registration order = torchvision's __init__ order = state_dict key order.
    m_conv1 = register_module("conv1", conv(3, width, 7, 2, 3));
    m_bn1 = register_module("bn1", nn::BatchNorm2d(width));
    m_maxpool = register_module("maxpool", nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1)));
    const int64_t expansion = m_spec.bottleneck ? 4 : 1;
    int64_t inplanes = width;
    for (int stage = 0; stage < 4; ++stage) {
        const int64_t planes = int64_t(width) << stage;
        nn::Sequential layer;
        for (int block = 0; block < m_spec.blocks[stage]; ++block) {
            const int64_t stride = (stage > 0 && block == 0) ? 2 : 1;
            layer->push_back(ResidualBlock(m_spec.bottleneck, inplanes, planes, stride));
            inplanes = planes * expansion;
        }
        m_layers[stage] = register_module("layer" + std::to_string(stage + 1), layer);
    }
    m_avgpool = register_module("avgpool", nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({1, 1})));
    m_fc = register_module("fc", nn::Linear(featureDim(), numClasses));

    // torchvision: kaiming_normal_(mode="fan_out", nonlinearity="relu") for every conv; BN
    // weight 1, bias 0 (already LibTorch's default); nn.Linear keeps its default init.
    torch::NoGradGuard noGrad;
    for (const auto &module : modules(/*include_self=*/false)) {
        if (auto *convolution = module->as<nn::Conv2d>())
            nn::init::kaiming_normal_(convolution->weight, 0.0, torch::kFanOut, torch::kReLU);
    }
    // Last, so that the heads draw their random weights after everything else: for a seed the
    // rest of the model starts exactly as a model without heads.
    if (abetHeads)
        m_abet = register_module("abet", AbetHeads(featureDim(), numClasses));
}

int ResNetImpl::featureDim() const
{
    return m_width * 8 * (m_spec.bottleneck ? 4 : 1);
}

int ResNetImpl::earlyChannels() const
{
    return m_width * (m_spec.bottleneck ? 4 : 1);
}

at::Tensor ResNetImpl::stem(const at::Tensor &input)
{
    return m_maxpool(torch::relu(m_bn1(m_conv1(input))));
}

at::Tensor ResNetImpl::forward(const at::Tensor &input)
{
    return forwardAll(input, false, false).logits;
}

ResNetOutputs ResNetImpl::forwardAll(const at::Tensor &input, bool keepFeatureMaps, bool keepEarly,
                                     bool detachAbet)
{
    ResNetOutputs out;
    at::Tensor x = m_layers[0]->forward(stem(input));
    if (keepEarly)
        out.early = x;
    for (int stage = 1; stage < 4; ++stage)
        x = m_layers[stage]->forward(x);
    if (keepFeatureMaps)
        out.featureMaps = x;
    out.features = torch::flatten(m_avgpool(x), 1);
    out.logits = m_fc(out.features);
    if (m_abet)
        m_abet->forward(out, detachAbet);
    return out;
}

at::Tensor ResNetImpl::featuresFromEarly(const at::Tensor &early)
{
    at::Tensor x = early;
    for (int stage = 1; stage < 4; ++stage)
        x = m_layers[stage]->forward(x);
    return torch::flatten(m_avgpool(x), 1);
}

ResNet createResNet(const std::string &architecture, int numClasses, int width, bool abetHeads)
{
    return ResNet(architecture, numClasses, width, abetHeads);
}

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
    QSaveFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::WriteOnly))
        throw Error("Cannot write " + path + ": " + file.errorString().toStdString());
    if (file.write(bytes.data(), static_cast<qint64>(bytes.size())) != static_cast<qint64>(bytes.size()) ||
        !file.commit())
        throw Error("Cannot write " + path + ": " + file.errorString().toStdString());
}

ResNetBackbone::ResNetBackbone(const std::string &architecture, const NamedTensors &state,
                               const std::string &source)
    : ResNetBackbone(loadedResNet(architecture, state, source))
{
}

ResNetBackbone::ResNetBackbone(ResNet model) : m_model(std::move(model))
{
    if (!m_model)
        throw Error("ResNetBackbone needs a module");
    m_model->eval();
    // Frozen: gradients are only ever wanted w.r.t. the input (ODIN, PRO), and parameters that
    // required grad would accumulate .grad on every such pass.
    for (at::Tensor &parameter : m_model->parameters())
        parameter.set_requires_grad(false);
}

std::string ResNetBackbone::architecture() const
{
    return m_model->spec().name;
}

int ResNetBackbone::numClasses() const
{
    return m_model->numClasses();
}

int ResNetBackbone::featureDim() const
{
    return m_model->featureDim();
}

bool ResNetBackbone::hasLearnedTemperature() const
{
    return m_model->hasAbetHeads();
}

Activations ResNetBackbone::forward(const at::Tensor &input, const ForwardRequest &request)
{
    checkInput(input, "forward");
    c10::InferenceMode inference;
    const ResNetOutputs out = m_model->forwardAll(input, request.featureMaps, request.early);
    Activations activations;
    activations.logits = out.logits;
    activations.features = out.features;
    activations.featureMaps = out.featureMaps;
    activations.early = out.early;
    if (out.temperature.defined()) {
        activations.temperature = out.temperature.to(at::kFloat);
        activations.cosine = out.cosine.to(at::kFloat);
    }
    return activations;
}

at::Tensor ResNetBackbone::logitsWithGradient(const at::Tensor &input)
{
    checkInput(input, "logitsWithGradient");
    return m_model->forward(input);
}

at::Tensor ResNetBackbone::headWeight() const
{
    return m_model->fc()->weight.detach();
}

at::Tensor ResNetBackbone::headBias() const
{
    return m_model->fc()->bias.detach();
}

at::Tensor ResNetBackbone::featuresFromEarly(const at::Tensor &early)
{
    const int64_t channels = m_model->earlyChannels();
    if (!early.defined() || early.dim() != 4 || early.size(1) != channels)
        throw Error("ResNet featuresFromEarly: expected a layer1 output [N," + std::to_string(channels) +
                    ",h,w], got " +
                    (early.defined() ? shapeString(early.sizes()) : std::string("no tensor")));
    c10::InferenceMode inference;
    return m_model->featuresFromEarly(early);
}

} // namespace ood
