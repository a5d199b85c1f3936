#pragma once
// One forward pass per batch feeds every enabled detector; detectors whose descriptor asks for the
// gradient pass (ODIN, PRO) run their extra passes on the same batch afterwards, sharing one
// forward with autograd on the batch (GradientPass::inputGraph) that lives until the batch is
// scored.

#include "detect/detector.h"
#include "detect/gradientpass.h"
#include "model/backbone.h"

#include <vector>

namespace ood {

struct BatchScores
{
    Activations activations;
    at::Tensor predictions;         ///< [n] int64, argmax of the logits
    at::Tensor confidences;         ///< [n] float64, max softmax
    std::vector<at::Tensor> scores; ///< one [n] float64 per detector, in the order given
};

class Scorer
{
  public:
    /// The detectors must outlive the scorer and be fitted. `extra`: activations to produce
    /// beyond what the detectors need (e.g. for fitting).
    Scorer(Backbone &backbone, std::vector<const Detector *> detectors, ForwardRequest extra = {});

    /// `input` [n,3,H,W] normalised. Throws ood::Error when a detector fails on the batch.
    BatchScores scoreBatch(const at::Tensor &input) const;

    /// Scores already-computed activations with the detectors that need nothing beyond logits
    /// and features; throws ood::Error for one that needs more.
    std::vector<at::Tensor> scoreActivations(const Activations &activations) const;

    const ForwardRequest &forwardRequest() const { return m_request; }

  private:
    Backbone &m_backbone;
    std::vector<const Detector *> m_detectors;
    std::vector<bool> m_needsGradientPass; ///< per detector: needs().score.gradientPass
    ForwardRequest m_request;
    at::Tensor m_headWeight, m_headBias;
};

} // namespace ood
