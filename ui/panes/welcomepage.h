#pragma once
// The page shown before anything is open, and what opens things: the bundled demo, a profile,
// images, a folder or a video (the actions of the File menu, with their file dialogs), and the
// files opened lately.

#include <QWidget>

#include <optional>

class QListWidget;

namespace ood {

struct ExtractedDemo;

class WelcomePage : public QWidget
{
    Q_OBJECT

  public:
    explicit WelcomePage(QWidget *parent = nullptr);
    /// Puts `path` first in the recent files (AppSettings) and the list.
    void addRecent(const QString &path);
    QListWidget *recentList() const { return m_recent; }
    /// Extracts the bundled demo (once) to the application's data folder. Nothing (after telling
    /// the user why) when this build has no demo or it cannot be written.
    std::optional<ExtractedDemo> extractDemo();

  Q_SIGNALS:
    void demoChosen();
    /// A profile to open (from the dialog or the recent files).
    void profileChosen(const QString &path);
    /// Images, folders or videos to add to the session.
    void framesChosen(const QStringList &paths);

  private:
    void showRecent();

    QListWidget *m_recent;
};

} // namespace ood
