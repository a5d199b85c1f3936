#pragma once
// The extra passes through the model that a few detectors run beyond the shared forward pass:
// ODIN and PRO differentiate the logits w.r.t. the input and score a perturbed batch, GROOD's fit
// runs the network from mixed early activations. A detector gets one only when its descriptor asks
// for it (ScoreNeeds::gradientPass, FitNeeds::gradientPass); the others never see the model.

#include <ATen/core/Tensor.h>

namespace ood {

class Backbone;

/// Safe to use from several threads at once, as the Backbone it wraps (model/backbone.h): every
/// call reads the model only, and input gradients are taken on the caller's own graph.
class GradientPass
{
  public:
    /// `backbone` must outlive the pass.
    explicit GradientPass(Backbone &backbone) : m_backbone(backbone) {}

    /// Logits [N,C] on the caller's autograd graph (autograd enabled). `input` [N,3,H,W] must have
    /// requires_grad set by the caller.
    at::Tensor logitsWithGradient(const at::Tensor &input) const;
    /// Logits [N,C] of an inference pass (no graph), e.g. of a perturbed batch.
    at::Tensor logits(const at::Tensor &input) const;
    /// Penultimate features [N,D] from the `early` activation (ForwardRequest::early); undefined
    /// when the model cannot run from it (Backbone::canRunFromEarly).
    at::Tensor featuresFromEarly(const at::Tensor &early) const;

  private:
    Backbone &m_backbone;
};

} // namespace ood
