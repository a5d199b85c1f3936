#pragma once
// The extra passes through the model that a few detectors run beyond the shared forward pass:
// ODIN and PRO differentiate the logits w.r.t. the input and score a perturbed batch, GROOD's fit
// runs the network from mixed early activations. A detector gets one only when its descriptor asks
// for it (ScoreNeeds::gradientPass, FitNeeds::gradientPass); the others never see the model.

#include <ATen/core/Tensor.h>

#include <mutex>

namespace ood {

class Backbone;

/// The unperturbed batch x0 on an autograd graph (GradientPass::inputGraph).
struct InputGraph
{
    at::Tensor input;  ///< [N,3,H,W] float32 copy of the batch, requires_grad set: the leaf
    at::Tensor logits; ///< [N,C] on the graph of `input`
};

/// Safe to use from several threads at once, as the Backbone it wraps (model/backbone.h): every
/// call reads the model only, and input gradients are taken with torch::autograd::grad, which
/// never accumulates into a tensor.
///
/// A pass bound to a batch (the Scorer binds one per batch) runs the forward with autograd on x0
/// once, on first request, for every detector of that batch: ODIN and each PRO variant start from
/// the same graph, so selecting several of them costs that forward once (docs/detectors.md, "Cost
/// in passes"). The graph lives as long as the pass.
class GradientPass
{
  public:
    /// `backbone` must outlive the pass. Unbound: inputGraph() builds a graph per call.
    explicit GradientPass(Backbone &backbone) : m_backbone(backbone) {}
    /// Bound to `batch` (the tensor ScoreContext::input holds): inputGraph(batch) is shared.
    GradientPass(Backbone &backbone, at::Tensor batch) : m_backbone(backbone), m_batch(std::move(batch)) {}
    GradientPass(const GradientPass &) = delete;
    GradientPass &operator=(const GradientPass &) = delete;

    /// The logits on x0 = `input` with autograd. When `input` is the batch this pass is bound to,
    /// the graph is built once and shared: callers must differentiate it with
    /// torch::autograd::grad(..., retain_graph = true) and never modify its tensors in place.
    /// Otherwise a graph of the caller's own, built for this call. Throws what the model throws.
    InputGraph inputGraph(const at::Tensor &input) const;
    /// Logits [N,C] on the caller's autograd graph (autograd enabled). `input` [N,3,H,W] must have
    /// requires_grad set by the caller.
    at::Tensor logitsWithGradient(const at::Tensor &input) const;
    /// Logits [N,C] of an inference pass (no graph), e.g. of a perturbed batch.
    at::Tensor logits(const at::Tensor &input) const;
    /// Penultimate features [N,D] from the `early` activation (ForwardRequest::early); undefined
    /// when the model cannot run from it (Backbone::canRunFromEarly).
    at::Tensor featuresFromEarly(const at::Tensor &early) const;

  private:
    InputGraph buildInputGraph(const at::Tensor &input) const;

    Backbone &m_backbone;
    at::Tensor m_batch; ///< undefined when unbound
    /// Held while the shared graph is built, so concurrent first requests build it once; a
    /// build that throws leaves it unbuilt and the next request tries again.
    mutable std::mutex m_sharedMutex;
    mutable InputGraph m_shared;
};

} // namespace ood
