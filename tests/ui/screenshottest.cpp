// Screenshots of the main views on the bundled demo, for docs/screenshots/ and for looking at:
// OOD_SCREENSHOT_DIR=docs/screenshots xvfb-run -a build/dev/tests/ui_screenshottest
// (without the variable they go to a temporary folder; OOD_SCREENSHOT_LANGUAGE=de takes them in
// German; OOD_SCREENSHOT_TRANSLATIONS=DIR loads the translation from DIR instead of the build).
// Each picture must show something: not a single flat colour.

#include "mainwindow.h"
#include "reviewreport/reportexport.h"
#include "settings/appsettings.h"
#include "jobs/explanationjob.h"
#include "models/framefilterproxy.h"
#include "models/frametablemodel.h"
#include "panes/framelistpane.h"
#include "panes/frameviewer.h"
#include "panes/plottabs.h"
#include "explain/frameexplainer.h"
#include "fit/profilefitter.h"
#include "support/systempython.h"
#include "support/tinyclip.h"
#include "support/videoclips.h"
#include "widgets/explanationplots.h"
#include "widgets/qcustomplotinclude.h"
#include "widgets/sessionplots.h"

#include <QtTest>

#include <QAction>
#include <QDialog>
#include <QLibraryInfo>
#include <QPainter>
#include <QStackedWidget>
#include <QTabBar>
#include <QTabWidget>
#include <QTranslator>

#include <opencv2/imgcodecs.hpp>

using namespace ood;

namespace {

bool showsSomething(const QImage &image)
{
    if (image.isNull() || image.width() < 200)
        return false;
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7)
        for (int x = 0; x < image.width(); x += 7)
            colours.insert(image.pixel(x, y));
    return colours.size() > 50;
}

} // namespace

class ScreenshotTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_temporary;
    QString m_dir;
    QTranslator m_translator;
    QTranslator m_qtTranslator; ///< Qt's own buttons (Close, Cancel), as the application loads them

    void save(QWidget &window, const QString &name)
    {
        QCoreApplication::processEvents();
        // Everything must fit a 1366x768 laptop screen: no minimum size may push the window past it.
        QVERIFY2(window.width() <= 1366 && window.height() <= 768,
                 qPrintable(QString("%1x%2").arg(window.width()).arg(window.height())));
        const QImage image = window.grab().toImage();
        QVERIFY2(showsSomething(image), qPrintable(name));
        QVERIFY(image.save(m_dir + "/" + name + ".png"));
    }

  private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("OOD Inspector Tests");
        QCoreApplication::setApplicationName("screenshottest");
        QSettings().clear();
        m_dir = qEnvironmentVariable("OOD_SCREENSHOT_DIR", m_temporary.path());
        QVERIFY(QDir().mkpath(m_dir));
        // OOD_SCREENSHOT_LANGUAGE=de: the same views in German (longer labels must fit as well).
        const QString language = qEnvironmentVariable("OOD_SCREENSHOT_LANGUAGE");
        if (!language.isEmpty()) {
            // OOD_SCREENSHOT_TRANSLATIONS: a folder with another ood-inspector_<language>.qm (one
            // made from a .ts not yet merged, to look at its strings in place).
            const QString folder =
                qEnvironmentVariable("OOD_SCREENSHOT_TRANSLATIONS", QStringLiteral(OOD_BINARY_DIR "/app"));
            QVERIFY(m_translator.load(QLocale(language), "ood-inspector", "_", folder));
            QCoreApplication::installTranslator(&m_translator);
            if (m_qtTranslator.load(QLocale(language), "qtbase", "_",
                                    QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
                QCoreApplication::installTranslator(&m_qtTranslator);
        }
    }

    void mainViews()
    {
        MainWindow window;
        window.resize(1366, 768);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        save(window, "welcome");

        QVERIFY(window.openDemo());
        QTRY_VERIFY_WITH_TIMEOUT(!window.isScoring(), 120000);
        int row = 0;
        while (row < window.frameModel()->rowCount() && window.frameModel()->frame(row).flaggedBy < 3)
            ++row;
        window.selectFrame(std::min(row, window.frameModel()->rowCount() - 1));
        QTRY_VERIFY_WITH_TIMEOUT(window.currentExplanation() != nullptr && !window.isExplaining(), 60000);
        QTest::qWait(200);
        save(window, "scores-and-lrp");
        // Every tab label is whole (not elided) and the tab bar fits the pane.
        PlotTabs *plots = window.plotTabs();
        QCOMPARE(plots->elideMode(), Qt::ElideNone);
        for (int tab = 0; tab < plots->count(); ++tab) {
            if (!plots->isTabVisible(tab))
                continue;
            const QRect rect = plots->tabBar()->tabRect(tab);
            QVERIFY2(rect.width() >= plots->tabBar()->fontMetrics().horizontalAdvance(plots->tabText(tab)),
                     qPrintable(plots->tabText(tab)));
            QVERIFY2(rect.right() < plots->tabBar()->width(), qPrintable(plots->tabText(tab)));
        }
        QVERIFY(plots->tabBar()->width() <= plots->width());
        const char *tabs[] = {"scores", "density", "landscape", "neurons", "roc"};
        const QWidget *wide[] = {nullptr, plots->densityPlot()->plot(), plots->landscapePlot()->plot(),
                                 nullptr, plots->rocPlot()->plot()};
        for (int tab = 1; tab < 5; ++tab) {
            plots->setCurrentIndex(tab);
            save(window, tabs[tab]);
            // The plots have room to be read at 1366 px.
            if (wide[tab])
                QVERIFY2(wide[tab]->width() >= 400,
                         qPrintable(QString("%1: %2 px").arg(tabs[tab]).arg(wide[tab]->width())));
        }
        window.action("compare")->trigger();
        save(window, "compare-heatmaps");
        // A second heatmap takes room from the frame, not from the plots.
        QVERIFY2(plots->rocPlot()->plot()->width() >= 400,
                 qPrintable(QString::number(plots->rocPlot()->plot()->width())));
        window.action("compare")->trigger();

        // A "procedure": ID frames, then a stretch of foreign ones, then ID frames again.
        const QString frames =
            QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/demo/frames/";
        std::vector<cv::Mat> clip;
        for (const char *group : {"id", "far-ood", "id"})
            for (QDirIterator it(frames + group, QDir::Files, QDirIterator::Subdirectories); it.hasNext();)
                clip.push_back(cv::imread(it.next().toStdString(), cv::IMREAD_COLOR));
        const QString video = m_temporary.filePath("procedure.avi");
        QVERIFY(test::writeMjpegVideo(video, clip, 10));
        QSettings().setValue("videoEvery", 1);
        const int first = window.frameModel()->rowCount();
        QVERIFY(window.openFrames({video}));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isScoring(), 120000);
        window.frameListPane()->proxy()->setNameFilter("procedure");
        window.plotTabs()->setCurrentIndex(0);
        window.selectFrame(first + int(clip.size()) / 2);
        QTRY_VERIFY_WITH_TIMEOUT(window.currentExplanation() != nullptr && !window.isExplaining(), 60000);
        QTest::qWait(200);
        // The video's timeline is under the frame, in view, with its plot.
        TimelinePlot *timeline = window.frameViewer()->timelinePlot();
        QVERIFY(window.frameViewer()->isTimelineShown());
        QVERIFY(timeline->isVisible() && timeline->plot()->isVisible());
        QVERIFY2(timeline->plot()->height() >= 100, qPrintable(QString::number(timeline->plot()->height())));
        QVERIFY(timeline->mapTo(&window, QPoint(0, timeline->height())).y() <= window.height());
        save(window, "timeline");
    }

    /// A frame the verdict calls unusual, Help > User Guide over the window with the demo open, and
    /// the first page of the demo's report (whole, and its top at a readable size):
    /// verdict-<language>.png, guide-<language>.png, report-<language>.png.
    void guideAndReport()
    {
        const QString language = qEnvironmentVariable("OOD_SCREENSHOT_LANGUAGE", QStringLiteral("en"));
        qApp->setProperty("uiLanguage", language);
        AppSettings().setReviewerName(QStringLiteral("Dr. A. Meier"));
        MainWindow window;
        window.resize(1366, 768);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openDemo());
        QTRY_VERIFY_WITH_TIMEOUT(!window.isScoring(), 120000);
        QTRY_VERIFY_WITH_TIMEOUT(window.currentExplanation() != nullptr && !window.isExplaining(), 60000);

        // A frame the verdict calls unusual, with the verdict in words over the frame and the
        // checks in the Scores tab: verdict-<language>.png.
        int unusual = 0;
        while (unusual < window.frameModel()->rowCount() && !window.frameModel()->frame(unusual).isFlagged())
            ++unusual;
        QVERIFY2(unusual < window.frameModel()->rowCount(),
                 "the demo has no frame the verdict calls unusual");
        window.selectFrame(unusual);
        QTRY_VERIFY_WITH_TIMEOUT(window.currentExplanation() != nullptr && !window.isExplaining(), 60000);
        window.plotTabs()->setCurrentIndex(0);
        QTest::qWait(200);
        save(window, "verdict-" + language);

        window.action("userGuide")->trigger();
        QDialog *guide = window.userGuide();
        QVERIFY(guide && QTest::qWaitForWindowExposed(guide));
        QTest::qWait(200);
        // Top-level windows are grabbed one by one (offscreen there is no screen to grab): the
        // guide is drawn over the window where a window manager would centre it.
        QImage shot = window.grab().toImage();
        QVERIFY(guide->width() <= 1366 && guide->height() <= 768);
        {
            QPainter painter(&shot);
            const QImage dialog = guide->grab().toImage();
            const QPoint at((shot.width() - dialog.width()) / 2, (shot.height() - dialog.height()) / 2);
            painter.fillRect(QRect(at + QPoint(4, 4), dialog.size()), QColor(0, 0, 0, 90));
            painter.drawImage(at, dialog);
        }
        QVERIFY(showsSomething(shot));
        QVERIFY(shot.save(m_dir + "/guide-" + language + ".png"));
        guide->close();

        auto *exporter = window.findChild<ReportExport *>();
        QVERIFY(exporter);
        const ReviewReportData data = exporter->reportData(QStringLiteral("demo"));
        QCOMPARE(data.reviewer, QStringLiteral("Dr. A. Meier"));
        const QImage whole = reviewReportPageImage(data, 0, 64);    // A4: 529 x 748
        const QImage readable = reviewReportPageImage(data, 0, 96); // A4: 794 x 1123
        QImage report(1366, 768, QImage::Format_RGB32);
        report.fill(QColor(0x80, 0x80, 0x80));
        {
            QPainter painter(&report);
            painter.drawImage(10, 10, whole);
            const int left = 20 + whole.width();
            painter.drawImage(QPoint(left, 10), readable,
                              QRect(0, 0, std::min(readable.width(), 1356 - left), 748));
        }
        QVERIFY(showsSomething(report));
        QVERIFY(report.save(m_dir + "/report-" + language + ".png"));
        qApp->setProperty("uiLanguage", QVariant());
        AppSettings().setReviewerName({});
    }

    /// The Landscape tab while the explanation runs, with the coarse 5x5 grid drawn and the note
    /// that it is being refined, and once it is done.
    void landscapeInParts()
    {
        MainWindow window;
        window.resize(1366, 768);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openDemo());
        QTRY_VERIFY_WITH_TIMEOUT(!window.isScoring(), 120000);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isExplaining(), 60000);
        PlotTabs *plots = window.plotTabs();
        plots->setCurrentWidget(plots->landscapePlot());
        auto *job = window.findChild<ExplanationJob *>();
        QVERIFY(job);
        bool coarseSaved = false;
        // Taken from inside the signal, after the window drew the part: processing events here
        // could let the finer levels in before the picture.
        connect(job, &ExplanationJob::partiallyExplained, this,
                [&](int, std::shared_ptr<const FrameExplanation>, const QString &stage) {
                    if (stage != "landscape 5x5")
                        return;
                    const QImage image = window.grab().toImage();
                    coarseSaved = showsSomething(image) && !plots->landscapePlot()->note().isEmpty() &&
                                  image.save(m_dir + "/landscape-coarse.png");
                });
        int row = 0;
        while (row < window.frameModel()->rowCount() && window.frameModel()->frame(row).flaggedBy < 3)
            ++row;
        row = std::min(row, window.frameModel()->rowCount() - 1);
        window.selectFrame(row == window.frameListPane()->currentSourceRow() ? row + 1 : row);
        QTRY_VERIFY_WITH_TIMEOUT(window.currentExplanation() != nullptr && !window.isExplaining(), 60000);
        QVERIFY(coarseSaved);
        QTest::qWait(200);
        save(window, "landscape-done");
    }

    /// A CLIP profile (the tests' tiny CLIP, so the matches themselves mean nothing) with a short
    /// list of other words: the Words tab says what the frame resembled.
    void clipWords()
    {
        if (!test::systemPythonHas("torch"))
            OOD_SKIP_WITHOUT_REFERENCE("Debian's python3-torch is needed to export the tiny CLIP");
        qputenv("OOD_INSPECTOR_CACHE_DIR", m_temporary.filePath("cache").toUtf8());
        const test::TinyClip tiny = test::makeTinyClip(m_temporary.path());
        QVERIFY2(!tiny.path.isEmpty(), qPrintable(tiny.problem));
        const QString frames =
            QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/demo/frames/";
        const QString nouns = m_temporary.filePath("words.txt");
        {
            QFile file(nouns);
            QVERIFY(file.open(QIODevice::WriteOnly));
            for (const char *word : {"polyp",
                                     "blood",
                                     "surgical instrument",
                                     "air bubble",
                                     "stool",
                                     "ulcer",
                                     "diverticulum",
                                     "lens flare",
                                     "motion blur",
                                     "water jet",
                                     "biopsy forceps",
                                     "metal clip",
                                     "tattoo ink",
                                     "lymph node",
                                     "mucosal fold",
                                     "blood vessel",
                                     "mucus",
                                     "light reflex",
                                     "snare",
                                     "capsule",
                                     "suture",
                                     "tumour",
                                     "scar",
                                     "erosion",
                                     "bleeding",
                                     "clot",
                                     "foam",
                                     "debris",
                                     "food residue",
                                     "bile",
                                     "hernia",
                                     "stricture",
                                     "stent",
                                     "tube",
                                     "catheter",
                                     "balloon",
                                     "needle",
                                     "thread",
                                     "glove",
                                     "finger",
                                     "gauze",
                                     "sponge",
                                     "lens",
                                     "camera",
                                     "cable",
                                     "keyboard",
                                     "screen",
                                     "table",
                                     "window",
                                     "wall",
                                     "floor",
                                     "ceiling",
                                     "lamp",
                                     "chair",
                                     "paper",
                                     "bottle",
                                     "cup",
                                     "plate",
                                     "spoon",
                                     "fork",
                                     "knife",
                                     "bread",
                                     "apple",
                                     "orange",
                                     "banana",
                                     "grape",
                                     "cloud",
                                     "sky",
                                     "tree",
                                     "grass",
                                     "flower",
                                     "leaf",
                                     "rock",
                                     "sand",
                                     "river",
                                     "lake",
                                     "ocean",
                                     "mountain",
                                     "road",
                                     "bridge",
                                     "car",
                                     "bicycle",
                                     "train",
                                     "boat",
                                     "plane",
                                     "house",
                                     "door",
                                     "roof",
                                     "brick",
                                     "glass",
                                     "metal",
                                     "wood",
                                     "plastic",
                                     "fabric",
                                     "leather",
                                     "rope",
                                     "chain",
                                     "wire",
                                     "coin",
                                     "key",
                                     "book",
                                     "pen",
                                     "pencil",
                                     "clock",
                                     "watch",
                                     "shoe"})
                file.write(QByteArray(word) + "\n");
        }
        LoadedModel model =
            loadModel(tiny.path.toStdString(), "clip", {"normal cecum", "normal pylorus", "normal z-line"});
        FitOptions options;
        options.detectorIds = {"msp", "energy", "mcm", "negrefine"};
        options.negatives.nounListFile = nouns.toStdString();
        const Profile profile = fitProfile(model, SampleList(), scanInputs({frames + "id"}), options);
        const QString profilePath = m_temporary.filePath("clip.oodprofile");
        saveProfile(profile, profilePath);

        MainWindow window;
        window.resize(1366, 768);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openProfile(profilePath));
        QVERIFY(window.openFrames({frames + "far-ood"}));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isScoring(), 120000);
        window.selectFrame(0);
        QTRY_VERIFY_WITH_TIMEOUT(window.currentExplanation() != nullptr && !window.isExplaining(), 60000);
        PlotTabs *plots = window.plotTabs();
        QVERIFY(plots->isTabVisible(plots->wordsTabIndex()));
        plots->setCurrentIndex(plots->wordsTabIndex());
        QTest::qWait(200);
        const QString text = plots->labelsText()->text();
        QVERIFY2(text.contains("normal cecum") && text.contains("NegRefine"), qPrintable(text));
        QVERIFY(window.currentExplanation()->labels.has_value());
        QCOMPARE(window.currentExplanation()->labels->negativeLabels.size(), size_t(10));
        save(window, "clip-words");
    }
};

QTEST_MAIN(ScreenshotTest)
#include "screenshottest.moc"
