#pragma once
// The main window of OOD Inspector: open a profile and frames, score them in the background, look
// at why a frame is flagged, mark it, and export a report. The window holds the session, the frame
// model, the scoring job and the review store, and wires the panes that show them: the welcome
// page, the frame list, the frame viewer (heatmap and video timeline), the review panel and the
// plot tabs.

#include "image/imagedecoder.h"
#include "review/reviewmark.h"
#include "session/inspectionsession.h"

#include <QDialog>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>

class QAction;
class QStackedWidget;

namespace ood {

class ModelNotFound;

class ExplanationJob;
class FrameListPane;
class FrameTableModel;
class FrameViewer;
class PlotTabs;
class ReportExport;
class ReviewPanel;
class ReviewStore;
class ScoringJob;
class SessionStatusBar;
class WelcomePage;
struct FrameExplanation;
struct FrameResult;

/// The language of the interface ("en", "de", ...): the application's property "uiLanguage"
/// (app/gui/main.cpp sets it with the translation it installs), else the Settings' language, else
/// the system's.
QString uiLanguage();

/// The bundled user guide (resources/guide) in `language`, English when there is none in it, with
/// the intended-use statement filled in.
QString userGuideHtml(const QString &language);

class MainWindow : public QMainWindow
{
    Q_OBJECT

  public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens a profile or profile bundle (and its model). When the profile's model is not where
    /// it says, the place the user located that model at before (by its sha256) is tried, then
    /// the user is asked to locate it (modelLocator) until a file with the right sha256 is given
    /// or they cancel. Returns false after telling the user why not.
    bool openProfile(const QString &path, const QString &modelOverride = {});
    /// Asks where a profile's model is: `missingPath` is where the profile looked, `problem` why
    /// the file chosen last was refused (empty at first). Returns the chosen file, or empty when
    /// the user cancels. The default asks with a message box and a file dialog; tests replace it.
    using ModelLocator = std::function<QString(const QString &missingPath, const QString &problem)>;
    void setModelLocator(ModelLocator locator) { m_modelLocator = std::move(locator); }
    /// Help > User Guide: the guide in the interface's language, in a window of its own (one).
    void showUserGuide();
    /// Adds images, folders, videos or list files to the session and starts scoring them.
    bool openFrames(const QStringList &paths);
    /// Opens a results file of `ood-inspect score` or `merge` with its scores: nothing is scored
    /// again. Opens the profile that scored it first when another (or none) is open. The open
    /// frames are replaced. Returns false after telling the user why not; nothing changes then
    /// unless the profile had to be opened.
    bool openResults(const QString &path);
    /// Extracts the bundled demo (once) and opens its profile and frames.
    bool openDemo();
    /// Detectors the session leaves out (Settings): they are not scored and their columns are
    /// hidden. Ids not in the profile are ignored; an empty list enables all.
    void setDisabledDetectors(const QStringList &ids);
    /// The detector the density, ROC and timeline plots show (chosen in the Scores tab).
    void setPlottedDetector(const QString &id);
    void selectFrame(int sourceRow);
    void setMarkOfCurrent(ReviewMark mark);
    void setNoteOfCurrent(const QString &note);
    /// Writes the report (PDF when the name ends in .pdf, else HTML) with the heatmap of the
    /// current method for every flagged frame, replacing `path`, and returns when it is written.
    /// `progress(done, total)` returning false cancels (nothing is written). Throws ood::Error when
    /// the file cannot be written.
    bool writeReport(const QString &path, const std::function<bool(int, int)> &progress = {});

    // For tests, benchmarks and the screenshot tool.
    const InspectionSession &session() const { return m_session; }
    const FrameTableModel *frameModel() const { return m_model; }
    ScoringJob *scoringJob() const { return m_job; }
    bool isScoring() const;
    /// The explanation of the selected frame, once its background work is done.
    const FrameExplanation *currentExplanation() const { return m_explanation.get(); }
    bool isExplaining() const;
    QAction *action(const QString &objectName) const;
    QStackedWidget *pages() const { return m_pages; }
    QDialog *userGuide() const { return m_guide; }
    FrameListPane *frameListPane() const { return m_list; }
    FrameViewer *frameViewer() const { return m_viewer; }
    ReviewPanel *reviewPanel() const { return m_review; }
    PlotTabs *plotTabs() const { return m_plotTabs; }

  Q_SIGNALS:
    void explanationReady();
    void scoringFinished();

  protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

  private:
    void buildActions();
    void buildMenus();
    QWidget *buildWorkPage();
    void startScoring(int firstRow);
    /// Cancels the job and takes the results it sent before it stopped, so none arrives later
    /// for rows that hold other frames by then.
    void stopScoring();
    /// Scores the frames from the first unscored one on (after the job was stopped).
    void resumeScoring();
    void onBatchScored(int firstIndex, const std::vector<FrameResult> &results);
    void onScoringEnded();
    void onFrameSelected(int sourceRow);
    void startExplanation(int sourceRow);
    void onPartiallyExplained(int row, std::shared_ptr<const FrameExplanation> soFar, const QString &stage);
    void onExplained(int row, std::shared_ptr<FrameExplanation> explanation);
    void jumpToVideoFrame(int videoFrame);
    void refreshVerdicts();
    void refreshSetPlots();
    void refreshFilters();
    void showSettings();
    void showAbout();
    /// m_session.openProfile with the settings' inference options.
    void openSession(const QString &path, const QString &model, QString *precisionRefusal);
    /// After `notFound`: the remembered place of the model, then the user's choice (see
    /// openProfile). False when the user cancelled or the profile cannot be read; the session is
    /// unchanged then.
    bool openWithLocatedModel(const QString &path, const ModelNotFound &notFound, QString *precisionRefusal);
    QString askForModel(const QString &missingPath, const QString &problem);
    void applyThreshold(double tpr);
    /// Recounts every frame's flags from its stored scores (thresholds or enabled detectors
    /// changed); scores of disabled detectors are dropped.
    void recountFlags();
    void setStatus(const QString &text);
    QString reportTitle() const;
    int currentSourceRow() const;

    InspectionSession m_session;
    std::unique_ptr<ReviewStore> m_store;
    QStringList m_openedPaths;
    FrameTableModel *m_model = nullptr;
    ScoringJob *m_job = nullptr;
    ExplanationJob *m_explainJob = nullptr;
    ReportExport *m_export = nullptr;

    QStackedWidget *m_pages = nullptr;
    WelcomePage *m_welcome = nullptr;
    FrameListPane *m_list = nullptr;
    FrameViewer *m_viewer = nullptr;
    ReviewPanel *m_review = nullptr;
    PlotTabs *m_plotTabs = nullptr;
    SessionStatusBar *m_statusBar = nullptr;

    std::shared_ptr<FrameExplanation> m_explanation;
    /// What the panes show of the selected frame's explanation: its parts so far while it runs,
    /// then the whole (null until its first part arrives).
    std::shared_ptr<const FrameExplanation> m_shownExplanation;
    int m_explainedRow = -1;      ///< the row whose explanation runs or is shown
    int m_explainedLandscape = 0; ///< grid points per axis of the landscape being explained
    int m_scoringOffset = 0;
    RgbImage m_frame; ///< the selected frame, decoded once for the view and the explanation
    QString m_plottedDetector = QStringLiteral("msp");
    /// Detector ids of the running job in the order of its FrameResult::scores (a subset when
    /// some are disabled), mapped to the session's detector indices.
    std::vector<int> m_jobDetectors;
    QTimer m_setPlotTimer; ///< coalesces ROC/timeline redraws while batches arrive
    ModelLocator m_modelLocator;
    QPointer<QDialog> m_guide;
};

} // namespace ood
