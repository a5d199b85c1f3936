#pragma once
// The one rule that turns a detector's score into a flag. Every place that counts or shows flags
// (CLI rows, the window, reports, explanations) calls it, so they can never disagree.

#include <vector>

namespace ood {

/// A detector flags a frame when its score (higher = more likely OOD) is strictly above the
/// detector's threshold. A missing score (NaN: not scored, or the detector switched off) compares
/// false and never flags; so does a missing threshold (NaN: a zero-shot profile fitted without
/// validation frames can score but not flag, Profile::canFlag).
inline bool exceedsThreshold(double score, double threshold)
{
    return score > threshold;
}

/// How many detectors flag a frame: `scores` and `thresholds` hold one value per detector in the
/// same order; a detector whose `enabled` entry is false does not count (one beyond `enabled`, or all
/// when it is empty, do).
int countFlags(const std::vector<double> &scores, const std::vector<double> &thresholds,
               const std::vector<bool> &enabled = {});

} // namespace ood
