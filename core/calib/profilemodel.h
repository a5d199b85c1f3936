#pragma once
// Opening the model a profile was fitted on, refusing any other: model files are code, and a
// profile's thresholds only mean something for the exact weights it was fitted with.

#include "calib/profile.h"
#include "model/modelloader.h"

#include <QString>

namespace ood {

/// Loads the profile's model (or the file at `overridePath`) and refuses a file whose sha256
/// differs from the profile's, or whose shape differs. The card gets the profile's class names
/// and preprocessing, and the precision it runs in. Throws ood::ModelNotFound when the file does
/// not exist, ood::Error naming the file and both digests when it is another model.
LoadedModel loadProfileModel(const Profile &profile, const QString &overridePath = {},
                             const InferenceOptions &inference = {});

/// Empty when scoring in `used` matches the precision the profile was fitted in; otherwise a
/// sentence saying what the difference means for its thresholds.
std::string precisionMismatch(const Profile &profile, Precision used);

} // namespace ood
