#pragma once
// Mining negative labels for the zero-shot detectors (methods.md §11): words from WordNet's noun
// and adjective lists whose text embeddings are least similar to the ID labels. Two variants:
//
// - NegLabel (Jiang et al., ICLR 2024; `custom_config/clip.py`, `multi_modal.py`): one prompt per
//   part of speech ("the nice {}" for nouns and the ID labels, "This is a {} photo" for
//   adjectives), similarity = the 0.95 quantile of a word's cosines to the ID labels, lowest 15%
//   of nouns and of adjectives. Words are taken as written in the lists.
// - NegRefine stage 1 (Ansari et al., ICCV 2025; `src/create_negs.py`): `_` becomes a space, nouns
//   equal to an ID label are skipped, each adjective gets a CSP suffix drawn with Python's
//   random.choice (seed 0 by default), nouns use the 8-template and adjectives the 4-template
//   ensemble, similarity = the maximum cosine, set to 1 above 0.95 (near-synonyms never become
//   negatives), lowest 15% of each part of speech.
//
// Both read the 27 lexicographer files of NegLabel's published word lists (`txtfiles/`: every
// noun and adjective file of WordNet except noun.animal and noun.food, which those lists do not
// have), leave out noun.person, noun.quantity, noun.group and adj.pert, and de-duplicate words
// across all files in file order. The files are read in sorted lexicographer-file order (the
// references used os.listdir's order, which depends on the file system; methods.md notes the
// effect).

#include "base/progress.h"
#include "text/prompttemplates.h"

#include <ATen/Tensor.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ood {

class ClipBackbone;

enum class MiningVariant { NegLabel, NegRefine };

/// One WordNet lexicographer file's words ("noun.plant": "silvery spleenwort", ...).
struct WordList
{
    std::string lexFile;
    std::vector<std::string> words;
};

/// The candidates of one variant, before any embedding: the label as shown and as embedded.
struct NegativeCandidates
{
    std::vector<std::string> nouns;
    std::vector<std::string> adjectives; ///< NegRefine: with their CSP suffix ("gooey landscape")
};

/// The lexicographer files of NegLabel's word lists (27: adj.all, adj.pert, adj.ppl and the noun
/// files but noun.animal and noun.food).
const std::vector<std::string> &negativeLabelLexFiles();
/// Of those, the ones both references leave out.
const std::vector<std::string> &excludedLexFiles();

/// Candidates from `lists` (any order; read in sorted lexFile order), as the variant builds them.
NegativeCandidates negativeCandidates(const std::vector<WordList> &lists, MiningVariant variant,
                                      const std::vector<std::string> &classNames, uint64_t seed = 0);

/// The text templates a variant embeds a candidate of that part of speech with.
std::vector<std::string> miningTemplates(MiningVariant variant, PartOfSpeech pos);

/// Per-candidate similarity to the ID labels: the `quantile` (torch.quantile, linear) of the
/// cosines [K,C] along C; with `excludeNearSynonyms` a maximum above 0.95 sets it to 1.
at::Tensor candidateSimilarity(const at::Tensor &cosines, double quantile, bool excludeNearSynonyms);

/// Positions of the floor(share * K) lowest similarities, lowest first (a stable sort: equal
/// similarities keep list order).
std::vector<int64_t> lowestShare(const at::Tensor &similarity, double share);

struct MiningSettings
{
    MiningVariant variant = MiningVariant::NegRefine;
    double share = 0.15; ///< neg_top_p / neg_topk
    uint64_t seed = 0;   ///< NegRefine's random.seed for the CSP suffixes
};

/// The selected negatives: labels of each part of speech in selection order, their embeddings
/// [nouns + adjectives, D] (nouns first) in the variant's templates, unit rows.
struct MinedNegatives
{
    std::vector<std::string> nouns;
    std::vector<std::string> adjectives;
    at::Tensor embeddings;
    int64_t nounCandidates = 0, adjectiveCandidates = 0;
};

/// Embeds the ID labels with the variant's positive templates and every candidate with its part
/// of speech's templates (cached per model, labelembeddings.h), and selects the lowest share.
MinedNegatives mineNegatives(const ClipBackbone &clip, const NegativeCandidates &candidates,
                             const MiningSettings &settings, const ProgressCallback &progress = {});

/// Embeds a ready list (e.g. NegRefine's published neg_labels_{noun,adj}.txt) the way the variant
/// embeds its selected negatives.
MinedNegatives embedNegatives(const ClipBackbone &clip, std::vector<std::string> nouns,
                              std::vector<std::string> adjectives, MiningVariant variant,
                              const ProgressCallback &progress = {});

} // namespace ood
