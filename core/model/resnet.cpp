#include "model/resnet.h"

#include "base/error.h"

#include <torch/torch.h>

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

} // namespace ood
