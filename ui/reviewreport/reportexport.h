#pragma once
// Exporting the session: the review report (PDF or HTML) with the heatmap of every flagged frame,
// and every frame's scores as CSV. The heatmaps are made on a worker while the window stays
// responsive; progress and the end arrive as signals.

#include "reviewreport/reviewreport.h"

#include <QFutureWatcher>
#include <QObject>

#include <functional>
#include <memory>

class QWidget;

namespace ood {

class FrameTableModel;
class InspectionSession;

class ReportExport : public QObject
{
    Q_OBJECT

  public:
    /// Reports on `session` and the frames of `model`; dialogs open over `window`.
    ReportExport(const InspectionSession &session, const FrameTableModel &model, QWidget *window);
    /// Cancels a running export and waits for its worker.
    ~ReportExport() override;

    /// The report of the session as it stands (frames, scores, marks; no pictures yet).
    ReviewReportData reportData(const QString &title) const;

    /// Starts the report: the heatmap of `method` for every flagged frame on a worker (progress),
    /// then the file (PDF when `path` ends in .pdf, else HTML, replacing it) and finished. False
    /// (nothing starts) while another report is being made.
    bool start(const QString &path, const QString &title, const QString &method);
    /// Stops making heatmaps; finished(false) follows and nothing is written.
    void cancel();
    bool isRunning() const { return m_running; }
    /// start() and wait for it in a local event loop. `progress(done, total)` returning false
    /// cancels (returns false, nothing written). Throws ood::Error when the file cannot be written.
    bool writeReport(const QString &path, const QString &title, const QString &method,
                     const std::function<bool(int, int)> &progress = {});

    /// Asks where to write the report and makes it with a progress dialog (Cancel stops it).
    /// `scoring`: frames are still being scored, so the user is asked to wait instead.
    void exportReport(const QString &title, const QString &method, bool scoring);
    /// Asks where to write every frame's scores as CSV and writes them.
    void exportCsv(const QString &title);

  Q_SIGNALS:
    /// Heatmaps made so far, of `total`.
    void progress(int done, int total);
    /// The report was written (`written`), or cancelled (`error` empty), or failed (`error`).
    void finished(bool written, const QString &error);
    void statusMessage(const QString &text);

  private:
    void heatmapsDone();

    const InspectionSession &m_session;
    const FrameTableModel &m_model;
    QWidget *m_window;
    QFutureWatcher<void> m_watcher;
    std::shared_ptr<ReviewReportData> m_data; ///< filled in by the worker while it runs
    QString m_path;
    int m_total = 0;
    bool m_running = false;
    bool m_cancelled = false;
};

} // namespace ood
