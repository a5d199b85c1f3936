#include "pipeline/scorer.h"

#include "base/error.h"

#include <torch/torch.h>

namespace ood {

Scorer::Scorer(Backbone &backbone, std::vector<const Detector *> detectors, ForwardRequest extra)
    : m_backbone(backbone), m_detectors(std::move(detectors)), m_request(extra),
      m_headWeight(backbone.headWeight()), m_headBias(backbone.headBias())
{
    for (const Detector *detector : m_detectors) {
        const ScoreNeeds needs = detector->needs().score;
        m_request |= needs.forward;
        m_needsGradientPass.push_back(needs.gradientPass);
    }
}

BatchScores Scorer::scoreBatch(const at::Tensor &input) const
{
    BatchScores result;
    result.activations = m_backbone.forward(input, m_request);
    const at::Tensor logits = result.activations.logits.to(torch::kFloat64);
    result.predictions = logits.argmax(1);
    result.confidences = std::get<0>(torch::softmax(logits, 1).max(1));
    // Bound to this batch, so its detectors share the graph on x0; it goes with the batch. Handed
    // only to the detectors that need it.
    const GradientPass gradientPass(m_backbone, input);
    for (size_t d = 0; d < m_detectors.size(); ++d) {
        const Detector *detector = m_detectors[d];
        const bool needsGradientPass = m_needsGradientPass[d];
        ScoreContext context{result.activations,
                             needsGradientPass ? input : at::Tensor(),
                             needsGradientPass ? &gradientPass : nullptr,
                             m_headWeight,
                             m_headBias,
                             m_backbone.asClip()};
        try {
            at::Tensor s = detector->score(context);
            if (s.dim() != 1 || s.size(0) != input.size(0))
                throw Error("returned " + std::to_string(s.numel()) + " scores for " +
                            std::to_string(input.size(0)) + " images");
            result.scores.push_back(s.to(torch::kFloat64));
        } catch (const c10::Error &e) {
            throw Error("detector '" + detector->id() + "' failed: " + e.what_without_backtrace());
        }
    }
    return result;
}

std::vector<at::Tensor> Scorer::scoreActivations(const Activations &activations) const
{
    std::vector<at::Tensor> scores;
    for (const Detector *detector : m_detectors) {
        const ScoreNeeds needs = detector->needs().score;
        if (needs.gradientPass || needs.forward.featureMaps || needs.forward.early)
            throw Error("internal: detector '" + detector->id() + "' cannot score from stored features");
        ScoreContext context{activations, {}, nullptr, m_headWeight, m_headBias, m_backbone.asClip()};
        try {
            scores.push_back(detector->score(context).to(torch::kFloat64));
        } catch (const c10::Error &e) {
            throw Error("detector '" + detector->id() + "' failed: " + e.what_without_backtrace());
        }
    }
    return scores;
}

} // namespace ood
