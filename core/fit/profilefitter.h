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

} // namespace ood
