#pragma once
// Pixel-level LRP through a native torchvision ResNet (docs/detectors.md, Explanation maps; Zennit
// semantics).
//
// The network is canonized once from the model's state_dict: every BatchNorm is folded into the
// conv before it (downsample included), so BN, ReLU and the block's final ReLU pass relevance
// unchanged. Relevance then flows fc (epsilon) -> adaptive avgpool (Norm) -> each residual block
// (Norm split of the sum between skip and residual branch, conv rules per composite) -> maxpool
// (plain gradient: the arg-max takes it) -> conv1 (the composite's first-layer rule). It runs in
// float32 or float64 (LrpOptions::precision); the per-sample sums accumulate in float64.

#include <ATen/core/Tensor.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace ood {

class ResNetImpl;

/// Zennit's composites (docs/detectors.md, Explanation maps): rule of conv1 / the other convs / fc.
enum class LrpComposite {
    EpsilonGammaBox, ///< ZBox / gamma / epsilon
    EpsilonPlusFlat, ///< Flat / z+ / epsilon (the spec's recommended default for endoscopy ResNets)
    EpsilonPlus,     ///< z+ / z+ / epsilon
};
/// "EpsilonGammaBox", "EpsilonPlusFlat", "EpsilonPlus".
std::string lrpCompositeName(LrpComposite composite);

/// One LRP rule for a linear map z_j = sum_i a_i w_ij + b_j (docs/detectors.md, Explanation maps).
enum class LrpRule {
    Epsilon, ///< a_i w_ij / stab(z_j); the bias share is absorbed
    ZPlus,   ///< (a+ w+ + a- w-) / stab(sum(...) + b+)
    Gamma,   ///< sign-dependent generalised gamma; R_j with z_j == 0 is absorbed
    ZBox,    ///< (x w - l w+ - u w-) / stab(sum(...)); the bias cancels
    Flat,    ///< equal shares over the receptive field (zero padding not counted); no bias
};

/// Working precision of ResNetLrp. float64 convolutions run without MKL-DNN on the CPU and are
/// ~30x slower than float32 ones (docs/explanations.md has the timings).
enum class LrpPrecision {
    Float32, ///< fast; per-layer conservation holds to ~1e-5 relative
    Float64, ///< reference; per-layer conservation to ~1e-12 relative
};

struct LrpOptions
{
    LrpComposite composite = LrpComposite::EpsilonGammaBox;
    /// The stabiliser of every rule, stab(z) = z + epsilon*sgn(z) with sgn(0) = +1 (zennit's
    /// default 1e-6), and thereby also the epsilon of the dense layer. >= 0.
    double epsilon = 1e-6;
    /// Gamma of the gamma rule (EpsilonGammaBox). >= 0.
    double gamma = 0.25;
    /// The input normalisation; ZBox bounds in normalised space are l_c = (0 - mean_c)/std_c and
    /// u_c = (1 - mean_c)/std_c, i.e. pixel values in [0, 1].
    std::array<double, 3> mean{0.485, 0.456, 0.406};
    std::array<double, 3> std{0.229, 0.224, 0.225};
    LrpPrecision precision = LrpPrecision::Float32;
};

/// Relevance sums (float64) over one sample at one layer: relevanceOut arrives at the layer's output,
/// relevanceIn leaves at its input, absorbed is what the rule keeps (bias shares, stabiliser,
/// the unselected z == 0 outputs of gamma). relevanceIn + absorbed == relevanceOut.
struct LrpLayerTrace
{
    std::string name;
    double relevanceIn = 0;
    double relevanceOut = 0;
    double absorbed = 0;
};

struct LrpResult
{
    /// [N,3,H,W] in the working precision (LrpOptions::precision): relevance of each input value
    at::Tensor relevance;
    at::Tensor logits; ///< [N,C] logits of the canonized network (computed in the working precision), float64
    /// Only with keepTrace: per sample, top-down: fc, avgpool, then per block (layer4.1 first)
    /// the block as a whole ("layer4.1"), its sum split ("layer4.1.add"), its convs from the last
    /// ("layer4.1.conv2", ...) and "layer4.1.downsample.0" when present; then maxpool, conv1.
    std::vector<std::vector<LrpLayerTrace>> trace;
};

/// LRP of a ResNet. The weights are copied (and canonized) at construction: later changes to
/// the model are not seen. BatchNorm always uses the running statistics (eval semantics).
class ResNetLrp
{
  public:
    /// Throws ood::Error for options out of range or a state_dict missing a key.
    explicit ResNetLrp(ResNetImpl &model, LrpOptions options = {});

    /// input [N,3,H,W] (normalised, float32 or float64); outputRelevance [N,C], the relevance
    /// put on the logits: a one-hot e_c explains class c, the softmax p is NERO-consistent
    /// (docs/detectors.md, NERO and Explanation maps). Throws ood::Error for wrong shapes or
    /// non-finite values.
    LrpResult explain(const at::Tensor &input, const at::Tensor &outputRelevance,
                      bool keepTrace = false) const;

    const LrpOptions &options() const { return m_options; }
    int numClasses() const;

  private:
    struct Network;
    std::shared_ptr<const Network> m_network;
    LrpOptions m_options;
};

/// Per-pixel map of an input relevance [N,C,H,W]: the signed sum over the colour channels,
/// [N,H,W]. Throws ood::Error for anything but a 4-D tensor.
at::Tensor lrpPixelMap(const at::Tensor &relevance);

/// What one rule gives for one layer; the building block of ResNetLrp, exposed for checking rules
/// on small hand-made layers.
struct LrpLayerRelevance
{
    at::Tensor relevance; ///< shape of the input; float64 from lrpLayer
    at::Tensor absorbed;  ///< [N] float64
};

/// One dense (input [N,D], weight [C,D]) or conv layer (input [N,Cin,H,W], weight
/// [Cout,Cin,kh,kw], square stride and zero padding); bias [out] or undefined (none);
/// relevanceOut has the layer's output shape. ZBox needs low and high, broadcastable to the
/// input. Computes in float64. Throws ood::Error for inconsistent shapes.
LrpLayerRelevance lrpLayer(LrpRule rule, const at::Tensor &input, const at::Tensor &weight,
                           const at::Tensor &bias, const at::Tensor &relevanceOut, double epsilon,
                           double gamma = 0.25, int64_t stride = 1, int64_t padding = 0,
                           const at::Tensor &low = {}, const at::Tensor &high = {});

} // namespace ood
