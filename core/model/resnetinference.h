#pragma once
// The inference forward of a native ResNet on LibTorch's fast path. A trained ResNetImpl runs
// BatchNorm as a separate pass over every activation and its convolutions in plain NCHW; for
// inference the BatchNorm of each conv folds into the conv's weights and a bias, and the whole
// network, written out as a TorchScript graph, goes through torch::jit::freeze and
// torch::jit::optimize_for_inference (oneDNN layouts kept between the layers, ReLU and the
// residual add done in place) - what Python's frozen-and-optimised path does, so the native
// forward runs as fast as that one (docs/benchmarks.md, "Forward pass").
//
// Gradients are not taken here: logitsWithGradient and LRP keep the module itself (LRP has its own
// canonised path), and training never sees this.

#include "model/resnet.h"

#include <memory>
#include <string>

namespace ood {

/// A ResNet's inference forward on one of the paths. Safe for concurrent use: it holds its own
/// copies of the folded weights and never changes them. The module handed in is only read while
/// constructing (Eager keeps a reference to it).
class ResNetInference
{
  public:
    /// Builds `path` for `model` (eval-mode statistics). The Frozen path falls back to Folded
    /// when LibTorch cannot freeze or optimise the graph; fallbackReason() then says why.
    /// BFloat16 runs on the Folded path (the frozen oneDNN conversion is float32 only).
    ResNetInference(ResNet model, ForwardPath path, Precision precision = Precision::Float32);
    ~ResNetInference();
    ResNetInference(const ResNetInference &) = delete;
    ResNetInference &operator=(const ResNetInference &) = delete;

    /// The path actually taken (Folded after a fallback).
    ForwardPath path() const;
    Precision precision() const;
    /// Why the Frozen path was not taken; empty when it was (or was not asked for).
    const std::string &fallbackReason() const;

    /// early (layer1), featureMaps (layer4), features, logits as ResNetImpl::forwardAll gives them,
    /// float32 and contiguous, including the AbeT outputs when the model has the heads. Runs in
    /// inference mode.
    ResNetOutputs forward(const at::Tensor &input, bool keepFeatureMaps, bool keepEarly) const;
    /// layer2 -> layer4 -> avgpool -> flatten from a layer1 output.
    at::Tensor featuresFromEarly(const at::Tensor &early) const;

  private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace ood
