#pragma once
// A classifier seen as a feature extractor: one forward pass gives every activation the
// detectors need (see activations.h).

#include "model/activations.h"
#include "model/modelcard.h"

#include <memory>
#include <string>

namespace ood {

/// Concurrency, decided once for the whole program: a Backbone is SAFE FOR CONCURRENT INFERENCE.
/// Its state is fixed when it is loaded (eval mode, every parameter frozen with requires_grad
/// off), and forward(), logitsWithGradient() and featuresFromEarly() only read it: input
/// gradients are taken with torch::autograd::grad on the caller's own graph and never accumulate
/// into the parameters. So the window's scoring job, the explanation of the selected frame and the
/// report's heatmaps run on one shared backbone at the same time without a lock, and give the
/// numbers they give one after the other (tests/core/backboneconcurrencytest.cpp). An
/// implementation must keep it so: nothing that mutates the model (train(), to(), caches of
/// activations, hooks) may run after construction.
class ClipBackbone;

class Backbone
{
  public:
    virtual ~Backbone() = default;

    virtual std::string architecture() const = 0;
    virtual int numClasses() const = 0;
    virtual int featureDim() const = 0;

    /// Eval mode, inference mode. `input` is [N,3,H,W] float32, normalised as the model card says.
    virtual Activations forward(const at::Tensor &input, const ForwardRequest &request) = 0;

    /// Logits [N,C] with autograd enabled, for detectors that differentiate w.r.t. the input
    /// (ODIN, PRO). `input` must have requires_grad set by the caller.
    virtual at::Tensor logitsWithGradient(const at::Tensor &input) = 0;

    /// Final linear layer: logits = features * weight^T + bias. weight [C,D], bias [C].
    virtual at::Tensor headWeight() const = 0;
    virtual at::Tensor headBias() const = 0;

    /// Whether forward() fills Activations::temperature and ::cosine (a model trained with
    /// AbeT's learned-temperature heads, docs/detectors.md `abet`).
    virtual bool hasLearnedTemperature() const { return false; }

    /// Runs the network from the `early` activation to the penultimate features [N,D]
    /// (GROOD's mid part). Returns an undefined tensor when the model cannot be split.
    virtual at::Tensor featuresFromEarly(const at::Tensor &early)
    {
        (void)early;
        return {};
    }
    /// True when forward() returns `early` on request AND featuresFromEarly() runs from it. A
    /// cheap query (no forward pass), so detectors can tell whether they are available.
    virtual bool canRunFromEarly() const { return false; }

    /// How forward() runs, for people: "frozen graph, float32", or the path taken and why a faster
    /// one was not ("op by op: <reason>").
    virtual std::string inferenceDescription() const { return "op by op, float32"; }

    /// The vision-language model behind this backbone, or null for a classifier: the zero-shot
    /// detectors (mcm, neglabel, negrefine) run only on one.
    virtual const ClipBackbone *asClip() const { return nullptr; }
};

} // namespace ood
