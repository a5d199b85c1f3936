#pragma once
// Native ResNet-18/34/50 with exactly torchvision's module tree (0.14, "v1.5": the stride of a
// Bottleneck sits on its 3x3 conv), so that a torchvision state_dict loads key for key and the
// weights can be written back for Python. Used for inference (ResNetBackbone) and for training
// (ResNet + torch::optim).
//
// Two extensions that torchvision does not have, both invisible to a standard checkpoint:
// - a base width other than 64 (slim models such as the bundled demo; the stage widths are
//   width, 2·width, 4·width, 8·width), read from conv1.weight when a state_dict is loaded;
// - optional AbeT heads (docs/detectors.md `abet`) next to `fc`, under the keys `abet.*`, present when
//   the state_dict has them (docs/model-contract.md lists the keys).
//
// The network is built in resnet.cpp, its state_dicts are read and written in resnetstatedict.cpp,
// and its Backbone adapter lives in resnetbackbone.cpp.

#include "model/backbone.h"
#include "model/modelloader.h"

#include <memory>

// LibTorch: the module has to be a real torch::nn::Module so that training code can hand its
// parameters to torch::optim.
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

#include <array>
#include <string>
#include <vector>

namespace ood {

class ResNetInference;

/// Shape of one supported architecture.
struct ResNetSpec
{
    std::string name;          ///< "resnet18", "resnet34", "resnet50"
    bool bottleneck = false;   ///< Bottleneck (1x1, 3x3, 1x1, expansion 4) or BasicBlock (3x3, 3x3)
    std::array<int, 4> blocks; ///< residual blocks in layer1..layer4
    int featureDim = 0;        ///< width of layer4's output = input of fc at base width 64 (512 or 2048)
};

/// torchvision's base width (channels of conv1).
constexpr int kResNetStandardWidth = 64;

/// The spec of "resnet18", "resnet34" or "resnet50"; throws ood::Error for anything else.
const ResNetSpec &resnetSpec(const std::string &architecture);
/// The architectures this file builds natively, in size order.
std::vector<std::string> resnetArchitectures();

/// Intermediate activations of one pass, all float32. Undefined unless asked for.
struct ResNetOutputs
{
    at::Tensor early;       ///< layer1 output [N,width|4·width,H/4,W/4]
    at::Tensor featureMaps; ///< layer4 output [N,D,h,w]
    at::Tensor features;    ///< avgpool output flattened [N,D]
    at::Tensor logits;      ///< fc output [N,C]
    /// AbeT heads only (undefined without them), float64: the cosine numerators f [N,C], the
    /// learned temperature T [N] and the AbeT logits f/T [N,C]. Differentiable in train mode.
    at::Tensor cosine;
    at::Tensor temperature;
    at::Tensor abetLogits;
};

/// AbeT's heads on the penultimate features h [N,D] (docs/detectors.md `abet`, GODIN "DeConf-C"):
///   cosine      f_c(h) = <h/(|h|+1e-4), w_c/(|w_c|+1e-4)>, no bias, in float64;
///   temperature T(h) = sigmoid(BN1d(Linear(D->1)(h))) + 1e-12;
///   logits      f/T.
/// Child names fix the state_dict keys: cosine.weight, temperature.linear.{weight,bias},
/// temperature.bn.{weight,bias,running_mean,running_var,num_batches_tracked}.
class AbetHeadsImpl : public torch::nn::Module
{
  public:
    AbetHeadsImpl(int64_t featureDim, int64_t numClasses);
    /// Fills cosine, temperature and abetLogits of `out` from out.features; with
    /// `detachFeatures` no gradient flows from them back into the backbone.
    void forward(ResNetOutputs &out, bool detachFeatures = false);

  private:
    torch::nn::Linear m_cosine{nullptr};
    torch::nn::Linear m_temperatureLinear{nullptr};
    torch::nn::BatchNorm1d m_temperatureBn{nullptr};
};
TORCH_MODULE(AbetHeads);

/// torchvision.models.resnet{18,34,50}(num_classes=C). Child names, parameter and buffer names
/// and their order are torchvision's (conv1, bn1, layer1.0.conv1, ..., layer4.0.downsample.1,
/// fc), so named_parameters()/named_buffers() are state_dict keys; the AbeT heads, when asked
/// for, come last as `abet`. Any input [N,3,H,W] with H,W >= 32 gives logits [N,C] (smaller
/// inputs work too, with a 1x1 layer4).
class ResNetImpl : public torch::nn::Module
{
  public:
    /// Fresh weights with torchvision's initialisation (Kaiming-normal fan_out convs, BN 1/0,
    /// default Linear init), for training. `width` is the base width (64 = torchvision);
    /// `abetHeads` adds AbeT's cosine and temperature heads (cosine weights Kaiming-normal as in
    /// the AbeT reference). Throws ood::Error for an unknown architecture, numClasses < 1 or a
    /// width outside 1..1024.
    ResNetImpl(const std::string &architecture, int numClasses, int width = kResNetStandardWidth,
               bool abetHeads = false);

    /// Logits [N,C]. Follows train()/eval() like any module (batch statistics in train mode).
    at::Tensor forward(const at::Tensor &input);
    /// One pass keeping what is asked for; features and logits are always produced, and the
    /// AbeT outputs when the model has the heads (`detachAbet`: see AbetHeadsImpl::forward).
    ResNetOutputs forwardAll(const at::Tensor &input, bool keepFeatureMaps, bool keepEarly,
                             bool detachAbet = false);
    /// layer2 -> layer4 -> avgpool -> flatten: from a layer1 output to the features [N,D].
    at::Tensor featuresFromEarly(const at::Tensor &early);

    const ResNetSpec &spec() const { return m_spec; }
    int numClasses() const { return m_numClasses; }
    int width() const { return m_width; }
    /// D = 8·width (BasicBlock) or 32·width (Bottleneck).
    int featureDim() const;
    /// Channels of layer1's output: width or 4·width.
    int earlyChannels() const;
    bool hasAbetHeads() const { return !m_abet.is_empty(); }
    const torch::nn::Linear &fc() const { return m_fc; }
    /// Null without AbeT heads.
    AbetHeads abetHeads() const { return m_abet; }

  private:
    at::Tensor stem(const at::Tensor &input);

    ResNetSpec m_spec;
    int m_numClasses = 0;
    int m_width = kResNetStandardWidth;
    torch::nn::Conv2d m_conv1{nullptr};
    torch::nn::BatchNorm2d m_bn1{nullptr};
    torch::nn::MaxPool2d m_maxpool{nullptr};
    std::array<torch::nn::Sequential, 4> m_layers{
        torch::nn::Sequential{nullptr}, torch::nn::Sequential{nullptr}, torch::nn::Sequential{nullptr},
        torch::nn::Sequential{nullptr}};
    torch::nn::AdaptiveAvgPool2d m_avgpool{nullptr};
    torch::nn::Linear m_fc{nullptr};
    AbetHeads m_abet{nullptr};
};
TORCH_MODULE(ResNet);

/// A new, randomly initialised ResNet for training (see ResNetImpl's constructor).
ResNet createResNet(const std::string &architecture, int numClasses, int width = kResNetStandardWidth,
                    bool abetHeads = false);

/// Base width of a ResNet state_dict: output channels of conv1.weight ([width,3,7,7]); 64 when
/// there is no such 4-D tensor (the loader then reports what is missing).
int resnetWidth(const NamedTensors &state);
/// Whether a state_dict carries AbeT heads (any key under "abet.").
bool hasAbetKeys(const NamedTensors &state);

/// Parameters and buffers in torchvision's state_dict order (per module: parameters, then
/// buffers, then its children), detached. Buffers include num_batches_tracked (int64).
NamedTensors resnetStateDict(ResNetImpl &model);

/// Copies a torchvision state_dict (plus `abet.*` when the model has AbeT heads) into `model`.
/// Every key must be present with the same shape
/// (num_batches_tracked may be missing) and no foreign key may be present; otherwise throws
/// ood::Error naming `source`, the first mismatching key with both shapes, the missing and
/// unexpected keys, and which architecture the keys look like.
void loadResNetStateDict(ResNetImpl &model, const NamedTensors &state, const std::string &source);

/// Number of classes in a ResNet state_dict: rows of fc.weight. Throws ood::Error (naming
/// `source` and, when it can tell, the architecture the keys look like) when there is no 2-D
/// fc.weight.
int resnetClassCount(const NamedTensors &state, const std::string &architecture, const std::string &source);

/// What a state_dict's keys look like: "resnet18", "resnet50", "resnet101", "wide_resnet50_2",
/// "a Vision Transformer (timm/DeiT)", ...; empty when nothing is recognised.
std::string guessArchitecture(const NamedTensors &state);

/// Writes `state` as a dict {name: tensor} (insertion order kept) that Python reads with
/// torch.load(path) and torchvision's load_state_dict accepts. Atomic (QSaveFile). Throws
/// ood::Error when the file cannot be written.
void saveStateDict(const std::string &path, const NamedTensors &state);

/// A ResNet as a Backbone: eval mode, frozen weights, inference mode for forward().
class ResNetBackbone final : public Backbone
{
  public:
    /// Loads a state_dict (see loadResNetStateDict); numClasses comes from fc.weight, the width
    /// from conv1.weight, and AbeT heads are built when the state_dict has `abet.*` keys.
    ResNetBackbone(const std::string &architecture, const NamedTensors &state, const std::string &source,
                   ForwardPath path = ForwardPath::Frozen, Precision precision = Precision::Float32);
    /// Takes over a (trained) module: puts it in eval mode and freezes its parameters. forward()
    /// and featuresFromEarly() run on `path` (see ResNetInference); gradients always go through
    /// the module itself.
    explicit ResNetBackbone(ResNet model, ForwardPath path = ForwardPath::Frozen,
                            Precision precision = Precision::Float32);
    ~ResNetBackbone() override;

    std::string architecture() const override;
    int numClasses() const override;
    int featureDim() const override;
    /// logits [N,C], features [N,D], featureMaps = layer4 [N,D,h,w], early = layer1; with AbeT
    /// heads also temperature [N] and cosine [N,C] (computed in float64, stored as float32).
    Activations forward(const at::Tensor &input, const ForwardRequest &request) override;
    bool hasLearnedTemperature() const override;
    at::Tensor logitsWithGradient(const at::Tensor &input) override;
    at::Tensor headWeight() const override;
    at::Tensor headBias() const override;
    /// `early` is a layer1 output [N,width|4·width,h1,w1]; returns features [N,D].
    at::Tensor featuresFromEarly(const at::Tensor &early) override;
    bool canRunFromEarly() const override { return true; }

    std::string inferenceDescription() const override;

    ResNet module() const { return m_model; }
    const ResNetInference &inference() const { return *m_inference; }

  private:
    ResNet m_model{nullptr};
    std::unique_ptr<ResNetInference> m_inference;
};

} // namespace ood
