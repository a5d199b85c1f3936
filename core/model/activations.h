#pragma once
// What one forward pass hands to the detectors. All tensors are float32 on the CPU, batch-first.

#include <ATen/core/Tensor.h>

namespace ood {

/// Which optional activations a forward pass must keep. Logits and penultimate features are
/// always produced; the rest cost memory and are produced only on request.
struct ForwardRequest
{
    bool featureMaps = false; ///< last convolutional block, [N,K,h,w]
    bool early = false;       ///< output of the first residual stage, [N,K1,h1,w1] (GROOD)

    ForwardRequest &operator|=(const ForwardRequest &other)
    {
        featureMaps = featureMaps || other.featureMaps;
        early = early || other.early;
        return *this;
    }
};

struct Activations
{
    at::Tensor logits;      ///< [N,C]
    at::Tensor features;    ///< [N,D] penultimate: exactly the input of the final linear layer
    at::Tensor featureMaps; ///< [N,K,h,w] or undefined when not requested / not available
    at::Tensor early;       ///< [N,...] or undefined
    at::Tensor temperature; ///< [N] learned temperature (AbeT models) or undefined
    at::Tensor cosine;      ///< [N,C] AbeT numerators f_c or undefined

    int64_t batchSize() const { return logits.defined() ? logits.size(0) : 0; }
};

} // namespace ood
