#pragma once
// NERO's neuron relevance at the classifier head (docs/detectors.md, NERO, step 1): LRP-0/epsilon
// through the final linear layer with the output relevance set to the softmax vector and the bias
// treated as an extra neuron whose activation is 1.

#include <ATen/core/Tensor.h>

namespace ood {

struct HeadRelevance
{
    at::Tensor neurons; ///< [N,D] float64: R_j = h_j * sum_c p_c W_cj / (z_c + eps)
    at::Tensor bias;    ///< [N] float64: r_b = sum_c p_c b_c / (z_c + eps)
    /// [N] bool: a logit had |z_c + eps| < 1e-12 and its denominator was nudged away from zero.
    at::Tensor nearZeroLogit;
};

/// features [N,D], weight [C,D], bias [C]. With epsilon = 0 (NERO's code),
/// sum_j neurons + bias == 1 for every sample.
HeadRelevance headRelevance(const at::Tensor &features, const at::Tensor &weight, const at::Tensor &bias,
                            double epsilon = 0.0);

} // namespace ood
