#pragma once
// How a model's inference forward runs: on which path (op by op, or as a frozen, optimised graph)
// and in which number format (float32 everywhere; bfloat16 on request for native ResNets, on CPUs
// that compute it natively: oneDNN with AVX512-BF16 or AMX). docs/benchmarks.md, "Forward pass".

#include <string>

namespace ood {

/// The ways the inference forward can run, slowest first; `ood-inspect bench` measures each.
enum class ForwardPath {
    Eager,  ///< the module as trained (native ResNet: conv, BatchNorm, ReLU op by op)
    Folded, ///< native ResNet: BatchNorm folded into the convs, channels-last tensors, op by op
    Frozen, ///< torch::jit::freeze + optimize_for_inference (native ResNet: of the folded network)
};

/// "eager", "folded", "frozen".
std::string forwardPathName(ForwardPath path);

enum class Precision {
    Float32,
    BFloat16, ///< weights and activations in bfloat16, outputs returned as float32
};

/// "float32", "bf16".
std::string precisionName(Precision precision);
/// Reads "float32"/"fp32" or "bf16"/"bfloat16"; throws ood::Error naming the valid values.
Precision precisionFromName(const std::string &name);
/// Empty when this CPU computes bfloat16 natively (AVX512-BF16 or AMX-BF16 in /proc/cpuinfo);
/// otherwise a sentence saying why bfloat16 is refused here.
std::string bfloat16Unsupported();

/// How the forward pass runs. Scores agree across paths to ~1e-5 relative (BatchNorm folding and
/// oneDNN's summation order); bfloat16 changes them more (docs/benchmarks.md, "bfloat16").
struct InferenceOptions
{
    /// Native ResNets: the path of their inference forward. TorchScript archives: Eager keeps the
    /// archive as it is; anything else freezes and optimises it when LibTorch can.
    ForwardPath path = ForwardPath::Frozen;
    /// BFloat16 for native ResNets only (ood::Error for another model). Whether the CPU computes
    /// it natively is the caller's policy (bfloat16Unsupported()).
    Precision precision = Precision::Float32;
};

} // namespace ood
