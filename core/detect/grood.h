#pragma once
// GROOD's closed-form gradient, exposed so the tests can check it against finite differences of
// the loss it differentiates. Internal to core: create the detector through the registry.

#include <ATen/core/Tensor.h>

namespace ood::grood {

/// g(h) = q_ood(h) * (h - p_ood) / ||h - p_ood|| for every row of `features` [N,D]: the gradient
/// with respect to p_ood of the cross-entropy of the nearest-class-prototype logits
/// -[||h-p_1||, ..., ||h-p_C||, ||h-p_ood||] against any ID class (docs/detectors.md, GROOD); q_ood
/// is the last entry of their softmax. 0 where h = p_ood. `classPrototypes` [C,D], `oodPrototype`
/// [D]. Returns [N,D] float64.
at::Tensor gradients(const at::Tensor &features, const at::Tensor &classPrototypes,
                     const at::Tensor &oodPrototype);

} // namespace ood::grood
