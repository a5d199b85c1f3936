#include "model/clipbackbone.h"

#include "base/error.h"
#include "model/labelembeddings.h"
#include "text/prompttemplates.h"

#include <torch/torch.h>

namespace ood {

ClipBackbone::ClipBackbone(std::shared_ptr<const ClipModel> model, std::vector<std::string> classNames,
                           std::string sha256)
    : m_model(std::move(model)), m_classNames(std::move(classNames)), m_sha256(std::move(sha256))
{
    if (m_classNames.size() < 2)
        throw Error("a CLIP model needs at least two in-distribution class names (--classes \"a,b\", or "
                    "the class folders of --train); got " +
                    std::to_string(m_classNames.size()));
    LabelEmbeddingRequest request;
    request.labels = m_classNames;
    request.templates = nounTemplates();
    request.modelSha256 = m_sha256;
    m_classEmbeddings = embedLabels(*m_model, request);
    m_headWeight = (m_classEmbeddings * m_model->logitScale()).contiguous();
}

ClipBackbone::~ClipBackbone() = default;

std::string ClipBackbone::architecture() const
{
    return m_model->architecture();
}

int ClipBackbone::numClasses() const
{
    return static_cast<int>(m_classNames.size());
}

int ClipBackbone::featureDim() const
{
    return m_model->embeddingDim();
}

Activations ClipBackbone::forward(const at::Tensor &input, const ForwardRequest &request)
{
    (void)request; // a ViT has no convolutional maps or early stage to hand out
    c10::InferenceMode guard;
    Activations out;
    const at::Tensor embedding = m_model->encodeImage(input).to(torch::kFloat32);
    out.features = embedding / embedding.norm(2, 1, true);
    out.logits = torch::matmul(out.features, m_headWeight.t());
    return out;
}

at::Tensor ClipBackbone::logitsWithGradient(const at::Tensor &input)
{
    const at::Tensor embedding = m_model->encodeImageWithGradient(input).to(torch::kFloat32);
    return torch::matmul(embedding / embedding.norm(2, 1, true), m_headWeight.t());
}

at::Tensor ClipBackbone::headWeight() const
{
    return m_headWeight;
}

at::Tensor ClipBackbone::headBias() const
{
    return torch::zeros({m_headWeight.size(0)}, torch::kFloat32);
}

} // namespace ood
