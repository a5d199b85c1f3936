#pragma once
// What the zero-shot detectors (mcm, neglabel, negrefine) share: the availability rule, negative
// labels from their source, and how labels are kept in a profile. Internal to core.

#include "detect/detector.h"
#include "detect/negativemining.h"

#include <string>
#include <vector>

namespace ood::zeroshot {

/// Empty on a vision-language backbone, else why a zero-shot detector cannot run.
std::string unavailableOn(const Backbone &backbone, const std::string &displayName);

/// Why an activation-shaping detector (ReAct, ASH, SCALE, DICE) does not run on a
/// vision-language backbone, else empty: they clip or prune the non-negative penultimate
/// activations of a ReLU network, and CLIP's image embedding is a signed, normalised projection.
std::string shapingUnavailableOn(const Backbone &backbone, const std::string &displayName);

/// The negative labels for `variant` from context.negatives: the ready lists when given, else
/// mined from WordNet (NegRefine: then filtered with WordNet's relations when asked). Throws
/// ood::Error naming the file or folder that cannot be read.
NegativeLabels negativeLabelsFor(const FitContext &context, MiningVariant variant);

/// UTF-8 texts as one uint8 tensor, '\n' between them (a profile holds tensors only).
at::Tensor packTexts(const std::vector<std::string> &texts);
std::vector<std::string> unpackTexts(const at::Tensor &packed);

/// State entries of NegativeLabels ("negative_embeddings", "negative_labels", "noun_count",
/// "negative_source") and back.
void storeNegatives(const NegativeLabels &negatives, DetectorState &state);
NegativeLabels restoreNegatives(const DetectorState &state, const std::string &detectorId);

/// What NegLabel's grouping score reads, fitted once and kept in the profile: NegLabel and NegRefine
/// both hold one.
struct GroupingModel
{
    NegativeLabels negatives;
    at::Tensor positives;   ///< [C,D] float32 unit rows: the ID labels' text embeddings
    at::Tensor permutation; ///< [K'] int64, K' = K - K mod groups (groupingPermutationFor)
    double logitScale = 100;

    /// logitScale x cosines of unit `features` [N,D] to the ID labels [N,C] and the negatives [N,K].
    std::pair<at::Tensor, at::Tensor> logits(const at::Tensor &features) const;
    /// The state entries: storeNegatives' and "positive_embeddings", "permutation", "logit_scale".
    void store(DetectorState &state) const;
    /// Throws ood::Error naming `detectorId` for a missing entry or a permutation that does not fit
    /// the negatives in `groups` groups.
    static GroupingModel restore(const DetectorState &state, const std::string &detectorId, double groups);
};

/// [N,K] float64: logitScale x cosine of unit features [N,D] against unit rows [K,D].
at::Tensor scaledCosines(const at::Tensor &features, const at::Tensor &embeddings, double logitScale);

/// NegLabel's grouping score S_NL [N] (methods.md §11): `negatives` [N,K] logits cut to a
/// multiple of `groups`, reordered by `permutation` [K'], split into equal groups; per group
/// sigmoid(LSE(positives) - LSE(group)), averaged. ID-high.
at::Tensor groupingScore(const at::Tensor &positives, const at::Tensor &negatives,
                         const at::Tensor &permutation, int64_t groups);

/// The fixed permutation of the grouping score: torch::randperm(count) on the CPU generator
/// seeded 0 (the reference seeds its CUDA generator with 0, whose stream differs; docs/zero-shot.md).
at::Tensor groupingPermutation(int64_t count);
/// The permutation for `negatives` labels in `groups` groups (the last negatives mod groups left
/// out). Throws ood::Error naming `displayName` when there are fewer negatives than groups.
at::Tensor groupingPermutationFor(int64_t negatives, double groups, const std::string &displayName);

} // namespace ood::zeroshot
