#pragma once
// The one rule that turns a detector's score into a flag. Every place that counts or shows flags
// (CLI rows, the window, reports, explanations) calls it, so they can never disagree.

#include <QString>

#include <cmath>
#include <string>
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

/// True when `rule` calls a frame with these scores unusual. `detectorIds`, `scores`,
/// `thresholds` and `enabled` hold one entry per detector in the same order (`enabled` as for
/// countFlags). A single-detector rule whose detector is missing or disabled falls back to
/// "at least minFlags".
bool isUnusual(const VerdictRule &rule, const std::vector<std::string> &detectorIds,
               const std::vector<double> &scores, const std::vector<double> &thresholds,
               const std::vector<bool> &enabled = {});

/// "Unusual for this model" / "Nothing unusual found", in the application's language
/// (QCoreApplication::translate, context "Verdict").
QString verdictWords(bool unusual);
/// The rule's false-alarm rate for people: "about 1 in 20 normal frames is flagged" (rounded to
/// a whole "1 in N"); "no normal frames to measure how often ..." when NaN.
QString falseAlarmWords(double rate);
/// The rule itself in words: "at least 3 of 11 checks find the frame unusual" or
/// "the check <name> finds the frame unusual".
QString verdictRuleWords(const VerdictRule &rule, int enabledDetectors, const QString &detectorName = {});

} // namespace ood
