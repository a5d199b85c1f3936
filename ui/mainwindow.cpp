#include "mainwindow.h"

#include "data/demoassets.h"
#include "data/sampledecoder.h"
#include "data/videosource.h"
#include "error.h"
#include "eval/metrics.h"
#include "image/imagedecoder.h"
#include "image/preprocess.h"
#include "models/framefilterproxy.h"
#include "models/frametablemodel.h"
#include "report/reviewreport.h"
#include "review/reviewstore.h"
#include "session/frameresult.h"
#include "session/scoringjob.h"
#include "version.h"
#include "widgets/explanationplots.h"
#include "widgets/heatmapimage.h"
#include "widgets/imageview.h"
#include "widgets/scorepanel.h"
#include "widgets/sessionplots.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QListWidgetItem>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QProgressDialog>
#include <QThread>
#include <QPushButton>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <opencv2/core/version.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <thread>

namespace ood {

namespace {

constexpr int kMaxRecent = 8;
// A procedure video runs at 25-30 frames per second; every 5th frame still sees every second of it
// several times at a fifth of the cost.
constexpr int kDefaultVideoEvery = 5;
const ReviewMark kMarks[3] = {ReviewMark::ConfirmedUnusual, ReviewMark::FalseAlarm, ReviewMark::Unsure};

QString markLabel(ReviewMark mark)
{
    switch (mark) {
    case ReviewMark::ConfirmedUnusual:
        return QCoreApplication::translate("MainWindow", "Confirmed unusual");
    case ReviewMark::FalseAlarm:
        return QCoreApplication::translate("MainWindow", "False alarm");
    case ReviewMark::Unsure:
        return QCoreApplication::translate("MainWindow", "Unsure");
    case ReviewMark::None:
        break;
    }
    return QCoreApplication::translate("MainWindow", "Not reviewed");
}

/// Runs in a worker thread on the frame the view already decoded: preprocess, explain. Errors
/// become an "unavailable" entry.
std::shared_ptr<FrameExplanation> explainInBackground(std::shared_ptr<Backbone> backbone,
                                                      std::shared_ptr<const Profile> profile, RgbImage frame,
                                                      ExplainOptions options)
{
    auto result = std::make_shared<FrameExplanation>();
    try {
        if (frame.isNull())
            throw Error("the frame could not be read");
        *result = explainFrame(*backbone, *profile, preprocessImage(frame, profile->model.input), options);
    } catch (const std::exception &e) {
        result->prediction = -1;
        result->unavailable.emplace_back("explanation", e.what());
    }
    return result;
}

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("OOD Inspector"));
    setAcceptDrops(true);
    m_model = new FrameTableModel(this);
    m_proxy = new FrameFilterProxy(this);
    m_proxy->setSourceModel(m_model);
    m_job = new ScoringJob(this);

    buildActions();
    buildMenus();
    m_pages = new QStackedWidget(this);
    m_pages->addWidget(buildWelcomePage());
    m_pages->addWidget(buildWorkPage());
    setCentralWidget(m_pages);

    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(220);
    m_progress->setToolTip(tr("Frames scored so far"));
    m_progress->hide();
    m_eta = new QLabel(this);
    m_eta->setToolTip(tr("Estimated time until every frame is scored"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setToolTip(tr("Stop scoring after the current batch; frames scored so far are kept."));
    m_cancel->hide();
    m_status = new QLabel(this);
    statusBar()->addWidget(m_status, 1);
    m_modelIdentity = new QLabel(this);
    m_modelIdentity->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addPermanentWidget(m_modelIdentity);
    statusBar()->addPermanentWidget(m_eta);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    connect(m_cancel, &QPushButton::clicked, m_job, &ScoringJob::cancel);

    connect(m_job, &ScoringJob::batchScored, this, &MainWindow::onBatchScored);
    connect(m_job, &ScoringJob::progress, this, [this](int done, int total, double eta) {
        m_progress->setMaximum(std::max(1, total));
        m_progress->setValue(done);
        m_eta->setText(eta >= 0
                           ? tr("%1 of %2 frames, about %3 s left").arg(done).arg(total).arg(eta, 0, 'f', 0)
                           : tr("%1 of %2 frames").arg(done).arg(total));
    });
    auto scoringEnded = [this](const QString &message) {
        m_progress->hide();
        m_cancel->hide();
        m_eta->clear();
        setStatus(message);
        refreshFilters();
        refreshSetPlots();
        Q_EMIT scoringFinished();
    };
    connect(m_job, &ScoringJob::finished, this, [this, scoringEnded](int scored, int failed, double seconds) {
        scoringEnded(failed ? tr("Scored %1 frames in %2 s; %3 could not be read (see the list).")
                                  .arg(scored)
                                  .arg(seconds, 0, 'f', 1)
                                  .arg(failed)
                            : tr("Scored %1 frames in %2 s.").arg(scored).arg(seconds, 0, 'f', 1));
        if (m_explainedRow < 0 && m_proxy->rowCount() > 0)
            m_list->selectRow(0);
    });
    connect(m_job, &ScoringJob::cancelled, this,
            [scoringEnded, this] { scoringEnded(tr("Scoring cancelled.")); });
    connect(m_job, &ScoringJob::failed, this, [this, scoringEnded](const QString &message) {
        scoringEnded(tr("Scoring failed: %1").arg(message));
        QMessageBox::warning(this, tr("Scoring failed"), message);
    });
    connect(
        m_model, &FrameTableModel::thumbnailNeeded, this,
        [this](int row) {
            const FrameRecord &frame = m_model->frame(row);
            const Sample sample{frame.path, -1, frame.videoFrame};
            const QString key = frame.reviewKey();
            auto *watcher = new QFutureWatcher<QImage>(this);
            connect(watcher, &QFutureWatcher<QImage>::finished, this, [this, watcher, row, key] {
                if (row < m_model->rowCount() && m_model->frame(row).reviewKey() == key)
                    m_model->setThumbnail(row, watcher->result());
                watcher->deleteLater();
            });
            watcher->setFuture(QtConcurrent::run([sample] {
                try {
                    return toQImage(decodeSample(sample))
                        .scaled(48, 48, Qt::KeepAspectRatio, Qt::SmoothTransformation);
                } catch (const std::exception &) {
                    return QImage();
                }
            }));
        },
        Qt::QueuedConnection);
    connect(&m_explainWatcher, &QFutureWatcherBase::finished, this, &MainWindow::showExplanation);
    m_setPlotTimer.setSingleShot(true);
    m_setPlotTimer.setInterval(500);
    connect(&m_setPlotTimer, &QTimer::timeout, this, &MainWindow::refreshSetPlots);

    resize(1366, 768);
    refreshRecent();
    setStatus(tr("Open a profile and frames, or the demo."));
}

MainWindow::~MainWindow()
{
    m_job->cancel();
    m_job->wait();
    m_explainWatcher.waitForFinished();
}

QAction *MainWindow::action(const QString &objectName) const
{
    const auto it = m_actions.find(objectName);
    return it == m_actions.end() ? nullptr : it->second;
}

void MainWindow::buildActions()
{
    auto make = [this](const QString &name, const QString &text, const QKeySequence &shortcut,
                       const QString &tip, auto slot) {
        auto *a = new QAction(text, this);
        a->setObjectName(name);
        if (!shortcut.isEmpty())
            a->setShortcut(shortcut);
        a->setToolTip(tip);
        a->setStatusTip(tip);
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        m_actions[name] = a;
        return a;
    };
    make("openProfile", tr("Open &Profile…"), QKeySequence(tr("Ctrl+Shift+O")),
         tr("Open a profile (.oodprofile) fitted with ood-inspect fit; its model is opened and checked."),
         [this] {
             const QString path = QFileDialog::getOpenFileName(
                 this, tr("Open profile"), {}, tr("OOD Inspector profiles (*.oodprofile);;All files (*)"));
             if (!path.isEmpty())
                 openProfile(path);
         });
    make("openImages", tr("Open &Images…"), QKeySequence::Open,
         tr("Add image files to the session and score them."), [this] {
             const QStringList paths = QFileDialog::getOpenFileNames(
                 this, tr("Open images"), {},
                 tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;All files (*)"));
             if (!paths.isEmpty())
                 openFrames(paths);
         });
    make("openFolder", tr("Open &Folder…"), QKeySequence(tr("Ctrl+Shift+F")),
         tr("Add every image under a folder (recursively) and score them."), [this] {
             const QString path = QFileDialog::getExistingDirectory(this, tr("Open folder"));
             if (!path.isEmpty())
                 openFrames({path});
         });
    make("openVideo", tr("Open &Video…"), QKeySequence(tr("Ctrl+Shift+V")),
         tr("Add a video (every n-th frame, see Settings) to the session and score its frames."), [this] {
             QStringList patterns;
             for (const QString &extension : videoExtensions())
                 patterns << QStringLiteral("*.") + extension;
             const QStringList paths = QFileDialog::getOpenFileNames(
                 this, tr("Open video"), {}, tr("Videos (%1);;All files (*)").arg(patterns.join(' ')));
             if (!paths.isEmpty())
                 openFrames(paths);
         });
    make("openDemo", tr("Open the &Demo"), QKeySequence(),
         tr("Open the bundled demo model, profile and frames."), [this] { openDemo(); });
    make("exportReport", tr("&Export Report…"), QKeySequence(tr("Ctrl+E")),
         tr("Write a PDF or HTML report of the flagged frames, with heatmaps and review marks."),
         [this] { exportReport(); });
    make("exportCsv", tr("Export Scores as &CSV…"), QKeySequence(), tr("Write every frame's scores as CSV."),
         [this] { exportCsv(); });
    make("quit", tr("&Quit"), QKeySequence::Quit, tr("Close OOD Inspector."), [this] { close(); });
    make("fit", tr("&Fit to Window"), QKeySequence(tr("R")), tr("Show the whole frame."),
         [this] { m_view->fitToWindow(); });
    make("actualSize", tr("&Actual Size"), QKeySequence(tr("Ctrl+1")),
         tr("One frame pixel per screen pixel."), [this] { m_view->actualSize(); });
    make("toggleHeatmap", tr("Show &Heatmap"), QKeySequence(tr("H")),
         tr("Show or hide the heatmap over the frame."), [this] {
             m_view->toggleOverlay();
             m_compareView->setOverlayVisible(m_view->overlayVisible());
             action("toggleHeatmap")->setChecked(m_view->overlayVisible());
         });
    action("toggleHeatmap")->setCheckable(true);
    action("toggleHeatmap")->setChecked(true);
    make("compare", tr("&Compare Two Heatmaps"), QKeySequence(tr("C")),
         tr("Show a second heatmap method side by side."), [this] {
             m_compareView->setVisible(action("compare")->isChecked());
             m_compareBox->setVisible(action("compare")->isChecked());
             refreshHeatmap();
         });
    action("compare")->setCheckable(true);
    make("next", tr("&Next Frame"), QKeySequence(tr("J")), tr("Select the next frame in the list."),
         [this] { moveSelection(1); });
    make("previous", tr("&Previous Frame"), QKeySequence(tr("K")),
         tr("Select the previous frame in the list."), [this] { moveSelection(-1); });
    make("markUnusual", markLabel(ReviewMark::ConfirmedUnusual), QKeySequence(tr("1")),
         tr("Mark the frame: the model should not be trusted on it."),
         [this] { setMarkOfCurrent(ReviewMark::ConfirmedUnusual); });
    make("markFalseAlarm", markLabel(ReviewMark::FalseAlarm), QKeySequence(tr("2")),
         tr("Mark the frame: ordinary, the detectors were wrong."),
         [this] { setMarkOfCurrent(ReviewMark::FalseAlarm); });
    make("markUnsure", markLabel(ReviewMark::Unsure), QKeySequence(tr("3")), tr("Mark the frame as unsure."),
         [this] { setMarkOfCurrent(ReviewMark::Unsure); });
    make("clearMark", tr("Clear Mark"), QKeySequence(tr("0")), tr("Remove the frame's review mark."),
         [this] { setMarkOfCurrent(ReviewMark::None); });
    make("settings", tr("&Settings…"), QKeySequence::Preferences,
         tr("Threads, detectors, the threshold policy, video sampling and the language."),
         [this] { showSettings(); });
    make("about", tr("&About OOD Inspector"), QKeySequence(), tr("Version and library versions."),
         [this] { showAbout(); });
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    for (const char *name : {"openProfile", "openImages", "openFolder", "openVideo", "openDemo"})
        file->addAction(action(name));
    file->addSeparator();
    file->addAction(action("exportReport"));
    file->addAction(action("exportCsv"));
    file->addSeparator();
    file->addAction(action("quit"));
    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (const char *name : {"fit", "actualSize", "toggleHeatmap", "compare"})
        view->addAction(action(name));
    QMenu *go = menuBar()->addMenu(tr("&Go"));
    go->addAction(action("next"));
    go->addAction(action("previous"));
    QMenu *review = menuBar()->addMenu(tr("&Review"));
    for (const char *name : {"markUnusual", "markFalseAlarm", "markUnsure", "clearMark"})
        review->addAction(action(name));
    QMenu *settings = menuBar()->addMenu(tr("&Settings"));
    settings->addAction(action("settings"));
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(action("about"));
}

QWidget *MainWindow::buildWelcomePage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->addStretch();
    auto *title =
        new QLabel(tr("<h1>OOD Inspector</h1><p>Find the endoscopy frames a classifier should not be "
                      "trusted on, see why, and report.</p>"),
                   page);
    title->setAlignment(Qt::AlignCenter);
    layout->addWidget(title);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    for (const char *name : {"openDemo", "openProfile", "openFolder"}) {
        auto *button = new QPushButton(action(name)->text().remove('&').remove(QStringLiteral("…")), page);
        button->setToolTip(action(name)->toolTip());
        button->setMinimumHeight(36);
        connect(button, &QPushButton::clicked, action(name), &QAction::trigger);
        buttons->addWidget(button);
    }
    buttons->addStretch();
    layout->addLayout(buttons);
    auto *recentTitle = new QLabel(tr("Recent:"), page);
    recentTitle->setAlignment(Qt::AlignCenter);
    layout->addWidget(recentTitle);
    m_recentList = new QListWidget(page);
    m_recentList->setMaximumWidth(600);
    m_recentList->setMaximumHeight(160);
    m_recentList->setToolTip(tr("Double-click to open again (profiles open with their model)."));
    layout->addWidget(m_recentList, 0, Qt::AlignHCenter);
    connect(m_recentList, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const QString path = item->data(Qt::UserRole).toString();
        if (path.endsWith(QLatin1String(".oodprofile")))
            openProfile(path);
        else
            openFrames({path});
    });
    auto *hint = new QLabel(tr("You can also drop a profile, images or folders onto this window."), page);
    hint->setAlignment(Qt::AlignCenter);
    layout->addWidget(hint);
    layout->addStretch();
    return page;
}

QWidget *MainWindow::buildWorkPage()
{
    auto *splitter = new QSplitter(Qt::Horizontal, this);

    // Left: filters and the frame list.
    auto *left = new QWidget(splitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(4, 4, 4, 4);
    auto *filters = new QGridLayout;
    m_flaggedOnly = new QCheckBox(tr("Flagged only"), left);
    m_flaggedOnly->setToolTip(tr("Show only frames that at least one detector flags."));
    m_nameFilter = new QLineEdit(left);
    m_nameFilter->setPlaceholderText(tr("Filter by name"));
    m_nameFilter->setToolTip(tr("Show only frames whose name contains this text."));
    m_classFilter = new QComboBox(left);
    m_classFilter->setToolTip(tr("Show only frames predicted as this class."));
    m_markFilter = new QComboBox(left);
    m_markFilter->setToolTip(tr("Show only frames with this review state."));
    m_markFilter->addItem(tr("Any review state"), -2);
    m_markFilter->addItem(markLabel(ReviewMark::None), int(ReviewMark::None));
    for (ReviewMark mark : kMarks)
        m_markFilter->addItem(markLabel(mark), int(mark));
    m_detectorFilter = new QComboBox(left);
    m_detectorFilter->setToolTip(tr("Show only frames that this detector flags."));
    filters->addWidget(m_flaggedOnly, 0, 0);
    filters->addWidget(m_nameFilter, 0, 1);
    filters->addWidget(m_classFilter, 1, 0);
    filters->addWidget(m_markFilter, 1, 1);
    filters->addWidget(m_detectorFilter, 2, 0, 1, 2);
    leftLayout->addLayout(filters);
    m_list = new QTableView(left);
    m_list->setModel(m_proxy);
    m_list->setSortingEnabled(true);
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->verticalHeader()->setDefaultSectionSize(52);
    m_list->verticalHeader()->hide();
    m_list->horizontalHeader()->setStretchLastSection(true);
    m_list->setToolTip(tr("Every frame of the session. Click a header to sort; J/K or the arrow keys move."));
    leftLayout->addWidget(m_list);
    connect(m_flaggedOnly, &QCheckBox::toggled, m_proxy, &FrameFilterProxy::setFlaggedOnly);
    connect(m_nameFilter, &QLineEdit::textChanged, m_proxy, &FrameFilterProxy::setNameFilter);
    connect(m_classFilter, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { m_proxy->setPredictedClass(m_classFilter->currentData().toInt()); });
    connect(m_markFilter, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        const int value = m_markFilter->currentData().toInt();
        m_proxy->setMarkFilter(value == -2 ? std::nullopt : std::optional<ReviewMark>(ReviewMark(value)));
    });
    connect(m_detectorFilter, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { m_proxy->setFlaggingDetector(m_detectorFilter->currentData().toInt()); });
    connect(m_list->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onCurrentRowChanged);

    // Centre: the frame with its heatmap.
    auto *centre = new QWidget(splitter);
    auto *centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(4, 4, 4, 4);
    m_frameTitle = new QLabel(centre);
    m_frameTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_frameTitle->setWordWrap(true);
    centreLayout->addWidget(m_frameTitle);
    auto *heatmapBar = new QHBoxLayout;
    m_methodBox = new QComboBox(centre);
    m_methodBox->setToolTip(
        tr("Heatmap method: NERO relevance CAM, its deviation from the nearest class, Grad-CAM "
           "or LRP (docs/explanations.md)."));
    m_compareBox = new QComboBox(centre);
    m_compareBox->setToolTip(tr("Heatmap method of the second view."));
    m_compareBox->hide();
    m_opacity = new QSlider(Qt::Horizontal, centre);
    m_opacity->setRange(0, 100);
    m_opacity->setValue(60);
    m_opacity->setMinimumWidth(70);
    m_opacity->setMaximumWidth(120);
    m_opacity->setToolTip(tr("Opacity of the heatmap"));
    m_rangeMode = new QComboBox(centre);
    m_rangeMode->addItems({tr("Per-image range"), tr("Fixed range")});
    m_rangeMode->setToolTip(
        tr("Per-image: the colours span this frame's values. Fixed: they span the value set "
           "on the right, so frames can be compared."));
    m_fixedRange = new QDoubleSpinBox(centre);
    m_fixedRange->setDecimals(6);
    m_fixedRange->setRange(1e-9, 1e9);
    m_fixedRange->setValue(1.0);
    m_fixedRange->setToolTip(tr("Largest |value| of the fixed colour range"));
    m_fixedRange->setEnabled(false);
    heatmapBar->addWidget(new QLabel(tr("Heatmap:"), centre));
    heatmapBar->addWidget(m_methodBox);
    heatmapBar->addWidget(m_compareBox);
    heatmapBar->addWidget(new QLabel(tr("Opacity:"), centre));
    heatmapBar->addWidget(m_opacity);
    heatmapBar->addWidget(m_rangeMode);
    heatmapBar->addWidget(m_fixedRange);
    heatmapBar->addStretch();
    centreLayout->addLayout(heatmapBar);
    auto *views = new QHBoxLayout;
    m_view = new ImageView(centre);
    m_compareView = new ImageView(centre);
    m_compareView->hide();
    views->addWidget(m_view);
    views->addWidget(m_compareView);
    centreLayout->addLayout(views, 1);
    auto *legend = new QHBoxLayout;
    m_legendBar = new QLabel(centre);
    m_legendBar->setToolTip(tr("Colour scale of the heatmap"));
    m_legendText = new QLabel(centre);
    // Long method names wrap instead of widening the centre column past what 1366 px leave.
    m_legendText->setWordWrap(true);
    m_cursorValue = new QLabel(centre);
    m_cursorValue->setToolTip(tr("Pixel under the cursor and the heatmap value there"));
    legend->addWidget(m_legendBar);
    legend->addWidget(m_legendText, 1);
    legend->addWidget(m_cursorValue);
    centreLayout->addLayout(legend);
    connect(m_methodBox, qOverload<int>(&QComboBox::currentIndexChanged), this, &MainWindow::refreshHeatmap);
    connect(m_compareBox, qOverload<int>(&QComboBox::currentIndexChanged), this, &MainWindow::refreshHeatmap);
    connect(m_rangeMode, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int mode) {
        m_fixedRange->setEnabled(mode == 1);
        refreshHeatmap();
    });
    connect(m_fixedRange, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
            &MainWindow::refreshHeatmap);
    connect(m_opacity, &QSlider::valueChanged, this, [this](int value) {
        m_view->setOverlayOpacity(value / 100.0);
        m_compareView->setOverlayOpacity(value / 100.0);
    });
    auto showCursor = [this](bool valid, QPoint pixel, double value, const QString &unit) {
        m_cursorValue->setText(
            !valid ? QString()
            : std::isnan(value)
                ? tr("x %1, y %2").arg(pixel.x()).arg(pixel.y())
                : tr("x %1, y %2: %3 %4").arg(pixel.x()).arg(pixel.y()).arg(value, 0, 'g', 4).arg(unit));
    };
    connect(m_view, &ImageView::hovered, this, showCursor);
    connect(m_compareView, &ImageView::hovered, this, showCursor);

    // Right: verdicts, review, plots.
    auto *right = new QWidget(splitter);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(4, 4, 4, 4);
    auto *reviewBox = new QGroupBox(tr("Review"), right);
    auto *reviewLayout = new QVBoxLayout(reviewBox);
    auto *markRow = new QHBoxLayout;
    const char *markActions[3] = {"markUnusual", "markFalseAlarm", "markUnsure"};
    for (int i = 0; i < 3; ++i) {
        m_markButtons[i] = new QPushButton(markLabel(kMarks[i]), reviewBox);
        m_markButtons[i]->setCheckable(true);
        m_markButtons[i]->setToolTip(action(markActions[i])->toolTip() + " (" +
                                     action(markActions[i])->shortcut().toString(QKeySequence::NativeText) +
                                     ")");
        connect(m_markButtons[i], &QPushButton::clicked, this,
                [this, i](bool checked) { setMarkOfCurrent(checked ? kMarks[i] : ReviewMark::None); });
        markRow->addWidget(m_markButtons[i]);
    }
    reviewLayout->addLayout(markRow);
    m_note = new QPlainTextEdit(reviewBox);
    m_note->setPlaceholderText(tr("Note (saved when you leave the field or pick a mark)"));
    m_note->setMaximumHeight(60);
    m_note->setToolTip(tr("A note for the record; it is saved with the mark."));
    reviewLayout->addWidget(m_note);
    m_reviewProgress = new QLabel(reviewBox);
    reviewLayout->addWidget(m_reviewProgress);
    rightLayout->addWidget(reviewBox);
    connect(m_note, &QPlainTextEdit::textChanged, this, [this] {
        // Saved on every change, so a crash loses at most the keystroke being typed.
        if (m_note->hasFocus())
            setNoteOfCurrent(m_note->toPlainText());
    });

    m_plotTabs = new QTabWidget(right);
    // Every tab stays in view at 1366 px (labels shortened if need be) rather than behind scroll
    // arrows; the tooltips carry the full names.
    m_plotTabs->setUsesScrollButtons(false);
    m_plotTabs->setElideMode(Qt::ElideRight);
    m_scores = new ScorePanel(m_plotTabs);
    m_density = new DensityPlot(m_plotTabs);
    m_landscape = new LandscapePlot(m_plotTabs);
    auto *neurons = new QWidget(m_plotTabs);
    auto *neuronLayout = new QVBoxLayout(neurons);
    m_neuronSummary = new QLabel(neurons);
    m_neuronSummary->setWordWrap(true);
    m_relevance = new RelevancePlot(neurons);
    neuronLayout->addWidget(m_neuronSummary);
    neuronLayout->addWidget(m_relevance, 1);
    m_plotTabs->addTab(m_scores, tr("Scores"));
    m_plotTabs->addTab(m_density, tr("Density"));
    m_plotTabs->addTab(m_landscape, tr("Landscape"));
    m_plotTabs->addTab(neurons, tr("Neurons"));
    m_roc = new RocPlot(m_plotTabs);
    m_timeline = new TimelinePlot(m_plotTabs);
    m_plotTabs->addTab(m_roc, tr("ROC"));
    m_plotTabs->addTab(m_timeline, tr("Timeline"));
    m_plotTabs->setTabToolTip(0, tr("Every detector's score, threshold and percentile for this frame"));
    m_plotTabs->setTabToolTip(1, tr("Where the frame falls in a detector's ID validation distribution"));
    m_plotTabs->setTabToolTip(2, tr("How the score changes around the frame"));
    m_plotTabs->setTabToolTip(3, tr("NERO: which neurons make the frame unlike the class it resembles"));
    m_plotTabs->setTabToolTip(4,
                              tr("ROC curves of the detectors when the open folders say which frames are ID "
                                 "(a folder named id) and which OOD (ood, near-ood, far-ood)"));
    m_plotTabs->setTabToolTip(5, tr("The score along the video of the selected frame; click to jump"));
    connect(m_plotTabs, &QTabWidget::currentChanged, this, [this] { refreshSetPlots(); });
    connect(m_timeline, &TimelinePlot::frameClicked, this, [this](int videoFrame) {
        const int row = currentSourceRow();
        if (row < 0)
            return;
        FrameRecord target = m_model->frame(row);
        target.videoFrame = videoFrame;
        const int targetRow = m_model->rowOfKey(target.reviewKey());
        if (targetRow >= 0 && m_proxy->mapFromSource(m_model->index(targetRow, 0)).isValid())
            selectFrame(targetRow);
        else if (targetRow >= 0)
            setStatus(tr("Frame %1 is hidden by the filters.").arg(videoFrame));
    });
    rightLayout->addWidget(m_plotTabs, 1);
    connect(m_scores, &ScorePanel::detectorChosen, this, &MainWindow::setPlottedDetector);

    splitter->addWidget(left);
    splitter->addWidget(centre);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 4);
    splitter->setStretchFactor(2, 3);
    splitter->setSizes({400, 520, 440});
    return splitter;
}

void MainWindow::refreshRecent()
{
    m_recentList->clear();
    const QStringList recent = QSettings().value("recent").toStringList();
    for (const QString &path : recent) {
        auto *item = new QListWidgetItem(QFileInfo(path).fileName() + "  —  " + path, m_recentList);
        item->setData(Qt::UserRole, path);
    }
}

void MainWindow::addRecent(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value("recent").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue("recent", recent);
    refreshRecent();
}

bool MainWindow::openProfile(const QString &path, const QString &modelOverride)
{
    if (isScoring()) {
        m_job->cancel();
        m_job->wait();
    }
    try {
        setStatus(tr("Opening %1…").arg(QFileInfo(path).fileName()));
        QApplication::setOverrideCursor(Qt::WaitCursor);
        m_session.openProfile(path, modelOverride);
        QApplication::restoreOverrideCursor();
    } catch (const std::exception &e) {
        QApplication::restoreOverrideCursor();
        QMessageBox::critical(this, tr("Cannot open the profile"), QString::fromUtf8(e.what()));
        setStatus(tr("Could not open %1.").arg(path));
        return false;
    }
    std::vector<std::string> ids;
    for (const QString &id : m_session.detectorIds())
        ids.push_back(id.toStdString());
    m_model->setDetectors(ids, m_session.detectorNames(), m_session.thresholds());
    m_model->setClassNames(m_session.classNames());
    m_model->setFrames({});
    setDisabledDetectors(QSettings().value("disabledDetectors").toStringList());
    m_openedPaths.clear();
    m_store.reset();
    m_explanation.reset();
    m_explainedRow = -1;
    m_shownRow = -1;
    refreshFilters();
    addRecent(QFileInfo(path).absoluteFilePath());
    const Profile &profile = *m_session.profile();
    setWindowTitle(tr("OOD Inspector — %1").arg(QFileInfo(path).fileName()));
    // Model files are code: whoever looks at the scores can always see which model made them.
    m_modelIdentity->setText(tr("Model sha256 %1…").arg(m_session.modelSha256().left(12)));
    m_modelIdentity->setToolTip(tr("Model %1\nsha256 %2\nProfile %3\nsha256 %4")
                                    .arg(m_session.modelPath(), m_session.modelSha256(),
                                         m_session.profilePath(), m_session.profileSha256()));
    setStatus(tr("Profile %1: %2, %3 detectors, model sha256 %4…")
                  .arg(QFileInfo(path).fileName(), QString::fromStdString(profile.model.architecture))
                  .arg(profile.detectors.size())
                  .arg(m_session.modelSha256().left(16)));
    m_pages->setCurrentIndex(1);
    return true;
}

void MainWindow::openStoreFor(const QStringList &paths)
{
    if (m_store || paths.isEmpty())
        return;
    const QString root =
        QFileInfo(paths.first()).isDir() ? paths.first() : QFileInfo(paths.first()).absolutePath();
    try {
        auto store = std::make_unique<ReviewStore>();
        const QString path = ReviewStore::pathFor(root);
        QDir().mkpath(QFileInfo(path).absolutePath());
        store->open(path);
        if (path != ReviewStore::defaultPathFor(root)) {
            auto *box =
                new QMessageBox(QMessageBox::Information, tr("Review marks are saved elsewhere"),
                                tr("%1 is read-only; review marks are saved in %2.")
                                    .arg(QDir::toNativeSeparators(root), QDir::toNativeSeparators(path)),
                                QMessageBox::Ok, this);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        }
        m_reviewProgress->setToolTip(tr("Review marks are saved in %1").arg(QDir::toNativeSeparators(path)));
        ReviewContext context{m_session.modelSha256(), m_session.profilePath(), m_session.profileSha256()};
        const ReviewContext previous = store->context();
        // Marks are decisions about frames; they stay valid when the profile is refitted, but a
        // different model may see the frames differently.
        if (!previous.modelSha256.isEmpty() && previous.modelSha256 != context.modelSha256) {
            auto *box =
                new QMessageBox(QMessageBox::Information, tr("Review marks from another model"),
                                tr("The review marks in %1 were made with another model. They are shown, "
                                   "but check them again.")
                                    .arg(store->path()),
                                QMessageBox::Ok, this);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        }
        store->setContext(context);
        m_store = std::move(store);
    } catch (const std::exception &e) {
        QMessageBox::warning(
            this, tr("Review marks are not saved"),
            tr("The review database could not be opened, so marks will not be kept: %1").arg(e.what()));
    }
}

bool MainWindow::openFrames(const QStringList &paths)
{
    if (!m_session.isOpen()) {
        // A profile dropped or given with the frames opens first.
        QStringList rest;
        for (const QString &path : paths)
            if (path.endsWith(QLatin1String(".oodprofile")))
                openProfile(path);
            else
                rest << path;
        if (!m_session.isOpen()) {
            QMessageBox::information(
                this, tr("Open a profile first"),
                tr("Frames are scored with a profile. Open a profile (File > Open Profile) or "
                   "the demo first."));
            return false;
        }
        return rest.isEmpty() || openFrames(rest);
    }
    QStringList frames;
    for (const QString &path : paths) {
        if (path.endsWith(QLatin1String(".oodprofile")))
            openProfile(path);
        else
            frames << path;
    }
    if (frames.isEmpty())
        return true;
    QStringList problems;
    std::vector<FrameRecord> records =
        m_session.framesFor(frames, &problems, QSettings().value("videoEvery", kDefaultVideoEvery).toInt());
    if (!problems.isEmpty())
        QMessageBox::warning(this, tr("Some inputs could not be opened"), problems.join('\n'));
    if (records.empty()) {
        setStatus(tr("No images found in %1.").arg(frames.join(", ")));
        return false;
    }
    openStoreFor(frames);
    if (m_store) {
        const QMap<QString, ReviewEntry> marks = m_store->allMarks();
        for (FrameRecord &record : records) {
            const auto it = marks.find(record.reviewKey());
            if (it != marks.end()) {
                record.mark = it->mark;
                record.note = it->note;
            }
        }
    }
    for (const QString &path : frames)
        addRecent(QFileInfo(path).absoluteFilePath());
    m_openedPaths << frames;
    std::vector<FrameRecord> all = m_model->frames();
    const int firstNew = static_cast<int>(all.size());
    all.insert(all.end(), std::make_move_iterator(records.begin()), std::make_move_iterator(records.end()));
    m_model->setFrames(std::move(all));
    m_pages->setCurrentIndex(1);
    refreshReviewProgress();
    startScoring(firstNew);
    return true;
}

bool MainWindow::openDemo()
{
    if (!hasDemoAssets()) {
        QMessageBox::warning(
            this, tr("No demo"),
            tr("This build carries no demo assets (resources/demo/build-assets.sh makes them)."));
        return false;
    }
    const QString target = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/demo";
    try {
        const ExtractedDemo demo = extractDemoAssets(QString::fromLatin1(kEmbeddedDemoAssets), target);
        return openProfile(demo.profilePath) && openFrames({demo.framesPath});
    } catch (const std::exception &e) {
        QMessageBox::critical(this, tr("Cannot open the demo"), QString::fromUtf8(e.what()));
        return false;
    }
}

void MainWindow::startScoring(int firstRow)
{
    if (isScoring()) {
        m_job->cancel();
        m_job->wait();
    }
    std::vector<Sample> samples;
    for (int row = firstRow; row < m_model->rowCount(); ++row)
        samples.push_back({m_model->frame(row).path, -1, m_model->frame(row).videoFrame});
    std::vector<std::string> detectorIds;
    m_jobDetectors.clear();
    const QStringList ids = m_session.detectorIds();
    for (int d = 0; d < ids.size(); ++d)
        if (isDetectorEnabled(d)) {
            detectorIds.push_back(ids[d].toStdString());
            m_jobDetectors.push_back(d);
        }
    m_scoringOffset = firstRow;
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->show();
    setStatus(tr("Scoring %1 frames…").arg(samples.size()));
    QSettings settings;
    RunOptions options;
    options.batchSize = settings.value("batchSize", 16).toInt();
    m_job->start(m_session.backbone(), m_session.profile(), std::move(samples), options,
                 std::move(detectorIds));
}

void MainWindow::onBatchScored(int firstIndex, const std::vector<FrameResult> &results)
{
    // The job scores the enabled detectors only; the model keeps one score per session detector.
    const size_t detectors = static_cast<size_t>(m_model->detectorCount());
    std::vector<FrameResult> full = results;
    for (FrameResult &result : full) {
        std::vector<double> scores(detectors, std::numeric_limits<double>::quiet_NaN());
        for (size_t j = 0; j < result.scores.size() && j < m_jobDetectors.size(); ++j)
            scores[static_cast<size_t>(m_jobDetectors[j])] = result.scores[j];
        result.scores = std::move(scores);
    }
    m_model->updateScores(m_scoringOffset + firstIndex, full);
    m_setPlotTimer.start();
    if (m_explainedRow < 0 && m_list->currentIndex().isValid() == false && m_proxy->rowCount() > 0)
        m_list->selectRow(0);
}

bool MainWindow::isScoring() const
{
    return m_job->isRunning();
}

bool MainWindow::isExplaining() const
{
    // Until its result is on screen: the watcher stops running before its finished signal arrives.
    return m_explainWatcher.isRunning() || m_pendingExplainRow >= 0 || m_shownRow != m_explainedRow;
}

int MainWindow::currentSourceRow() const
{
    const QModelIndex index = m_list->currentIndex();
    return index.isValid() ? m_proxy->mapToSource(index).row() : -1;
}

void MainWindow::selectFrame(int sourceRow)
{
    const QModelIndex proxyIndex = m_proxy->mapFromSource(m_model->index(sourceRow, 0));
    if (proxyIndex.isValid())
        m_list->setCurrentIndex(proxyIndex);
}

void MainWindow::moveSelection(int delta)
{
    const int rows = m_proxy->rowCount();
    if (rows == 0)
        return;
    const int current = m_list->currentIndex().isValid() ? m_list->currentIndex().row() : -1;
    m_list->selectRow(std::clamp(current + delta, 0, rows - 1));
}

void MainWindow::onCurrentRowChanged()
{
    const int row = currentSourceRow();
    if (row < 0)
        return;
    const FrameRecord &frame = m_model->frame(row);
    try {
        m_frame = decodeSample({frame.path, -1, frame.videoFrame});
        m_frameImage = toQImage(m_frame);
    } catch (const std::exception &e) {
        m_frame = RgbImage();
        m_frameImage = QImage();
        setStatus(tr("Cannot show %1: %2").arg(frame.displayName, QString::fromUtf8(e.what())));
    }
    m_view->setFrame(m_frameImage);
    m_compareView->setFrame(m_frameImage);
    const QStringList classes = m_session.classNames();
    if (!frame.scored)
        m_frameTitle->setText(frame.error.isEmpty()
                                  ? tr("<b>%1</b> — not scored yet").arg(frame.displayName.toHtmlEscaped())
                                  : tr("<b>%1</b> — could not be scored: %2")
                                        .arg(frame.displayName.toHtmlEscaped(), frame.error.toHtmlEscaped()));
    else
        m_frameTitle->setText(tr("<b>%1</b> — predicted %2 (%3), flagged by %4 of %5 detectors")
                                  .arg(frame.displayName.toHtmlEscaped(),
                                       frame.prediction >= 0 && frame.prediction < classes.size()
                                           ? classes[frame.prediction]
                                           : tr("—"))
                                  .arg(frame.confidence, 0, 'f', 3)
                                  .arg(frame.flaggedBy)
                                  .arg(m_session.detectorIds().size()));
    m_frameTitle->setToolTip(frame.path);
    refreshReviewBox();
    refreshSetPlots();
    startExplanation(row);
}

void MainWindow::startExplanation(int sourceRow)
{
    if (!m_session.isOpen() || sourceRow < 0)
        return;
    if (m_explainWatcher.isRunning()) {
        m_pendingExplainRow = sourceRow; // picked up when the running one ends
        return;
    }
    m_pendingExplainRow = -1;
    m_explainedRow = sourceRow;
    ExplainOptions options;
    options.parts = {ExplainPart::Neurons,  ExplainPart::RelevanceCam, ExplainPart::DeviationCam,
                     ExplainPart::GradCam,  ExplainPart::Lrp,          ExplainPart::Landscape,
                     ExplainPart::Densities};
    options.landscape.gridSize = QSettings().value("landscapeSize", 21).toInt() | 1;
    // The open frames' scores, drawn against the ID validation density.
    const std::vector<FrameRecord> &frames = m_model->frames();
    const QStringList ids = m_session.detectorIds();
    for (int d = 0; d < ids.size(); ++d) {
        std::vector<double> values;
        for (const FrameRecord &f : frames)
            if (f.scored && static_cast<size_t>(d) < f.scores.size() &&
                std::isfinite(f.scores[static_cast<size_t>(d)]))
                values.push_back(f.scores[static_cast<size_t>(d)]);
        if (values.size() >= 2)
            options.setScores[ids[d].toStdString()] = torch::tensor(values, torch::kFloat64);
    }
    setStatus(tr("Explaining %1…").arg(m_model->frame(sourceRow).displayName));
    m_explainWatcher.setFuture(
        QtConcurrent::run(explainInBackground, m_session.backbone(), m_session.profile(), m_frame, options));
}

void MainWindow::showExplanation()
{
    std::shared_ptr<FrameExplanation> result = m_explainWatcher.result();
    if (m_pendingExplainRow >= 0) {
        startExplanation(m_pendingExplainRow);
        return;
    }
    m_explanation = result;
    m_shownRow = m_explainedRow;
    if (!m_explanation)
        return;
    if (m_explanation->prediction < 0 && !m_explanation->unavailable.empty()) {
        setStatus(tr("Cannot explain this frame: %1")
                      .arg(QString::fromStdString(m_explanation->unavailable.front().second)));
        m_scores->clear();
        Q_EMIT explanationReady();
        return;
    }
    refreshVerdicts();
    const QString previous = m_methodBox->currentData().toString();
    const QString previousCompare = m_compareBox->currentData().toString();
    {
        const QSignalBlocker a(m_methodBox), b(m_compareBox);
        m_methodBox->clear();
        m_compareBox->clear();
        for (const Heatmap &map : m_explanation->heatmaps) {
            const QString id = QString::fromStdString(map.method);
            m_methodBox->addItem(id, id);
            m_compareBox->addItem(id, id);
        }
        const int keep = m_methodBox->findData(previous.isEmpty() ? QStringLiteral("lrp") : previous);
        m_methodBox->setCurrentIndex(std::max(0, keep));
        const int keepCompare =
            m_compareBox->findData(previousCompare.isEmpty() ? QStringLiteral("grad-cam") : previousCompare);
        m_compareBox->setCurrentIndex(std::max(0, keepCompare));
    }
    refreshHeatmap();
    refreshDensity(m_densityDetector);
    if (m_explanation->landscape) {
        const auto &l = *m_explanation->landscape;
        QString name = QString::fromStdString(l.detectorId);
        for (const DetectorVerdict &v : m_explanation->verdicts)
            if (v.id == l.detectorId)
                name = QString::fromStdString(v.displayName);
        m_landscape->showLandscape(l, name);
    } else {
        m_landscape->clear();
    }
    if (m_explanation->neurons) {
        const NeuronExplanation &n = *m_explanation->neurons;
        const QStringList classes = m_session.classNames();
        const QString nearest = n.nearestClass >= 0 && n.nearestClass < classes.size()
                                    ? classes[int(n.nearestClass)]
                                    : QString::number(n.nearestClass);
        m_relevance->showNeurons(n, nearest);
        m_neuronSummary->setText(
            tr("Nearest class <b>%1</b>: relevance distance %2, bias term %3, feature-norm "
               "factor %4, NERO score %5.")
                .arg(nearest.toHtmlEscaped())
                .arg(n.relevanceDistance, 0, 'g', 4)
                .arg(n.biasScale * std::abs(n.biasRelevance), 0, 'g', 4)
                .arg(n.featureNormFactor, 0, 'g', 3)
                .arg(n.score, 0, 'g', 4));
    } else {
        m_relevance->clear();
        m_neuronSummary->setText(tr("No NERO detector in this profile."));
    }
    double seconds = 0;
    for (const auto &entry : m_explanation->seconds)
        seconds += entry.second;
    setStatus(tr("Explained in %1 s.").arg(seconds, 0, 'f', 2));
    Q_EMIT explanationReady();
}

void MainWindow::refreshHeatmap()
{
    if (!m_explanation || m_frameImage.isNull()) {
        m_view->clearHeatmap();
        m_compareView->clearHeatmap();
        return;
    }
    auto apply = [this](ImageView *view, const QString &method, bool legend) {
        const Heatmap *map = m_explanation->heatmap(method.toStdString());
        if (!map) {
            view->clearHeatmap();
            return;
        }
        ColourRange range = naturalRange(*map);
        if (m_rangeMode->currentIndex() == 1) {
            const double extent = m_fixedRange->value();
            range = map->isSigned ? ColourRange{-extent, extent} : ColourRange{0, extent};
        }
        const ColourMap colours = naturalColourMap(*map);
        const at::Tensor values = map->values.to(torch::kFloat32).contiguous();
        std::vector<float> raw(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
        view->setHeatmap(heatmapOverlayImage(*map, m_frameImage.size(), range, colours), std::move(raw),
                         int(values.size(1)), int(values.size(0)), QString::fromStdString(map->unit));
        view->setOverlayOpacity(m_opacity->value() / 100.0);
        if (legend) {
            // Drawn at the display's pixel density, so the bar stays sharp on HiDPI screens.
            const qreal ratio = devicePixelRatioF();
            QImage bar = colourBarImage(range, colours, QSize(int(160 * ratio), int(12 * ratio)));
            bar.setDevicePixelRatio(ratio);
            m_legendBar->setPixmap(QPixmap::fromImage(bar));
            m_legendText->setText(tr("%1 … %2  (%3)")
                                      .arg(range.low, 0, 'g', 3)
                                      .arg(range.high, 0, 'g', 3)
                                      .arg(QString::fromStdString(map->unit)));
        }
    };
    apply(m_view, m_methodBox->currentData().toString(), true);
    if (m_compareView->isVisible())
        apply(m_compareView, m_compareBox->currentData().toString(), false);
}

void MainWindow::refreshDensity(const QString &detectorId)
{
    if (!m_explanation)
        return;
    for (const auto &[id, density] : m_explanation->densities)
        if (QString::fromStdString(id) == detectorId) {
            QString name = detectorId;
            for (const DetectorVerdict &v : m_explanation->verdicts)
                if (v.id == id)
                    name = QString::fromStdString(v.displayName);
            m_density->showDensity(density, name);
            return;
        }
}

void MainWindow::refreshReviewBox()
{
    const int row = currentSourceRow();
    const ReviewMark mark = row >= 0 ? m_model->frame(row).mark : ReviewMark::None;
    for (int i = 0; i < 3; ++i)
        m_markButtons[i]->setChecked(kMarks[i] == mark);
    const QSignalBlocker block(m_note);
    m_note->setPlainText(row >= 0 ? m_model->frame(row).note : QString());
}

void MainWindow::refreshReviewProgress()
{
    int flagged = 0, reviewed = 0;
    for (const FrameRecord &f : m_model->frames()) {
        if (f.isFlagged()) {
            ++flagged;
            reviewed += f.mark != ReviewMark::None ? 1 : 0;
        }
    }
    m_reviewProgress->setText(tr("%1 of %2 flagged frames reviewed").arg(reviewed).arg(flagged));
}

void MainWindow::setMarkOfCurrent(ReviewMark mark)
{
    const int row = currentSourceRow();
    if (row < 0)
        return;
    // The note field saves itself on every change, so the model holds the current note.
    const QString note = m_model->frame(row).note;
    if (m_store) {
        try {
            if (mark == ReviewMark::None && note.isEmpty())
                m_store->clear(m_model->frame(row).reviewKey());
            else
                m_store->setMark(m_model->frame(row).reviewKey(), mark, note);
        } catch (const std::exception &e) {
            QMessageBox::warning(this, tr("Mark not saved"), QString::fromUtf8(e.what()));
            return;
        }
    }
    m_model->setMark(row, mark, note);
    refreshReviewBox();
    refreshReviewProgress();
}

void MainWindow::setNoteOfCurrent(const QString &note)
{
    const int row = currentSourceRow();
    if (row < 0)
        return;
    const ReviewMark mark = m_model->frame(row).mark;
    if (m_store) {
        try {
            m_store->setMark(m_model->frame(row).reviewKey(), mark, note);
        } catch (const std::exception &e) {
            setStatus(tr("Note not saved: %1").arg(QString::fromUtf8(e.what())));
            return;
        }
    }
    m_model->setMark(row, mark, note);
    if (!m_note->hasFocus())
        refreshReviewBox();
}

void MainWindow::refreshFilters()
{
    const QSignalBlocker a(m_classFilter), b(m_detectorFilter);
    const int classChoice =
        m_classFilter->currentData().isValid() ? m_classFilter->currentData().toInt() : -1;
    const int detectorChoice =
        m_detectorFilter->currentData().isValid() ? m_detectorFilter->currentData().toInt() : -1;
    m_classFilter->clear();
    m_classFilter->addItem(tr("Any predicted class"), -1);
    const QStringList classes = m_session.classNames();
    for (int c = 0; c < classes.size(); ++c)
        m_classFilter->addItem(tr("Predicted %1").arg(classes[c]), c);
    m_classFilter->setCurrentIndex(std::max(0, m_classFilter->findData(classChoice)));
    m_detectorFilter->clear();
    m_detectorFilter->addItem(tr("Flagged by any detector or none"), -1);
    const QStringList names = m_session.detectorNames();
    for (int d = 0; d < names.size(); ++d)
        if (isDetectorEnabled(d))
            m_detectorFilter->addItem(tr("Flagged by %1").arg(names[d]), d);
    m_detectorFilter->setCurrentIndex(std::max(0, m_detectorFilter->findData(detectorChoice)));
    refreshReviewProgress();
}

ReviewReportData MainWindow::reportData() const
{
    ReviewReportData data;
    const Profile &profile = *m_session.profile();
    data.title = m_openedPaths.isEmpty() ? QFileInfo(m_session.profilePath()).completeBaseName()
                                         : QFileInfo(m_openedPaths.first()).fileName();
    data.created = QDateTime::currentDateTime();
    data.architecture = QString::fromStdString(profile.model.architecture);
    data.modelPath = m_session.modelPath();
    data.modelSha256 = m_session.modelSha256();
    data.classNames = m_session.classNames();
    data.inputWidth = profile.model.input.width;
    data.inputHeight = profile.model.input.height;
    data.profilePath = m_session.profilePath();
    data.profileSha256 = m_session.profileSha256();
    const std::vector<FrameRecord> &frames = m_model->frames();
    for (size_t d = 0; d < profile.detectors.size(); ++d) {
        ReviewReportDetector detector;
        detector.id = QString::fromStdString(profile.detectors[d].detector->id());
        detector.displayName = QString::fromStdString(profile.detectors[d].detector->displayName());
        detector.threshold = profile.detectors[d].threshold;
        detector.targetTpr = profile.targetTpr;
        // With ID/OOD folders among the open frames, the report can say how well each detector did.
        std::vector<double> id, ood;
        for (const FrameRecord &f : frames) {
            if (!f.scored || d >= f.scores.size())
                continue;
            if (f.truth == FrameTruth::InDistribution)
                id.push_back(f.scores[d]);
            else if (f.truth == FrameTruth::OutOfDistribution)
                ood.push_back(f.scores[d]);
        }
        if (!id.empty() && !ood.empty()) {
            detector.auroc = auroc(id, ood);
            detector.fpr95 = fpr95Nero(id, ood);
        }
        data.detectors.push_back(detector);
    }
    for (const FrameRecord &f : frames)
        data.frames.push_back({f, QImage(), QImage()});
    return data;
}

void MainWindow::exportCsv()
{
    if (!m_session.isOpen() || m_model->rowCount() == 0) {
        setStatus(tr("Nothing to export yet: open frames first."));
        return;
    }
    // The dialog asks before replacing a file, so the write may replace it.
    const QString path = QFileDialog::getSaveFileName(this, tr("Export scores"), QStringLiteral("scores.csv"),
                                                      tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    try {
        writeScoresCsv(path, reportData(), /*overwrite=*/true);
        setStatus(tr("Wrote %1.").arg(path));
    } catch (const std::exception &e) {
        QMessageBox::critical(this, tr("Export failed"), QString::fromUtf8(e.what()));
    }
}

bool MainWindow::writeReport(const QString &path, const std::function<bool(int, int)> &progress)
{
    ReviewReportData data = reportData();
    const std::string method = m_methodBox->currentData().toString().isEmpty()
                                   ? std::string("lrp")
                                   : m_methodBox->currentData().toString().toStdString();
    std::vector<size_t> flagged;
    for (size_t i = 0; i < data.frames.size(); ++i)
        if (data.frames[i].record.scored && data.frames[i].record.isFlagged())
            flagged.push_back(i);
    // Heatmaps of the flagged frames in a worker; the window stays responsive meanwhile.
    std::atomic<int> done{0};
    std::atomic<bool> stop{false};
    auto backbone = m_session.backbone();
    auto profile = m_session.profile();
    QFuture<void> work = QtConcurrent::run([&data, &flagged, &done, &stop, backbone, profile, method] {
        ExplainOptions options;
        options.verdicts = false;
        options.parts = {method == "lrp"             ? ExplainPart::Lrp
                         : method == "grad-cam"      ? ExplainPart::GradCam
                         : method == "deviation-cam" ? ExplainPart::DeviationCam
                                                     : ExplainPart::RelevanceCam};
        if (method == "deviation-cam")
            options.parts.push_back(ExplainPart::Neurons);
        for (size_t i : flagged) {
            if (stop)
                return;
            ReviewReportFrame &frame = data.frames[i];
            try {
                const RgbImage image = decodeSample({frame.record.path, -1, frame.record.videoFrame});
                frame.thumbnail = toQImage(image);
                const FrameExplanation e =
                    explainFrame(*backbone, *profile, preprocessImage(image, profile->model.input), options);
                if (const Heatmap *map = e.heatmap(method))
                    frame.heatmap = toQImage(
                        overlayHeatmap(image, *map, 0.6, naturalRange(*map), naturalColourMap(*map)));
            } catch (const std::exception &) {
                // The report says "not available" for a picture that could not be made.
            }
            ++done;
        }
    });
    while (!work.isFinished()) {
        if (progress && !progress(done, int(flagged.size())))
            stop = true;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(10);
    }
    if (stop)
        return false;
    const bool pdf = path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive);
    if (pdf)
        writeReviewReportPdf(path, data, /*overwrite=*/true);
    else
        writeReviewReportHtml(path, data, /*overwrite=*/true);
    return true;
}

void MainWindow::exportReport()
{
    if (!m_session.isOpen() || m_model->rowCount() == 0) {
        setStatus(tr("Nothing to report yet: open frames first."));
        return;
    }
    if (isScoring()) {
        QMessageBox::information(
            this, tr("Scoring is running"),
            tr("Wait until every frame is scored (or cancel scoring) before writing a report."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export report"), QStringLiteral("ood-report.pdf"), tr("PDF (*.pdf);;HTML (*.html)"));
    if (path.isEmpty())
        return;
    QProgressDialog dialog(tr("Making the heatmaps of the flagged frames…"), tr("Cancel"), 0, 1, this);
    dialog.setWindowModality(Qt::WindowModal);
    dialog.setMinimumDuration(300);
    try {
        const bool written = writeReport(path, [&dialog](int done, int total) {
            dialog.setMaximum(std::max(1, total));
            dialog.setValue(done);
            return !dialog.wasCanceled();
        });
        setStatus(written ? tr("Wrote the report %1.").arg(path) : tr("Report cancelled; nothing written."));
    } catch (const std::exception &e) {
        QMessageBox::critical(this, tr("Export failed"), QString::fromUtf8(e.what()));
    }
}

void MainWindow::recountFlags()
{
    // Flags follow from the stored scores; nothing is scored again.
    const std::vector<double> thresholds = m_session.thresholds();
    std::vector<FrameResult> results;
    results.reserve(m_model->frames().size());
    for (const FrameRecord &f : m_model->frames()) {
        FrameResult r;
        r.scored = f.scored;
        r.error = f.error;
        r.prediction = f.prediction;
        r.confidence = f.confidence;
        r.scores = f.scores;
        for (size_t d = 0; d < r.scores.size(); ++d) {
            if (!isDetectorEnabled(static_cast<int>(d)))
                r.scores[d] = std::numeric_limits<double>::quiet_NaN();
            else if (d < thresholds.size())
                r.flaggedBy += f.scored && r.scores[d] > thresholds[d] ? 1 : 0;
        }
        results.push_back(std::move(r));
    }
    if (!results.empty())
        m_model->updateScores(0, results);
    refreshReviewProgress();
    refreshSetPlots();
}

bool MainWindow::isDetectorEnabled(int detector) const
{
    return detector >= 0 &&
           (static_cast<size_t>(detector) >= m_enabled.size() || m_enabled[size_t(detector)]);
}

void MainWindow::setDisabledDetectors(const QStringList &disabled)
{
    const QStringList ids = m_session.detectorIds();
    std::vector<bool> enabled(static_cast<size_t>(ids.size()), true);
    for (int d = 0; d < ids.size(); ++d)
        enabled[size_t(d)] = !disabled.contains(ids[d]);
    if (std::none_of(enabled.begin(), enabled.end(), [](bool e) { return e; }))
        enabled.assign(enabled.size(), true); // nothing to score with otherwise
    bool newlyEnabled = false;
    for (size_t d = 0; d < enabled.size(); ++d)
        newlyEnabled |= enabled[d] && !isDetectorEnabled(int(d));
    m_enabled = enabled;
    for (int d = 0; d < ids.size(); ++d)
        m_list->setColumnHidden(m_model->detectorColumn(d), !m_enabled[size_t(d)]);
    if (!m_session.isOpen() || m_model->rowCount() == 0)
        return;
    // The job's detector set is fixed when it starts, so any change restarts the unscored rest.
    const bool wasScoring = isScoring();
    m_job->cancel();
    m_job->wait();
    recountFlags();
    if (newlyEnabled) {
        startScoring(0);
    } else if (wasScoring) {
        int firstUnscored = 0;
        while (firstUnscored < m_model->rowCount() && m_model->frame(firstUnscored).scored)
            ++firstUnscored;
        if (firstUnscored < m_model->rowCount())
            startScoring(firstUnscored);
    }
    refreshFilters();
    refreshVerdicts();
}

void MainWindow::refreshVerdicts()
{
    if (!m_explanation || m_explanation->prediction < 0) {
        m_scores->clear();
        return;
    }
    std::vector<DetectorVerdict> shown;
    const QStringList ids = m_session.detectorIds();
    for (const DetectorVerdict &verdict : m_explanation->verdicts)
        if (isDetectorEnabled(ids.indexOf(QString::fromStdString(verdict.id))))
            shown.push_back(verdict);
    m_scores->showVerdicts(shown);
}

void MainWindow::setPlottedDetector(const QString &id)
{
    m_densityDetector = id;
    refreshDensity(id);
    refreshSetPlots();
}

void MainWindow::refreshSetPlots()
{
    if (!m_plotTabs)
        return;
    if (m_plotTabs->currentWidget() == m_roc)
        refreshRoc();
    else if (m_plotTabs->currentWidget() == m_timeline)
        refreshTimeline();
}

void MainWindow::refreshRoc()
{
    const QStringList ids = m_session.detectorIds();
    const QStringList names = m_session.detectorNames();
    std::vector<RocCurveData> curves;
    int highlighted = -1, idFrames = 0, oodFrames = 0;
    for (const FrameRecord &f : m_model->frames()) {
        idFrames += f.truth == FrameTruth::InDistribution ? 1 : 0;
        oodFrames += f.truth == FrameTruth::OutOfDistribution ? 1 : 0;
    }
    if (idFrames == 0 || oodFrames == 0) {
        m_roc->showUnavailable(
            tr("ROC curves need open frames of both kinds: put ID frames under a folder named "
               "<i>id</i> and unusual ones under <i>ood</i> (or near-ood, far-ood) and open the "
               "parent folder. Open now: %1 ID, %2 OOD.")
                .arg(idFrames)
                .arg(oodFrames));
        return;
    }
    for (int d = 0; d < ids.size(); ++d) {
        if (!isDetectorEnabled(d))
            continue;
        std::vector<double> id, ood;
        for (const FrameRecord &f : m_model->frames()) {
            const double score =
                static_cast<size_t>(d) < f.scores.size() ? f.scores[size_t(d)] : std::nan("");
            if (!f.scored || !std::isfinite(score))
                continue;
            if (f.truth == FrameTruth::InDistribution)
                id.push_back(score);
            else if (f.truth == FrameTruth::OutOfDistribution)
                ood.push_back(score);
        }
        if (id.empty() || ood.empty())
            continue;
        if (ids[d] == m_densityDetector)
            highlighted = static_cast<int>(curves.size());
        curves.push_back({names[d], rocCurve(id, ood), auroc(id, ood)});
    }
    m_roc->showCurves(curves, highlighted, idFrames, oodFrames);
}

void MainWindow::refreshTimeline()
{
    const int row = currentSourceRow();
    if (row < 0 || m_model->frame(row).videoFrame < 0) {
        m_timeline->showUnavailable(
            tr("Select a frame of a video (File > Open Video) to see its score along the "
               "video."));
        return;
    }
    const FrameRecord &current = m_model->frame(row);
    const int detector = m_session.detectorIds().indexOf(m_densityDetector);
    const int d = detector >= 0 && isDetectorEnabled(detector) ? detector : 0;
    std::vector<std::pair<int, size_t>> rows; // (frame, model row) of this video
    for (size_t r = 0; r < m_model->frames().size(); ++r) {
        const FrameRecord &f = m_model->frames()[r];
        if (f.videoFrame >= 0 && f.path == current.path)
            rows.emplace_back(f.videoFrame, r);
    }
    std::sort(rows.begin(), rows.end());
    TimelineData data;
    data.videoName = QFileInfo(current.path).fileName();
    data.detectorName = m_session.detectorNames().value(d);
    data.threshold = m_model->detectorCount() > d ? m_model->threshold(d) : 0;
    data.currentFrame = current.videoFrame;
    for (const auto &[frame, r] : rows) {
        const FrameRecord &f = m_model->frames()[r];
        data.frames.push_back(frame);
        data.scores.push_back(f.scored && size_t(d) < f.scores.size() ? f.scores[size_t(d)] : std::nan(""));
        data.flagged.push_back(f.isFlagged());
    }
    auto fps = m_videoFps.find(current.path);
    if (fps == m_videoFps.end()) {
        double rate = 0; // unknown: the axis counts frames then
        try {
            rate = VideoSource(current.path).fps();
        } catch (const std::exception &) {
        }
        fps = m_videoFps.insert(current.path, rate);
    }
    data.fps = *fps;
    m_timeline->showTimeline(data);
}

void MainWindow::applyThreshold(double tpr)
{
    if (!m_session.isOpen() || std::abs(tpr - m_session.targetTpr()) < 1e-12)
        return;
    // Nothing may read the profile while its thresholds move.
    const bool wasScoring = isScoring();
    m_job->cancel();
    m_job->wait();
    m_explainWatcher.waitForFinished();
    m_session.setTargetTpr(tpr);
    std::vector<std::string> ids;
    for (const QString &id : m_session.detectorIds())
        ids.push_back(id.toStdString());
    m_model->setDetectors(ids, m_session.detectorNames(), m_session.thresholds());
    recountFlags();
    setStatus(tr("Thresholds now accept %1% of the ID validation frames.").arg(tpr * 100, 0, 'f', 1));
    if (wasScoring) {
        int firstUnscored = 0;
        while (firstUnscored < m_model->rowCount() && m_model->frame(firstUnscored).scored)
            ++firstUnscored;
        if (firstUnscored < m_model->rowCount())
            startScoring(firstUnscored);
    }
    startExplanation(currentSourceRow());
}

void MainWindow::showSettings()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Settings"));
    auto *form = new QFormLayout(&dialog);
    QSettings settings;
    auto *threads = new QSpinBox(&dialog);
    threads->setRange(1, std::max(1, int(std::thread::hardware_concurrency())));
    threads->setValue(
        settings.value("threads", int(std::max(1u, std::thread::hardware_concurrency()))).toInt());
    threads->setToolTip(tr("CPU threads for the network"));
    auto *batch = new QSpinBox(&dialog);
    batch->setRange(1, 256);
    batch->setValue(settings.value("batchSize", 16).toInt());
    batch->setToolTip(tr("Frames per forward pass while scoring"));
    auto *landscape = new QSpinBox(&dialog);
    landscape->setRange(3, 41);
    landscape->setSingleStep(2);
    landscape->setValue(settings.value("landscapeSize", 21).toInt());
    landscape->setToolTip(
        tr("Grid points per axis of the score landscape (odd); 21 costs 441 forward passes"));
    auto *tpr = new QDoubleSpinBox(&dialog);
    tpr->setRange(50.0, 99.9);
    tpr->setDecimals(1);
    tpr->setSuffix(QStringLiteral(" %"));
    tpr->setValue(m_session.targetTpr() * 100);
    tpr->setEnabled(m_session.isOpen());
    tpr->setToolTip(
        tr("Threshold policy: each detector's threshold lets this share of the ID validation frames "
           "pass (true positive rate on ID validation)."));
    auto *videoEvery = new QSpinBox(&dialog);
    videoEvery->setRange(1, 1000);
    videoEvery->setValue(settings.value("videoEvery", kDefaultVideoEvery).toInt());
    videoEvery->setToolTip(
        tr("Videos opened from now on are inspected at every n-th frame; 1 inspects every frame"));
    auto *language = new QComboBox(&dialog);
    language->addItem(tr("System language"), QString());
    language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    language->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    language->setCurrentIndex(std::max(0, language->findData(settings.value("language").toString())));
    language->setToolTip(tr("Language of the interface; it changes when OOD Inspector starts next"));
    auto *detectors = new QListWidget(&dialog);
    detectors->setToolTip(tr("Detectors that score the frames and count for flags. Leaving out the slow ones "
                             "(ODIN, PRO) makes scoring several times faster."));
    detectors->setMinimumHeight(160);
    const QStringList ids = m_session.detectorIds();
    const QStringList names = m_session.detectorNames();
    for (int d = 0; d < ids.size(); ++d) {
        auto *item = new QListWidgetItem(QStringLiteral("%1 (%2)").arg(names[d], ids[d]), detectors);
        item->setData(Qt::UserRole, ids[d]);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(isDetectorEnabled(d) ? Qt::Checked : Qt::Unchecked);
    }
    detectors->setEnabled(m_session.isOpen());
    form->addRow(tr("Threads:"), threads);
    form->addRow(tr("ID frames accepted:"), tpr);
    form->addRow(tr("Detectors:"), detectors);
    form->addRow(tr("Batch size:"), batch);
    form->addRow(tr("Landscape grid:"), landscape);
    form->addRow(tr("Video: every n-th frame:"), videoEvery);
    form->addRow(tr("Language:"), language);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted)
        return;
    settings.setValue("threads", threads->value());
    settings.setValue("batchSize", batch->value());
    settings.setValue("landscapeSize", landscape->value() | 1);
    settings.setValue("videoEvery", videoEvery->value());
    const QString newLanguage = language->currentData().toString();
    if (newLanguage.isEmpty())
        settings.remove("language");
    else
        settings.setValue("language", newLanguage);
    at::set_num_threads(threads->value());
    if (m_session.isOpen()) {
        applyThreshold(tpr->value() / 100.0);
        // Kept across sessions by id: someone who leaves out the slow detectors wants that for
        // every profile; ids this profile lacks stay as they were.
        QStringList disabled = settings.value("disabledDetectors").toStringList();
        for (int i = 0; i < detectors->count(); ++i) {
            const QString id = detectors->item(i)->data(Qt::UserRole).toString();
            disabled.removeAll(id);
            if (detectors->item(i)->checkState() != Qt::Checked)
                disabled << id;
        }
        settings.setValue("disabledDetectors", disabled);
        setDisabledDetectors(disabled);
    }
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About OOD Inspector"),
        tr("<h3>OOD Inspector %1</h3><p>Explainable out-of-distribution inspection of endoscopy "
           "frames.</p><p>git %2<br>Qt %3<br>LibTorch %4<br>OpenCV %5</p>"
           "<p>Model files are code: open checkpoints and TorchScript files only from a trusted "
           "source. A profile refuses any model whose sha256 differs from the one it was fitted "
           "on.</p>")
            .arg(QStringLiteral(OOD_VERSION_STRING), QStringLiteral(OOD_GIT_REVISION),
                 QString::fromLatin1(qVersion()), QStringLiteral(TORCH_VERSION), QStringLiteral(CV_VERSION)));
}

QString MainWindow::statusText() const
{
    return m_status->text();
}

void MainWindow::setStatus(const QString &text)
{
    m_status->setText(text);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    for (const QUrl &url : event->mimeData()->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    if (!paths.isEmpty())
        openFrames(paths);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_note->hasFocus())
        setNoteOfCurrent(m_note->toPlainText());
    m_job->cancel();
    event->accept();
}

} // namespace ood
