#pragma once
// Calibrating the verdict rule on a profile's ID validation scores: the number of detectors that
// must agree is the smallest that flags at most the target share of normal frames.

#include "calib/profile.h"
#include "calib/verdictrule.h"

namespace ood {

/// The profile's verdict rule (Profile::verdictDetector; empty: at least k of the enabled
/// detectors) calibrated on its validation scores against its current thresholds: target share
/// 1 - targetTpr, `minFlags` the smallest k whose measured false-alarm rate is at most the target
/// (every enabled detector when none is), `falseAlarmRate` measured. `enabled`: one entry per
/// profile detector (empty: all). Validation frames with a NaN score for an enabled detector
/// count as not flagged by it. A profile without validation frames gives a rule that cannot
/// decide (canDecide() false).
VerdictRule calibrateVerdict(const Profile &profile, const std::vector<bool> &enabled = {});

} // namespace ood
