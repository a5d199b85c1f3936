#pragma once
// A CLIP seen as a classifier, so the detectors built for classifiers run on it (docs/zero-shot.md):
// the features are the frame's L2-normalised image embedding, the head is the ID labels' text
// embeddings (noun template ensemble, averaged raw, normalised) times the logit scale, without
// bias. The logits are therefore logitScale x cosine, as in CLIP's zero-shot classification.

#include "model/backbone.h"
#include "model/clipmodel.h"

#include <memory>
#include <string>
#include <vector>

namespace ood {

class ClipBackbone final : public Backbone
{
  public:
    /// `classNames` are the ID labels ("normal cecum", ...); at least two. `sha256` identifies the
    /// model file for the label-embedding cache. Throws ood::Error for no class names.
    ClipBackbone(std::shared_ptr<const ClipModel> model, std::vector<std::string> classNames,
                 std::string sha256);
    ~ClipBackbone() override;

    std::string architecture() const override;
    int numClasses() const override;
    int featureDim() const override;
    Activations forward(const at::Tensor &input, const ForwardRequest &request) override;
    at::Tensor logitsWithGradient(const at::Tensor &input) override;
    at::Tensor headWeight() const override;
    at::Tensor headBias() const override;
    const ClipBackbone *asClip() const override { return this; }

    const ClipModel &model() const { return *m_model; }
    std::shared_ptr<const ClipModel> sharedModel() const { return m_model; }
    const std::vector<std::string> &classNames() const { return m_classNames; }
    const std::string &sha256() const { return m_sha256; }
    /// [C,D] float32 unit rows: the ID labels' text embeddings.
    const at::Tensor &classEmbeddings() const { return m_classEmbeddings; }

  private:
    std::shared_ptr<const ClipModel> m_model;
    std::vector<std::string> m_classNames;
    std::string m_sha256;
    at::Tensor m_classEmbeddings;
    at::Tensor m_headWeight;
};

} // namespace ood
