// NegRefine (Ansari et al., ICCV 2025): NegLabel's grouping score on NegRefine's negatives plus
// twice the multi-matching score, which asks whether the frame matches "p and n" (an ID label and a
// negative label together) better than n alone (methods.md §11, score steps 1-3). The pair prompts
// are embedded when a frame first needs them and kept for the next frames.
// Unified score: -(S_NL + 2 S_MM).

#include "detect/detectors.h"
#include "detect/zeroshotsupport.h"
#include "base/error.h"
#include "model/clipbackbone.h"
#include "model/labelembeddings.h"

#include <torch/torch.h>

#include <map>
#include <mutex>

namespace ood::detectors {

namespace {

constexpr size_t kPairCacheLimit = 50000;

class NegRefine final : public Detector
{
  public:
    NegRefine() : Detector(negRefineDescriptor())
    {
        declareSetting("groups", 100);
        declareSetting("top_positives", 5);
        declareSetting("top_negatives", 5);
        declareSetting("multi_matching_weight", 2);
    }

    std::string unavailableReason(const Backbone &backbone) const override
    {
        return zeroshot::unavailableOn(backbone, displayName());
    }

    void fit(const FitContext &context) override
    {
        m_grouping.negatives = zeroshot::negativeLabelsFor(context, MiningVariant::NegRefine);
        m_positiveLabels = context.clip->classNames();
        m_grouping.positives = context.clip->classEmbeddings().clone();
        m_grouping.permutation = zeroshot::groupingPermutationFor(m_grouping.negatives.embeddings.size(0),
                                                                  setting("groups"), displayName());
        m_grouping.logitScale = context.clip->model().logitScale();
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        if (!context.clip)
            throw Error("NegRefine needs its vision-language model to embed the pair prompts");
        const at::Tensor &features = context.activations.features;
        const auto [positives, negatives] = m_grouping.logits(features);
        const at::Tensor grouping = zeroshot::groupingScore(positives, negatives, m_grouping.permutation,
                                                            static_cast<int64_t>(setting("groups")));
        const at::Tensor multiMatching = multiMatchingScore(*context.clip, features, positives, negatives);
        return -(grouping + setting("multi_matching_weight") * multiMatching);
    }

    const NegativeLabels *negativeLabels() const override { return &m_grouping.negatives; }

  protected:
    DetectorState fittedState() const override
    {
        DetectorState state;
        m_grouping.store(state);
        state["positive_labels"] = zeroshot::packTexts(m_positiveLabels);
        return state;
    }
    void restoreFittedState(const DetectorState &state) override
    {
        m_grouping = zeroshot::GroupingModel::restore(state, id(), setting("groups"));
        m_positiveLabels = zeroshot::unpackTexts(require(state, "positive_labels", id()));
        if (static_cast<int64_t>(m_positiveLabels.size()) != m_grouping.positives.size(0))
            throw Error("detector 'negrefine': the ID labels do not match their embeddings");
    }

  private:
    /// max over the top positives p and top negatives n of sigmoid(t_pn - neg_n), [N] float64.
    at::Tensor multiMatchingScore(const ClipBackbone &clip, const at::Tensor &features,
                                  const at::Tensor &positives, const at::Tensor &negatives) const
    {
        const int64_t topPositives =
            std::min<int64_t>(static_cast<int64_t>(setting("top_positives")), positives.size(1));
        const int64_t topNegatives =
            std::min<int64_t>(static_cast<int64_t>(setting("top_negatives")), negatives.size(1));
        const at::Tensor p = std::get<1>(positives.topk(topPositives, 1)).contiguous();
        const auto [negativeValues, negativeIndices] = negatives.topk(topNegatives, 1);
        const at::Tensor n = negativeIndices.contiguous();
        const int64_t frames = features.size(0);
        at::Tensor out = torch::empty({frames}, torch::kFloat64);
        for (int64_t f = 0; f < frames; ++f) {
            std::vector<std::pair<int64_t, int64_t>> pairs;
            for (int64_t i = 0; i < topPositives; ++i)
                for (int64_t j = 0; j < topNegatives; ++j)
                    pairs.emplace_back(p[f][i].item<int64_t>(), n[f][j].item<int64_t>());
            const at::Tensor pairEmbeddings = pairEmbeddingsFor(clip, pairs); // [P*K, D]
            const at::Tensor t =
                zeroshot::scaledCosines(features[f].unsqueeze(0), pairEmbeddings, m_grouping.logitScale)
                    .view({topPositives, topNegatives});
            const at::Tensor negativeLogits = negativeValues[f].unsqueeze(0); // [1,K]
            out[f] = torch::sigmoid(t - negativeLogits).max();
        }
        return out;
    }

    at::Tensor pairEmbeddingsFor(const ClipBackbone &clip,
                                 const std::vector<std::pair<int64_t, int64_t>> &pairs) const
    {
        std::lock_guard<std::mutex> lock(m_pairMutex);
        std::vector<std::pair<int64_t, int64_t>> missing;
        for (const auto &pair : pairs)
            if (!m_pairCache.count(pair))
                missing.push_back(pair);
        if (!missing.empty()) {
            LabelEmbeddingRequest request;
            for (const auto &[positive, negative] : missing)
                request.labels.push_back(m_positiveLabels[static_cast<size_t>(positive)] + " and " +
                                         m_grouping.negatives.labels[static_cast<size_t>(negative)]);
            request.templates = nounTemplates();
            const at::Tensor embedded = embedLabels(clip.model(), request);
            // A whole archive can meet many pairs: past the cap the cache starts again rather than
            // growing without bound (ViT-B/16: 2 KB a pair, so at most about 100 MB).
            if (m_pairCache.size() + missing.size() > kPairCacheLimit)
                m_pairCache.clear();
            for (size_t i = 0; i < missing.size(); ++i)
                m_pairCache[missing[i]] = embedded[static_cast<int64_t>(i)].clone();
        }
        std::vector<at::Tensor> rows;
        for (const auto &pair : pairs)
            rows.push_back(m_pairCache.at(pair));
        return torch::stack(rows);
    }

    zeroshot::GroupingModel m_grouping;
    std::vector<std::string> m_positiveLabels;
    mutable std::mutex m_pairMutex;
    mutable std::map<std::pair<int64_t, int64_t>, at::Tensor> m_pairCache;
};

} // namespace

const DetectorDescriptor &negRefineDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "negrefine";
        d.displayName = "NegRefine";
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new NegRefine); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
