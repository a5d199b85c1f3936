#pragma once
// Class-activation style maps from the last convolutional block of a CNN with a global-average-
// pooling + linear head (docs/detectors.md, Explanation maps). They need no extra pass: the maps A
// [K,h,w] come from the same forward pass that scores the frame.

#include "explain/heatmap.h"

namespace ood {

/// LRP's proportional rule through the average pooling: M_ij = sum_k A_kij w_k / sum_ij A_kij.
/// With w = NERO's neuron relevance R this is the relevance-weighted CAM, and sum_ij M = sum_k
/// R_k exactly (channels with sum A = 0 carry h_k = 0 and so R_k = 0; they add nothing).
/// featureMaps [K,h,w] (or [1,K,h,w]), weights [K]. Returns [h,w] float64.
at::Tensor proportionalPoolingMap(const at::Tensor &featureMaps, const at::Tensor &weights);

/// Grad-CAM for the logit of `targetClass`, in the closed form of a GAP + linear head:
/// alpha_k = W_ck / (h w), L = ReLU(sum_k alpha_k A_k). Units: logit per feature-map cell.
/// Throws ood::Error when `features` is not the spatial mean of `featureMaps` (the head is
/// then not GAP + linear and the closed form would be wrong) or on bad shapes.
at::Tensor gradCamMap(const at::Tensor &featureMaps, const at::Tensor &features, const at::Tensor &headWeight,
                      int64_t targetClass);

} // namespace ood
