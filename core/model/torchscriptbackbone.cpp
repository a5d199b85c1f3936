#include "model/torchscriptbackbone.h"

#include "base/error.h"
#include "model/frozenscript.h"
#include "model/messagetext.h"

// Qt
#include <QFileInfo>
#include <QString>

#include <torch/script.h>
#include <torch/torch.h>

#include <map>
#include <set>
#include <sstream>

namespace ood {

namespace {

const char *const kContract = " (see docs/model-contract.md)";

/// An attribute holding numbers: a list, a tuple, a tensor or a single number.
std::vector<double> numbers(const c10::IValue &value)
{
    std::vector<double> out;
    if (value.isIntList()) {
        for (int64_t v : value.toIntVector())
            out.push_back(static_cast<double>(v));
    } else if (value.isDoubleList()) {
        for (double v : value.toDoubleVector())
            out.push_back(v);
    } else if (value.isTuple()) {
        for (const c10::IValue &element : value.toTupleRef().elements()) {
            if (!element.isInt() && !element.isDouble())
                return {};
            out.push_back(element.isInt() ? static_cast<double>(element.toInt()) : element.toDouble());
        }
    } else if (value.isTensor()) {
        const at::Tensor t = value.toTensor().to(at::kDouble).contiguous().flatten();
        for (int64_t i = 0; i < t.numel(); ++i)
            out.push_back(t[i].item<double>());
    } else if (value.isInt()) {
        out.push_back(static_cast<double>(value.toInt()));
    } else if (value.isDouble()) {
        out.push_back(value.toDouble());
    }
    return out;
}

} // namespace

struct TorchScriptBackbone::Private
{
    std::string path;
    torch::jit::Module module;
    /// The module frozen and optimised for inference (forward() and features_from_early run on
    /// it); the module itself when that was not possible, and always for gradients.
    torch::jit::Module inferenceModule;
    std::string inferenceNote = "the archive as it is (not asked to optimise)";
    std::string methodName;
    std::string inferenceMethod; ///< methodName, or "forward" when the optimised copy forwards to it
    std::string architecture = "torchscript";
    bool hasFeaturesFromEarly = false;
    bool hasFeatureMaps = false;
    bool hasEarly = false;
    bool hasLearnedTemperature = false;
    at::Tensor weight, bias;
    InputSpec input;

    [[noreturn]] void fail(const std::string &problem) const
    {
        throw Error(path + ": " + problem + kContract);
    }

    c10::impl::GenericDict run(const at::Tensor &x, bool forInference = false)
    {
        const c10::IValue result = forInference ? inferenceModule.get_method(inferenceMethod)({x})
                                                : module.get_method(methodName)({x});
        if (!result.isGenericDict())
            fail(methodName + "(x) returned " + result.tagKind() + ", expected Dict[str, Tensor]");
        return result.toGenericDict();
    }

    at::Tensor tensorMethod(const std::string &name)
    {
        const auto method = module.find_method(name);
        if (!method)
            fail("the module has no method " + name + "()");
        c10::IValue value;
        try {
            value = (*method)({});
        } catch (const c10::Error &e) {
            fail(name + "() failed: " + firstLine(e.what_without_backtrace()));
        }
        if (!value.isTensor())
            fail(name + "() returned " + value.tagKind() + ", expected a Tensor");
        return value.toTensor().detach().to(at::kFloat).contiguous().clone();
    }

    void readAttributes()
    {
        if (module.hasattr("architecture")) {
            const c10::IValue value = module.attr("architecture");
            if (!value.isString() || value.toStringRef().empty())
                fail("the attribute architecture must be a non-empty str");
            architecture = value.toStringRef();
        }
        if (module.hasattr("input_size")) {
            const std::vector<double> size = numbers(module.attr("input_size"));
            // [H, W] like torchvision's Resize((H, W)), or one number for a square.
            if (size.empty() || size.size() > 2)
                fail("the attribute input_size must be an int or [height, width]");
            input.height = static_cast<int>(size.front());
            input.width = static_cast<int>(size.back());
            if (input.height < 1 || input.width < 1 || input.height > 8192 || input.width > 8192)
                fail("input_size " + std::to_string(input.height) + "x" + std::to_string(input.width) +
                     " is out of range");
        }
        for (const char *name : {"input_mean", "input_std"}) {
            if (!module.hasattr(name))
                continue;
            const std::vector<double> values = numbers(module.attr(name));
            if (values.size() != 3)
                fail(std::string("the attribute ") + name + " must hold 3 numbers (R, G, B)");
            for (int c = 0; c < 3; ++c) {
                if (std::string(name) == "input_std" && !(values[c] > 0))
                    fail("input_std must be positive");
                (std::string(name) == "input_mean" ? input.mean : input.std)[c] =
                    static_cast<float>(values[c]);
            }
        }
    }

    void checkSignature()
    {
        if (module.find_method("forward_ood")) {
            methodName = "forward_ood";
        } else if (module.find_method("forward")) {
            methodName = "forward";
        } else {
            fail("the module has neither forward_ood(x) nor forward(x); a method only reaches the "
                 "TorchScript file when "
                 "forward calls it or it is decorated with @torch.jit.export");
        }
        const c10::FunctionSchema &schema = module.get_method(methodName).function().getSchema();
        // arguments()[0] is self.
        if (schema.arguments().size() < 2)
            fail(methodName + " takes no input; expected " + methodName + "(x: Tensor)");
        const auto &returns = schema.returns();
        const auto *dict = returns.size() == 1 ? returns[0].type()->castRaw<c10::DictType>() : nullptr;
        if (!dict || dict->getKeyType()->kind() != c10::TypeKind::StringType ||
            dict->getValueType()->kind() != c10::TypeKind::TensorType) {
            const std::string type =
                returns.size() == 1 ? returns[0].type()->annotation_str() : "several values";
            fail((methodName == "forward" ? "the module has no method forward_ood, and forward returns "
                                          : "forward_ood returns ") +
                 type + " instead of Dict[str, Tensor]");
        }
        hasFeaturesFromEarly = module.find_method("features_from_early").has_value();
    }

    /// torch::jit::freeze + optimize_for_inference, as Python's torch.jit.optimize_for_inference
    /// does, kept only when the optimised module gives the archive's outputs to 1e-4 (relative to
    /// their largest value) on a varied input. Anything else keeps the archive as it is and says why.
    void optimise()
    {
        // Not zeros: a check on a constant image would miss most wrong layouts.
        const at::Tensor checkInput =
            torch::sin(torch::arange(2 * 3 * input.height * input.width, at::kFloat) * 0.37f)
                .reshape({2, 3, input.height, input.width});
        std::map<std::string, at::Tensor> expectedOutputs;
        {
            torch::NoGradGuard noGrad;
            for (const auto &entry : run(checkInput))
                expectedOutputs[entry.key().toStringRef()] = entry.value().toTensor().to(at::kFloat);
        }
        try {
            // LibTorch's freezing and optimisation start from forward(); an archive with
            // forward_ood only gets a forward that calls it, on a copy.
            torch::jit::Module copy = module.clone();
            std::string method = methodName;
            if (!copy.find_method("forward")) {
                copy.define("def forward(self, x: Tensor) -> Dict[str, Tensor]:\n    return self." +
                            methodName + "(x)\n");
                method = "forward";
            }
            std::vector<std::string> others;
            if (method != "forward")
                others.push_back(method);
            if (hasFeaturesFromEarly)
                others.push_back("features_from_early");
            torch::jit::Module frozen = torch::jit::freeze(copy, others);
            torch::jit::Module optimised = torch::jit::optimize_for_inference(frozen, others);
            torch::NoGradGuard noGrad;
            const c10::IValue result = optimised.get_method(method)({checkInput});
            for (const auto &entry : result.toGenericDict()) {
                const std::string key = entry.key().toStringRef();
                const auto expected = expectedOutputs.find(key);
                if (expected == expectedOutputs.end())
                    continue;
                const at::Tensor got = entry.value().toTensor().to(at::kFloat);
                const double scale = 1.0 + expected->second.abs().max().item<double>();
                const double error = (got - expected->second).abs().max().item<double>();
                if (!(error <= 1e-4 * scale)) {
                    inferenceNote = "the archive as it is: frozen and optimised, its \"" + key +
                                    "\" differed by " + std::to_string(error) + " on the test pass";
                    return;
                }
            }
            inferenceModule = optimised;
            inferenceMethod = method;
            inferenceNote = "frozen graph, optimised for inference";
        } catch (const std::exception &e) {
            inferenceNote = "the archive as it is: LibTorch could not freeze and optimise it (" +
                            firstLine(e.what()) + ")";
        }
    }

    /// One pass on zeros checks the outputs' names, shapes and the head relation.
    void probe()
    {
        const int64_t n = 2;
        c10::impl::GenericDict out(c10::StringType::get(), c10::TensorType::get());
        try {
            torch::NoGradGuard noGrad;
            out = run(torch::zeros({n, 3, input.height, input.width}));
        } catch (const c10::Error &e) {
            fail("a test pass on zeros [2,3," + std::to_string(input.height) + "," +
                 std::to_string(input.width) + "] failed: " + firstLine(e.what_without_backtrace()));
        }
        static const std::set<std::string> known{"logits", "features",    "feature_maps",
                                                 "early",  "temperature", "cosine"};
        std::map<std::string, at::Tensor> outputs;
        for (const auto &entry : out) {
            const std::string key = entry.key().toStringRef();
            if (!known.count(key))
                fail(methodName + " returned an unknown entry \"" + key +
                     "\"; allowed: logits, features, feature_maps, early, temperature, cosine");
            outputs[key] = entry.value().toTensor().to(at::kFloat);
        }
        for (const char *required : {"logits", "features"})
            if (!outputs.count(required))
                fail(methodName + " returned no \"" + required + "\"");
        const int64_t classes = weight.size(0), dim = weight.size(1);
        auto expectShape = [&](const std::string &key, std::vector<int64_t> shape) {
            const at::Tensor &t = outputs[key];
            if (t.sizes() != at::IntArrayRef(shape))
                fail("\"" + key + "\" has shape " + shapeString(t.sizes()) + " for a batch of 2, expected " +
                     shapeString(shape));
        };
        expectShape("logits", {n, classes});
        expectShape("features", {n, dim});
        if (outputs.count("cosine"))
            expectShape("cosine", {n, classes});
        if (outputs.count("temperature")) {
            const at::Tensor &t = outputs["temperature"];
            if (t.numel() != n || t.size(0) != n)
                fail("\"temperature\" has shape " + shapeString(t.sizes()) +
                     " for a batch of 2, expected [2] or [2,1]");
        }
        if (outputs.count("feature_maps")) {
            const at::Tensor &t = outputs["feature_maps"];
            if (t.dim() != 4 || t.size(0) != n)
                fail("\"feature_maps\" has shape " + shapeString(t.sizes()) +
                     " for a batch of 2, expected [2,K,h,w]");
            hasFeatureMaps = true;
        }
        if (outputs.count("early")) {
            const at::Tensor &t = outputs["early"];
            if (t.dim() < 2 || t.size(0) != n)
                fail("\"early\" has shape " + shapeString(t.sizes()) + " for a batch of 2, expected [2,...]");
            hasEarly = true;
        }
        // Detectors read the head as the map from features to logits; a model with a learned
        // temperature (AbeT) divides by it, so only plain heads are checked.
        if (!outputs.count("temperature")) {
            const at::Tensor expected = torch::addmm(bias, outputs["features"], weight.t());
            const double error = (expected - outputs["logits"]).abs().max().item<double>();
            const double scale = 1.0 + expected.abs().max().item<double>();
            if (error > 1e-3 * scale)
                fail("\"logits\" differ from features·head_weight()ᵀ + head_bias() by up to " +
                     std::to_string(error) +
                     ": \"features\" must be the input of the final linear layer and "
                     "head_weight()/head_bias() its "
                     "parameters");
        }
        // AbeT needs both its numerators and the temperature that divides them.
        hasLearnedTemperature = outputs.count("temperature") && outputs.count("cosine");
        if (hasFeaturesFromEarly && hasEarly) {
            try {
                torch::NoGradGuard noGrad;
                const c10::IValue features = module.get_method("features_from_early")({outputs["early"]});
                if (!features.isTensor() || features.toTensor().sizes() != at::IntArrayRef({n, dim}))
                    fail("features_from_early(early) must return the features [N," + std::to_string(dim) +
                         "]");
            } catch (const c10::Error &e) {
                fail("features_from_early(early) failed: " + firstLine(e.what_without_backtrace()));
            }
        }
    }
};

TorchScriptBackbone::TorchScriptBackbone(const std::string &path, bool optimise)
    : d(std::make_unique<Private>())
{
    d->path = path;
    d->module = loadFrozenScript(path, "Model file", kContract);
    d->checkSignature();
    d->weight = d->tensorMethod("head_weight");
    d->bias = d->tensorMethod("head_bias");
    if (d->weight.dim() != 2 || d->weight.size(0) < 1 || d->weight.size(1) < 1)
        d->fail("head_weight() has shape " + shapeString(d->weight.sizes()) +
                ", expected [classes, features]");
    if (d->bias.dim() != 1 || d->bias.size(0) != d->weight.size(0))
        d->fail("head_bias() has shape " + shapeString(d->bias.sizes()) + ", expected [" +
                std::to_string(d->weight.size(0)) + "] to match head_weight() " +
                shapeString(d->weight.sizes()));
    d->readAttributes();
    d->probe();
    d->inferenceModule = d->module;
    d->inferenceMethod = d->methodName;
    if (optimise)
        d->optimise();
}

std::string TorchScriptBackbone::inferenceDescription() const
{
    return d->inferenceNote;
}

TorchScriptBackbone::~TorchScriptBackbone() = default;

std::string TorchScriptBackbone::architecture() const
{
    return d->architecture;
}

int TorchScriptBackbone::numClasses() const
{
    return static_cast<int>(d->weight.size(0));
}

int TorchScriptBackbone::featureDim() const
{
    return static_cast<int>(d->weight.size(1));
}

Activations TorchScriptBackbone::forward(const at::Tensor &input, const ForwardRequest &request)
{
    if (!input.defined() || input.dim() != 4 || input.size(1) != 3)
        throw Error(d->path + ": expected an input of shape [N,3,H,W], got " +
                    (input.defined() ? shapeString(input.sizes()) : std::string("no tensor")));
    c10::InferenceMode inference;
    c10::impl::GenericDict out(c10::StringType::get(), c10::TensorType::get());
    try {
        out = d->run(input, /*forInference=*/true);
    } catch (const c10::Error &e) {
        throw Error(d->path + ": the forward pass failed: " + firstLine(e.what_without_backtrace()));
    }
    auto get = [&](const char *key) -> at::Tensor {
        const auto found = out.find(key);
        return found == out.end() ? at::Tensor() : found->value().toTensor().to(at::kFloat).contiguous();
    };
    Activations activations;
    activations.logits = get("logits");
    activations.features = get("features");
    if (!activations.logits.defined() || !activations.features.defined())
        d->fail(d->methodName + " returned no logits or no features");
    if (request.featureMaps)
        activations.featureMaps = get("feature_maps");
    if (request.early)
        activations.early = get("early");
    activations.temperature = get("temperature");
    if (activations.temperature.defined())
        activations.temperature = activations.temperature.reshape({-1});
    activations.cosine = get("cosine");
    return activations;
}

at::Tensor TorchScriptBackbone::logitsWithGradient(const at::Tensor &input)
{
    torch::AutoGradMode enable(true);
    try {
        const auto out = d->run(input);
        const auto found = out.find("logits");
        if (found == out.end())
            d->fail(d->methodName + " returned no logits");
        return found->value().toTensor().to(at::kFloat);
    } catch (const c10::Error &e) {
        throw Error(d->path + ": the forward pass failed: " + firstLine(e.what_without_backtrace()));
    }
}

at::Tensor TorchScriptBackbone::headWeight() const
{
    return d->weight;
}

at::Tensor TorchScriptBackbone::headBias() const
{
    return d->bias;
}

bool TorchScriptBackbone::hasLearnedTemperature() const
{
    return d->hasLearnedTemperature;
}

at::Tensor TorchScriptBackbone::featuresFromEarly(const at::Tensor &early)
{
    if (!d->hasFeaturesFromEarly)
        return {};
    c10::InferenceMode inference;
    try {
        return d->inferenceModule.get_method("features_from_early")({early})
            .toTensor()
            .to(at::kFloat)
            .contiguous();
    } catch (const c10::Error &e) {
        throw Error(d->path + ": features_from_early failed: " + firstLine(e.what_without_backtrace()));
    }
}

bool TorchScriptBackbone::canRunFromEarly() const
{
    return d->hasEarly && d->hasFeaturesFromEarly;
}

const InputSpec &TorchScriptBackbone::inputSpec() const
{
    return d->input;
}

bool TorchScriptBackbone::hasFeatureMaps() const
{
    return d->hasFeatureMaps;
}

bool TorchScriptBackbone::hasEarly() const
{
    return d->hasEarly;
}

} // namespace ood
