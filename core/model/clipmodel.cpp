#include "model/clipmodel.h"

#include "base/error.h"
#include "model/frozenscript.h"
#include "model/messagetext.h"

// Qt
#include <QByteArray>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

namespace ood {

namespace {

const char *const kContract = " (see docs/model-contract.md, \"CLIP\")";
const char *const kMergesFile = "clip/bpe_merges.txt";
const char *const kContextFile = "clip/context_length";
const char *const kPreprocessFile = "clip/preprocess.json";
const char *const kResizePolicy = "short_side_bicubic_center_crop";
/// Sequences (or images) per call of the TorchScript method: bounds the attention's memory.
constexpr size_t kBatchSize = 256;
/// The label-embedding cache stops taking new rows past this size: NegLabel's candidate pool
/// (tens of thousands of words, encoded once) would otherwise stay in memory for nothing, while the
/// labels that are encoded again (class prompts, the chosen negatives) are the first ones seen.
constexpr size_t kCacheBytes = size_t(64) << 20;

} // namespace

struct ClipModel::Private
{
    std::string path;
    torch::jit::Module module;
    std::optional<torch::jit::Method> encodeImage, encodeText;
    double logitScale = 0;
    int contextLength = 0;
    int embeddingDim = 0;
    InputSpec input;
    std::optional<ClipTokenizer> tokenizer;
    std::string architecture = "clip";

    mutable std::mutex cacheMutex;
    mutable std::map<std::vector<int64_t>, at::Tensor> cache;
    mutable size_t cacheBytes = 0;

    [[noreturn]] void fail(const std::string &problem) const
    {
        throw Error(path + ": " + problem + kContract);
    }

    void readMethods()
    {
        for (const char *name : {"encode_image", "encode_text"}) {
            auto method = module.find_method(name);
            if (!method)
                fail(std::string("the module has no method ") + name +
                     "(); export the model with app/python/export_clip_for_ood_inspector.py");
            // arguments()[0] is self.
            if (method->function().getSchema().arguments().size() != 2)
                fail(std::string(name) + " must take exactly one tensor");
            (std::string(name) == "encode_image" ? encodeImage : encodeText) = *method;
        }
    }

    void readAttributes()
    {
        if (!module.hasattr("logit_scale"))
            fail("the module has no attribute logit_scale (the exponentiated scale, e.g. 100)");
        const c10::IValue scale = module.attr("logit_scale");
        if (scale.isDouble())
            logitScale = scale.toDouble();
        else if (scale.isInt())
            logitScale = static_cast<double>(scale.toInt());
        else if (scale.isTensor() && scale.toTensor().numel() == 1)
            logitScale = scale.toTensor().to(at::kDouble).item<double>();
        else
            fail("the attribute logit_scale must be a float, not " + scale.tagKind());
        if (!std::isfinite(logitScale) || logitScale <= 0)
            fail("logit_scale must be positive and finite, not " + std::to_string(logitScale));
        if (module.hasattr("architecture")) {
            const c10::IValue value = module.attr("architecture");
            if (!value.isString() || value.toStringRef().empty())
                fail("the attribute architecture must be a non-empty str");
            architecture = value.toStringRef();
        }
    }

    void readContextLength(const std::string &text)
    {
        const QByteArray trimmed = QByteArray::fromStdString(text).trimmed();
        bool ok = false;
        const int value = trimmed.toInt(&ok);
        if (!ok || value < 2 || value > 4096)
            fail(std::string("the extra file ") + kContextFile +
                 " must hold the context length (e.g. 77), not \"" + trimmed.left(40).toStdString() + "\"");
        contextLength = value;
    }

    void readPreprocessCard(const std::string &text)
    {
        const std::string where = std::string("the preprocess card ") + kPreprocessFile;
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromStdString(text), &error);
        if (error.error != QJsonParseError::NoError)
            fail(where + " is not JSON: " + error.errorString().toStdString());
        if (!document.isObject())
            fail(where + " must be a JSON object");
        const QJsonObject card = document.object();
        const QJsonValue size = card.value("size");
        if (!size.isDouble() || size.toDouble() != std::floor(size.toDouble()) || size.toDouble() < 1 ||
            size.toDouble() > 8192)
            fail(where + ": \"size\" must be an integer from 1 to 8192");
        input.width = input.height = size.toInt();
        const QString resize = card.value("resize").toString();
        if (resize != kResizePolicy)
            fail(where + ": \"resize\" is \"" + resize.toStdString() + "\"; the only policy is \"" +
                 kResizePolicy + "\"");
        input.resize = ResizePolicy::ShortSideBicubicCenterCrop;
        for (const char *name : {"mean", "std"}) {
            const QJsonArray values = card.value(name).toArray();
            if (values.size() != 3)
                fail(where + ": \"" + name + "\" must hold 3 numbers (R, G, B)");
            for (int c = 0; c < 3; ++c) {
                if (!values[c].isDouble())
                    fail(where + ": \"" + name + "\" must hold 3 numbers (R, G, B)");
                const double value = values[c].toDouble();
                if (std::string(name) == "std" && !(value > 0))
                    fail(where + ": \"std\" must be positive");
                (std::string(name) == "mean" ? input.mean : input.std)[static_cast<size_t>(c)] =
                    static_cast<float>(value);
            }
        }
    }

    at::Tensor runText(const at::Tensor &tokens) const
    {
        c10::IValue result;
        try {
            result = (*encodeText)({tokens});
        } catch (const c10::Error &e) {
            throw Error(path + ": encode_text failed on " + shapeString(tokens.sizes()) +
                        " tokens: " + firstLine(e.what_without_backtrace()));
        }
        if (!result.isTensor())
            fail("encode_text returned " + result.tagKind() + ", expected a Tensor");
        const at::Tensor out = result.toTensor();
        if (out.dim() != 2 || out.size(0) != tokens.size(0) || (embeddingDim && out.size(1) != embeddingDim))
            fail("encode_text returned " + shapeString(out.sizes()) + " for " + shapeString(tokens.sizes()) +
                 " tokens, expected [" + std::to_string(tokens.size(0)) + "," +
                 (embeddingDim ? std::to_string(embeddingDim) : std::string("D")) + "]");
        return out.to(at::kFloat).contiguous();
    }

    at::Tensor runImage(const at::Tensor &images) const
    {
        if (!images.defined() || images.dim() != 4 || images.size(1) != 3)
            throw Error(path + ": expected images of shape [N,3,H,W], got " +
                        (images.defined() ? shapeString(images.sizes()) : std::string("no tensor")));
        c10::IValue result;
        try {
            result = (*encodeImage)({images});
        } catch (const c10::Error &e) {
            throw Error(path + ": encode_image failed on " + shapeString(images.sizes()) +
                        " images: " + firstLine(e.what_without_backtrace()));
        }
        if (!result.isTensor())
            fail("encode_image returned " + result.tagKind() + ", expected a Tensor");
        const at::Tensor out = result.toTensor();
        if (out.dim() != 2 || out.size(0) != images.size(0) || (embeddingDim && out.size(1) != embeddingDim))
            fail("encode_image returned " + shapeString(out.sizes()) + " for " + shapeString(images.sizes()) +
                 " images, expected [" + std::to_string(images.size(0)) + "," +
                 (embeddingDim ? std::to_string(embeddingDim) : std::string("D")) + "]");
        return out.to(at::kFloat);
    }

    /// One pass of each side on the smallest inputs: the shapes must agree before any real work.
    void probe()
    {
        torch::NoGradGuard noGrad;
        const at::Tensor image = runImage(torch::zeros({1, 3, input.height, input.width}));
        const at::Tensor text =
            runText(torch::tensor({ClipTokenizer::kStartOfText, ClipTokenizer::kEndOfText}, torch::kLong)
                        .view({1, 2}));
        if (image.size(1) != text.size(1))
            fail("encode_image gives " + std::to_string(image.size(1)) +
                 "-dimensional embeddings and encode_text " + std::to_string(text.size(1)) +
                 "-dimensional ones");
        if (image.size(1) < 1)
            fail("the embeddings are empty");
        embeddingDim = static_cast<int>(image.size(1));
    }

    /// CLIP's truncate=True: the first context-length tokens, the last of them replaced by the
    /// sequence's end token.
    std::vector<int64_t> fitted(const std::vector<int64_t> &sequence) const
    {
        if (sequence.empty())
            throw Error(
                path +
                ": cannot encode an empty token sequence (it needs at least the start and end tokens)");
        const int64_t vocabulary = tokenizer->vocabularySize();
        for (int64_t id : sequence)
            if (id < 0 || id >= vocabulary)
                throw Error(path + ": token id " + std::to_string(id) + " is outside the vocabulary of " +
                            std::to_string(vocabulary));
        if (sequence.size() <= static_cast<size_t>(contextLength))
            return sequence;
        std::vector<int64_t> cut(sequence.begin(), sequence.begin() + contextLength);
        cut.back() = sequence.back();
        return cut;
    }
};

ClipModel::ClipModel(const std::string &path) : d(std::make_unique<Private>())
{
    d->path = path;
    torch::jit::ExtraFilesMap extra{{kMergesFile, ""}, {kContextFile, ""}, {kPreprocessFile, ""}};
    d->module = loadFrozenScript(path, "CLIP model file", kContract, &extra);
    d->readMethods();
    d->readAttributes();
    // LibTorch leaves an extra file that the archive does not have as it was: empty.
    for (const char *name : {kMergesFile, kContextFile, kPreprocessFile})
        if (extra[name].empty())
            d->fail(std::string("the archive has no extra file ") + name);
    d->readContextLength(extra[kContextFile]);
    d->readPreprocessCard(extra[kPreprocessFile]);
    try {
        d->tokenizer.emplace(ClipTokenizer::fromMerges(extra[kMergesFile]));
    } catch (const Error &e) {
        d->fail(std::string("the extra file ") + kMergesFile + " is not CLIP's merges list: " + e.what());
    }
    d->probe();
}

ClipModel::~ClipModel() = default;

std::string ClipModel::path() const
{
    return d->path;
}

int ClipModel::embeddingDim() const
{
    return d->embeddingDim;
}

double ClipModel::logitScale() const
{
    return d->logitScale;
}

int ClipModel::contextLength() const
{
    return d->contextLength;
}

const InputSpec &ClipModel::inputSpec() const
{
    return d->input;
}

const ClipTokenizer &ClipModel::tokenizer() const
{
    return *d->tokenizer;
}

std::string ClipModel::architecture() const
{
    return d->architecture;
}

at::Tensor ClipModel::encodeImage(const at::Tensor &input) const
{
    torch::NoGradGuard noGrad;
    return d->runImage(input).contiguous();
}

at::Tensor ClipModel::encodeImageWithGradient(const at::Tensor &input) const
{
    torch::AutoGradMode enable(true);
    return d->runImage(input);
}

at::Tensor ClipModel::encodeTokens(const std::vector<std::vector<int64_t>> &tokens,
                                   const ProgressCallback &progress) const
{
    const size_t n = tokens.size();
    at::Tensor result = torch::empty({static_cast<int64_t>(n), d->embeddingDim}, torch::kFloat);
    std::vector<std::vector<int64_t>> sequences;
    sequences.reserve(n);
    for (const auto &sequence : tokens)
        sequences.push_back(d->fitted(sequence));

    // Rows already encoded come from the cache; the others are grouped by length.
    std::map<size_t, std::vector<size_t>> byLength;
    size_t done = 0;
    {
        std::lock_guard<std::mutex> lock(d->cacheMutex);
        for (size_t i = 0; i < n; ++i) {
            const auto found = d->cache.find(sequences[i]);
            if (found != d->cache.end()) {
                result[static_cast<int64_t>(i)].copy_(found->second);
                ++done;
            } else {
                byLength[sequences[i].size()].push_back(i);
            }
        }
    }
    auto report = [&] {
        if (progress && !progress(Progress{"text", done, n}))
            throw Cancelled();
    };
    report();

    torch::NoGradGuard noGrad;
    for (const auto &[length, rows] : byLength) {
        for (size_t first = 0; first < rows.size(); first += kBatchSize) {
            const size_t count = std::min(kBatchSize, rows.size() - first);
            at::Tensor batch =
                torch::empty({static_cast<int64_t>(count), static_cast<int64_t>(length)}, torch::kLong);
            auto ids = batch.accessor<int64_t, 2>();
            for (size_t r = 0; r < count; ++r)
                for (size_t t = 0; t < length; ++t)
                    ids[static_cast<int64_t>(r)][static_cast<int64_t>(t)] = sequences[rows[first + r]][t];
            const at::Tensor embeddings = d->runText(batch);
            std::lock_guard<std::mutex> lock(d->cacheMutex);
            for (size_t r = 0; r < count; ++r) {
                const size_t row = rows[first + r];
                result[static_cast<int64_t>(row)].copy_(embeddings[static_cast<int64_t>(r)]);
                const size_t bytes =
                    static_cast<size_t>(d->embeddingDim) * sizeof(float) + length * sizeof(int64_t);
                if (d->cacheBytes + bytes <= kCacheBytes &&
                    d->cache.emplace(sequences[row], embeddings[static_cast<int64_t>(r)].clone()).second)
                    d->cacheBytes += bytes;
            }
            done += count;
            report();
        }
    }
    return result;
}

at::Tensor ClipModel::encodeTokensPadded(const std::vector<std::vector<int64_t>> &tokens) const
{
    const size_t n = tokens.size();
    std::vector<at::Tensor> parts;
    torch::NoGradGuard noGrad;
    for (size_t first = 0; first < n; first += kBatchSize) {
        const size_t count = std::min(kBatchSize, n - first);
        at::Tensor batch = torch::zeros({static_cast<int64_t>(count), d->contextLength}, torch::kLong);
        auto ids = batch.accessor<int64_t, 2>();
        for (size_t r = 0; r < count; ++r) {
            const std::vector<int64_t> sequence = d->fitted(tokens[first + r]);
            for (size_t t = 0; t < sequence.size(); ++t)
                ids[static_cast<int64_t>(r)][static_cast<int64_t>(t)] = sequence[t];
        }
        parts.push_back(d->runText(batch));
    }
    if (parts.empty())
        return torch::empty({0, d->embeddingDim}, torch::kFloat);
    return torch::cat(parts);
}

at::Tensor ClipModel::encodeTexts(const std::vector<std::string> &texts,
                                  const ProgressCallback &progress) const
{
    std::vector<std::vector<int64_t>> tokens;
    tokens.reserve(texts.size());
    for (const std::string &text : texts)
        tokens.push_back(d->tokenizer->tokenize(text));
    return encodeTokens(tokens, progress);
}

} // namespace ood
