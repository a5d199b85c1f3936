#pragma once
// A user's CLIP (or any image-text model with the same interface), exported once to TorchScript
// by app/python/export_clip_for_ood_inspector.py (docs/model-contract.md, "CLIP"). The image side
// gives the frame's embedding, the text side the embeddings of labels; the zero-shot detectors
// (mcm, neglabel, negrefine) compare the two.
//
// Concurrency: like Backbone, SAFE FOR CONCURRENT USE once loaded (eval mode, parameters frozen;
// the label-embedding cache is guarded by a mutex).

#include "base/progress.h"
#include "image/inputspec.h"
#include "text/cliptokenizer.h"

#include <ATen/Tensor.h>

#include <memory>
#include <string>
#include <vector>

namespace ood {

class ClipModel
{
  public:
    /// Loads a torch.jit.save archive and checks the contract: methods encode_image(Tensor[N,3,H,W])
    /// -> [N,D] and encode_text(Tensor[N,L] int64) -> [N,D], attribute logit_scale (the
    /// exponentiated scale, e.g. 100), extra files "clip/bpe_merges.txt" (the tokenizer's merges,
    /// header line included), "clip/context_length" and "clip/preprocess.json" (input size,
    /// resize "short_side_bicubic_center_crop", mean, std). Runs one probe of each encoder.
    /// Throws ood::Error naming `path` and the first violation.
    explicit ClipModel(const std::string &path);
    ~ClipModel();
    ClipModel(const ClipModel &) = delete;
    ClipModel &operator=(const ClipModel &) = delete;

    std::string path() const;
    int embeddingDim() const;
    double logitScale() const;
    int contextLength() const;
    const InputSpec &inputSpec() const;
    const ClipTokenizer &tokenizer() const;
    /// The archive's `architecture` attribute when it has one (e.g. "ViT-B-16/openai"), else "clip".
    std::string architecture() const;

    /// Raw (not normalised) image embeddings [N,D] float32 of a preprocessed batch, inference mode.
    at::Tensor encodeImage(const at::Tensor &input) const;
    /// The same with autograd on (input saliency); `input` must require grad.
    at::Tensor encodeImageWithGradient(const at::Tensor &input) const;

    /// Raw text embeddings [N,D] float32, one row per token sequence (start and end tokens
    /// included, no padding). Sequences are run at their own length, grouped by length: CLIP's
    /// text side pools at the end token under a causal mask, so padding to the context length
    /// changes nothing but the cost. Sequences longer than the context length are cut to it with
    /// the end token kept last (CLIP's truncate=True). `progress` counts sequences.
    at::Tensor encodeTokens(const std::vector<std::vector<int64_t>> &tokens,
                            const ProgressCallback &progress = {}) const;
    /// The same, padded with zeros to the context length and run as one [N,77] batch: the
    /// reference's way, kept to show both give the same embeddings.
    at::Tensor encodeTokensPadded(const std::vector<std::vector<int64_t>> &tokens) const;
    /// Tokenises and encodes `texts` (encodeTokens).
    at::Tensor encodeTexts(const std::vector<std::string> &texts,
                           const ProgressCallback &progress = {}) const;

  private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace ood
