#include "support/linearbackbone.h"

#include <torch/torch.h>

namespace ood::test {

LinearBackbone::LinearBackbone(at::Tensor weight, at::Tensor bias)
    : m_weight(weight.to(torch::kFloat32)), m_bias(bias.to(torch::kFloat32))
{
}

int LinearBackbone::numClasses() const
{
    return static_cast<int>(m_weight.size(0));
}
int LinearBackbone::featureDim() const
{
    return static_cast<int>(m_weight.size(1));
}

Activations LinearBackbone::forward(const at::Tensor &input, const ForwardRequest &request)
{
    (void)request;
    torch::NoGradGuard noGrad;
    Activations a;
    a.features = input.reshape({input.size(0), -1}).to(torch::kFloat32);
    a.logits = torch::addmm(m_bias, a.features, m_weight.t());
    return a;
}

at::Tensor LinearBackbone::logitsWithGradient(const at::Tensor &input)
{
    return torch::addmm(m_bias, input.reshape({input.size(0), -1}), m_weight.t());
}

Activations activationsOf(const at::Tensor &features, const at::Tensor &weight, const at::Tensor &bias)
{
    Activations a;
    a.features = features.to(torch::kFloat32);
    a.logits = torch::addmm(bias.to(torch::kFloat32), a.features, weight.to(torch::kFloat32).t());
    return a;
}

} // namespace ood::test

namespace ood::test {

FitContext trainContext(const at::Tensor &features, const std::vector<int64_t> &labels,
                        const at::Tensor &weight, const at::Tensor &bias, const std::string &architecture)
{
    FitContext context;
    const Activations a = activationsOf(features, weight, bias);
    context.train.features = a.features;
    context.train.logits = a.logits;
    context.train.labels = torch::tensor(labels, torch::kInt64);
    context.headWeight = weight.to(torch::kFloat32);
    context.headBias = bias.to(torch::kFloat32);
    context.architecture = architecture;
    return context;
}

at::Tensor scoreFeatures(const Detector &detector, const at::Tensor &features, const at::Tensor &weight,
                         const at::Tensor &bias)
{
    const Activations a = activationsOf(features, weight, bias);
    ScoreContext context{a, {}, nullptr, weight.to(torch::kFloat32), bias.to(torch::kFloat32)};
    return detector.score(context);
}

} // namespace ood::test
