// The main window driven through its actions on the bundled demo: it opens, scores in the
// background, explains the selected frame, keeps review marks across a restart, filters the list,
// and lists 10,000 frames. How long the event loop stalls while scoring and how long listing takes
// are measured by ui-bench (docs/benchmarks.md), not asserted here: wall-clock limits fail on a
// loaded machine.

#include "mainwindow.h"
#include "pipeline/verdict.h"
#include "calib/profile.h"
#include "calib/profilebundle.h"
#include "report/html.h"
#include "report/intendeduse.h"
#include "detect/detectorwords.h"
#include "settings/appsettings.h"
#include "settings/settingsdialog.h"
#include "explain/frameexplainer.h"
#include "jobs/explanationjob.h"
#include "models/framefilterproxy.h"
#include "models/frametablemodel.h"
#include "review/reviewstore.h"
#include "jobs/scoringjob.h"
#include "panes/framelistpane.h"
#include "panes/frameviewer.h"
#include "panes/plottabs.h"
#include "panes/reviewpanel.h"
#include "panes/sessionstatusbar.h"
#include "results/resultsfile.h"
#include "session/demoassets.h"
#include "widgets/explanationplots.h"
#include "widgets/imageview.h"
#include "widgets/qcustomplotinclude.h"
#include "widgets/scorepanel.h"
#include "widgets/sessionplots.h"
#include "data/videosource.h"
#include "support/videoclips.h"

#include "ui/support/dialogcatcher.h"

#include <QtTest>

#include <QAction>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QListWidget>
#include <QImage>
#include <QMessageBox>
#include <QMimeData>
#include <QStackedWidget>
#include <QTableView>
#include <QTableWidget>
#include <QMenuBar>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTranslator>
#include <QXmlStreamReader>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace ood;
using ood::test::DialogCatcher;

namespace {

/// Waits until the window has scored everything it was given.
bool waitForScoring(MainWindow &window, int timeoutMs = 180000)
{
    QElapsedTimer clock;
    clock.start();
    while (window.isScoring() && clock.elapsed() < timeoutMs)
        QTest::qWait(20);
    return !window.isScoring();
}

/// AUROC as the share of (OOD, ID) pairs where the OOD frame scores higher, ties counting half
/// (Mann-Whitney), counted pair by pair.
double pairwiseAuroc(const std::vector<double> &id, const std::vector<double> &ood)
{
    double wins = 0;
    for (double o : ood)
        for (double i : id)
            wins += o > i ? 1.0 : o == i ? 0.5 : 0.0;
    return wins / double(id.size() * ood.size());
}

int filesUnder(const QString &folder)
{
    int count = 0;
    for (QDirIterator it(folder, QDir::Files, QDirIterator::Subdirectories); it.hasNext(); it.next())
        ++count;
    return count;
}

QStringList actionToolTips(const MainWindow &window)
{
    QStringList tips;
    for (QAction *action : window.findChildren<QAction *>())
        if (!action->objectName().isEmpty() && !action->toolTip().isEmpty())
            tips << action->objectName() + "=" + action->toolTip();
    tips.sort();
    return tips;
}

ExtractedDemo extractedDemo()
{
    return extractDemoAssets(QString::fromLatin1(kEmbeddedDemoAssets),
                             QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
                                 "/demo");
}

/// The demo's first `count` frames scored with its profile outside the window, as ood-inspect
/// score scores them.
struct DemoScores
{
    std::vector<Sample> samples;
    std::vector<FrameResult> results;
    std::vector<std::string> detectorIds;
};

DemoScores scoreDemo(const InspectionSession &session, const ExtractedDemo &demo, size_t count)
{
    DemoScores out;
    out.samples = scanInputs({demo.framesPath}).samples;
    out.samples.resize(std::min(count, out.samples.size()));
    for (const QString &id : session.detectorIds())
        out.detectorIds.push_back(id.toStdString());
    out.results.resize(out.samples.size());
    scoreFrames(*session.backbone(), *session.profile(), out.samples, out.detectorIds, RunOptions{},
                [&](size_t first, std::vector<FrameResult> results) {
                    for (size_t j = 0; j < results.size(); ++j)
                        out.results[first + j] = results[j];
                });
    return out;
}

/// Writes `scores` as a results file whose header names `session`'s profile and model, or the
/// sha256 given instead.
bool writeResults(const QString &path, const InspectionSession &session, const DemoScores &scores,
                  const QString &profileSha256 = {}, const QString &modelSha256 = {})
{
    ResultsHeader header;
    header.profilePath = session.profilePath();
    header.profileSha256 = profileSha256.isEmpty() ? session.profileSha256() : profileSha256;
    header.modelPath = session.modelPath();
    header.modelSha256 = modelSha256.isEmpty() ? session.modelSha256() : modelSha256;
    header.inputFrames = header.rows = qint64(scores.samples.size());
    header.columns = resultColumns(scores.detectorIds, false);
    QString text = header.text();
    for (size_t i = 0; i < scores.samples.size(); ++i)
        text +=
            resultRow(scores.samples[i], false, scores.results[i], *session.profile(), scores.detectorIds);
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text.toUtf8()) >= 0;
}

QString statusOf(const MainWindow &window)
{
    return qobject_cast<SessionStatusBar *>(window.statusBar())->status();
}

} // namespace

class MainWindowTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("OOD Inspector Tests");
        QCoreApplication::setApplicationName("mainwindowtest");
        QSettings().clear();
        // Start from a clean demo folder (and review database).
        QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/demo")
            .removeRecursively();
    }

    void startsOnTheWelcomePage()
    {
        MainWindow window;
        QCOMPARE(window.pages()->currentIndex(), 0);
        for (const char *name : {"openProfile", "openImages", "openFolder", "openVideo", "openDemo",
                                 "openResults", "exportReport", "next", "previous", "markUnusual",
                                 "markFalseAlarm", "markUnsure", "toggleHeatmap", "about"})
            QVERIFY2(window.action(name) && !window.action(name)->toolTip().isEmpty(), name);
    }

    void demoScoresExplainsAndKeepsMarks()
    {
        QString markedKey;
        {
            MainWindow window;
            window.show();
            QVERIFY(window.openDemo());
            QCOMPARE(window.pages()->currentIndex(), 1);
            QCOMPARE(window.frameModel()->rowCount(), 60);
            // While the first frame is explained the score panel says so, not "No frame selected".
            QCOMPARE(window.plotTabs()->scorePanel()->consensusText(), QString("No frame selected."));
            window.selectFrame(0);
            QVERIFY(window.isExplaining());
            QCOMPARE(window.plotTabs()->scorePanel()->consensusText(), QString("Explaining…"));
            QVERIFY(waitForScoring(window, 120000));
            int scored = 0, flagged = 0;
            for (const FrameRecord &f : window.frameModel()->frames()) {
                scored += f.scored ? 1 : 0;
                flagged += f.isFlagged() ? 1 : 0;
            }
            QCOMPARE(scored, 60);
            QVERIFY(flagged > 0);

            // Select a flagged frame and wait for its explanation.
            int row = 0;
            while (!window.frameModel()->frame(row).isFlagged())
                ++row;
            window.selectFrame(row);
            QTRY_VERIFY_WITH_TIMEOUT(window.currentExplanation() != nullptr && !window.isExplaining(), 60000);
            const FrameExplanation *e = window.currentExplanation();
            QCOMPARE(e->verdicts.size(), size_t(window.session().detectorIds().size()));
            QVERIFY(e->heatmap("lrp"));
            QVERIFY(e->landscape);
            QVERIFY(window.frameViewer()->imageView()->hasHeatmap());
            QCOMPARE(window.plotTabs()->scorePanel()->table()->rowCount(), int(e->verdicts.size()));
            QVERIFY(window.plotTabs()->scorePanel()->consensusText().contains(
                QString::number(e->flaggedCount())));
            // Both lead with the verdict in words; the frame view says how often the rule flags
            // normal frames.
            const QString verdict = window.frameViewer()->verdictText();
            QVERIFY2(verdict.startsWith(verdictWords(true)), qPrintable(verdict));
            QVERIFY2(verdict.contains(falseAlarmWords(window.session().verdict().falseAlarmRate)),
                     qPrintable(verdict));
            QVERIFY2(window.plotTabs()->scorePanel()->consensusText().startsWith(verdictWords(true)),
                     qPrintable(window.plotTabs()->scorePanel()->consensusText()));

            // Mark it through the action, with a note.
            window.setNoteOfCurrent("polyp-like edge, check");
            window.action("markUnusual")->trigger();
            QCOMPARE(window.frameModel()->frame(row).mark, ReviewMark::ConfirmedUnusual);
            markedKey = window.frameModel()->frame(row).reviewKey();
            // The buttons show their keys; Clear mark takes the mark off (and is off without one).
            ReviewPanel *review = window.reviewPanel();
            QVERIFY(review->markButton(ReviewMark::ConfirmedUnusual)->text().endsWith("(1)"));
            QVERIFY(review->clearButton()->text().endsWith("(0)"));
            QVERIFY(review->clearButton()->isEnabled());
            review->clearButton()->click();
            QCOMPARE(window.frameModel()->frame(row).mark, ReviewMark::None);
            QVERIFY(!review->markButton(ReviewMark::ConfirmedUnusual)->isChecked());
            QVERIFY(!review->clearButton()->isEnabled());
            window.action("markUnusual")->trigger();
            QCOMPARE(window.frameModel()->frame(row).mark, ReviewMark::ConfirmedUnusual);

            // J moves on.
            window.action("next")->trigger();
            QVERIFY(window.frameListPane()->view()->currentIndex().row() >= 1);
            // The panes' keys work from anywhere in the window: K, typed into the frame list.
            const int before = window.frameListPane()->view()->currentIndex().row();
            window.activateWindow();
            QVERIFY(QTest::qWaitForWindowActive(&window));
            QTest::keyClick(window.frameListPane()->view(), Qt::Key_K);
            QCOMPARE(window.frameListPane()->view()->currentIndex().row(), before - 1);
        }
        // A new window on the same folder restores the mark.
        MainWindow again;
        QVERIFY(again.openDemo());
        const int row = again.frameModel()->rowOfKey(markedKey);
        QVERIFY(row >= 0);
        QCOMPARE(again.frameModel()->frame(row).mark, ReviewMark::ConfirmedUnusual);
        QCOMPARE(again.frameModel()->frame(row).note, QString("polyp-like edge, check"));
        again.scoringJob()->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!again.isScoring(), 60000);
    }

    void explanationIsShownInParts()
    {
        MainWindow window;
        window.show();
        QVERIFY(window.openDemo());
        QVERIFY(waitForScoring(window, 120000));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isExplaining(), 60000);
        auto *job = window.findChild<ExplanationJob *>();
        QVERIFY(job);
        // Connected after the window's own slot: each entry is what the panes show once the window
        // has taken that part.
        QStringList seen;
        connect(job, &ExplanationJob::partiallyExplained, this,
                [&](int, std::shared_ptr<const FrameExplanation> soFar, const QString &stage) {
                    const PlotTabs *tabs = window.plotTabs();
                    QString entry = stage;
                    if (stage == "verdicts")
                        entry += QString(": %1 of %2 rows")
                                     .arg(tabs->scorePanel()->table()->rowCount())
                                     .arg(soFar->verdicts.size());
                    if (stage == "heatmaps")
                        entry += window.frameViewer()->imageView()->hasHeatmap() ? ": heatmap" : ": none";
                    if (stage.startsWith("landscape")) {
                        auto *map = qobject_cast<QCPColorMap *>(tabs->landscapePlot()->plot()->plottable(0));
                        entry += QString(": %1 cells, '%2', status '%3'")
                                     .arg(map ? map->data()->keySize() : -1)
                                     .arg(tabs->landscapePlot()->note(), statusOf(window));
                    }
                    seen << entry;
                });
        const int row = window.frameListPane()->currentSourceRow() == 5 ? 6 : 5;
        window.selectFrame(row);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isExplaining(), 60000);
        const QString name = window.frameModel()->frame(row).displayName;
        const int detectors = int(window.session().detectorIds().size());
        QCOMPARE(seen,
                 QStringList(
                     {QString("verdicts: %1 of %1 rows").arg(detectors), "heatmaps: heatmap",
                      "landscape 5x5: 5 cells, 'Landscape 5×5 … 21×21', status 'Explaining " + name +
                          ": Landscape 5×5 … 21×21'",
                      "landscape 11x11: 11 cells, 'Landscape 11×11 … 21×21', status 'Explaining " + name +
                          ": Landscape 11×11 … 21×21'",
                      "landscape 21x21: 21 cells, '', status 'Explaining " + name + ": Landscape 21×21'"}));
        // The whole explanation replaces the parts: the full grid, without a note.
        QVERIFY(window.currentExplanation() && window.currentExplanation()->landscape);
        QCOMPARE(window.plotTabs()->landscapePlot()->note(), QString());
        QVERIFY(statusOf(window).startsWith("Explained in"));
    }

    void filtersNarrowTheList()
    {
        MainWindow window;
        QVERIFY(window.openDemo());
        QTRY_VERIFY_WITH_TIMEOUT(!window.isScoring(), 120000);
        int flagged = 0;
        for (const FrameRecord &f : window.frameModel()->frames())
            flagged += f.isFlagged() ? 1 : 0;
        window.frameListPane()->proxy()->setFlaggedOnly(true);
        QCOMPARE(window.frameListPane()->proxy()->rowCount(), flagged);
        window.frameListPane()->proxy()->setFlaggedOnly(false);
        // A frame the verdict leaves alone says so, and that this is not "normal"; the list says
        // what its tints mean.
        int quiet = 0;
        while (quiet < window.frameModel()->rowCount() && window.frameModel()->frame(quiet).isFlagged())
            ++quiet;
        QVERIFY(quiet < window.frameModel()->rowCount());
        window.selectFrame(quiet);
        const QString verdict = window.frameViewer()->verdictText();
        QVERIFY2(verdict.startsWith(verdictWords(false)) &&
                     verdict.contains("does not mean the frame is normal"),
                 qPrintable(verdict));
        QVERIFY2(window.frameListPane()->legendText().contains(verdictWords(true)),
                 qPrintable(window.frameListPane()->legendText()));
        window.frameListPane()->proxy()->setNameFilter("far_0");
        QVERIFY(window.frameListPane()->proxy()->rowCount() > 0 &&
                window.frameListPane()->proxy()->rowCount() < 60);
    }

    void rocCurvesOnTheDemo()
    {
        MainWindow window;
        window.show();
        QVERIFY(window.openDemo());
        QVERIFY(waitForScoring(window));
        window.plotTabs()->setCurrentWidget(window.plotTabs()->rocPlot());
        // The demo's frames lie in folders named id, near-ood and far-ood.
        const QString frames =
            QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/demo/frames";
        const int idFiles = filesUnder(frames + "/id");
        const int oodFiles = filesUnder(frames + "/near-ood") + filesUnder(frames + "/far-ood");
        QVERIFY(idFiles > 0 && oodFiles > 0);
        QVERIFY2(window.plotTabs()->rocPlot()->caption().startsWith(
                     QString("%1 ID and %2 OOD frames").arg(idFiles).arg(oodFiles)),
                 qPrintable(window.plotTabs()->rocPlot()->caption()));
        QCOMPARE(window.plotTabs()->rocPlot()->plot()->plottableCount(),
                 window.session().detectorIds().size());

        // The coloured curve is MSP's, labelled with its AUROC counted pair by pair here.
        const int msp = window.session().detectorIds().indexOf("msp");
        QVERIFY(msp >= 0);
        std::vector<double> id, ood;
        for (const FrameRecord &f : window.frameModel()->frames())
            (f.truth == FrameTruth::InDistribution ? id : ood).push_back(f.scores[size_t(msp)]);
        QCOMPARE(window.plotTabs()->rocPlot()->plot()->legend->itemCount(), 1);
        auto *item =
            qobject_cast<QCPPlottableLegendItem *>(window.plotTabs()->rocPlot()->plot()->legend->item(0));
        QVERIFY(item);
        QCOMPARE(item->plottable()->name(), QString("%1 (AUROC %2)")
                                                .arg(window.session().detectorNames()[msp])
                                                .arg(pairwiseAuroc(id, ood), 0, 'f', 3));

        // Choosing another detector colours its curve instead.
        const int energy = window.session().detectorIds().indexOf("energy");
        window.setPlottedDetector("energy");
        item = qobject_cast<QCPPlottableLegendItem *>(window.plotTabs()->rocPlot()->plot()->legend->item(0));
        QVERIFY(item->plottable()->name().startsWith(window.session().detectorNames()[energy] + " (AUROC"));
    }

    void videoFramesScoreAndJump()
    {
        QTemporaryDir dir;
        QSettings().setValue("videoEvery", 3);
        MainWindow window;
        window.show();
        QVERIFY(window.openDemo());
        QVERIFY(waitForScoring(window));
        // A clip of twelve demo frames at 10 fps, inspected at frames 0, 3, 6 and 9.
        const QString frames =
            QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/demo/frames/far-ood";
        std::vector<cv::Mat> images;
        for (const QFileInfo &file : QDir(frames).entryInfoList(QDir::Files, QDir::Name)) {
            if (images.size() == 12)
                break;
            images.push_back(cv::imread(file.filePath().toStdString(), cv::IMREAD_COLOR));
        }
        QCOMPARE(images.size(), size_t(12));
        const QString video = dir.filePath("clip.avi");
        QVERIFY(test::writeMjpegVideo(video, images, 10));
        const int before = window.frameModel()->rowCount();
        QVERIFY(window.openFrames({video}));
        QCOMPARE(window.frameModel()->rowCount(), before + 4);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(window.frameModel()->frame(before + i).videoFrame, 3 * i);
            QCOMPARE(window.frameModel()->frame(before + i).displayName, QString("clip.avi #%1").arg(3 * i));
        }
        QVERIFY(waitForScoring(window));
        for (int i = 0; i < 4; ++i)
            QVERIFY(window.frameModel()->frame(before + i).scored);

        // A video frame scores as the same pixels saved as a still image do.
        const QString still = dir.filePath("frame3.png");
        {
            const RgbImage frame3 = VideoSource(video).frame(3);
            cv::Mat rgb(frame3.height, frame3.width, CV_8UC3, const_cast<uint8_t *>(frame3.pixels.data())),
                bgr;
            cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
            QVERIFY(cv::imwrite(still.toStdString(), bgr));
        }
        QVERIFY(window.openFrames({still}));
        QVERIFY(waitForScoring(window));
        const FrameRecord &fromVideo = window.frameModel()->frame(before + 1);
        const FrameRecord &fromStill = window.frameModel()->frame(before + 4);
        QCOMPARE(fromStill.prediction, fromVideo.prediction);
        for (size_t d = 0; d < fromVideo.scores.size(); ++d)
            QVERIFY2(std::abs(fromVideo.scores[d] - fromStill.scores[d]) <=
                         1e-5 * (1 + std::abs(fromStill.scores[d])),
                     qPrintable(window.session().detectorIds()[int(d)]));

        // The timeline of the selected video frame, under the frame; a click on it selects the
        // frame there. A still image shows only a one-line hint while videos are open.
        window.selectFrame(before + 4);
        QVERIFY(!window.frameViewer()->isTimelineShown());
        QVERIFY(window.frameViewer()->timelinePlot()->caption().startsWith("Select a frame of a video"));
        window.selectFrame(before);
        QVERIFY(window.frameViewer()->isTimelineShown());
        QVERIFY2(
            window.frameViewer()->timelinePlot()->caption().startsWith("clip.avi: 4 sampled frames, 0.9 s;"),
            qPrintable(window.frameViewer()->timelinePlot()->caption()));
        Q_EMIT window.frameViewer()->timelinePlot()->frameClicked(6);
        const QModelIndex current =
            window.frameListPane()->proxy()->mapToSource(window.frameListPane()->view()->currentIndex());
        QCOMPARE(window.frameModel()->frame(current.row()).videoFrame, 6);
        QSettings().remove("videoEvery");
    }

    void disabledDetectorsAreNotScored()
    {
        QSettings().setValue("disabledDetectors", QStringList{"odin", "pro_gen"});
        MainWindow window;
        QVERIFY(window.openDemo());
        QVERIFY(waitForScoring(window));
        const QStringList ids = window.session().detectorIds();
        const int odin = ids.indexOf("odin"), proGen = ids.indexOf("pro_gen"), msp = ids.indexOf("msp");
        QVERIFY(odin >= 0 && proGen >= 0 && msp >= 0);
        const FrameTableModel *model = window.frameModel();
        QVERIFY(window.frameListPane()->view()->isColumnHidden(model->detectorColumn(odin)));
        QVERIFY(window.frameListPane()->view()->isColumnHidden(model->detectorColumn(proGen)));
        QVERIFY(!window.frameListPane()->view()->isColumnHidden(model->detectorColumn(msp)));
        std::vector<double> mspScores;
        for (const FrameRecord &f : model->frames()) {
            QVERIFY(std::isnan(f.scores[size_t(odin)]) && std::isnan(f.scores[size_t(proGen)]));
            QVERIFY(std::isfinite(f.scores[size_t(msp)]));
            mspScores.push_back(f.scores[size_t(msp)]);
            // Only enabled detectors count towards the flag.
            int flags = 0;
            for (int d = 0; d < ids.size(); ++d)
                flags += d != odin && d != proGen && f.scores[size_t(d)] > model->threshold(d) ? 1 : 0;
            QCOMPARE(f.flaggedBy, flags);
        }
        // Enabling them again scores them; the other scores do not move.
        window.setDisabledDetectors({});
        QVERIFY(waitForScoring(window));
        QVERIFY(!window.frameListPane()->view()->isColumnHidden(model->detectorColumn(odin)));
        for (size_t row = 0; row < model->frames().size(); ++row) {
            const FrameRecord &f = model->frames()[row];
            QVERIFY(std::isfinite(f.scores[size_t(odin)]) && std::isfinite(f.scores[size_t(proGen)]));
            QVERIFY(std::abs(f.scores[size_t(msp)] - mspScores[row]) <= 1e-9);
        }
        QSettings().remove("disabledDetectors");
    }

    void germanInterface()
    {
        QStringList english;
        {
            MainWindow window;
            english = actionToolTips(window);
            QCOMPARE(window.menuBar()->actions().first()->text(), QString("&File"));
        }
        QTranslator translator;
        QVERIFY(translator.load(QLocale(QLocale::German), "ood-inspector", "_", OOD_BINARY_DIR "/app"));
        QCoreApplication::installTranslator(&translator);
        {
            MainWindow window;
            QCOMPARE(window.menuBar()->actions().first()->text(), QString("&Datei"));
            const QStringList german = actionToolTips(window);
            QCOMPARE(german.size(), english.size());
            // Every action's tooltip is in German: none is left as the English text.
            for (const QString &tip : german)
                QVERIFY2(!english.contains(tip), qPrintable(tip));
            QCOMPARE(
                window.plotTabs()->tabText(window.plotTabs()->indexOf(window.plotTabs()->landscapePlot())),
                QString("Landschaft"));
        }
        QCoreApplication::removeTranslator(&translator);
    }

    void germanTranslationIsComplete()
    {
        QFile file(OOD_SOURCE_DIR "/translations/ood-inspector_de.ts");
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        int messages = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement ||
                xml.name() != QLatin1String("translation"))
                continue;
            ++messages;
            const QString type = xml.attributes().value("type").toString();
            const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            QVERIFY2(type.isEmpty() && !text.trimmed().isEmpty(),
                     qPrintable(QString("message %1: %2").arg(messages).arg(type)));
        }
        QVERIFY(!xml.hasError());
        QVERIFY(messages > 300);
    }

    void reportIsWrittenWhileTheWindowRuns()
    {
        MainWindow window;
        QVERIFY(window.openDemo());
        QVERIFY(waitForScoring(window));
        int flagged = 0;
        for (const FrameRecord &f : window.frameModel()->frames())
            flagged += f.scored && f.isFlagged() ? 1 : 0;
        QVERIFY(flagged > 0);
        QTemporaryDir dir;
        // Cancelled from the progress: nothing is written.
        const QString cancelled = dir.filePath("cancelled.html");
        QVERIFY(!window.writeReport(cancelled, [](int, int) { return false; }));
        QVERIFY(!QFile::exists(cancelled));
        // Written, with progress up to the last flagged frame, while the event loop goes on.
        int ticks = 0, lastDone = -1, lastTotal = -1;
        QTimer timer;
        timer.setInterval(5);
        connect(&timer, &QTimer::timeout, [&ticks] { ++ticks; });
        timer.start();
        const QString path = dir.filePath("report.html");
        QVERIFY(window.writeReport(path, [&](int done, int total) {
            lastDone = done;
            lastTotal = total;
            return true;
        }));
        QVERIFY(QFile::exists(path));
        QCOMPARE(lastTotal, flagged);
        QCOMPARE(lastDone, flagged);
        QVERIFY(ticks > 0);
        window.scoringJob()->cancel();
    }

    void resultsOpenWithoutScoring()
    {
        QTemporaryDir dir;
        const ExtractedDemo demo = extractedDemo();
        InspectionSession session;
        session.openProfile(demo.profilePath);
        const DemoScores scores = scoreDemo(session, demo, 1000);
        QCOMPARE(scores.samples.size(), size_t(60));
        const QString path = dir.filePath("demo-results.csv");
        QVERIFY(writeResults(path, session, scores));

        DialogCatcher dialogs;
        MainWindow window;
        window.show();
        QSignalSpy batches(window.scoringJob(), &ScoringJob::batchScored);
        QVERIFY(window.openResults(path));
        QVERIFY(!window.isScoring());
        QCOMPARE(window.pages()->currentIndex(), 1);
        QCOMPARE(window.session().profileSha256(), session.profileSha256());
        QVERIFY2(statusOf(window).startsWith(
                     "Opened 60 frames from demo-results.csv (scored by ood-inspect with demo.oodprofile"),
                 qPrintable(statusOf(window)));
        const FrameTableModel *model = window.frameModel();
        QCOMPARE(model->rowCount(), 60);
        int flaggedRow = -1;
        for (int row = 0; row < 60; ++row) {
            const FrameRecord &f = model->frame(row);
            const FrameResult &expected = scores.results[size_t(row)];
            QCOMPARE(f.path, scores.samples[size_t(row)].path);
            QVERIFY(f.scored);
            QCOMPARE(f.prediction, expected.prediction);
            QCOMPARE(f.flaggedBy, expected.flaggedBy);
            QCOMPARE(f.scores.size(), expected.scores.size());
            for (size_t d = 0; d < f.scores.size(); ++d) // written with 10 significant digits
                QVERIFY(std::abs(f.scores[d] - expected.scores[d]) <= 1e-9 * std::abs(expected.scores[d]));
            if (flaggedRow < 0 && f.isFlagged())
                flaggedRow = row;
        }
        QVERIFY(flaggedRow >= 0);

        // The selected frame is explained on demand; nothing is scored meanwhile.
        window.selectFrame(flaggedRow);
        QElapsedTimer clock;
        clock.start();
        while ((!window.currentExplanation() || window.isExplaining()) && clock.elapsed() < 60000) {
            QVERIFY(!window.isScoring());
            QTest::qWait(20);
        }
        QVERIFY(window.currentExplanation() && !window.isExplaining());
        QCOMPARE(window.currentExplanation()->prediction, model->frame(flaggedRow).prediction);
        QVERIFY(window.frameViewer()->imageView()->hasHeatmap());

        // Marks are kept as for a scored folder, and the report is written.
        window.setMarkOfCurrent(ReviewMark::FalseAlarm);
        QCOMPARE(model->frame(flaggedRow).mark, ReviewMark::FalseAlarm);
        const QString report = dir.filePath("report.html");
        QVERIFY(window.writeReport(report));
        QVERIFY(QFile::exists(report));
        QCOMPARE(batches.count(), 0);
        QVERIFY(!window.isScoring());
        QVERIFY2(dialogs.seen().isEmpty(), qPrintable(dialogs.seen().join('\n')));

        // Dropped on a new window: it opens the same, with the mark.
        MainWindow again;
        again.show();
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(path)});
        // The drop goes to the widget that accepted the drag's entry.
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&again, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&again, &drop);
        QCOMPARE(again.frameModel()->rowCount(), 60);
        QCOMPARE(again.frameModel()->frame(flaggedRow).mark, ReviewMark::FalseAlarm);
        QVERIFY(!again.isScoring());

        // Opened while the demo is being scored: scoring stops, and no batch scored before it
        // stopped lands on the results' rows (listed backwards here, so one would show).
        DemoScores backwards = scores;
        std::reverse(backwards.samples.begin(), backwards.samples.end());
        std::reverse(backwards.results.begin(), backwards.results.end());
        const QString backwardsPath = dir.filePath("backwards.csv");
        QVERIFY(writeResults(backwardsPath, session, backwards));
        MainWindow busy;
        QSignalSpy busyBatches(busy.scoringJob(), &ScoringJob::batchScored);
        QVERIFY(busy.openDemo());
        QVERIFY(busyBatches.wait(60000));
        QVERIFY(busy.openResults(backwardsPath));
        QVERIFY(!busy.isScoring());
        QTest::qWait(200);
        QCOMPARE(busy.frameModel()->rowCount(), 60);
        for (int row = 0; row < 60; ++row) {
            QCOMPARE(busy.frameModel()->frame(row).path, backwards.samples[size_t(row)].path);
            const std::vector<double> &shown = busy.frameModel()->frame(row).scores;
            const std::vector<double> &expected = backwards.results[size_t(row)].scores;
            for (size_t d = 0; d < shown.size(); ++d)
                QVERIFY(std::abs(shown[d] - expected[d]) <= 1e-9 * std::abs(expected[d]));
        }
    }

    void resultsOfAnotherProfileAreRefused()
    {
        QTemporaryDir dir;
        const ExtractedDemo demo = extractedDemo();
        InspectionSession session;
        session.openProfile(demo.profilePath);
        const DemoScores scores = scoreDemo(session, demo, 2);
        const QString otherProfile(64, QLatin1Char('e'));
        const QString path = dir.filePath("other-profile.csv");
        QVERIFY(writeResults(path, session, scores, otherProfile));

        DialogCatcher dialogs;
        MainWindow window;
        QVERIFY(!window.openResults(path));
        QCOMPARE(dialogs.seen().size(), 1);
        QVERIFY2(dialogs.seen()[0].contains(otherProfile.left(12)) &&
                     dialogs.seen()[0].contains(session.profileSha256().left(12)),
                 qPrintable(dialogs.seen()[0]));
        QVERIFY(!window.session().isOpen());
        QCOMPARE(window.pages()->currentIndex(), 0);
        QCOMPARE(window.frameModel()->rowCount(), 0);

        // With the demo's profile open: refused the same, and the open frames stay.
        QVERIFY(window.openProfile(demo.profilePath));
        QVERIFY(window.openFrames({scores.samples[0].path}));
        window.scoringJob()->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!window.isScoring(), 60000);
        QVERIFY(!window.openResults(path));
        QCOMPARE(dialogs.seen().size(), 2);
        QVERIFY2(dialogs.seen()[1].contains(otherProfile.left(12)), qPrintable(dialogs.seen()[1]));
        QCOMPARE(window.frameModel()->rowCount(), 1);

        // The right profile with another model: refused, naming the model's sha256.
        const QString otherModel(64, QLatin1Char('f'));
        QVERIFY(writeResults(path, session, scores, {}, otherModel));
        QVERIFY(!window.openResults(path));
        QCOMPARE(dialogs.seen().size(), 3);
        QVERIFY2(dialogs.seen()[2].contains(otherModel.left(12)) &&
                     dialogs.seen()[2].contains("another model"),
                 qPrintable(dialogs.seen()[2]));
        QCOMPARE(window.frameModel()->rowCount(), 1);

        // A file that is no results file: refused with the reader's message, nothing changed.
        const QString garbage = dir.filePath("garbage.csv");
        {
            QFile file(garbage);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("name,value\n1,2\n");
        }
        QVERIFY(!window.openResults(garbage));
        QCOMPARE(dialogs.seen().size(), 4);
        QVERIFY2(dialogs.seen()[3].startsWith("\"Cannot open the results\"") &&
                     dialogs.seen()[3].contains("garbage.csv"),
                 qPrintable(dialogs.seen()[3]));
        QCOMPARE(window.frameModel()->rowCount(), 1);
        QVERIFY(!window.isScoring());
    }

    void userGuideInTheInterfaceLanguage_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QStringList>("expected");
        // Phrases of the guide's own text (resources/guide), one per part a reviewer needs.
        QTest::newRow("en") << "en"
                            << QStringList{"What the verdict means",
                                           "What the verdict does not mean",
                                           "False alarms",
                                           "Confirmed unusual",
                                           "Clear mark",
                                           "Export Report",
                                           "Intended use"};
        QTest::newRow("de") << "de" << QStringList{"Was das Urteil bedeutet",
                                                   "Was das Urteil nicht bedeutet",
                                                   "Fehlalarme",
                                                   "Auffällig bestätigt",
                                                   "Vermerk entfernen",
                                                   "Bericht exportieren",
                                                   "Zweckbestimmung"};
        // A language without a guide gets the English one.
        QTest::newRow("fr") << "fr" << QStringList{"What the verdict means", "Intended use"};
    }

    void userGuideInTheInterfaceLanguage()
    {
        QFETCH(QString, language);
        QFETCH(QStringList, expected);
        qApp->setProperty("uiLanguage", language);
        MainWindow window;
        QVERIFY(window.action("userGuide") && !window.action("userGuide")->toolTip().isEmpty());
        QCOMPARE(window.action("userGuide")->shortcut(), QKeySequence(QKeySequence::HelpContents));
        window.action("userGuide")->trigger();
        QDialog *guide = window.userGuide();
        QVERIFY(guide && guide->isVisible());
        auto *browser = guide->findChild<QTextBrowser *>("userGuideText");
        QVERIFY(browser);
        const QString text = browser->toPlainText();
        for (const QString &phrase : expected)
            QVERIFY2(text.contains(phrase), qPrintable(language + ": " + phrase));
        QVERIFY(!text.contains("@INTENDED_USE@"));
        QVERIFY2(text.contains(intendedUseStatement()), qPrintable(text.right(400)));
        // Asked again: the one guide comes to the front, no second window.
        window.action("userGuide")->trigger();
        QCOMPARE(window.findChildren<QDialog *>("userGuide").size(), 1);
        qApp->setProperty("uiLanguage", QVariant());
    }

    void aboutStatesTheIntendedUse()
    {
        DialogCatcher dialogs;
        MainWindow window;
        window.action("about")->trigger();
        QCOMPARE(dialogs.seen().size(), 1);
        QVERIFY2(dialogs.seen()[0].contains(htmlEscape(intendedUseStatement())),
                 qPrintable(dialogs.seen()[0]));
    }

    void reviewerIsSavedWithMarksAndReported()
    {
        QTemporaryDir dir;
        const ExtractedDemo demo = extractedDemo();
        // One frame in a folder of its own, so that its marks go to a store of its own.
        QDirIterator frames(demo.framesPath + "/id", QDir::Files, QDirIterator::Subdirectories);
        QVERIFY(frames.hasNext());
        QVERIFY(QFile::copy(frames.next(), dir.filePath("frame.png")));

        MainWindow window;
        QVERIFY(window.openProfile(demo.profilePath));
        // Settings: the reviewer's name, and the detectors in plain words with the id in the tooltip.
        {
            SettingsDialog dialog(window.session());
            const QStringList ids = window.session().detectorIds();
            QCOMPARE(dialog.detectorList()->count(), ids.size());
            for (int d = 0; d < ids.size(); ++d) {
                const QListWidgetItem *item = dialog.detectorList()->item(d);
                QCOMPARE(item->text(), detectorWords(ids[d]).plainName);
                QVERIFY2(item->toolTip().contains("(" + ids[d] + ")"), qPrintable(item->toolTip()));
            }
            dialog.reviewerEdit()->setText("Dr. A. Meier");
            dialog.save();
        }
        QCOMPARE(AppSettings().reviewerName(), QString("Dr. A. Meier"));
        // The window takes the name when Settings is accepted; a new window takes it at once.
        MainWindow reviewing;
        QVERIFY(reviewing.openProfile(demo.profilePath));
        QVERIFY(reviewing.openFrames({dir.path()}));
        QVERIFY(waitForScoring(reviewing));
        reviewing.selectFrame(0);
        reviewing.setMarkOfCurrent(ReviewMark::Unsure);
        {
            ReviewStore store(ReviewStore::pathFor(dir.path()));
            const QMap<QString, ReviewEntry> marks = store.allMarks();
            QCOMPARE(marks.size(), 1);
            QCOMPARE(marks.first().reviewer, QString("Dr. A. Meier"));
        }
        const QString report = dir.filePath("report.html");
        QVERIFY(reviewing.writeReport(report));
        QFile file(report);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(QString::fromUtf8(file.readAll()).contains(">Dr. A. Meier<"));
        AppSettings().setReviewerName({});
    }

    void profileAndModelCopiedTogetherOpenWithoutAQuestion_data()
    {
        QTest::addColumn<bool>("asBundle");
        QTest::newRow("profile beside its model") << false;
        QTest::newRow("one bundle file") << true;
    }

    /// A researcher hands over a profile with its model beside it (or one .oodbundle); wherever
    /// the clinician puts the folder, the window opens it without asking for the model.
    void profileAndModelCopiedTogetherOpenWithoutAQuestion()
    {
        QFETCH(bool, asBundle);
        QTemporaryDir dir;
        const ExtractedDemo demo = extractedDemo();
        Profile profile = loadProfile(demo.profilePath);
        AppSettings().setModelLocation(QString::fromStdString(profile.model.sha256), {});
        QVERIFY(QDir(dir.path()).mkpath("researcher"));
        QVERIFY(QFile::copy(demo.modelPath, dir.filePath("researcher/model.pt")));
        profile.model.modelPath = dir.filePath("researcher/model.pt").toStdString();
        saveProfile(profile, dir.filePath("researcher/kvasir.oodprofile"));
        QString handedOver;
        if (asBundle) {
            writeProfileBundle(dir.filePath("researcher/kvasir.oodprofile"),
                               dir.filePath("kvasir.oodbundle"));
            QVERIFY(QDir(dir.filePath("researcher")).removeRecursively());
            QVERIFY(QDir(dir.path()).mkpath("clinician"));
            QVERIFY(
                QFile::rename(dir.filePath("kvasir.oodbundle"), dir.filePath("clinician/kvasir.oodbundle")));
            handedOver = dir.filePath("clinician/kvasir.oodbundle");
        } else {
            // The folder moves: the profile's relative model path follows it.
            QVERIFY(QDir().rename(dir.filePath("researcher"), dir.filePath("clinician")));
            handedOver = dir.filePath("clinician/kvasir.oodprofile");
        }

        DialogCatcher dialogs;
        MainWindow window;
        QStringList asked;
        window.setModelLocator([&](const QString &missing, const QString &) {
            asked << missing;
            return QString();
        });
        QVERIFY(window.openProfile(handedOver));
        QVERIFY2(asked.isEmpty(), qPrintable(asked.join('\n')));
        QVERIFY(window.session().isOpen());
        QCOMPARE(window.session().modelSha256(), QString::fromStdString(profile.model.sha256));
        if (!asBundle)
            QCOMPARE(QFileInfo(window.session().modelPath()).canonicalFilePath(),
                     QFileInfo(dir.filePath("clinician/model.pt")).canonicalFilePath());
        QVERIFY2(dialogs.seen().isEmpty(), qPrintable(dialogs.seen().join('\n')));
    }

    void movedModelIsLocatedAndRemembered()
    {
        QTemporaryDir dir;
        const ExtractedDemo demo = extractedDemo();
        Profile profile = loadProfile(demo.profilePath);
        const QString sha256 = QString::fromStdString(profile.model.sha256);
        AppSettings().setModelLocation(sha256, {});
        // The profile names a place the model is no longer at; the model lies elsewhere, and beside
        // it a file that is not the model (one byte more).
        QVERIFY(QDir(dir.path()).mkpath("moved"));
        const QString moved = dir.filePath("moved/demo-model.pt");
        QVERIFY(QFile::copy(demo.modelPath, moved));
        const QString wrong = dir.filePath("moved/other-model.pt");
        QVERIFY(QFile::copy(demo.modelPath, wrong));
        {
            QFile file(wrong);
            QVERIFY(file.open(QIODevice::Append));
            file.write("x");
        }
        profile.model.modelPath = dir.filePath("gone/demo-model.pt").toStdString();
        const QString profilePath = dir.filePath("colleague.oodprofile");
        saveProfile(profile, profilePath);

        DialogCatcher dialogs;
        QStringList asked; // what the window said each time it asked
        {
            // Cancelled: nothing opens, nothing is remembered.
            MainWindow window;
            window.setModelLocator([&](const QString &missing, const QString &problem) {
                asked << missing + " | " + problem;
                return QString();
            });
            QVERIFY(!window.openProfile(profilePath));
            QVERIFY(!window.session().isOpen());
            QCOMPARE(asked.size(), 1);
            // Where the profile looked, and nothing refused yet.
            QVERIFY2(asked[0].contains("demo-model.pt") && asked[0].endsWith(" | "), qPrintable(asked[0]));
            QVERIFY(AppSettings().modelLocation(sha256).isEmpty());
        }
        asked.clear();
        {
            // The wrong file is refused by its sha256 and the user asked again; the right one opens.
            MainWindow window;
            const QStringList answers{wrong, moved};
            window.setModelLocator([&](const QString &missing, const QString &problem) {
                asked << missing + " | " + problem;
                return answers.value(asked.size() - 1);
            });
            QVERIFY(window.openProfile(profilePath));
            QCOMPARE(asked.size(), 2);
            QVERIFY2(asked[0].endsWith(" | "), qPrintable(asked[0])); // nothing refused yet
            QVERIFY2(asked[1].contains("other-model.pt") && asked[1].contains(sha256), qPrintable(asked[1]));
            QVERIFY(window.session().isOpen());
            QCOMPARE(QFileInfo(window.session().modelPath()).canonicalFilePath(),
                     QFileInfo(moved).canonicalFilePath());
            QCOMPARE(AppSettings().modelLocation(sha256), QFileInfo(moved).absoluteFilePath());
        }
        asked.clear();
        {
            // Next time the remembered place is used without a question.
            MainWindow window;
            window.setModelLocator([&](const QString &missing, const QString &problem) {
                asked << missing + " | " + problem;
                return QString();
            });
            QVERIFY(window.openProfile(profilePath));
            QVERIFY2(asked.isEmpty(), qPrintable(asked.join('\n')));
            QCOMPARE(QFileInfo(window.session().modelPath()).canonicalFilePath(),
                     QFileInfo(moved).canonicalFilePath());
        }
        {
            // The remembered file was replaced by another: it is refused, forgotten, and the user
            // asked, told why.
            QVERIFY(QFile::remove(moved));
            QVERIFY(QFile::copy(wrong, moved));
            MainWindow window;
            window.setModelLocator([&](const QString &missing, const QString &problem) {
                asked << missing + " | " + problem;
                return QString();
            });
            QVERIFY(!window.openProfile(profilePath));
            QCOMPARE(asked.size(), 1);
            QVERIFY2(asked[0].contains("demo-model.pt") && asked[0].contains(sha256), qPrintable(asked[0]));
            QVERIFY(AppSettings().modelLocation(sha256).isEmpty());
        }
        QVERIFY2(dialogs.seen().isEmpty(), qPrintable(dialogs.seen().join('\n')));
    }

    void tenThousandFramesAreListed()
    {
        QTemporaryDir dir;
        QImage tiny(8, 8, QImage::Format_RGB888);
        tiny.fill(Qt::gray);
        QByteArray png;
        {
            QBuffer buffer(&png);
            buffer.open(QIODevice::WriteOnly);
            tiny.save(&buffer, "PNG");
        }
        for (int i = 0; i < 10000; ++i) {
            QFile file(dir.filePath(QString("f%1.png").arg(i, 5, 10, QLatin1Char('0'))));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(png);
        }
        MainWindow window;
        window.show();
        QVERIFY(window.openDemo());
        window.scoringJob()->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!window.isScoring(), 60000);
        QVERIFY(window.openFrames({dir.path()}));
        QCoreApplication::processEvents();
        QCOMPARE(window.frameModel()->rowCount(), 10060);
        window.scoringJob()->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!window.isScoring(), 60000);
    }
};

QTEST_MAIN(MainWindowTest)
#include "mainwindowtest.moc"
