#include "model/resnet.h"
#include "model/resnetinference.h"

#include "base/error.h"
#include "model/messagetext.h"

#include <torch/torch.h>

namespace ood {

namespace {

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

ResNetBackbone::ResNetBackbone(const std::string &architecture, const NamedTensors &state,
                               const std::string &source, ForwardPath path, Precision precision)
    : ResNetBackbone(loadedResNet(architecture, state, source), path, precision)
{
}

ResNetBackbone::ResNetBackbone(ResNet model, ForwardPath path, Precision precision)
    : m_model(std::move(model))
{
    if (!m_model)
        throw Error("ResNetBackbone needs a module");
    m_model->eval();
    // Frozen: gradients are only ever wanted w.r.t. the input (ODIN, PRO), and parameters that
    // required grad would accumulate .grad on every such pass.
    for (at::Tensor &parameter : m_model->parameters())
        parameter.set_requires_grad(false);
    m_inference = std::make_unique<ResNetInference>(m_model, path, precision);
}

ResNetBackbone::~ResNetBackbone() = default;

std::string ResNetBackbone::inferenceDescription() const
{
    const std::string precision = precisionName(m_inference->precision());
    switch (m_inference->path()) {
    case ForwardPath::Frozen:
        return "frozen graph, BatchNorm folded, " + precision;
    case ForwardPath::Folded:
        return "op by op, BatchNorm folded, " + precision +
               (m_inference->fallbackReason().empty() ? "" : " (" + m_inference->fallbackReason() + ")");
    case ForwardPath::Eager:
        break;
    }
    return "op by op, " + precision;
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
    const ResNetOutputs out = m_inference->forward(input, request.featureMaps, request.early);
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
    return m_inference->featuresFromEarly(early);
}

} // namespace ood
