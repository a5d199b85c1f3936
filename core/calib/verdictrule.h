#pragma once
// The verdict rule as plain data, and the one comparison that turns a detector's score into a
// flag. Here in calib/ (not pipeline/) so that calibrating the rule on a profile's validation
// scores (calib/verdictcalibration.h) and saving it with the profile sit below the pipeline;
// everything else includes pipeline/verdict.h, which includes this.

#include <cmath>
#include <string>

namespace ood {

/// A detector flags a frame when its score (higher = more likely OOD) is strictly above the
/// detector's threshold. A missing score (NaN: not scored, or the detector switched off) compares
/// false and never flags; so does a missing threshold (NaN: a zero-shot profile fitted without
/// validation frames can score but not flag, Profile::canFlag).
inline bool exceedsThreshold(double score, double threshold)
{
    return score > threshold;
}

/// The verdict: one answer per frame ("Unusual for this model" / "Nothing unusual found") made
/// from the detectors' flags by a rule whose false-alarm rate on the profile's ID validation
/// frames is known (calib/verdictcalibration.h makes it; docs/verdict.md explains it).
struct VerdictRule
{
    /// Empty: the frame is unusual when at least `minFlags` of the enabled detectors flag it.
    /// Otherwise the id of the one detector whose flag is the verdict.
    std::string detectorId;
    int minFlags = 1;
    /// Share of the ID validation frames the rule calls unusual (measured when it was calibrated);
    /// NaN when the profile has no validation frames (then the rule calls nothing unusual).
    double falseAlarmRate = std::nan("");
    /// The share asked for (1 - the profile's target TPR); the rule flags at most this share
    /// unless even requiring every detector flags more.
    double targetFalseAlarmRate = 0.05;
    int validationFrames = 0;

    bool canDecide() const { return validationFrames > 0; }
};

} // namespace ood
