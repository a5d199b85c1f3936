#pragma once
// Text embeddings of label lists, the expensive part of the zero-shot detectors: NegRefine's
// vocabulary is ~70,000 WordNet words x 8 templates. Embedded in batches with progress and kept on
// disk per model (keyed by the model file's sha256 and a digest of the exact texts), so the cost
// is paid once per model.

#include "base/progress.h"

#include <ATen/Tensor.h>

#include <string>
#include <vector>

namespace ood {

class ClipModel;

/// Where cached label embeddings live: $OOD_INSPECTOR_CACHE_DIR when set, else the user's cache
/// folder (QStandardPaths::CacheLocation)/label-embeddings.
std::string labelEmbeddingCacheDir();

struct LabelEmbeddingRequest
{
    std::vector<std::string> labels;
    /// Each label is embedded with every template ("{}" replaced by the label); the raw
    /// embeddings are averaged over the templates, then L2-normalised (NegRefine's
    /// `_embed_text_labels`). One template "{}" embeds the label as it is.
    std::vector<std::string> templates{"{}"};
    std::string modelSha256; ///< the cache key's model part; empty: no cache
    std::string cacheDir;    ///< empty: labelEmbeddingCacheDir()
};

/// [labels, D] float32, unit rows. Reads the cache when it holds these exact texts for this
/// model, otherwise embeds (progress stage "label embeddings", counting texts) and writes the
/// cache atomically. A cache file that cannot be read is ignored and rewritten.
at::Tensor embedLabels(const ClipModel &model, const LabelEmbeddingRequest &request,
                       const ProgressCallback &progress = {});

/// How many label embeddings came from the cache / were computed, since start-up (tests, logs).
struct LabelEmbeddingStats
{
    int64_t cachedTexts = 0;
    int64_t embeddedTexts = 0;
};
LabelEmbeddingStats labelEmbeddingStats();

} // namespace ood
