#include "explain/lrp.h"

#include "base/error.h"
#include "model/resnet.h"

#include <torch/torch.h>

#include <cmath>
#include <map>
#include <optional>
#include <sstream>

namespace ood {

namespace {

constexpr double kBatchNormEpsilon = 1e-5; // torchvision's BatchNorm2d default

std::string shapeOf(const at::Tensor &tensor)
{
    if (!tensor.defined())
        return "no tensor";
    std::ostringstream out;
    out << '[';
    for (int64_t i = 0; i < tensor.dim(); ++i)
        out << (i ? "," : "") << tensor.size(i);
    out << ']';
    return out.str();
}

/// zennit's stabilize: z + epsilon*sgn(z) with sgn(0) = +1, so a denominator never flips sign.
at::Tensor stabilise(const at::Tensor &z, double epsilon)
{
    return z + ((z >= 0).to(z.scalar_type()) * (2 * epsilon) - epsilon);
}

/// A rule written as modified linear maps that share one set of modified inputs x_t:
///   z_g = sum_t conv(x_t, W_gt) + b_g                          for each group g,
///   R_in = sum_t x_t * sum_g conv^T(R * mask_g / stab(z_g), W_gt).
/// The weights are stored stacked, [G*out, T*in, kh, kw], so that one convolution and one
/// transposed convolution do the whole rule (the gradient-times-input trick of docs/detectors.md,
/// Explanation maps, with the denominator held fixed). Terms t by rule: epsilon (a); z+ and gamma
/// (a+[, a-]); ZBox (x, l, u); Flat (ones). Groups: gamma has two (z > 0, z < 0), every other rule
/// one.
struct RuleWeights
{
    at::Tensor weight;
    at::Tensor bias;
    int64_t groups = 1;
    bool signedTerms = false; // z+/gamma: the a- term is present
};

bool splitsSigns(LrpRule rule)
{
    return rule == LrpRule::ZPlus || rule == LrpRule::Gamma;
}

RuleWeights ruleWeights(LrpRule rule, const at::Tensor &w, const at::Tensor &b, double gamma,
                        bool signedInput)
{
    RuleWeights rw;
    // Inside a ReLU network every conv but the first sees a >= 0; the a- terms then vanish, so
    // they are only built for signed inputs.
    rw.signedTerms = signedInput && splitsSigns(rule);
    switch (rule) {
    case LrpRule::Epsilon:
        rw.weight = w;
        rw.bias = b;
        break;
    case LrpRule::ZPlus:
        rw.weight = rw.signedTerms ? at::cat({w.clamp_min(0), w.clamp_max(0)}, 1) : w.clamp_min(0);
        rw.bias = b.clamp_min(0);
        break;
    case LrpRule::Gamma: {
        const at::Tensor up = w + gamma * w.clamp_min(0);
        const at::Tensor down = w + gamma * w.clamp_max(0);
        // z > 0: a+ (w + g w+) + a- (w + g w-), bias b + g b+; z < 0: a+ (w + g w-) + a- (w + g w+), b + g
        // b-.
        rw.weight = rw.signedTerms ? at::cat({at::cat({up, down}, 1), at::cat({down, up}, 1)}, 0)
                                   : at::cat({up, down}, 0);
        rw.bias = at::cat({b + gamma * b.clamp_min(0), b + gamma * b.clamp_max(0)});
        rw.groups = 2;
        break;
    }
    case LrpRule::ZBox:
        // x w - l w+ - u w-: the bias of z(x) - z(l) - z(u) cancels.
        rw.weight = at::cat({w, -w.clamp_min(0), -w.clamp_max(0)}, 1);
        rw.bias = at::zeros_like(b);
        break;
    case LrpRule::Flat:
        rw.weight = at::ones_like(w);
        rw.bias = at::zeros_like(b);
        break;
    }
    return rw;
}

/// a [N,in,H,W], relevanceOut [N,out,h,w]; low/high (ZBox) broadcastable to a; output = the
/// layer's plain output z (gamma selects its group by the sign of z).
LrpLayerRelevance applyRule(LrpRule rule, const RuleWeights &rw, const at::Tensor &a,
                            const at::Tensor &relevanceOut, double epsilon, int64_t stride, int64_t padding,
                            const at::Tensor &low, const at::Tensor &high, const at::Tensor &output)
{
    std::vector<at::Tensor> inputs;
    switch (rule) {
    case LrpRule::Epsilon:
        inputs = {a};
        break;
    case LrpRule::ZPlus:
    case LrpRule::Gamma:
        inputs = {a.clamp_min(0)};
        if (rw.signedTerms)
            inputs.push_back(a.clamp_max(0));
        break;
    case LrpRule::ZBox:
        inputs = {a, low.expand_as(a), high.expand_as(a)};
        break;
    case LrpRule::Flat:
        inputs = {at::ones_like(a)};
        break;
    }
    const int64_t terms = static_cast<int64_t>(inputs.size());
    const at::Tensor x = terms == 1 ? inputs[0] : at::cat(inputs, 1);
    const at::Tensor z = at::conv2d(x, rw.weight, rw.bias, {stride, stride}, {padding, padding});

    const int64_t n = relevanceOut.size(0);
    const int64_t out = relevanceOut.size(1);
    // Sums over a sample accumulate in float64 whatever the working precision.
    at::Tensor absorbed = at::zeros({n}, relevanceOut.options().dtype(at::kDouble));
    std::vector<at::Tensor> scaled;
    for (int64_t g = 0; g < rw.groups; ++g) {
        const at::Tensor zg = z.narrow(1, g * out, out);
        const at::Tensor denominator = stabilise(zg, epsilon);
        at::Tensor r = relevanceOut;
        if (rule == LrpRule::Gamma)
            r = r * (g == 0 ? output > 0 : output < 0).to(r.scalar_type());
        const at::Tensor s = r / denominator;
        // What the inputs do not receive: the (modified) bias share and the stabiliser share.
        absorbed += (s * (rw.bias.narrow(0, g * out, out).view({1, -1, 1, 1}) + (denominator - zg)))
                        .sum({1, 2, 3}, false, at::kDouble);
        scaled.push_back(s);
    }
    if (rule == LrpRule::Gamma) // z == 0 belongs to neither group
        absorbed +=
            (relevanceOut * (output == 0).to(relevanceOut.scalar_type())).sum({1, 2, 3}, false, at::kDouble);

    const at::Tensor s = scaled.size() == 1 ? scaled[0] : at::cat(scaled, 1);
    const at::Tensor grad = std::get<0>(at::convolution_backward(s, x, rw.weight, c10::nullopt,
                                                                 {stride, stride}, {padding, padding}, {1, 1},
                                                                 false, {0, 0}, 1, {true, false, false}));
    at::Tensor relevance = x * grad;
    if (terms > 1)
        relevance = relevance.view({n, terms, -1, x.size(2), x.size(3)}).sum(1);
    return {relevance, absorbed};
}

/// A conv with its BatchNorm folded in (docs/detectors.md, Explanation maps; MergeBatchNorm), in
/// the working precision.
struct FoldedConv
{
    std::string name;
    at::Tensor weight;
    at::Tensor bias;
    int64_t stride = 1;
    int64_t padding = 0;
    LrpRule rule = LrpRule::Epsilon;
    RuleWeights modified; // the rule's weights, built once

    at::Tensor operator()(const at::Tensor &x) const
    {
        return at::conv2d(x, weight, bias, {stride, stride}, {padding, padding});
    }
};

struct Block
{
    std::string name;
    std::vector<FoldedConv> residual; // conv1, conv2[, conv3]
    std::optional<FoldedConv> downsample;
};

/// Activations of one forward pass that the backward pass needs.
struct ConvPass
{
    at::Tensor input;
    at::Tensor output; // before the ReLU
};
struct BlockPass
{
    std::vector<ConvPass> residual;
    ConvPass downsample;
    at::Tensor skip;
};

/// A folded conv's rule on its recorded pass. The weights were built for a >= 0 (every conv
/// behind a ReLU); a signed input, which the ResNet never produces there, gets the full rule.
LrpLayerRelevance applyConvRule(const FoldedConv &conv, const ConvPass &pass, const at::Tensor &relevanceOut,
                                double epsilon, double gamma, const at::Tensor &low = {},
                                const at::Tensor &high = {})
{
    const bool rebuild =
        splitsSigns(conv.rule) && !conv.modified.signedTerms && pass.input.lt(0).any().item<bool>();
    return applyRule(conv.rule,
                     rebuild ? ruleWeights(conv.rule, conv.weight, conv.bias, gamma, true) : conv.modified,
                     pass.input, relevanceOut, epsilon, conv.stride, conv.padding, low, high, pass.output);
}

/// Per-layer sums [N] for the trace.
struct TraceRow
{
    std::string name;
    at::Tensor in, out, absorbed;
};

at::Tensor sampleSums(const at::Tensor &t)
{
    return t.reshape({t.size(0), -1}).sum(1, false, at::kDouble);
}

} // namespace

std::string lrpCompositeName(LrpComposite composite)
{
    switch (composite) {
    case LrpComposite::EpsilonGammaBox:
        return "EpsilonGammaBox";
    case LrpComposite::EpsilonPlusFlat:
        return "EpsilonPlusFlat";
    case LrpComposite::EpsilonPlus:
        return "EpsilonPlus";
    }
    return "unknown";
}

LrpLayerRelevance lrpLayer(LrpRule rule, const at::Tensor &input, const at::Tensor &weight,
                           const at::Tensor &bias, const at::Tensor &relevanceOut, double epsilon,
                           double gamma, int64_t stride, int64_t padding, const at::Tensor &low,
                           const at::Tensor &high)
{
    if (!input.defined() || !weight.defined() || !relevanceOut.defined())
        throw Error("LRP layer: input, weight and relevance must all be given");
    const bool dense = weight.dim() == 2;
    if (!(dense && input.dim() == 2) && !(weight.dim() == 4 && input.dim() == 4))
        throw Error("LRP layer: expected input [N,D] with weight [C,D], or input [N,C,H,W] with weight "
                    "[Cout,Cin,kh,kw]; got input " +
                    shapeOf(input) + " and weight " + shapeOf(weight));
    if (input.size(1) != weight.size(1))
        throw Error("LRP layer: the input has " + std::to_string(input.size(1)) +
                    " channels, the weight expects " + std::to_string(weight.size(1)) + " (input " +
                    shapeOf(input) + ", weight " + shapeOf(weight) + ")");
    if (bias.defined() && (bias.dim() != 1 || bias.size(0) != weight.size(0)))
        throw Error("LRP layer: bias " + shapeOf(bias) + " does not fit weight " + shapeOf(weight));
    if (stride < 1 || padding < 0)
        throw Error("LRP layer: stride must be >= 1 and padding >= 0");
    if (!(epsilon >= 0) || !std::isfinite(epsilon) || !(gamma >= 0) || !std::isfinite(gamma))
        throw Error("LRP layer: epsilon and gamma must be finite and >= 0");
    std::vector<int64_t> outShape{input.size(0), weight.size(0)};
    if (!dense) {
        for (int d = 2; d < 4; ++d) {
            const int64_t side = (input.size(d) + 2 * padding - weight.size(d)) / stride + 1;
            if (input.size(d) + 2 * padding < weight.size(d))
                throw Error("LRP layer: the kernel " + shapeOf(weight) + " does not fit the padded input " +
                            shapeOf(input));
            outShape.push_back(side);
        }
    }
    if (relevanceOut.sizes() != at::IntArrayRef(outShape))
        throw Error("LRP layer: the relevance has shape " + shapeOf(relevanceOut) +
                    ", the layer's output has " + shapeOf(at::empty(outShape)));
    if (rule == LrpRule::ZBox && (!low.defined() || !high.defined()))
        throw Error("LRP layer: the ZBox rule needs the input bounds low and high");

    const auto f64 = [](const at::Tensor &t) { return t.to(at::kDouble); };
    at::Tensor a = f64(input), w = f64(weight), r = f64(relevanceOut);
    at::Tensor b = bias.defined() ? f64(bias) : at::zeros({weight.size(0)}, at::kDouble);
    at::Tensor l, h;
    if (rule == LrpRule::ZBox) {
        try {
            l = f64(low).expand_as(a);
            h = f64(high).expand_as(a);
        } catch (const c10::Error &) {
            throw Error("LRP layer: the bounds " + shapeOf(low) + " and " + shapeOf(high) +
                        " do not broadcast to the input " + shapeOf(input));
        }
    }
    if (dense) {
        // A dense layer is a 1x1 convolution on a 1x1 image.
        a = a.view({a.size(0), a.size(1), 1, 1});
        w = w.view({w.size(0), w.size(1), 1, 1});
        r = r.view({r.size(0), r.size(1), 1, 1});
        if (l.defined()) {
            l = l.reshape(a.sizes());
            h = h.reshape(a.sizes());
        }
    }
    const at::Tensor z =
        rule == LrpRule::Gamma ? at::conv2d(a, w, b, {stride, stride}, {padding, padding}) : at::Tensor();
    const RuleWeights rw = ruleWeights(rule, w, b, gamma, splitsSigns(rule) && a.lt(0).any().item<bool>());
    LrpLayerRelevance result = applyRule(rule, rw, a, r, epsilon, stride, padding, l, h, z);
    if (dense)
        result.relevance = result.relevance.view({input.size(0), input.size(1)});
    return result;
}

at::Tensor lrpPixelMap(const at::Tensor &relevance)
{
    if (!relevance.defined() || relevance.dim() != 4)
        throw Error("LRP pixel map: expected a relevance [N,C,H,W], got " + shapeOf(relevance));
    return relevance.sum(1);
}

struct ResNetLrp::Network
{
    FoldedConv stem;
    std::vector<Block> blocks;
    at::Tensor fcWeight;  // [C,D]
    at::Tensor fcBias;    // [C]
    RuleWeights fc;       // epsilon rule as a 1x1 conv
    at::Tensor low, high; // ZBox bounds [1,3,1,1]
    at::ScalarType dtype = at::kFloat;
};

ResNetLrp::ResNetLrp(ResNetImpl &model, LrpOptions options) : m_options(options)
{
    if (!(options.epsilon >= 0) || !std::isfinite(options.epsilon))
        throw Error("LRP: epsilon must be finite and >= 0, got " + std::to_string(options.epsilon));
    if (!(options.gamma >= 0) || !std::isfinite(options.gamma))
        throw Error("LRP: gamma must be finite and >= 0, got " + std::to_string(options.gamma));
    for (int c = 0; c < 3; ++c)
        if (!(options.std[c] > 0) || !std::isfinite(options.std[c]) || !std::isfinite(options.mean[c]))
            throw Error("LRP: the normalisation std must be positive and mean and std finite (channel " +
                        std::to_string(c) + ")");

    std::map<std::string, at::Tensor> state;
    for (const auto &[name, tensor] : resnetStateDict(model))
        if (name.compare(0, 5, "abet.") != 0) // AbeT heads sit beside fc and take no part in the logits
            state[name] = tensor;
    const auto get = [&](const std::string &key) {
        const auto found = state.find(key);
        if (found == state.end() || !found->second.defined())
            throw Error("LRP: the " + model.spec().name + " state_dict has no " + key);
        return found->second.to(at::kDouble).clone();
    };
    const auto fold = [&](const std::string &name, const std::string &convKey, const std::string &bnPrefix,
                          int64_t stride) {
        FoldedConv conv;
        conv.name = name;
        const at::Tensor w = get(convKey + ".weight");
        const at::Tensor scale =
            get(bnPrefix + ".weight") / (get(bnPrefix + ".running_var") + kBatchNormEpsilon).sqrt();
        const at::Tensor bias =
            state.count(convKey + ".bias") ? get(convKey + ".bias") : at::zeros_like(scale);
        conv.weight = w * scale.view({-1, 1, 1, 1});
        conv.bias = (bias - get(bnPrefix + ".running_mean")) * scale + get(bnPrefix + ".bias");
        conv.stride = stride;
        conv.padding = (w.size(2) - 1) / 2; // torchvision: 7x7 pad 3, 3x3 pad 1, 1x1 pad 0
        return conv;
    };

    auto network = std::make_shared<Network>();
    network->stem = fold("conv1", "conv1", "bn1", 2);
    const ResNetSpec &spec = model.spec();
    for (int stage = 0; stage < 4; ++stage) {
        for (int index = 0; index < spec.blocks[stage]; ++index) {
            Block block;
            block.name = "layer" + std::to_string(stage + 1) + "." + std::to_string(index);
            const int64_t stride = (stage > 0 && index == 0) ? 2 : 1;
            const int convs = spec.bottleneck ? 3 : 2;
            // v1.5: a Bottleneck strides on its 3x3 conv2, a BasicBlock on conv1.
            const int strided = spec.bottleneck ? 2 : 1;
            for (int c = 1; c <= convs; ++c) {
                const std::string conv = block.name + ".conv" + std::to_string(c);
                block.residual.push_back(
                    fold(conv, conv, block.name + ".bn" + std::to_string(c), c == strided ? stride : 1));
            }
            if (state.count(block.name + ".downsample.0.weight"))
                block.downsample = fold(block.name + ".downsample.0", block.name + ".downsample.0",
                                        block.name + ".downsample.1", stride);
            network->blocks.push_back(std::move(block));
        }
    }
    network->fcWeight = get("fc.weight");
    network->fcBias = get("fc.bias");
    std::vector<double> low, high;
    for (int c = 0; c < 3; ++c) {
        low.push_back((0.0 - options.mean[c]) / options.std[c]);
        high.push_back((1.0 - options.mean[c]) / options.std[c]);
    }
    network->low = torch::tensor(low, torch::kFloat64).view({1, 3, 1, 1});
    network->high = torch::tensor(high, torch::kFloat64).view({1, 3, 1, 1});
    // Folded in float64, stored in the working precision.
    network->dtype = options.precision == LrpPrecision::Float64 ? at::kDouble : at::kFloat;
    for (at::Tensor *t : {&network->fcWeight, &network->fcBias, &network->low, &network->high})
        *t = t->to(network->dtype);
    for (FoldedConv *conv : [&] {
             std::vector<FoldedConv *> all{&network->stem};
             for (Block &block : network->blocks) {
                 for (FoldedConv &c : block.residual)
                     all.push_back(&c);
                 if (block.downsample)
                     all.push_back(&*block.downsample);
             }
             return all;
         }()) {
        conv->weight = conv->weight.to(network->dtype);
        conv->bias = conv->bias.to(network->dtype);
        const bool stem = conv == &network->stem;
        conv->rule = options.composite == LrpComposite::EpsilonGammaBox
                         ? (stem ? LrpRule::ZBox : LrpRule::Gamma)
                     : stem && options.composite == LrpComposite::EpsilonPlusFlat ? LrpRule::Flat
                                                                                  : LrpRule::ZPlus;
        // Images in normalised space are signed: the first layer gets the a- terms from the start.
        conv->modified = ruleWeights(conv->rule, conv->weight, conv->bias, options.gamma, stem);
    }
    network->fc.weight = network->fcWeight.view({network->fcWeight.size(0), -1, 1, 1});
    network->fc.bias = network->fcBias;
    m_network = std::move(network);
}

int ResNetLrp::numClasses() const
{
    return static_cast<int>(m_network->fcWeight.size(0));
}

LrpResult ResNetLrp::explain(const at::Tensor &input, const at::Tensor &outputRelevance, bool keepTrace) const
{
    const Network &net = *m_network;
    if (!input.defined() || input.dim() != 4 || input.size(1) != 3 || input.size(0) < 1 ||
        input.size(2) < 1 || input.size(3) < 1)
        throw Error("LRP: the input must be a batch of RGB images [N,3,H,W], got " + shapeOf(input));
    if (!at::isFloatingType(input.scalar_type()))
        throw Error("LRP: the input must be floating point");
    const int64_t n = input.size(0);
    const int64_t classes = net.fcWeight.size(0);
    if (!outputRelevance.defined() || outputRelevance.dim() != 2 || outputRelevance.size(0) != n ||
        outputRelevance.size(1) != classes)
        throw Error("LRP: the output relevance must be [N,C] = [" + std::to_string(n) + "," +
                    std::to_string(classes) + "] (one row per image, one column per class), got " +
                    shapeOf(outputRelevance));
    if (!at::isFloatingType(outputRelevance.scalar_type()))
        throw Error("LRP: the output relevance must be floating point");
    if (!input.isfinite().all().item<bool>())
        throw Error("LRP: the input holds non-finite values");
    if (!outputRelevance.isfinite().all().item<bool>())
        throw Error("LRP: the output relevance holds non-finite values");

    c10::InferenceMode inference;
    const double eps = m_options.epsilon;
    const double gamma = m_options.gamma;

    // Forward pass in the working precision, keeping each conv's input and output.
    const at::ScalarType dtype = net.dtype;
    ConvPass stem{input.to(dtype).contiguous(), {}};
    stem.output = net.stem(stem.input);
    const at::Tensor poolInput = at::relu(stem.output);
    const auto [pooled, poolIndices] =
        at::max_pool2d_with_indices(poolInput, {3, 3}, {2, 2}, {1, 1}, {1, 1}, false);
    at::Tensor x = pooled;
    std::vector<BlockPass> passes;
    passes.reserve(net.blocks.size());
    for (const Block &block : net.blocks) {
        BlockPass pass;
        at::Tensor t = x;
        for (size_t c = 0; c < block.residual.size(); ++c) {
            ConvPass conv{t, block.residual[c](t)};
            t = c + 1 < block.residual.size() ? at::relu(conv.output) : conv.output;
            pass.residual.push_back(conv);
        }
        if (block.downsample) {
            pass.downsample = {x, (*block.downsample)(x)};
            pass.skip = pass.downsample.output;
        } else {
            pass.skip = x;
        }
        x = at::relu(t + pass.skip);
        passes.push_back(std::move(pass));
    }
    const at::Tensor maps = x;
    const at::Tensor features = maps.mean({2, 3});
    const at::Tensor logits = at::addmm(net.fcBias, features, net.fcWeight.t());

    std::vector<TraceRow> rows;
    const auto record = [&](const std::string &name, const at::Tensor &in, const at::Tensor &out,
                            const at::Tensor &absorbed) {
        if (keepTrace)
            rows.push_back({name, sampleSums(in), sampleSums(out), absorbed});
    };

    // fc: epsilon.
    const at::Tensor rLogits = outputRelevance.to(dtype);
    const LrpLayerRelevance fc = applyRule(LrpRule::Epsilon, net.fc, features.view({n, -1, 1, 1}),
                                           rLogits.view({n, classes, 1, 1}), eps, 1, 0, {}, {}, {});
    const at::Tensor rFeatures = fc.relevance.view({n, -1});
    record("fc", rFeatures, rLogits, fc.absorbed);

    // Adaptive avgpool (Norm): z = mean, R_ij = A_ij/(HW) * R / stab(mean).
    const at::Tensor poolScale = rFeatures / stabilise(features, eps);
    at::Tensor r = maps * (poolScale / static_cast<double>(maps.size(2) * maps.size(3))).view({n, -1, 1, 1});
    record("avgpool", r, rFeatures,
           (poolScale * (stabilise(features, eps) - features)).sum(1, false, at::kDouble));

    for (size_t bi = net.blocks.size(); bi-- > 0;) {
        const Block &block = net.blocks[bi];
        const BlockPass &pass = passes[bi];
        const at::Tensor rOut = r; // the final ReLU passes it
        // The sum (Norm): skip and residual branch share in proportion to their contributions.
        const at::Tensor residual = pass.residual.back().output;
        const at::Tensor total = residual + pass.skip;
        const at::Tensor sumScale = rOut / stabilise(total, eps);
        at::Tensor rSkip = pass.skip * sumScale;
        at::Tensor rRes = residual * sumScale;
        const at::Tensor addAbsorbed = sampleSums(sumScale * (stabilise(total, eps) - total));
        std::vector<TraceRow> parts;
        const auto part = [&](const std::string &name, const at::Tensor &in, const at::Tensor &out,
                              const at::Tensor &absorbed) {
            if (keepTrace)
                parts.push_back({name, sampleSums(in), sampleSums(out), absorbed});
        };
        part(block.name + ".add", rSkip + rRes, rOut, addAbsorbed);
        at::Tensor blockAbsorbed = addAbsorbed;
        for (size_t c = block.residual.size(); c-- > 0;) {
            const FoldedConv &conv = block.residual[c];
            const LrpLayerRelevance step = applyConvRule(conv, pass.residual[c], rRes, eps, gamma);
            part(conv.name, step.relevance, rRes, step.absorbed);
            blockAbsorbed = blockAbsorbed + step.absorbed;
            rRes = step.relevance;
        }
        if (block.downsample) {
            const FoldedConv &conv = *block.downsample;
            const LrpLayerRelevance step = applyConvRule(conv, pass.downsample, rSkip, eps, gamma);
            part(conv.name, step.relevance, rSkip, step.absorbed);
            blockAbsorbed = blockAbsorbed + step.absorbed;
            rSkip = step.relevance;
        }
        r = rRes + rSkip;
        record(block.name, r, rOut, blockAbsorbed);
        rows.insert(rows.end(), parts.begin(), parts.end());
    }

    // MaxPool: the plain gradient, every output's relevance goes to its arg-max.
    const at::Tensor rPool = at::max_pool2d_with_indices_backward(r, poolInput, {3, 3}, {2, 2}, {1, 1},
                                                                  {1, 1}, false, poolIndices);
    record("maxpool", rPool, r, at::zeros({n}, at::kDouble));

    const LrpLayerRelevance stemStep = applyConvRule(net.stem, stem, rPool, eps, gamma, net.low, net.high);
    record("conv1", stemStep.relevance, rPool, stemStep.absorbed);

    LrpResult result;
    result.relevance = stemStep.relevance;
    result.logits = logits.to(at::kDouble);
    if (keepTrace) {
        result.trace.assign(static_cast<size_t>(n), {});
        for (const TraceRow &row : rows) {
            const at::Tensor values = at::stack({row.in, row.out, row.absorbed}, 1).contiguous();
            const auto v = values.accessor<double, 2>();
            for (int64_t i = 0; i < n; ++i)
                result.trace[static_cast<size_t>(i)].push_back({row.name, v[i][0], v[i][1], v[i][2]});
        }
    }
    return result;
}

} // namespace ood
