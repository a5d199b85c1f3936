#pragma once
// What the window works on: a profile with its model (the sha256 checked), and the frames opened
// under it. No widgets; the window and the tests share it.

#include "calib/profile.h"
#include "session/framerecord.h"

#include <QStringList>

#include <memory>
#include <vector>

namespace ood {

class Backbone;

class InspectionSession
{
  public:
    /// Loads the profile and its model (or `modelOverride`), refusing a model whose sha256 does
    /// not match the profile. Throws ood::Error; the session is unchanged then.
    void openProfile(const QString &profilePath, const QString &modelOverride = {});
    bool isOpen() const { return m_profile != nullptr; }

    std::shared_ptr<const Profile> profile() const { return m_profile; }
    std::shared_ptr<Backbone> backbone() const { return m_backbone; }
    QString profilePath() const { return m_profilePath; }
    QString profileSha256() const { return m_profileSha256; }
    QString modelPath() const;
    QString modelSha256() const;

    QStringList detectorIds() const;
    QStringList detectorNames() const;
    std::vector<double> thresholds() const;
    QStringList classNames() const;

    /// Moves every threshold so that `tpr` of the ID validation frames pass (the profile's own
    /// rule, eval/metrics.h thresholdAtTpr). Not while a job reads the profile. Throws ood::Error
    /// for a share outside (0, 1].
    void setTargetTpr(double tpr);
    double targetTpr() const;

    /// Frame records for files, folders (recursive) and list files; `problems` gets what could
    /// not be listed. A video file (data/videosource.h videoExtensions) given by name becomes its
    /// frames 0, videoEvery, 2*videoEvery, ...; a video that cannot be opened is a problem. The
    /// truth comes from the folder names (see truthFromPath).
    std::vector<FrameRecord> framesFor(const QStringList &paths, QStringList *problems = nullptr,
                                       int videoEvery = 1) const;
    /// ID/OOD from the path's folder names: a folder named id, in-distribution or test-id means
    /// ID; ood, near-ood, far-ood, or a name ending in -ood / _ood means OOD; else unknown.
    static FrameTruth truthFromPath(const QString &path);

  private:
    std::shared_ptr<Profile> m_profile;
    std::shared_ptr<Backbone> m_backbone;
    QString m_profilePath;
    QString m_profileSha256;
};

} // namespace ood
