#include "mainwindow.h"

#include "base/error.h"
#include "base/version.h"
#include "calib/profile.h"
#include "explain/frameexplainer.h"
#include "jobs/explanationjob.h"
#include "jobs/scoringjob.h"
#include "models/frametablemodel.h"
#include "panes/actionsupport.h"
#include "panes/framelistpane.h"
#include "panes/frameviewer.h"
#include "panes/plottabs.h"
#include "panes/resultsopening.h"
#include "panes/reviewpanel.h"
#include "panes/sessionstatusbar.h"
#include "panes/welcomepage.h"
#include "pipeline/frameresult.h"
#include "report/html.h"
#include "report/intendeduse.h"
#include "results/resultsfile.h"
#include "review/reviewstore.h"
#include "reviewreport/reportexport.h"
#include "session/demoassets.h"
#include "settings/appsettings.h"
#include "settings/settingsdialog.h"
#include "widgets/sessionplots.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <opencv2/core/version.hpp>

#include <torch/torch.h>

#include <algorithm>

namespace ood {

namespace {

std::vector<std::string> stdStrings(const QStringList &strings)
{
    std::vector<std::string> result;
    for (const QString &s : strings)
        result.push_back(s.toStdString());
    return result;
}

} // namespace

QString uiLanguage()
{
    const QString chosen = qApp ? qApp->property("uiLanguage").toString() : QString();
    if (!chosen.isEmpty())
        return chosen;
    const QString setting = AppSettings().language();
    return setting.isEmpty() ? QLocale().name().left(2) : setting;
}

QString userGuideHtml(const QString &language)
{
    QFile file(QStringLiteral(":/guide/user-guide.%1.html").arg(language));
    if (!file.exists())
        file.setFileName(QStringLiteral(":/guide/user-guide.en.html"));
    if (!file.open(QIODevice::ReadOnly))
        return QString();
    return QString::fromUtf8(file.readAll())
        .replace(QLatin1String("@INTENDED_USE@"), htmlEscape(intendedUseStatement()));
}

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("OOD Inspector"));
    setAcceptDrops(true);
    m_model = new FrameTableModel(this);
    m_job = new ScoringJob(this);
    m_explainJob = new ExplanationJob(this);
    m_export = new ReportExport(m_session, *m_model, this);

    buildActions();
    m_welcome = new WelcomePage(this);
    m_pages = new QStackedWidget(this);
    m_pages->addWidget(m_welcome);
    m_pages->addWidget(buildWorkPage());
    setCentralWidget(m_pages);
    buildMenus();

    m_statusBar = new SessionStatusBar(m_job, this);
    setStatusBar(m_statusBar);

    connect(m_job, &ScoringJob::batchScored, this, &MainWindow::onBatchScored);
    connect(m_statusBar, &SessionStatusBar::scoringEnded, this, &MainWindow::onScoringEnded);
    connect(m_job, &ScoringJob::finished, this, [this] {
        if (m_explainedRow < 0)
            m_list->selectFirstIfNone();
    });
    connect(m_explainJob, &ExplanationJob::partiallyExplained, this, &MainWindow::onPartiallyExplained);
    connect(m_explainJob, &ExplanationJob::explained, this, &MainWindow::onExplained);
    connect(m_export, &ReportExport::statusMessage, this, &MainWindow::setStatus);
    connect(m_review, &ReviewPanel::statusMessage, this, &MainWindow::setStatus);
    connect(m_welcome, &WelcomePage::demoChosen, this, &MainWindow::openDemo);
    connect(m_welcome, &WelcomePage::profileChosen, this, [this](const QString &path) { openProfile(path); });
    connect(m_welcome, &WelcomePage::framesChosen, this, &MainWindow::openFrames);
    m_setPlotTimer.setSingleShot(true);
    m_setPlotTimer.setInterval(500);
    connect(&m_setPlotTimer, &QTimer::timeout, this, &MainWindow::refreshSetPlots);

    m_review->setReviewer(AppSettings().reviewerName());
    resize(1366, 768);
    setStatus(tr("Open a profile and frames, or the demo."));
}

MainWindow::~MainWindow()
{
    m_job->cancel();
    m_job->wait();
    m_explainJob->discard(); // stops at its next checkpoint rather than after the whole landscape
    m_explainJob->waitForFinished();
    m_export->cancel();
}

QAction *MainWindow::action(const QString &objectName) const
{
    return findChild<QAction *>(objectName);
}

void MainWindow::buildActions()
{
    connect(addPaneAction(this, "openResults", tr("Open &Results…"), QKeySequence(),
                          tr("Open a results file of ood-inspect score or merge with its scores, to review "
                             "it without scoring again; its profile is opened and checked.")),
            &QAction::triggered, this, [this] {
                const QString path = QFileDialog::getOpenFileName(
                    this, tr("Open results"), {}, tr("Results of ood-inspect (*.csv);;All files (*)"));
                if (!path.isEmpty())
                    openResults(path);
            });
    connect(addPaneAction(
                this, "exportReport", tr("&Export Report…"), QKeySequence(tr("Ctrl+E")),
                tr("Write a PDF or HTML report of the flagged frames, with heatmaps and review marks.")),
            &QAction::triggered, this,
            [this] { m_export->exportReport(reportTitle(), m_viewer->heatmapMethod(), isScoring()); });
    connect(addPaneAction(this, "exportCsv", tr("Export Scores as &CSV…"), QKeySequence(),
                          tr("Write every frame's scores as CSV.")),
            &QAction::triggered, this, [this] { m_export->exportCsv(reportTitle()); });
    connect(addPaneAction(this, "quit", tr("&Quit"), QKeySequence::Quit, tr("Close OOD Inspector.")),
            &QAction::triggered, this, &QWidget::close);
    connect(addPaneAction(this, "settings", tr("&Settings…"), QKeySequence::Preferences,
                          tr("Threads, detectors, the threshold policy, video sampling and the language.")),
            &QAction::triggered, this, &MainWindow::showSettings);
    connect(addPaneAction(this, "userGuide", tr("&User Guide"), QKeySequence::HelpContents,
                          tr("A short guide for reviewers: what the verdict means and what it does not, "
                             "how to review frames and write the report.")),
            &QAction::triggered, this, &MainWindow::showUserGuide);
    connect(addPaneAction(this, "about", tr("&About OOD Inspector"), QKeySequence(),
                          tr("Version, library versions and the intended use.")),
            &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addActions(m_welcome->actions());
    // With the other ways of opening frames, before the demo (null: appended).
    file->insertAction(m_welcome->findChild<QAction *>("openDemo"), action("openResults"));
    file->addSeparator();
    file->addAction(action("exportReport"));
    file->addAction(action("exportCsv"));
    file->addSeparator();
    file->addAction(action("quit"));
    // The panes' own actions; on the window too, so their keys work wherever the focus is.
    menuBar()->addMenu(tr("&View"))->addActions(m_viewer->actions());
    menuBar()->addMenu(tr("&Go"))->addActions(m_list->actions());
    menuBar()->addMenu(tr("&Review"))->addActions(m_review->actions());
    for (QWidget *pane : std::initializer_list<QWidget *>{m_welcome, m_viewer, m_list, m_review})
        addActions(pane->actions());
    menuBar()->addMenu(tr("&Settings"))->addAction(action("settings"));
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(action("userGuide"));
    help->addAction(action("about"));
    addAction(action("userGuide")); // F1 wherever the focus is
}

QWidget *MainWindow::buildWorkPage()
{
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_list = new FrameListPane(m_model, splitter);
    m_viewer = new FrameViewer(splitter);
    auto *right = new QWidget(splitter);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(4, 4, 4, 4);
    m_review = new ReviewPanel(m_model, right);
    m_plotTabs = new PlotTabs(right);
    rightLayout->addWidget(m_review);
    rightLayout->addWidget(m_plotTabs, 1);
    splitter->addWidget(m_list);
    splitter->addWidget(m_viewer);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 4);
    splitter->setStretchFactor(2, 4);
    // At 1366 px the plots get 400 px and more, the frame what is left after the list.
    splitter->setSizes({330, 560, 470});

    connect(m_list, &FrameListPane::currentFrameChanged, this, &MainWindow::onFrameSelected);
    connect(m_review, &ReviewPanel::markChosen, this, &MainWindow::setMarkOfCurrent);
    connect(m_review, &ReviewPanel::noteEdited, this, &MainWindow::setNoteOfCurrent);
    connect(m_plotTabs, &QTabWidget::currentChanged, this, &MainWindow::refreshSetPlots);
    connect(m_plotTabs, &PlotTabs::detectorChosen, this, &MainWindow::setPlottedDetector);
    connect(m_viewer->timelinePlot(), &TimelinePlot::frameClicked, this, &MainWindow::jumpToVideoFrame);
    return splitter;
}

bool MainWindow::openProfile(const QString &path, const QString &modelOverride)
{
    stopScoring();
    setStatus(tr("Opening %1…").arg(QFileInfo(path).fileName()));
    QString precisionRefusal;
    try {
        try {
            openSession(path, modelOverride, &precisionRefusal);
        } catch (const ModelNotFound &notFound) {
            if (!openWithLocatedModel(path, notFound, &precisionRefusal)) {
                setStatus(tr("Could not open %1.").arg(path));
                return false;
            }
        }
    } catch (const std::exception &e) {
        QMessageBox::critical(this, tr("Cannot open the profile"), QString::fromUtf8(e.what()));
        setStatus(tr("Could not open %1.").arg(path));
        return false;
    }
    if (!precisionRefusal.isEmpty())
        QMessageBox::information(this, tr("Precision"),
                                 tr("The network runs in float32: %1").arg(precisionRefusal));
    m_model->setDetectors(stdStrings(m_session.detectorIds()), m_session.detectorNames(),
                          m_session.thresholds());
    m_model->setClassNames(m_session.classNames());
    m_model->setFrames({});
    setDisabledDetectors(AppSettings().disabledDetectors());
    m_openedPaths.clear();
    m_review->setStore(nullptr);
    m_store.reset();
    m_explainJob->discard(); // an explanation of the previous profile's frame
    m_explanation.reset();
    m_shownExplanation.reset();
    m_explainedRow = -1;
    refreshFilters();
    m_welcome->addRecent(QFileInfo(path).absoluteFilePath());
    setWindowTitle(tr("OOD Inspector — %1").arg(QFileInfo(path).fileName()));
    m_statusBar->showModel(m_session);
    setStatus(
        tr("Profile %1: %2, %3 detectors, model sha256 %4…")
            .arg(QFileInfo(path).fileName(), QString::fromStdString(m_session.profile()->model.architecture))
            .arg(m_session.profile()->detectors.size())
            .arg(m_session.modelSha256().left(16)));
    if (!m_session.precisionNote().isEmpty())
        setStatus(m_session.precisionNote());
    if (!m_session.profile()->canFlag()) {
        // Said once, without blocking: the window stays usable for scoring behind the note.
        auto *note = new QMessageBox(QMessageBox::Information, tr("Scores only, no flags"),
                                     tr("This profile was made without validation pictures, so it has no "
                                        "thresholds: every frame gets its scores, but none is flagged as "
                                        "unusual. Fit the profile again with a validation folder to flag "
                                        "frames."),
                                     QMessageBox::Ok, this);
        note->setAttribute(Qt::WA_DeleteOnClose);
        note->open();
    }
    m_pages->setCurrentIndex(1);
    return true;
}

void MainWindow::openSession(const QString &path, const QString &model, QString *precisionRefusal)
{
    QApplication::setOverrideCursor(Qt::WaitCursor);
    try {
        m_session.openProfile(path, model, AppSettings().inference(precisionRefusal));
    } catch (...) {
        QApplication::restoreOverrideCursor();
        throw;
    }
    QApplication::restoreOverrideCursor();
}

bool MainWindow::openWithLocatedModel(const QString &path, const ModelNotFound &notFound,
                                      QString *precisionRefusal)
{
    // The place is remembered by the model's digest, which only the profile knows.
    const QString sha256 = QString::fromStdString(loadProfile(path).model.sha256);
    const QString missing = QString::fromStdString(notFound.missingPath());
    QString problem;
    const QString remembered = AppSettings().modelLocation(sha256);
    if (!remembered.isEmpty() && QFileInfo(remembered).isFile()) {
        try {
            openSession(path, remembered, precisionRefusal);
            setStatus(tr("The model was found where you located it before: %1")
                          .arg(QDir::toNativeSeparators(remembered)));
            return true;
        } catch (const std::exception &e) {
            // Replaced by another file since: forgotten, and the user is asked.
            AppSettings().setModelLocation(sha256, {});
            problem = QString::fromUtf8(e.what());
        }
    }
    for (;;) {
        const QString chosen =
            m_modelLocator ? m_modelLocator(missing, problem) : askForModel(missing, problem);
        if (chosen.isEmpty())
            return false;
        try {
            openSession(path, chosen, precisionRefusal);
        } catch (const std::exception &e) {
            problem = QString::fromUtf8(e.what());
            continue;
        }
        AppSettings().setModelLocation(sha256, QFileInfo(chosen).absoluteFilePath());
        return true;
    }
}

QString MainWindow::askForModel(const QString &missingPath, const QString &problem)
{
    QMessageBox box(QMessageBox::Question, tr("Model not found"),
                    tr("This profile needs the model file it was made with, and it is not at\n%1\n\n"
                       "It may have been moved, or the profile came without it. Locate the model "
                       "file: only the exact model the profile was made with is accepted (it is "
                       "checked by its SHA-256), and its place is remembered.")
                        .arg(QDir::toNativeSeparators(missingPath)),
                    QMessageBox::Cancel, this);
    if (!problem.isEmpty())
        box.setInformativeText(tr("The file chosen last was refused: %1").arg(problem));
    QPushButton *locate = box.addButton(tr("Locate Model…"), QMessageBox::AcceptRole);
    box.setDefaultButton(locate);
    box.exec();
    if (box.clickedButton() != locate)
        return QString();
    return QFileDialog::getOpenFileName(
        this, tr("Locate the model"), QFileInfo(missingPath).absolutePath(),
        tr("Model files (*.pt *.pth *.ts *.ckpt *.bin *.safetensors);;All files (*)"));
}

bool MainWindow::openFrames(const QStringList &paths)
{
    QStringList frames;
    for (const QString &path : paths) {
        // A profile dropped or given with the frames opens first.
        if (path.endsWith(QLatin1String(".oodprofile")) || path.endsWith(QLatin1String(".oodbundle")))
            openProfile(path);
        else
            frames << path;
    }
    if (!m_session.isOpen()) {
        QMessageBox::information(
            this, tr("Open a profile first"),
            tr("Frames are scored with a profile. Open a profile (File > Open Profile) or "
               "the demo first."));
        return false;
    }
    if (frames.isEmpty())
        return true;
    QStringList problems;
    std::vector<FrameRecord> records = m_session.framesFor(frames, &problems, AppSettings().videoEvery());
    if (!problems.isEmpty())
        QMessageBox::warning(this, tr("Some inputs could not be opened"), problems.join('\n'));
    if (records.empty()) {
        setStatus(tr("No images found in %1.").arg(frames.join(", ")));
        return false;
    }
    if (!m_store) {
        m_store = openReviewStoreFor(
            frames,
            ReviewContext{m_session.modelSha256(), m_session.profilePath(), m_session.profileSha256()}, this);
        m_review->setStore(m_store.get());
    }
    if (m_store)
        applyStoredMarks(*m_store, records);
    for (const QString &path : frames)
        m_welcome->addRecent(QFileInfo(path).absoluteFilePath());
    m_openedPaths << frames;
    std::vector<FrameRecord> all = m_model->frames();
    const int firstNew = static_cast<int>(all.size());
    all.insert(all.end(), std::make_move_iterator(records.begin()), std::make_move_iterator(records.end()));
    m_model->setFrames(std::move(all));
    m_pages->setCurrentIndex(1);
    m_review->showProgress();
    startScoring(firstNew);
    return true;
}

bool MainWindow::openResults(const QString &path)
{
    const QString name = QFileInfo(path).fileName();
    ResultsFile file;
    try {
        QApplication::setOverrideCursor(Qt::WaitCursor);
        file = readResultsFile(path);
        QApplication::restoreOverrideCursor();
    } catch (const std::exception &e) {
        QApplication::restoreOverrideCursor();
        QMessageBox::critical(this, tr("Cannot open the results"), QString::fromUtf8(e.what()));
        setStatus(tr("Could not open %1.").arg(path));
        return false;
    }
    // A file that names no profile is refused by framesFromResults below, with the reason.
    const ResultsHeader &header = file.header;
    const bool profileOpen = m_session.isOpen() && m_session.profileSha256().compare(
                                                       header.profileSha256, Qt::CaseInsensitive) == 0;
    if (!profileOpen && !header.profileSha256.isEmpty()) {
        const QString profile = ResultsOpening::locateProfile(header, path, this);
        // The model the results were scored with, when it is still there (its sha256 is checked).
        const QString model = QFileInfo(header.modelPath).isFile() ? header.modelPath : QString();
        if (profile.isEmpty() || !openProfile(profile, model)) {
            setStatus(tr("Could not open %1.").arg(path));
            return false;
        }
    }
    QStringList problems;
    std::vector<FrameRecord> records;
    try {
        ResultsOpening::resolveFramePaths(file, path, &problems);
        records = m_session.framesFromResults(file, &problems);
    } catch (const std::exception &e) {
        QMessageBox::critical(
            this, tr("Cannot open the results"),
            QStringLiteral("%1: %2").arg(QDir::toNativeSeparators(path), QString::fromUtf8(e.what())));
        setStatus(tr("Could not open %1.").arg(path));
        return false;
    }

    stopScoring();
    m_explainJob->discard();
    m_explanation.reset();
    m_shownExplanation.reset();
    m_explainedRow = -1;
    m_review->setStore(nullptr);
    m_store = openReviewStoreFor(
        {ResultsOpening::reviewRoot(records, path)},
        ReviewContext{m_session.modelSha256(), m_session.profilePath(), m_session.profileSha256()}, this);
    m_review->setStore(m_store.get());
    if (m_store)
        applyStoredMarks(*m_store, records);
    const int count = static_cast<int>(records.size());
    m_openedPaths = QStringList{path};
    m_model->setFrames(std::move(records));
    m_pages->setCurrentIndex(1);
    refreshFilters();
    refreshSetPlots();
    // Selecting starts the explanation, which says so in the status line: the line says first what
    // was opened.
    m_list->selectFirstIfNone();
    setStatus(tr("Opened %1 frames from %2 (%3).").arg(count).arg(name, ResultsOpening::origin(header)));
    if (!problems.isEmpty())
        QMessageBox::warning(this, tr("Some results could not be used"), problems.join('\n'));
    return true;
}

bool MainWindow::openDemo()
{
    const std::optional<ExtractedDemo> demo = m_welcome->extractDemo();
    return demo && openProfile(demo->profilePath) && openFrames({demo->framesPath});
}

void MainWindow::startScoring(int firstRow)
{
    // A job that was cancelled counts as scoring until its end is delivered: stopScoring delivers
    // it (and its last batches) now, or the job would refuse to start again.
    stopScoring();
    std::vector<Sample> samples;
    for (int row = firstRow; row < m_model->rowCount(); ++row)
        samples.push_back({m_model->frame(row).path, -1, m_model->frame(row).videoFrame});
    std::vector<std::string> detectorIds = m_session.enabledDetectorIds();
    m_jobDetectors.clear();
    const QStringList ids = m_session.detectorIds();
    for (const std::string &id : detectorIds)
        m_jobDetectors.push_back(ids.indexOf(QString::fromStdString(id)));
    m_scoringOffset = firstRow;
    m_statusBar->showScoringStarted();
    setStatus(tr("Scoring %1 frames…").arg(samples.size()));
    RunOptions options;
    options.batchSize = AppSettings().batchSize();
    m_job->start(m_session.backbone(), m_session.profile(), std::move(samples), options,
                 std::move(detectorIds));
}

void MainWindow::stopScoring()
{
    if (!isScoring())
        return;
    m_job->cancel();
    m_job->wait();
    // The worker posted its last batches and its end to the job before it stopped.
    QCoreApplication::sendPostedEvents(m_job);
}

void MainWindow::resumeScoring()
{
    int firstUnscored = 0;
    while (firstUnscored < m_model->rowCount() && m_model->frame(firstUnscored).scored)
        ++firstUnscored;
    if (firstUnscored < m_model->rowCount())
        startScoring(firstUnscored);
}

void MainWindow::onBatchScored(int firstIndex, const std::vector<FrameResult> &results)
{
    // The job scores the enabled detectors only; the model keeps one score per session detector.
    std::vector<FrameResult> full;
    full.reserve(results.size());
    for (const FrameResult &result : results)
        full.push_back(m_session.sessionResult(result, m_jobDetectors));
    const int first = m_scoringOffset + firstIndex;
    m_model->updateScores(first, full);
    const int shown = currentSourceRow();
    if (shown >= first && shown < first + int(full.size()))
        m_viewer->showResult(m_model->frame(shown), m_session);
    m_setPlotTimer.start();
    if (m_explainedRow < 0)
        m_list->selectFirstIfNone();
}

void MainWindow::onScoringEnded()
{
    refreshFilters();
    refreshSetPlots();
    Q_EMIT scoringFinished();
}

bool MainWindow::isScoring() const
{
    return m_job->isRunning();
}

bool MainWindow::isExplaining() const
{
    return m_explainJob->isBusy();
}

int MainWindow::currentSourceRow() const
{
    return m_list->currentSourceRow();
}

void MainWindow::selectFrame(int sourceRow)
{
    m_list->selectSourceRow(sourceRow);
}

void MainWindow::onFrameSelected(int row)
{
    QString error;
    m_frame = m_viewer->showFrame(m_model->frame(row), m_session, &error);
    if (!error.isEmpty())
        setStatus(tr("Cannot show %1: %2").arg(m_model->frame(row).displayName, error));
    m_review->showFrame(row);
    refreshSetPlots();
    startExplanation(row);
}

void MainWindow::startExplanation(int sourceRow)
{
    if (!m_session.isOpen() || sourceRow < 0)
        return;
    m_explainedRow = sourceRow;
    m_explainedLandscape = AppSettings().landscapeGrid();
    m_shownExplanation.reset();
    setStatus(tr("Explaining %1…").arg(m_model->frame(sourceRow).displayName));
    m_plotTabs->showExplaining();
    m_explainJob->explain(m_session, m_model->frames(), sourceRow, m_frame, m_explainedLandscape);
}

void MainWindow::onPartiallyExplained(int row, std::shared_ptr<const FrameExplanation> soFar,
                                      const QString &stage)
{
    // The job sends only the running request's parts; a row that moved under it (frames
    // replaced) is not shown.
    if (row != m_explainedRow || !soFar)
        return;
    m_shownExplanation = soFar;
    const QString name = m_model->frame(row).displayName;
    if (stage == QLatin1String("verdicts")) {
        m_plotTabs->showVerdicts(*soFar, m_session);
        m_plotTabs->showDensity(*soFar, m_plottedDetector);
        setStatus(tr("Explaining %1: heatmaps next…").arg(name));
    } else if (stage == QLatin1String("heatmaps")) {
        m_viewer->showExplanation(soFar);
        m_plotTabs->showNeurons(*soFar, m_session);
        setStatus(tr("Explaining %1: score landscape next…").arg(name));
    } else if (stage.startsWith(QLatin1String("landscape")) && soFar->landscape) {
        const int n = int(soFar->landscape->coordinates.size());
        const QString progress = n < m_explainedLandscape
                                     ? tr("Landscape %1×%1 … %2×%2").arg(n).arg(m_explainedLandscape)
                                     : tr("Landscape %1×%1").arg(n);
        m_plotTabs->showLandscape(*soFar, n < m_explainedLandscape ? progress : QString());
        setStatus(tr("Explaining %1: %2").arg(name, progress));
    }
}

void MainWindow::onExplained(int, std::shared_ptr<FrameExplanation> explanation)
{
    m_explanation = std::move(explanation);
    m_shownExplanation = m_explanation;
    if (!m_explanation)
        return;
    if (m_explanation->prediction < 0 && !m_explanation->unavailable.empty()) {
        setStatus(tr("Cannot explain this frame: %1")
                      .arg(QString::fromStdString(m_explanation->unavailable.front().second)));
        m_viewer->showExplanation(nullptr);
        m_plotTabs->clearVerdicts();
        Q_EMIT explanationReady();
        return;
    }
    m_viewer->showExplanation(m_explanation);
    m_plotTabs->showExplanation(*m_explanation, m_session, m_plottedDetector);
    double seconds = 0;
    for (const auto &entry : m_explanation->seconds)
        seconds += entry.second;
    setStatus(tr("Explained in %1 s.").arg(seconds, 0, 'f', 2));
    Q_EMIT explanationReady();
}

void MainWindow::refreshVerdicts()
{
    if (m_shownExplanation && m_shownExplanation->prediction >= 0)
        m_plotTabs->showVerdicts(*m_shownExplanation, m_session);
    else if (isExplaining())
        m_plotTabs->showExplaining();
    else
        m_plotTabs->clearVerdicts();
}

void MainWindow::setPlottedDetector(const QString &id)
{
    m_plottedDetector = id;
    if (m_shownExplanation)
        m_plotTabs->showDensity(*m_shownExplanation, id);
    refreshSetPlots();
}

void MainWindow::refreshSetPlots()
{
    if (m_plotTabs->isRocShown())
        m_plotTabs->showRoc(m_session.roc(m_model->frames(), m_plottedDetector));
    m_viewer->showTimelineOf(m_session, m_model->frames(), currentSourceRow(), m_plottedDetector);
}

void MainWindow::jumpToVideoFrame(int videoFrame)
{
    const int row = currentSourceRow();
    if (row < 0)
        return;
    FrameRecord target = m_model->frame(row);
    target.videoFrame = videoFrame;
    const int targetRow = m_model->rowOfKey(target.reviewKey());
    if (targetRow >= 0 && !m_list->selectSourceRow(targetRow))
        setStatus(tr("Frame %1 is hidden by the filters.").arg(videoFrame));
}

void MainWindow::refreshFilters()
{
    m_list->setChoices(m_session.classNames(), m_session.detectorNames(), m_session.enabledDetectors());
    m_review->showProgress();
}

void MainWindow::setMarkOfCurrent(ReviewMark mark)
{
    if (currentSourceRow() >= 0)
        m_review->setMark(currentSourceRow(), mark);
}

void MainWindow::setNoteOfCurrent(const QString &note)
{
    if (currentSourceRow() >= 0)
        m_review->setNote(currentSourceRow(), note);
}

QString MainWindow::reportTitle() const
{
    return m_openedPaths.isEmpty() ? QFileInfo(m_session.profilePath()).completeBaseName()
                                   : QFileInfo(m_openedPaths.first()).fileName();
}

bool MainWindow::writeReport(const QString &path, const std::function<bool(int, int)> &progress)
{
    return m_export->writeReport(path, reportTitle(), m_viewer->heatmapMethod(), progress);
}

void MainWindow::recountFlags()
{
    // Flags follow from the stored scores; nothing is scored again.
    std::vector<FrameResult> results(m_model->frames().begin(), m_model->frames().end());
    for (FrameResult &result : results)
        m_session.recount(result);
    if (!results.empty())
        m_model->updateScores(0, results);
    if (currentSourceRow() >= 0)
        m_viewer->showResult(m_model->frame(currentSourceRow()), m_session);
    m_review->showProgress();
    refreshSetPlots();
}

void MainWindow::setDisabledDetectors(const QStringList &disabled)
{
    const bool newlyEnabled = m_session.setDisabledDetectors(disabled);
    m_list->showDetectorColumns(m_session.enabledDetectors());
    if (!m_session.isOpen() || m_model->rowCount() == 0)
        return;
    // The job's detector set is fixed when it starts, so any change restarts the unscored rest.
    const bool wasScoring = isScoring();
    stopScoring();
    recountFlags();
    if (newlyEnabled)
        startScoring(0);
    else if (wasScoring)
        resumeScoring();
    refreshFilters();
    refreshVerdicts();
}

void MainWindow::applyThreshold(double tpr)
{
    if (!m_session.isOpen() || std::abs(tpr - m_session.targetTpr()) < 1e-12)
        return;
    // Nothing may read the profile while its thresholds move.
    const bool wasScoring = isScoring();
    stopScoring();
    // Its verdicts would be under the old thresholds; it is made again below. Cancelled, it stops
    // at its next checkpoint instead of blocking the window for the rest of its landscape.
    m_explainJob->discard();
    m_explainJob->waitForFinished();
    m_session.setTargetTpr(tpr);
    m_model->setDetectors(stdStrings(m_session.detectorIds()), m_session.detectorNames(),
                          m_session.thresholds());
    recountFlags();
    setStatus(tr("Thresholds now accept %1% of the ID validation frames.").arg(tpr * 100, 0, 'f', 1));
    if (wasScoring)
        resumeScoring();
    startExplanation(currentSourceRow());
}

void MainWindow::showSettings()
{
    SettingsDialog dialog(m_session, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const QString previousPrecision = AppSettings().precision();
    dialog.save();
    m_review->setReviewer(AppSettings().reviewerName());
    if (m_session.isOpen()) {
        if (AppSettings().precision() != previousPrecision) {
            // Every score changes with the number format: the frames are scored again.
            stopScoring();
            try {
                m_session.setInference(AppSettings().inference());
            } catch (const std::exception &e) {
                QMessageBox::critical(this, tr("Cannot change the precision"), QString::fromUtf8(e.what()));
            }
            m_statusBar->showModel(m_session);
            if (!m_session.precisionNote().isEmpty())
                setStatus(m_session.precisionNote());
            startScoring(0);
        }
        applyThreshold(dialog.targetTpr());
        setDisabledDetectors(dialog.disabledDetectors());
    }
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About OOD Inspector"),
        tr("<h3>OOD Inspector %1</h3><p>Explainable out-of-distribution inspection of endoscopy "
           "frames.</p><p><b>%6</b></p><p>git %2<br>Qt %3<br>LibTorch %4<br>OpenCV %5</p>"
           "<p>Model files are code: open checkpoints and TorchScript files only from a trusted "
           "source. A profile refuses any model whose sha256 differs from the one it was fitted "
           "on.</p>")
            .arg(QStringLiteral(OOD_VERSION_STRING), QStringLiteral(OOD_GIT_REVISION),
                 QString::fromLatin1(qVersion()), QStringLiteral(TORCH_VERSION), QStringLiteral(CV_VERSION),
                 htmlEscape(intendedUseStatement())));
}

void MainWindow::showUserGuide()
{
    if (m_guide) {
        m_guide->show();
        m_guide->raise();
        m_guide->activateWindow();
        return;
    }
    // Not modal: the reviewer reads it beside the frames.
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("userGuide"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("OOD Inspector User Guide"));
    auto *layout = new QVBoxLayout(dialog);
    auto *browser = new QTextBrowser(dialog);
    browser->setObjectName(QStringLiteral("userGuideText"));
    browser->setOpenExternalLinks(false);
    browser->setHtml(userGuideHtml(uiLanguage()));
    layout->addWidget(browser);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    layout->addWidget(buttons);
    dialog->resize(720, 680);
    m_guide = dialog;
    dialog->show();
}

void MainWindow::setStatus(const QString &text)
{
    m_statusBar->setStatus(text);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    QString results;
    for (const QUrl &url : event->mimeData()->urls()) {
        if (!url.isLocalFile())
            continue;
        // A results file of ood-inspect score or merge opens with its scores (the first one).
        if (url.toLocalFile().endsWith(QLatin1String(".csv"), Qt::CaseInsensitive)) {
            if (results.isEmpty())
                results = url.toLocalFile();
        } else {
            paths << url.toLocalFile();
        }
    }
    if (!results.isEmpty() && !openResults(results))
        return;
    if (!paths.isEmpty())
        openFrames(paths);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_review->noteEdit()->hasFocus())
        setNoteOfCurrent(m_review->noteEdit()->toPlainText());
    m_job->cancel();
    event->accept();
}

} // namespace ood
