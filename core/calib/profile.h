#pragma once
// A profile: everything needed to score new frames with a model: the model's identity and
// preprocessing, every detector's fitted state, the ID validation score distributions and the
// thresholds. One file, written atomically, readable from Python with torch.load (layout in
// docs/profile-format.md), validated on load.

#include "detect/detector.h"
#include "model/modelcard.h"

#include <QString>

#include <memory>
#include <string>
#include <vector>

namespace ood {

struct ProfileDetector
{
    std::unique_ptr<Detector> detector;
    at::Tensor validationScores; ///< [N_val] float64, unified sign
    double threshold = 0;        ///< flag a frame when score > threshold; NaN: no threshold
};

struct Profile
{
    static constexpr int64_t kFormatVersion = 1;
    static constexpr const char *kFormatName = "ood-inspector-profile";

    ModelCard model;
    std::vector<ProfileDetector> detectors;
    /// Detectors that were asked for but cannot run on this model: id and reason, in order.
    std::vector<std::pair<std::string, std::string>> unavailable;
    double targetTpr = 0.95; ///< share of ID validation frames accepted by each threshold
    /// The verdict rule (calib/verdictcalibration.h): empty means "at least k of the enabled
    /// detectors", k calibrated so that at most 1 - targetTpr of the ID validation frames are
    /// called unusual; otherwise the id of the one detector that decides (`fit --verdict`).
    std::string verdictDetector;
    std::string trainPath, validationPath;
    int64_t trainCount = 0, validationCount = 0;
    std::string createdUtc; ///< ISO 8601
    std::string appVersion;

    const ProfileDetector *find(const std::string &detectorId) const;
    /// False for a profile fitted without validation frames (a CLIP fitted from class names
    /// alone): it scores frames but has no thresholds, so it flags none.
    bool canFlag() const { return validationCount > 0; }
    /// The reason a detector was left out of this profile, or empty.
    std::string unavailableReason(const std::string &detectorId) const;
};

/// Atomic (QSaveFile). Throws ood::Error when the file cannot be written.
void saveProfile(const Profile &profile, const QString &path);

/// Throws ood::Error naming the file and the problem: missing, not a profile (foreign or
/// truncated file), a newer format version, unknown detector, a detector state written by a newer
/// version of that detector (DetectorDescriptor::stateVersion), malformed entries.
Profile loadProfile(const QString &path);

} // namespace ood
