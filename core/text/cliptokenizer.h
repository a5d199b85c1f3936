#pragma once
// CLIP's byte-pair-encoding tokenizer (OpenAI `clip/simple_tokenizer.py`, also open_clip's):
// HTML unescaping, whitespace clean-up, lower-casing, the reference's split pattern, byte-level
// BPE with the end-of-word marker "</w>", start token 49406 and end token 49407. ftfy's text
// repair is not done (docs/model-contract.md says so): texts are expected to be valid NFC text.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ood {

class ClipTokenizer
{
  public:
    static constexpr int64_t kStartOfText = 49406;
    static constexpr int64_t kEndOfText = 49407;

    /// `merges` is the content of bpe_simple_vocab_16e6.txt (header line first), uncompressed.
    /// Throws ood::Error when it is not a merges list.
    static ClipTokenizer fromMerges(const std::string &merges);
    /// Reads the merges from a file, gzip-compressed (.gz) or plain.
    static ClipTokenizer fromMergesFile(const std::string &path);

    ClipTokenizer(ClipTokenizer &&) noexcept;
    ClipTokenizer &operator=(ClipTokenizer &&) noexcept;
    ~ClipTokenizer();

    /// Token ids of a UTF-8 text without start and end tokens.
    std::vector<int64_t> encode(const std::string &text) const;
    /// kStartOfText, encode(text), kEndOfText; no padding and no truncation.
    std::vector<int64_t> tokenize(const std::string &text) const;
    /// Number of ids (49408 for the standard merges).
    int64_t vocabularySize() const;
    /// The merges text this tokenizer was made from (to store it beside a model).
    const std::string &merges() const;

  private:
    ClipTokenizer();
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace ood
