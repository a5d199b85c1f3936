#pragma once
// The main window of OOD Inspector: open a profile and frames, score them in the background, look
// at why a frame is flagged, mark it, and export a report.

#include "explain/frameexplainer.h"
#include "image/imagedecoder.h"
#include "session/inspectionsession.h"

#include "report/reviewreport.h"

#include <QFutureWatcher>
#include <QHash>
#include <QMainWindow>
#include <QTimer>

#include <memory>

class QAction;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QStackedWidget;
class QTableView;
class QTabWidget;
class QListWidget;

namespace ood {

class DensityPlot;
class FrameFilterProxy;
class FrameTableModel;
class ImageView;
class LandscapePlot;
class RelevancePlot;
class RocPlot;
class TimelinePlot;
class ReviewStore;
class ScorePanel;
class ScoringJob;
struct FrameResult;

class MainWindow : public QMainWindow
{
    Q_OBJECT

  public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens a profile (and its model). Returns false after telling the user why not.
    bool openProfile(const QString &path, const QString &modelOverride = {});
    /// Adds images, folders or list files to the session and starts scoring them.
    bool openFrames(const QStringList &paths);
    /// Extracts the bundled demo (once) and opens its profile and frames.
    bool openDemo();
    /// Detectors the session scores and counts for flags (Settings); the others are not scored
    /// and their columns are hidden. Ids not in the profile are ignored; an empty set enables all.
    void setDisabledDetectors(const QStringList &ids);
    bool isDetectorEnabled(int detector) const;

    // For tests and the screenshot tool.
    FrameTableModel *frameModel() const { return m_model; }
    FrameFilterProxy *frameProxy() const { return m_proxy; }
    QTableView *frameList() const { return m_list; }
    ImageView *imageView() const { return m_view; }
    ScorePanel *scorePanel() const { return m_scores; }
    RocPlot *rocPlot() const { return m_roc; }
    TimelinePlot *timelinePlot() const { return m_timeline; }
    /// The detector the density, ROC and timeline plots show (chosen in the Scores tab).
    QString plottedDetector() const { return m_densityDetector; }
    void setPlottedDetector(const QString &id);
    QTabWidget *plotTabs() const { return m_plotTabs; }
    const InspectionSession &session() const { return m_session; }
    ScoringJob *scoringJob() const { return m_job; }
    bool isScoring() const;
    /// The explanation of the selected frame, once its background work is done.
    const FrameExplanation *currentExplanation() const { return m_explanation.get(); }
    bool isExplaining() const;
    QString statusText() const;
    void selectFrame(int sourceRow);
    void setMarkOfCurrent(ReviewMark mark);
    void setNoteOfCurrent(const QString &note);
    QAction *action(const QString &objectName) const;
    QStackedWidget *pages() const { return m_pages; }
    /// The report of the session as it stands (frames, scores, marks; no pictures yet).
    ReviewReportData reportData() const;
    /// Writes the report (PDF when the name ends in .pdf, else HTML) with the heatmap of the
    /// current method for every flagged frame, replacing `path`. `progress(done, total)` returning
    /// false cancels (nothing is written). Throws ood::Error when the file cannot be written.
    bool writeReport(const QString &path, const std::function<bool(int, int)> &progress = {});

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
    QWidget *buildWelcomePage();
    QWidget *buildWorkPage();
    void refreshRecent();
    void addRecent(const QString &path);
    void openStoreFor(const QStringList &paths);
    void startScoring(int firstRow);
    void onBatchScored(int firstIndex, const std::vector<FrameResult> &results);
    void onCurrentRowChanged();
    void startExplanation(int sourceRow);
    void showExplanation();
    void refreshHeatmap();
    void refreshDensity(const QString &detectorId);
    void refreshRoc();
    void refreshTimeline();
    void refreshSetPlots();
    void refreshVerdicts();
    void refreshReviewBox();
    void refreshReviewProgress();
    void refreshFilters();
    void moveSelection(int delta);
    void exportReport();
    void exportCsv();
    void showSettings();
    void showAbout();
    void applyThreshold(double tpr);
    /// Recounts every frame's flags from its stored scores (thresholds or enabled detectors
    /// changed); scores of disabled detectors are dropped.
    void recountFlags();
    void setStatus(const QString &text);
    int currentSourceRow() const;

    InspectionSession m_session;
    std::unique_ptr<ReviewStore> m_store;
    QStringList m_openedPaths;

    QStackedWidget *m_pages = nullptr;
    QListWidget *m_recentList = nullptr;
    FrameTableModel *m_model = nullptr;
    FrameFilterProxy *m_proxy = nullptr;
    QTableView *m_list = nullptr;
    ImageView *m_view = nullptr;
    ImageView *m_compareView = nullptr;
    ScorePanel *m_scores = nullptr;
    QTabWidget *m_plotTabs = nullptr;
    DensityPlot *m_density = nullptr;
    LandscapePlot *m_landscape = nullptr;
    RelevancePlot *m_relevance = nullptr;
    RocPlot *m_roc = nullptr;
    TimelinePlot *m_timeline = nullptr;
    QLabel *m_neuronSummary = nullptr;
    QLabel *m_frameTitle = nullptr;

    QComboBox *m_methodBox = nullptr;
    QComboBox *m_compareBox = nullptr;
    QSlider *m_opacity = nullptr;
    QComboBox *m_rangeMode = nullptr;
    QDoubleSpinBox *m_fixedRange = nullptr;
    QLabel *m_legendBar = nullptr;
    QLabel *m_legendText = nullptr;
    QLabel *m_cursorValue = nullptr;

    QCheckBox *m_flaggedOnly = nullptr;
    QComboBox *m_classFilter = nullptr;
    QComboBox *m_markFilter = nullptr;
    QComboBox *m_detectorFilter = nullptr;
    QLineEdit *m_nameFilter = nullptr;

    QPushButton *m_markButtons[3] = {nullptr, nullptr, nullptr};
    QPlainTextEdit *m_note = nullptr;
    QLabel *m_reviewProgress = nullptr;

    QProgressBar *m_progress = nullptr;
    QLabel *m_eta = nullptr;
    QPushButton *m_cancel = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_modelIdentity = nullptr; ///< the model's sha256, always in view

    ScoringJob *m_job = nullptr;
    QFutureWatcher<std::shared_ptr<FrameExplanation>> m_explainWatcher;
    std::shared_ptr<FrameExplanation> m_explanation;
    int m_explainedRow = -1; ///< the row whose explanation runs or is shown
    int m_shownRow = -1;     ///< the row whose explanation is on screen
    int m_pendingExplainRow = -1;
    int m_scoringOffset = 0;
    RgbImage m_frame; ///< the selected frame, decoded once for the view and the explanation
    QImage m_frameImage;
    QString m_densityDetector = QStringLiteral("msp");
    std::vector<bool> m_enabled; ///< per detector of the session; see setDisabledDetectors
    /// Detector ids of the running job in the order of its FrameResult::scores (a subset when
    /// some are disabled), mapped to the session's detector indices.
    std::vector<int> m_jobDetectors;
    QHash<QString, double> m_videoFps; ///< frames per second of the open videos, read once
    QTimer m_setPlotTimer;             ///< coalesces ROC/timeline redraws while batches arrive
    std::map<QString, QAction *> m_actions;
};

} // namespace ood
