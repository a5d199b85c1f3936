#pragma once
// The Settings dialog: the reviewer's name, threads, the threshold policy, the enabled detectors,
// batch size, landscape grid, video sampling and the language. It shows the stored settings and what the open
// session says (its detectors, its target TPR); accepting stores the settings, and the window applies the
// parts that concern the session (targetTpr(), disabledDetectors()).

#include <QDialog>
#include <QStringList>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace ood {

class InspectionSession;

class SettingsDialog : public QDialog
{
    Q_OBJECT

  public:
    /// `session` gives the detectors and the threshold policy; when it is not open, those two
    /// settings are shown disabled.
    explicit SettingsDialog(const InspectionSession &session, QWidget *parent = nullptr);

    /// Writes the reviewer's name, threads, batch size, landscape grid, video sampling, language and the
    /// disabled detectors to AppSettings, and gives the network the threads from now on.
    void save() const;
    /// Share of ID validation frames each threshold accepts, 0..1.
    double targetTpr() const;
    /// The stored disabled ids with this profile's detectors replaced by the dialog's choice:
    /// someone who leaves out the slow detectors wants that for every profile, and ids this
    /// profile lacks stay as they were.
    QStringList disabledDetectors() const;

    QLineEdit *reviewerEdit() const { return m_reviewer; }
    QListWidget *detectorList() const { return m_detectors; }

  private:
    QLineEdit *m_reviewer;
    QSpinBox *m_threads;
    QSpinBox *m_batch;
    QSpinBox *m_landscape;
    QDoubleSpinBox *m_tpr;
    QSpinBox *m_videoEvery;
    QComboBox *m_language;
    QComboBox *m_precision;
    QListWidget *m_detectors;
    bool m_sessionOpen;
};

} // namespace ood
