#include "calib/thresholdpolicy.h"

#include "base/error.h"
#include "eval/metrics.h"

#include <torch/torch.h>

#include <limits>

namespace ood {

double thresholdForTpr(const at::Tensor &validationScores, double tpr)
{
    // Without validation frames (a zero-shot profile fitted from class names alone) there is no
    // threshold: NaN, which no score exceeds (pipeline/verdict.h).
    if (!validationScores.defined() || validationScores.numel() == 0)
        return std::numeric_limits<double>::quiet_NaN();
    const at::Tensor s = validationScores.to(at::kDouble).contiguous();
    return thresholdAtTpr(std::vector<double>(s.data_ptr<double>(), s.data_ptr<double>() + s.numel()), tpr);
}

void applyThresholdPolicy(Profile &profile, double tpr)
{
    if (!(tpr > 0 && tpr <= 1))
        throw Error("the share of ID frames to accept must be in (0, 1], got " + std::to_string(tpr));
    for (ProfileDetector &d : profile.detectors)
        d.threshold = thresholdForTpr(d.validationScores, tpr);
    profile.targetTpr = tpr;
}

} // namespace ood
