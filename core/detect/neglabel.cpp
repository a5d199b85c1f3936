// NegLabel (Jiang et al., ICLR 2024): the frame's similarity to the ID labels against its
// similarity to thousands of negative labels mined from WordNet, in G = 100 groups
// (methods.md §11, score step 1). Unified score: -S_NL.

#include "detect/detectors.h"
#include "detect/zeroshotsupport.h"
#include "base/error.h"
#include "model/clipbackbone.h"
#include "model/labelembeddings.h"

#include <torch/torch.h>

namespace ood::detectors {

namespace {

class NegLabel final : public Detector
{
  public:
    NegLabel() : Detector(negLabelDescriptor()) { declareSetting("groups", 100); }

    std::string unavailableReason(const Backbone &backbone) const override
    {
        return zeroshot::unavailableOn(backbone, displayName());
    }

    void fit(const FitContext &context) override
    {
        m_negatives = zeroshot::negativeLabelsFor(context, MiningVariant::NegLabel);
        LabelEmbeddingRequest request;
        request.labels = context.clip->classNames();
        request.templates = miningTemplates(MiningVariant::NegLabel, PartOfSpeech::Noun);
        request.modelSha256 = context.clip->sha256();
        m_positives = embedLabels(context.clip->model(), request);
        m_permutation = zeroshot::groupingPermutationFor(m_negatives.embeddings.size(0), setting("groups"),
                                                         displayName());
        m_logitScale = context.clip->model().logitScale();
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        const at::Tensor &features = context.activations.features;
        const at::Tensor positives = zeroshot::scaledCosines(features, m_positives, m_logitScale);
        const at::Tensor negatives = zeroshot::scaledCosines(features, m_negatives.embeddings, m_logitScale);
        return -zeroshot::groupingScore(positives, negatives, m_permutation,
                                        static_cast<int64_t>(setting("groups")));
    }

    const NegativeLabels *negativeLabels() const override { return &m_negatives; }

  protected:
    DetectorState fittedState() const override
    {
        DetectorState state;
        zeroshot::storeNegatives(m_negatives, state);
        state["positive_embeddings"] = m_positives;
        state["permutation"] = m_permutation;
        state["logit_scale"] = torch::tensor(m_logitScale, torch::kFloat64);
        return state;
    }
    void restoreFittedState(const DetectorState &state) override
    {
        m_negatives = zeroshot::restoreNegatives(state, id());
        m_positives = require(state, "positive_embeddings", id()).to(torch::kFloat32).contiguous();
        m_permutation = require(state, "permutation", id()).to(torch::kInt64).contiguous();
        m_logitScale = require(state, "logit_scale", id()).item<double>();
        const auto groups = static_cast<int64_t>(setting("groups"));
        if (m_permutation.numel() % groups != 0 || m_permutation.numel() > m_negatives.embeddings.size(0))
            throw Error("detector 'neglabel': the grouping permutation does not fit the negative labels");
    }

  private:
    NegativeLabels m_negatives;
    at::Tensor m_positives;
    at::Tensor m_permutation;
    double m_logitScale = 100;
};

} // namespace

const DetectorDescriptor &negLabelDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "neglabel";
        d.displayName = "NegLabel";
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new NegLabel); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
