#pragma once
// The application's settings, typed, over QSettings. The keys are the ones earlier versions wrote
// ("threads", "batchSize", ...), so a user keeps their settings across versions. Every read goes
// to QSettings, so a value set elsewhere in the process (a test, another window) is seen at once.

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
    /// "en", "de", or empty for the system language.
    QString language() const;
    void setLanguage(const QString &language);
    /// Profiles, folders and files opened lately, newest first, at most kMaxRecent.
    QStringList recentFiles() const;
    void addRecentFile(const QString &path);

    static constexpr int kMaxRecent = 8;
    static int coreCount();
};

} // namespace ood
