#pragma once
// An inspection session: a profile with its model (the sha256 checked), the frames opened under
// it, the detectors the user enabled, the threshold policy, and what follows from them over the
// open set (flags, ROC curves, a video's timeline, the per-detector summary of a report). QtCore
// only: the window, the CLI and the tests share it.

#include "calib/profile.h"
#include "eval/metrics.h"
#include "pipeline/scoringrun.h"
#include "pipeline/verdict.h"
#include "session/framerecord.h"

#include <QStringList>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ood {

class Backbone;
struct ResultsFile;

/// One detector's ROC curve on the open frames (OOD positive).
struct RocCurveData
{
    QString detectorName;
    std::vector<RocPoint> points; ///< eval/metrics.h rocCurve
    double auroc = 0;
};

/// ROC curves of the enabled detectors over the open frames whose folders say ID or OOD.
struct SessionRoc
{
    std::vector<RocCurveData> curves;
    int highlighted = -1; ///< index into `curves` of the detector asked for, or -1
    int idFrames = 0;     ///< open frames that are ID by their folder
    int oodFrames = 0;    ///< open frames that are OOD by their folder
    bool available() const { return idFrames > 0 && oodFrames > 0; }
};

/// One detector's score along a video.
struct TimelineData
{
    QString videoName;
    QString detectorName;
    std::vector<int> frames;    ///< sampled frame indices, ascending
    std::vector<double> scores; ///< per frame; NaN while unscored
    std::vector<bool> flagged;  ///< per frame: the verdict (FrameResult::flagged)
    double threshold = 0;       ///< of this detector
    int currentFrame = -1;      ///< the selected frame, marked with a line
    double fps = 0;             ///< 0 when unknown (the axis then counts frames only)
};

/// What a report says of one detector.
struct DetectorSummary
{
    QString id;              ///< stable id ("energy", "nero", ...), used as the CSV column name
    QString displayName;     ///< as the window shows it
    double threshold = 0;    ///< a frame is flagged when its score exceeds it (pipeline/verdict.h)
    double targetTpr = 0.95; ///< share of ID validation frames the threshold accepts
    /// On the session's ID/OOD labelled frames; NaN when the session has no labels.
    double auroc = std::nan("");
    double fpr95 = std::nan(""); ///< FPR at 95 % TPR, as a fraction
};

class InspectionSession
{
  public:
    /// Loads the profile and its model (or `modelOverride`), refusing a model whose sha256 does
    /// not match the profile. Throws ood::Error; the session is unchanged then.
    /// `inference`: how the model's forward runs (precision, path).
    void openProfile(const QString &profilePath, const QString &modelOverride = {},
                     const InferenceOptions &inference = {});
    /// Reloads the profile's model to run as `inference` says (e.g. another precision); the
    /// previous backbone stays alive for jobs that still hold it. Throws ood::Error; the session
    /// is unchanged then.
    void setInference(const InferenceOptions &inference);
    /// Empty, or why the profile's thresholds are not exact at the precision the model runs in
    /// (precisionMismatch).
    QString precisionNote() const { return m_precisionNote; }
    bool isOpen() const { return m_profile != nullptr; }

    std::shared_ptr<const Profile> profile() const { return m_profile; }
    std::shared_ptr<Backbone> backbone() const { return m_backbone; }
    QString profilePath() const { return m_profilePath; }
    QString profileSha256() const { return m_profileSha256; }
    /// How the forward pass runs (Backbone::inferenceDescription), for the status bar and logs.
    QString inferenceDescription() const;
    QString modelPath() const;
    QString modelSha256() const;

    QStringList detectorIds() const;
    QStringList detectorNames() const;
    std::vector<double> thresholds() const;
    QStringList classNames() const;

    /// Moves every threshold so that `tpr` of the ID validation frames pass (the profile's own
    /// rule, calib/thresholdpolicy.h). Not while a job reads the profile. Throws ood::Error for a
    /// share outside (0, 1].
    void setTargetTpr(double tpr);
    double targetTpr() const;
    /// The verdict rule calibrated for the current thresholds and enabled detectors
    /// (calib/verdictcalibration.h); recalibrated whenever either changes.
    const VerdictRule &verdict() const { return m_verdict; }

    /// Detectors to leave out (Settings): they are not scored, not shown and never count for a
    /// flag. Ids the profile does not hold are ignored; leaving out every detector enables all
    /// (nothing could be scored otherwise). Returns true when a detector was switched on that was
    /// off, so frames need scoring again.
    bool setDisabledDetectors(const QStringList &ids);
    /// `detector` indexes detectorIds(); true for an index past them (a newer profile's).
    bool isDetectorEnabled(int detector) const;
    /// One entry per profile detector, in its order.
    std::vector<bool> enabledDetectors() const;
    /// What a scoring run of this session scores: the enabled detectors, in profile order.
    std::vector<std::string> enabledDetectorIds() const;
    /// A run's result over enabledDetectorIds() (as it was when the run started: `runDetectors`
    /// holds their profile indices) widened to one score per profile detector, NaN for the others,
    /// its flags recounted under the current thresholds and enabled detectors.
    FrameResult sessionResult(const FrameResult &runResult, const std::vector<int> &runDetectors) const;
    /// Scores of disabled detectors dropped, flags recounted and the verdict (FrameResult::flagged)
    /// made anew by verdict() (after the thresholds or the enabled detectors changed); nothing is
    /// scored again.
    void recount(FrameResult &result) const;

    /// ROC curves of every enabled detector over `frames`; `highlightedId` names the one to draw
    /// in colour.
    SessionRoc roc(const std::vector<FrameRecord> &frames, const QString &highlightedId) const;
    /// The score of `detectorId` (the first enabled detector when it is not enabled) along the
    /// video of `frames[row]`; empty frames when that frame is not part of a video. `fps` is read
    /// from the video once per path and kept.
    TimelineData timeline(const std::vector<FrameRecord> &frames, size_t row,
                          const QString &detectorId) const;
    /// Each profile detector with its threshold and, when `frames` hold ID and OOD frames by their
    /// folders, its AUROC and FPR at 95 % TPR on them.
    std::vector<DetectorSummary> detectorSummaries(const std::vector<FrameRecord> &frames) const;
    /// Each detector's finite scores over the scored `frames`, by detector id (at least two values;
    /// densities are drawn from them).
    std::map<std::string, std::vector<double>> openScores(const std::vector<FrameRecord> &frames) const;

    /// Scores `samples` with the session's model through the one scoring path (pipeline/scoringrun.h
    /// scoreImages); `detectorIds` empty: every detector of the profile. Throws ood::Error (and
    /// ood::Cancelled when `progress` returns false); a file that cannot be read is an error of
    /// its row only.
    ScoredImages score(const std::vector<Sample> &samples, const std::vector<std::string> &detectorIds,
                       const RunOptions &options, const ProgressCallback &progress = {},
                       const std::string &stage = "scoring") const;

    /// Frame records for files, folders (recursive) and list files; `problems` gets what could
    /// not be listed. A video file (data/videosource.h videoExtensions) given by name becomes its
    /// frames 0, videoEvery, 2*videoEvery, ...; a video that cannot be opened is a problem. The
    /// truth comes from the folder names (see truthFromPath).
    std::vector<FrameRecord> framesFor(const QStringList &paths, QStringList *problems = nullptr,
                                       int videoEvery = 1) const;
    /// Frame records for the rows of a results file of `ood-inspect score` or `merge`
    /// (results/resultsfile.h), with their scores as the file holds them: nothing is scored again.
    /// Score columns are matched to the profile's detectors by id (a profile detector the file
    /// lacks gets NaN), predictions to its classes by name, and flags are counted anew by the
    /// session's rule. `problems` gets columns and class names the profile does not know, the
    /// shards a partial merge lacks, rows whose flagged_by differs from the flags counted now, and
    /// rows whose `unusual` column differs from the verdict now.
    /// Throws ood::Error naming both sha256 when the file was scored with another profile or model,
    /// and when the file does not say which (a CSV of an older `score`).
    std::vector<FrameRecord> framesFromResults(const ResultsFile &file,
                                               QStringList *problems = nullptr) const;
    /// ID/OOD from the path's folder names: a folder named id, in-distribution or test-id means
    /// ID; ood, near-ood, far-ood, or a name ending in -ood / _ood means OOD; else unknown.
    static FrameTruth truthFromPath(const QString &path);

  private:
    std::shared_ptr<Profile> m_profile;
    std::vector<bool> m_enabled; ///< per profile detector; empty: all
    VerdictRule m_verdict;
    mutable std::map<QString, double> m_videoFps;
    std::shared_ptr<Backbone> m_backbone;
    QString m_profilePath;
    QString m_precisionNote;
    QString m_profileSha256;
};

} // namespace ood
