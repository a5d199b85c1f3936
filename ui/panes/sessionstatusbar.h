#pragma once
// The status bar: what the window last did, the model the scores come from (its sha256, always in
// view: model files are code), and the scoring job: frames scored so far, the time left, and
// Cancel (which stops after the current batch; frames scored so far are kept).

#include <QStatusBar>

class QLabel;
class QProgressBar;
class QPushButton;

namespace ood {

class InspectionSession;
class ScoringJob;

class SessionStatusBar : public QStatusBar
{
    Q_OBJECT

  public:
    explicit SessionStatusBar(ScoringJob *job, QWidget *parent = nullptr);
    void setStatus(const QString &text);
    QString status() const;
    /// The model and profile of `session`, with their sha256.
    void showModel(const InspectionSession &session);
    /// The job was started: shows the bar at zero and Cancel.
    void showScoringStarted();

  Q_SIGNALS:
    /// The run finished, was cancelled or failed (after a warning); the status line says which.
    void scoringEnded();

  private:
    void showScoringEnded(const QString &message);

    QLabel *m_status;
    QLabel *m_modelIdentity;
    QLabel *m_eta;
    QProgressBar *m_bar;
    QPushButton *m_cancel;
};

} // namespace ood
