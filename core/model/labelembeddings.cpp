#include "model/labelembeddings.h"

#include "base/atomicfile.h"
#include "base/error.h"
#include "model/clipmodel.h"
#include "text/prompttemplates.h"

// Qt
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <torch/torch.h>

#include <atomic>

namespace ood {

namespace {

std::atomic<int64_t> g_cachedTexts{0};
std::atomic<int64_t> g_embeddedTexts{0};

/// A digest of exactly what is embedded: templates and labels, each length-prefixed so no two
/// lists share a digest.
QString textsDigest(const LabelEmbeddingRequest &request)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    auto add = [&](const std::string &text) {
        const QByteArray length = QByteArray::number(static_cast<qulonglong>(text.size())) + ':';
        hash.addData(length);
        hash.addData(QByteArrayView(text.data(), static_cast<qsizetype>(text.size())));
    };
    add("templates");
    for (const std::string &t : request.templates)
        add(t);
    add("labels");
    for (const std::string &l : request.labels)
        add(l);
    return QString::fromLatin1(hash.result().toHex());
}

at::Tensor readCache(const QString &path, int64_t rows)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = file.readAll();
    try {
        const std::vector<char> data(bytes.begin(), bytes.end());
        at::Tensor t = torch::pickle_load(data).toTensor();
        if (t.dim() == 2 && t.size(0) == rows && t.scalar_type() == torch::kFloat32)
            return t;
    } catch (const c10::Error &) {
    }
    return {};
}

} // namespace

std::string labelEmbeddingCacheDir()
{
    const QString fromEnvironment = qEnvironmentVariable("OOD_INSPECTOR_CACHE_DIR");
    const QString base = fromEnvironment.isEmpty()
                             ? QStandardPaths::writableLocation(QStandardPaths::CacheLocation)
                             : fromEnvironment;
    return QDir(base).filePath("label-embeddings").toStdString();
}

at::Tensor embedLabels(const ClipModel &model, const LabelEmbeddingRequest &request,
                       const ProgressCallback &progress)
{
    if (request.templates.empty())
        throw Error("internal: no templates to embed labels with");
    const auto labels = static_cast<int64_t>(request.labels.size());
    const auto templates = static_cast<int64_t>(request.templates.size());
    if (labels == 0)
        return torch::zeros({0, model.embeddingDim()}, torch::kFloat32);

    QString cachePath;
    if (!request.modelSha256.empty()) {
        const QString dir =
            QString::fromStdString(request.cacheDir.empty() ? labelEmbeddingCacheDir() : request.cacheDir);
        cachePath = QDir(dir).filePath(QString::fromStdString(request.modelSha256) + "/" +
                                       textsDigest(request) + ".pt");
        at::Tensor cached = readCache(cachePath, labels);
        if (cached.defined()) {
            g_cachedTexts += labels * templates;
            return cached;
        }
    }

    // Template-major order, so each template's texts are tokenised and embedded together.
    std::vector<std::string> texts;
    texts.reserve(static_cast<size_t>(labels * templates));
    for (const std::string &pattern : request.templates)
        for (const std::string &label : request.labels)
            texts.push_back(fillTemplate(pattern, label));
    ProgressCallback stageProgress;
    if (progress)
        stageProgress = [&](const Progress &p) {
            Progress named = p;
            named.stage = "label embeddings";
            return progress(named);
        };
    const at::Tensor raw = model.encodeTexts(texts, stageProgress).to(torch::kFloat32);
    at::Tensor mean = raw.view({templates, labels, raw.size(1)}).mean(0);
    at::Tensor embeddings = (mean / mean.norm(2, 1, true)).contiguous();
    g_embeddedTexts += labels * templates;

    if (!cachePath.isEmpty()) {
        QDir().mkpath(QFileInfo(cachePath).absolutePath());
        const std::vector<char> bytes = torch::pickle_save(embeddings);
        QString reason;
        // A cache that cannot be written costs time next run, never the result: no error.
        tryWriteFileAtomically(cachePath, QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size())),
                               reason);
    }
    return embeddings;
}

LabelEmbeddingStats labelEmbeddingStats()
{
    return {g_cachedTexts.load(), g_embeddedTexts.load()};
}

} // namespace ood
