#pragma once
// Fitting a profile: one pass over the ID training images (statistics for every detector), one
// pass over the ID validation images (their score distributions and the thresholds).

#include "calib/profile.h"
#include "data/samplelist.h"
#include "model/modelloader.h"
#include "pipeline/scoringrun.h"

#include <map>
#include <string>
#include <vector>

namespace ood {

struct FitOptions
{
    std::vector<std::string> detectorIds; ///< empty: every registered detector
    /// Setting overrides by detector id and setting name, applied before fitting (and saved in the
    /// profile). An unknown id or setting name throws ood::Error.
    std::map<std::string, std::map<std::string, double>> settings;
    RunOptions run;
    double targetTpr = 0.95;
    /// Where the zero-shot detectors take their negative labels from (CLIP models only).
    NegativeLabelSource negatives;
};

struct FitReport
{
    std::vector<std::pair<QString, QString>> failedImages; ///< path, reason
};

/// `train` must be labelled with the model's classes (ImageFolder); `validation` may be labelled
/// or not. Throws ood::Error when the folders do not fit the model or a detector cannot be fitted.
Profile fitProfile(LoadedModel &model, const SampleList &train, const SampleList &validation,
                   const FitOptions &options, const ProgressCallback &progress = {},
                   FitReport *report = nullptr);

/// An ImageFolder list relabelled so that class i is `order[i]` (`fit --classes`): a checkpoint
/// trained with another class order than the byte-sorted folder names. `order` must name every
/// class folder of `list` once and nothing else; throws ood::Error naming `folder` and the name
/// that is missing, extra or repeated. An unlabelled (flat) list is returned as it is.
SampleList withClassOrder(const SampleList &list, const QStringList &order, const QString &folder);

/// How well one detector of a profile tells its ID validation frames from OOD validation frames.
struct OodValidationResult
{
    std::string detectorId;
    double auroc = 0;      ///< ID validation vs OOD validation, OOD positive (eval/metrics.h)
    double oodFlagged = 0; ///< share of the scored OOD validation frames over the detector's threshold
    int64_t oodFrames = 0; ///< OOD validation frames with a score for this detector
};

/// One entry per detector of `profile` that has validation scores, best AUROC first (profile
/// order among equal ones). `ood` holds the OOD validation frames scored with `profile` and every
/// one of its detectors (scoreImages); failed frames are left out. Throws ood::Error when no OOD
/// frame was scored or the profile has no validation frames.
std::vector<OodValidationResult> oodValidationResults(const Profile &profile, const ScoredImages &ood);

} // namespace ood
