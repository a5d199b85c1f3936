#pragma once
// The threshold policy, written once: every detector's threshold accepts a share `tpr` of its ID
// validation scores (eval/metrics.h thresholdAtTpr). Fitting a profile and moving the share in a
// session both go through it.

#include "calib/profile.h"

namespace ood {

/// The threshold that accepts `tpr` of `validationScores` ([N] any floating dtype).
double thresholdForTpr(const at::Tensor &validationScores, double tpr);

/// Sets every detector's threshold and `profile.targetTpr`. Throws ood::Error for a share outside
/// (0, 1]; the profile is unchanged then.
void applyThresholdPolicy(Profile &profile, double tpr);

} // namespace ood
