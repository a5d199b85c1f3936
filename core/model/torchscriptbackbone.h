#pragma once
// Any architecture we do not build natively (DeiT, Swin, ConvNeXt, ...), exported by the user
// to TorchScript following docs/model-contract.md. The contract is checked when the file is
// opened, so a model that does not follow it is refused with a message naming what is missing.

#include "model/backbone.h"
#include "model/modelcard.h"

#include <memory>
#include <string>

namespace ood {

class TorchScriptBackbone final : public Backbone
{
  public:
    /// Loads a torch.jit.save archive and checks the contract: a method forward_ood(x) (or
    /// forward) returning Dict[str, Tensor] with "logits" [N,C] and "features" [N,D]
    /// (optional "feature_maps", "early", "temperature", "cosine"), methods head_weight() [C,D]
    /// and head_bias() [C], optional attributes architecture, input_size, input_mean,
    /// input_std. Runs one probe pass on zeros [2,3,H,W]. Throws ood::Error naming `path`
    /// and the first violation. With `optimise`, forward() runs on a frozen copy passed through
    /// torch::jit::optimize_for_inference when LibTorch can make one that gives the probe's outputs
    /// to 1e-4; inferenceDescription() says which it runs and why.
    explicit TorchScriptBackbone(const std::string &path, bool optimise = true);
    ~TorchScriptBackbone() override;

    /// The module's `architecture` attribute (e.g. "deit_small_patch16_224"), else "torchscript".
    std::string architecture() const override;
    int numClasses() const override;
    int featureDim() const override;
    Activations forward(const at::Tensor &input, const ForwardRequest &request) override;
    /// Autograd runs through the scripted graph; the module's parameters are frozen.
    at::Tensor logitsWithGradient(const at::Tensor &input) override;
    at::Tensor headWeight() const override;
    at::Tensor headBias() const override;
    /// True when the probe pass returned both "temperature" and "cosine".
    bool hasLearnedTemperature() const override;
    /// Calls features_from_early(early) when the module has it, else an undefined tensor.
    at::Tensor featuresFromEarly(const at::Tensor &early) override;
    /// The probe pass returned "early" and features_from_early(early) gave [N,D].
    bool canRunFromEarly() const override;
    std::string inferenceDescription() const override;

    /// Input size (default 224x224) and normalisation (default ImageNet) the module declares.
    const InputSpec &inputSpec() const;
    /// Whether the probe pass produced these optional outputs.
    bool hasFeatureMaps() const;
    bool hasEarly() const;

  private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace ood
