// MCM, maximum concept matching (Ming et al., NeurIPS 2022): the largest softmax probability of the
// frame's cosines to the ID labels' text embeddings at temperature T (default 1). On CLIP's
// logits (logit scale x cosine) MSP is the same rule at T = 1/logit scale; MCM's T = 1 spreads the
// probabilities far more. Unified score: -max softmax(cos / T).

#include "detect/detectors.h"
#include "detect/zeroshotsupport.h"
#include "base/error.h"
#include "model/clipbackbone.h"

#include <torch/torch.h>

namespace ood::detectors {

namespace {

class Mcm final : public Detector
{
  public:
    Mcm() : Detector(mcmDescriptor()) { declareSetting("temperature", 1.0); }

    std::string unavailableReason(const Backbone &backbone) const override
    {
        return zeroshot::unavailableOn(backbone, displayName());
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        if (!context.clip)
            throw Error("MCM needs a vision-language model");
        const at::Tensor cosines =
            zeroshot::scaledCosines(context.activations.features, context.clip->classEmbeddings(), 1.0);
        return -std::get<0>(torch::softmax(cosines / setting("temperature"), 1).max(1));
    }
};

} // namespace

const DetectorDescriptor &mcmDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "mcm";
        d.displayName = "MCM";
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Mcm); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
