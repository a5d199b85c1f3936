#include "explain/lrp.h"

#include "error.h"
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

/// A rule written as modified linear maps sharing one set of modified inputs:
///   z_g = sum_t conv(inputs[t], weights[g][t]) + biases[g]      for each group g,
///   R_in = sum_t inputs[t] * sum_g conv^T(R * masks[g] / stab(z_g), weights[g][t]).
/// Inputs are stacked on the channel axis and groups on the output axis, so one convolution and
/// one transposed convolution do the whole rule (the gradient-times-input trick of §12.3 with
/// the denominator held fixed).
struct ModifiedMap
{
    std::vector<at::Tensor> inputs;               // T x [N,in,H,W]
    std::vector<std::vector<at::Tensor>> weights; // G x T x [out,in,kh,kw]
    std::vector<at::Tensor> biases;               // G x [out]
    std::vector<at::Tensor> masks;                // G x [N,out,h,w] (0/1), or empty: one group, all selected
};

LrpLayerRelevance propagate(const ModifiedMap &map, const at::Tensor &relevanceOut, double epsilon, int64_t stride,
                            int64_t padding)
{
    const int64_t terms = static_cast<int64_t>(map.inputs.size());
    const at::Tensor x = terms == 1 ? map.inputs[0] : at::cat(map.inputs, 1);
    std::vector<at::Tensor> rows;
    for (const auto &group : map.weights)
        rows.push_back(group.size() == 1 ? group[0] : at::cat(group, 1));
    const at::Tensor w = rows.size() == 1 ? rows[0] : at::cat(rows, 0);
    const at::Tensor b = map.biases.size() == 1 ? map.biases[0] : at::cat(map.biases, 0);
    const at::Tensor z = at::conv2d(x, w, b, {stride, stride}, {padding, padding});

    const int64_t out = map.biases[0].size(0);
    const int64_t n = relevanceOut.size(0);
    at::Tensor absorbed = at::zeros({n}, relevanceOut.options());
    at::Tensor unselected = map.masks.empty() ? at::Tensor() : at::ones_like(relevanceOut);
    std::vector<at::Tensor> scaled;
    for (size_t g = 0; g < map.biases.size(); ++g) {
        const at::Tensor zg = z.narrow(1, static_cast<int64_t>(g) * out, out);
        const at::Tensor denominator = stabilise(zg, epsilon);
        at::Tensor r = relevanceOut;
        if (!map.masks.empty()) {
            r = r * map.masks[g];
            unselected = unselected - map.masks[g];
        }
        const at::Tensor s = r / denominator;
        // What the inputs do not receive: the (modified) bias share and the stabiliser share.
        absorbed += (s * (map.biases[g].view({1, -1, 1, 1}) + (denominator - zg))).sum({1, 2, 3});
        scaled.push_back(s);
    }
    if (unselected.defined())
        absorbed += (relevanceOut * unselected).sum({1, 2, 3});

    const at::Tensor s = scaled.size() == 1 ? scaled[0] : at::cat(scaled, 1);
    const at::Tensor grad = std::get<0>(at::convolution_backward(s, x, w, c10::nullopt, {stride, stride},
                                                                 {padding, padding}, {1, 1}, false, {0, 0}, 1,
                                                                 {true, false, false}));
    at::Tensor relevance = x * grad;
    if (terms > 1)
        relevance = relevance.view({n, terms, -1, x.size(2), x.size(3)}).sum(1);
    return {relevance, absorbed};
}

/// input [N,in,H,W], weight [out,in,kh,kw], bias [out], relevanceOut [N,out,h,w], all float64.
/// `output` is the layer's plain output when the caller has it (gamma needs its sign).
LrpLayerRelevance convRule(LrpRule rule, const at::Tensor &a, const at::Tensor &w, const at::Tensor &b,
                           const at::Tensor &relevanceOut, double epsilon, double gamma, int64_t stride,
                           int64_t padding, const at::Tensor &low, const at::Tensor &high,
                           const at::Tensor &output = {})
{
    ModifiedMap map;
    // Inside a ReLU network every conv but the first sees a >= 0; the a- terms then vanish, so
    // they are only built for signed inputs.
    const bool signedInput = (rule == LrpRule::ZPlus || rule == LrpRule::Gamma) && a.lt(0).any().item<bool>();
    switch (rule) {
    case LrpRule::Epsilon:
        map.inputs = {a};
        map.weights = {{w}};
        map.biases = {b};
        break;
    case LrpRule::ZPlus:
        map.inputs = {a.clamp_min(0)};
        map.weights = {{w.clamp_min(0)}};
        if (signedInput) {
            map.inputs.push_back(a.clamp_max(0));
            map.weights[0].push_back(w.clamp_max(0));
        }
        map.biases = {b.clamp_min(0)};
        break;
    case LrpRule::Gamma: {
        const at::Tensor up = w + gamma * w.clamp_min(0);
        const at::Tensor down = w + gamma * w.clamp_max(0);
        map.inputs = {a.clamp_min(0)};
        map.weights = {{up}, {down}};
        if (signedInput) {
            map.inputs.push_back(a.clamp_max(0));
            map.weights[0].push_back(down);
            map.weights[1].push_back(up);
        }
        map.biases = {b + gamma * b.clamp_min(0), b + gamma * b.clamp_max(0)};
        const at::Tensor z = output.defined() ? output : at::conv2d(a, w, b, {stride, stride}, {padding, padding});
        map.masks = {(z > 0).to(at::kDouble), (z < 0).to(at::kDouble)};
        break;
    }
    case LrpRule::ZBox:
        map.inputs = {a, low.expand_as(a), high.expand_as(a)};
        map.weights = {{w, -w.clamp_min(0), -w.clamp_max(0)}};
        map.biases = {at::zeros_like(b)};
        break;
    case LrpRule::Flat:
        map.inputs = {at::ones_like(a)};
        map.weights = {{at::ones_like(w)}};
        map.biases = {at::zeros_like(b)};
        break;
    }
    return propagate(map, relevanceOut, epsilon, stride, padding);
}

/// A conv with its BatchNorm folded in (methods.md §12.3, MergeBatchNorm), float64.
struct FoldedConv
{
    std::string name;
    at::Tensor weight;
    at::Tensor bias;
    int64_t stride = 1;
    int64_t padding = 0;

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

/// Per-layer sums [N] for the trace.
struct TraceRow
{
    std::string name;
    at::Tensor in, out, absorbed;
};

at::Tensor sampleSums(const at::Tensor &t)
{
    return t.reshape({t.size(0), -1}).sum(1);
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

LrpLayerRelevance lrpLayer(LrpRule rule, const at::Tensor &input, const at::Tensor &weight, const at::Tensor &bias,
                           const at::Tensor &relevanceOut, double epsilon, double gamma, int64_t stride,
                           int64_t padding, const at::Tensor &low, const at::Tensor &high)
{
    if (!input.defined() || !weight.defined() || !relevanceOut.defined())
        throw Error("LRP layer: input, weight and relevance must all be given");
    const bool dense = weight.dim() == 2;
    if (!(dense && input.dim() == 2) && !(weight.dim() == 4 && input.dim() == 4))
        throw Error("LRP layer: expected input [N,D] with weight [C,D], or input [N,C,H,W] with weight "
                    "[Cout,Cin,kh,kw]; got input " + shapeOf(input) + " and weight " + shapeOf(weight));
    if (input.size(1) != weight.size(1))
        throw Error("LRP layer: the input has " + std::to_string(input.size(1)) + " channels, the weight expects " +
                    std::to_string(weight.size(1)) + " (input " + shapeOf(input) + ", weight " + shapeOf(weight) +
                    ")");
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
        throw Error("LRP layer: the relevance has shape " + shapeOf(relevanceOut) + ", the layer's output has " +
                    shapeOf(at::empty(outShape)));
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
    LrpLayerRelevance result = convRule(rule, a, w, b, r, epsilon, gamma, stride, padding, l, h);
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
    at::Tensor fcWeight; // [C,D]
    at::Tensor fcBias;   // [C]
    at::Tensor low, high; // ZBox bounds [1,3,1,1]
};

ResNetLrp::ResNetLrp(ResNetImpl &model, LrpOptions options)
    : m_options(options)
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
        const at::Tensor scale = get(bnPrefix + ".weight") / (get(bnPrefix + ".running_var") + kBatchNormEpsilon).sqrt();
        const at::Tensor bias = state.count(convKey + ".bias") ? get(convKey + ".bias") : at::zeros_like(scale);
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
    m_network = std::move(network);
}

int ResNetLrp::numClasses() const
{
    return static_cast<int>(m_network->fcWeight.size(0));
}

LrpResult ResNetLrp::explain(const at::Tensor &input, const at::Tensor &outputRelevance, bool keepTrace) const
{
    const Network &net = *m_network;
    if (!input.defined() || input.dim() != 4 || input.size(1) != 3 || input.size(0) < 1 || input.size(2) < 1 ||
        input.size(3) < 1)
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
    const LrpComposite composite = m_options.composite;

    // Forward pass in float64, keeping each conv's input and output.
    ConvPass stem{input.to(at::kDouble).contiguous(), {}};
    stem.output = net.stem(stem.input);
    const at::Tensor poolInput = at::relu(stem.output);
    const auto [pooled, poolIndices] = at::max_pool2d_with_indices(poolInput, {3, 3}, {2, 2}, {1, 1}, {1, 1}, false);
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
    const at::Tensor rLogits = outputRelevance.to(at::kDouble);
    const LrpLayerRelevance fc =
        convRule(LrpRule::Epsilon, features.view({n, -1, 1, 1}), net.fcWeight.view({classes, -1, 1, 1}), net.fcBias,
                 rLogits.view({n, classes, 1, 1}), eps, gamma, 1, 0, {}, {});
    const at::Tensor rFeatures = fc.relevance.view({n, -1});
    record("fc", rFeatures, rLogits, fc.absorbed);

    // Adaptive avgpool (Norm): z = mean, R_ij = A_ij/(HW) * R / stab(mean).
    const at::Tensor poolScale = rFeatures / stabilise(features, eps);
    at::Tensor r = maps * (poolScale / static_cast<double>(maps.size(2) * maps.size(3))).view({n, -1, 1, 1});
    record("avgpool", r, rFeatures, (poolScale * (stabilise(features, eps) - features)).sum(1));

    const LrpRule convRuleOfComposite = composite == LrpComposite::EpsilonGammaBox ? LrpRule::Gamma : LrpRule::ZPlus;
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
            const LrpLayerRelevance step = convRule(convRuleOfComposite, pass.residual[c].input, conv.weight, conv.bias,
                                                    rRes, eps, gamma, conv.stride, conv.padding, {}, {},
                                                    pass.residual[c].output);
            part(conv.name, step.relevance, rRes, step.absorbed);
            blockAbsorbed = blockAbsorbed + step.absorbed;
            rRes = step.relevance;
        }
        if (block.downsample) {
            const FoldedConv &conv = *block.downsample;
            const LrpLayerRelevance step = convRule(convRuleOfComposite, pass.downsample.input, conv.weight, conv.bias,
                                                    rSkip, eps, gamma, conv.stride, conv.padding, {}, {},
                                                    pass.downsample.output);
            part(conv.name, step.relevance, rSkip, step.absorbed);
            blockAbsorbed = blockAbsorbed + step.absorbed;
            rSkip = step.relevance;
        }
        r = rRes + rSkip;
        record(block.name, r, rOut, blockAbsorbed);
        rows.insert(rows.end(), parts.begin(), parts.end());
    }

    // MaxPool: the plain gradient, every output's relevance goes to its arg-max.
    const at::Tensor rPool = at::max_pool2d_with_indices_backward(r, poolInput, {3, 3}, {2, 2}, {1, 1}, {1, 1}, false,
                                                                  poolIndices);
    record("maxpool", rPool, r, at::zeros({n}, at::kDouble));

    const LrpRule first = composite == LrpComposite::EpsilonGammaBox ? LrpRule::ZBox
                          : composite == LrpComposite::EpsilonPlusFlat ? LrpRule::Flat
                                                                       : LrpRule::ZPlus;
    const LrpLayerRelevance stemStep = convRule(first, stem.input, net.stem.weight, net.stem.bias, rPool, eps, gamma,
                                                net.stem.stride, net.stem.padding, net.low, net.high, stem.output);
    record("conv1", stemStep.relevance, rPool, stemStep.absorbed);

    LrpResult result;
    result.relevance = stemStep.relevance;
    result.logits = logits;
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
