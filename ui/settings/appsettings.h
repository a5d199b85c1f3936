#pragma once
// The application's settings, typed, over QSettings. The keys are the ones earlier versions wrote
// ("threads", "batchSize", ...), so a user keeps their settings across versions. Every read goes
// to QSettings, so a value set elsewhere in the process (a test, another window) is seen at once.

#include "model/inferenceoptions.h"

#include <QString>
#include <QStringList>

namespace ood {

class AppSettings
{
  public:
    /// CPU threads for the network; default: every core.
    int threads() const;
    void setThreads(int threads);
    /// Frames per forward pass while scoring; default: the CLI's (RunOptions{}.batchSize).
    int batchSize() const;
    void setBatchSize(int frames);
    /// Grid points per axis of the score landscape, always odd; default 21.
    int landscapeGrid() const;
    void setLandscapeGrid(int points);
    /// Videos are inspected at every n-th frame; default 5.
    int videoEvery() const;
    void setVideoEvery(int n);
    /// Detector ids left out of scoring, kept across profiles; default none.
    QStringList disabledDetectors() const;
    void setDisabledDetectors(const QStringList &ids);
    /// Number format of the forward pass, "float32" (default) or "bf16" (see model/inferenceoptions.h).
    QString precision() const;
    void setPrecision(const QString &precision);
    /// The precision setting as inference options; bf16 falls back to float32 on a CPU without
    /// AVX512-BF16 or AMX (`note`, when given, then receives why).
    InferenceOptions inference(QString *note = nullptr) const;
    /// "en", "de", or empty for the system language.
    QString language() const;
    void setLanguage(const QString &language);
    /// Profiles, folders and files opened lately, newest first, at most kMaxRecent.
    QStringList recentFiles() const;
    void addRecentFile(const QString &path);
    /// Who reviews: stored with every mark and printed in the report; empty when not given.
    QString reviewerName() const;
    void setReviewerName(const QString &name);
    /// Where the user last located the model with this sha256 (Locate Model…), so that a profile
    /// whose model moved opens without asking again; empty when never located. Keyed by the
    /// digest, not by a path: the same model serves every profile fitted on it.
    QString modelLocation(const QString &sha256) const;
    void setModelLocation(const QString &sha256, const QString &path);

    static constexpr int kMaxRecent = 8;
    static int coreCount();
};

} // namespace ood
