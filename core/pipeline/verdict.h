#pragma once
// The one rule that turns a detector's score into a flag. Every place that counts or shows flags
// (CLI rows, the window, reports, explanations) calls it, so they can never disagree.

// The rule itself (exceedsThreshold, VerdictRule) sits in calib/, below the pipeline, because
// calibrating it on a profile's validation scores is part of the profile (calib/verdictcalibration.h).
#include "calib/verdictrule.h"

#include <QString>

#include <string>
#include <vector>

namespace ood {

/// How many detectors flag a frame: `scores` and `thresholds` hold one value per detector in the
/// same order; a detector whose `enabled` entry is false does not count (one beyond `enabled`, or all
/// when it is empty, do).
int countFlags(const std::vector<double> &scores, const std::vector<double> &thresholds,
               const std::vector<bool> &enabled = {});

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
