#include "model/resnetinference.h"

#include "base/error.h"
#include "model/messagetext.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <map>
#include <sstream>

namespace ood {

namespace {

/// A convolution with its BatchNorm folded in (eval statistics): per output channel k,
/// W'_k = W_k * g_k, b'_k = beta_k - mu_k * g_k with g_k = gamma_k / sqrt(var_k + eps). Computed
/// in float64 so that the fold itself adds no rounding beyond the final cast.
struct FoldedConv
{
    std::string name; ///< attribute name in the TorchScript graph, e.g. "layer2_0_conv1"
    at::Tensor weight, bias;
    int64_t stride = 1, padding = 0;
};

struct Block
{
    std::vector<int> convs; ///< indices into the conv list: conv1, conv2[, conv3]
    int downsample = -1;
};

std::string attributeName(const std::string &moduleName)
{
    std::string name = moduleName;
    for (char &c : name)
        if (c == '.')
            c = '_';
    return name;
}

/// The model's modules by dotted name ("layer2.0.conv1"), collected once.
using ModulesByName = std::map<std::string, std::shared_ptr<torch::nn::Module>>;

ModulesByName modulesByName(const ResNetImpl &model)
{
    ModulesByName modules;
    for (const auto &item : model.named_modules(/*name_prefix=*/"", /*include_self=*/false))
        modules.emplace(item.key(), item.value());
    return modules;
}

std::shared_ptr<torch::nn::Module> childAt(const ModulesByName &modules, const std::string &name)
{
    const auto found = modules.find(name);
    if (found == modules.end())
        throw Error("internal: ResNet has no module " + name);
    return found->second;
}

FoldedConv fold(const ModulesByName &modules, const std::string &convName, const std::string &bnName)
{
    auto *conv = childAt(modules, convName)->as<torch::nn::Conv2d>();
    auto *bn = childAt(modules, bnName)->as<torch::nn::BatchNorm2d>();
    if (!conv || !bn)
        throw Error("internal: " + convName + " / " + bnName + " are not a Conv2d and a BatchNorm2d");
    const at::Tensor gain = bn->weight.detach().to(at::kDouble) /
                            (bn->running_var.detach().to(at::kDouble) + bn->options.eps()).sqrt();
    FoldedConv folded;
    folded.name = attributeName(convName);
    folded.weight =
        (conv->weight.detach().to(at::kDouble) * gain.reshape({-1, 1, 1, 1})).to(at::kFloat).contiguous();
    folded.bias = (bn->bias.detach().to(at::kDouble) - bn->running_mean.detach().to(at::kDouble) * gain)
                      .to(at::kFloat)
                      .contiguous();
    folded.stride = (*conv->options.stride())[0];
    folded.padding = (*c10::get<torch::ExpandingArray<2>>(conv->options.padding()))[0];
    return folded;
}

} // namespace

struct ResNetInference::Private
{
    ResNet model{nullptr};
    ForwardPath path = ForwardPath::Frozen;
    Precision precision = Precision::Float32;
    std::string fallbackReason;

    std::vector<FoldedConv> convs; // stem first, then block by block
    std::array<std::vector<Block>, 4> stages;
    at::Tensor fcWeight, fcBias;
    at::ScalarType dtype = at::kFloat;

    torch::jit::Module graph; // Frozen only
    bool frozen = false;

    void foldAll()
    {
        const ResNetImpl &m = *model;
        const ModulesByName modules = modulesByName(m);
        convs.push_back(fold(modules, "conv1", "bn1"));
        const int convsPerBlock = m.spec().bottleneck ? 3 : 2;
        for (int s = 0; s < 4; ++s) {
            for (int b = 0; b < m.spec().blocks[s]; ++b) {
                const std::string prefix = "layer" + std::to_string(s + 1) + "." + std::to_string(b) + ".";
                Block block;
                for (int c = 1; c <= convsPerBlock; ++c) {
                    block.convs.push_back(static_cast<int>(convs.size()));
                    convs.push_back(fold(modules, prefix + "conv" + std::to_string(c),
                                         prefix + "bn" + std::to_string(c)));
                }
                if (modules.count(prefix + "downsample")) {
                    block.downsample = static_cast<int>(convs.size());
                    convs.push_back(fold(modules, prefix + "downsample.0", prefix + "downsample.1"));
                }
                stages[s].push_back(block);
            }
        }
        fcWeight = m.fc()->weight.detach().clone();
        fcBias = m.fc()->bias.detach().clone();
        if (precision == Precision::BFloat16) {
            dtype = at::kBFloat16;
            for (FoldedConv &conv : convs) {
                conv.weight = conv.weight.to(dtype);
                conv.bias = conv.bias.to(dtype);
            }
            fcWeight = fcWeight.to(dtype);
            fcBias = fcBias.to(dtype);
        }
        // oneDNN's convolutions are fastest on NHWC activations and weights.
        for (FoldedConv &conv : convs)
            conv.weight = conv.weight.contiguous(at::MemoryFormat::ChannelsLast);
    }

    // --- Folded: op by op ---------------------------------------------------------------------

    at::Tensor conv(const at::Tensor &x, int index) const
    {
        const FoldedConv &c = convs[static_cast<size_t>(index)];
        return at::conv2d(x, c.weight, c.bias, {c.stride, c.stride}, {c.padding, c.padding});
    }

    at::Tensor block(const at::Tensor &x, const Block &b) const
    {
        at::Tensor y = conv(x, b.convs[0]).relu_();
        y = conv(y, b.convs[1]);
        if (b.convs.size() == 3)
            y = conv(y.relu_(), b.convs[2]);
        return y.add_(b.downsample >= 0 ? conv(x, b.downsample) : x).relu_();
    }

    at::Tensor runStages(at::Tensor x, int first, int last) const
    {
        for (int s = first; s < last; ++s)
            for (const Block &b : stages[s])
                x = block(x, b);
        return x;
    }

    // --- Frozen: the same network as TorchScript -----------------------------------------------

    std::string convCall(int index, const std::string &input) const
    {
        const FoldedConv &c = convs[static_cast<size_t>(index)];
        std::ostringstream out;
        out << "torch.conv2d(" << input << ", self." << c.name << "_w, self." << c.name << "_b, [" << c.stride
            << ", " << c.stride << "], [" << c.padding << ", " << c.padding << "])";
        return out.str();
    }

    std::string forwardSource() const
    {
        std::ostringstream src;
        src << "def forward(self, x: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:\n";
        src << "    x = torch.relu(" << convCall(0, "x") << ")\n";
        src << "    x = torch.max_pool2d(x, [3, 3], [2, 2], [1, 1])\n";
        writeStages(src, 0, 1);
        src << "    early = x\n";
        writeStages(src, 1, 4);
        src << "    features = torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)\n";
        src << "    logits = torch.linear(features, self.fc_w, self.fc_b)\n";
        src << "    return early, x, features, logits\n";
        return src.str();
    }

    std::string fromEarlySource() const
    {
        std::ostringstream src;
        src << "def from_early(self, x: Tensor) -> Tensor:\n";
        writeStages(src, 1, 4);
        src << "    return torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)\n";
        return src.str();
    }

    void writeStages(std::ostringstream &src, int first, int last) const
    {
        for (int s = first; s < last; ++s) {
            for (const Block &b : stages[s]) {
                src << "    y = torch.relu(" << convCall(b.convs[0], "x") << ")\n";
                if (b.convs.size() == 3) {
                    src << "    y = torch.relu(" << convCall(b.convs[1], "y") << ")\n";
                    src << "    y = " << convCall(b.convs[2], "y") << "\n";
                } else {
                    src << "    y = " << convCall(b.convs[1], "y") << "\n";
                }
                src << "    x = torch.relu(y + " << (b.downsample >= 0 ? convCall(b.downsample, "x") : "x")
                    << ")\n";
            }
        }
    }

    void freezeGraph()
    {
        try {
            torch::jit::Module module("OodResNetInference");
            for (const FoldedConv &c : convs) {
                // Contiguous NCHW weights: the optimiser reorders them for oneDNN itself.
                module.register_parameter(c.name + "_w", c.weight.contiguous(), false);
                module.register_parameter(c.name + "_b", c.bias, false);
            }
            module.register_parameter("fc_w", fcWeight, false);
            module.register_parameter("fc_b", fcBias, false);
            module.define(forwardSource());
            module.define(fromEarlySource());
            module.eval();
            torch::jit::Module frozenModule =
                torch::jit::freeze(module, std::vector<std::string>{"from_early"});
            graph = torch::jit::optimize_for_inference(frozenModule, {"from_early"});
            frozen = true;
        } catch (const std::exception &e) {
            fallbackReason = "LibTorch could not freeze and optimise the network (" + firstLine(e.what()) +
                             "); it runs op by op with BatchNorm folded";
            path = ForwardPath::Folded;
        }
    }

    /// The op-by-op result as the frozen graph returns it: float32, contiguous NCHW.
    static at::Tensor plain(const at::Tensor &t) { return t.to(at::kFloat).contiguous(); }
};

ResNetInference::ResNetInference(ResNet model, ForwardPath path, Precision precision) : d(new Private)
{
    if (!model)
        throw Error("ResNetInference needs a module");
    d->model = std::move(model);
    d->path = path;
    d->precision = precision;
    if (path == ForwardPath::Eager && precision == Precision::BFloat16)
        d->path = ForwardPath::Folded;
    if (d->path == ForwardPath::Eager)
        return;
    torch::NoGradGuard noGrad;
    d->foldAll();
    if (d->path == ForwardPath::Frozen) {
        if (precision == Precision::BFloat16) {
            d->path = ForwardPath::Folded;
            d->fallbackReason = "bfloat16 runs op by op (the frozen oneDNN graph is float32 only)";
        } else {
            d->freezeGraph();
        }
    }
}

ResNetInference::~ResNetInference() = default;

ForwardPath ResNetInference::path() const
{
    return d->path;
}

Precision ResNetInference::precision() const
{
    return d->precision;
}

const std::string &ResNetInference::fallbackReason() const
{
    return d->fallbackReason;
}

ResNetOutputs ResNetInference::forward(const at::Tensor &input, bool keepFeatureMaps, bool keepEarly) const
{
    c10::InferenceMode inference;
    ResNetOutputs out;
    if (d->path == ForwardPath::Eager)
        return d->model->forwardAll(input, keepFeatureMaps, keepEarly);
    if (d->frozen) {
        const auto outputs = d->graph.forward({input}).toTuple();
        const auto &elements = outputs->elements();
        if (keepEarly)
            out.early = elements[0].toTensor();
        if (keepFeatureMaps)
            out.featureMaps = elements[1].toTensor();
        out.features = elements[2].toTensor();
        out.logits = elements[3].toTensor();
    } else {
        at::Tensor x = input.to(d->dtype).contiguous(at::MemoryFormat::ChannelsLast);
        x = at::max_pool2d(d->conv(x, 0).relu_(), {3, 3}, {2, 2}, {1, 1});
        x = d->runStages(x, 0, 1);
        if (keepEarly)
            out.early = Private::plain(x);
        x = d->runStages(x, 1, 4);
        if (keepFeatureMaps)
            out.featureMaps = Private::plain(x);
        const at::Tensor features = x.mean({2, 3});
        out.features = Private::plain(features);
        out.logits = Private::plain(at::linear(features, d->fcWeight, d->fcBias));
    }
    if (d->model->hasAbetHeads())
        d->model->abetHeads()->forward(out);
    return out;
}

at::Tensor ResNetInference::featuresFromEarly(const at::Tensor &early) const
{
    c10::InferenceMode inference;
    if (d->path == ForwardPath::Eager)
        return d->model->featuresFromEarly(early);
    if (d->frozen)
        return d->graph.get_method("from_early")({early}).toTensor();
    const at::Tensor x = d->runStages(early.to(d->dtype).contiguous(at::MemoryFormat::ChannelsLast), 1, 4);
    return Private::plain(x.mean({2, 3}));
}

} // namespace ood
