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
        m_grouping.negatives = zeroshot::negativeLabelsFor(context, MiningVariant::NegLabel);
        LabelEmbeddingRequest request;
        request.labels = context.clip->classNames();
        request.templates = miningTemplates(MiningVariant::NegLabel, PartOfSpeech::Noun);
        request.modelSha256 = context.clip->sha256();
        m_grouping.positives = embedLabels(context.clip->model(), request);
        m_grouping.permutation = zeroshot::groupingPermutationFor(m_grouping.negatives.embeddings.size(0),
                                                                  setting("groups"), displayName());
        m_grouping.logitScale = context.clip->model().logitScale();
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        const auto [positives, negatives] = m_grouping.logits(context.activations.features);
        return -zeroshot::groupingScore(positives, negatives, m_grouping.permutation,
                                        static_cast<int64_t>(setting("groups")));
    }

    const NegativeLabels *negativeLabels() const override { return &m_grouping.negatives; }

  protected:
    DetectorState fittedState() const override
    {
        DetectorState state;
        m_grouping.store(state);
        return state;
    }
    void restoreFittedState(const DetectorState &state) override
    {
        m_grouping = zeroshot::GroupingModel::restore(state, id(), setting("groups"));
    }

  private:
    zeroshot::GroupingModel m_grouping;
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
