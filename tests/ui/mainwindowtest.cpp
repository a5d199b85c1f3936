// The main window driven through its actions on the bundled demo: it opens, scores in the
// background without blocking the event loop, explains the selected frame, keeps review marks
// across a restart, filters the list, and opens 10,000 frames quickly.

#include "mainwindow.h"
#include "models/framefilterproxy.h"
#include "models/frametablemodel.h"
#include "review/reviewstore.h"
#include "session/scoringjob.h"
#include "widgets/imageview.h"
#include "widgets/scorepanel.h"

#include <QtTest>

#include <QAction>
#include <QElapsedTimer>
#include <QImage>
#include <QStackedWidget>
#include <QTableView>
#include <QTableWidget>

using namespace ood;

namespace {

/// Longest gap between ticks of a 10 ms timer while `until` is false: how long the event loop
/// was blocked.
qint64 longestEventLoopGap(const std::function<bool()> &until, int timeoutMs)
{
    QElapsedTimer clock, total;
    clock.start();
    total.start();
    qint64 longest = 0;
    QTimer timer;
    timer.setInterval(10);
    QObject::connect(&timer, &QTimer::timeout, [&] {
        longest = std::max(longest, clock.restart());
    });
    timer.start();
    while (!until() && total.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    return longest;
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
        QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/demo").removeRecursively();
    }

    void startsOnTheWelcomePage()
    {
        MainWindow window;
        QCOMPARE(window.pages()->currentIndex(), 0);
        for (const char *name : {"openProfile", "openImages", "openFolder", "openDemo", "exportReport", "next",
                                 "previous", "markUnusual", "markFalseAlarm", "markUnsure", "toggleHeatmap", "about"})
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
            const qint64 gap = longestEventLoopGap([&] { return !window.isScoring(); }, 120000);
            qInfo("longest event-loop gap while scoring the demo: %lld ms", gap);
            QVERIFY2(gap < 250, qPrintable(QString::number(gap)));
            QVERIFY(!window.isScoring());
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
            QVERIFY(window.imageView()->hasHeatmap());
            QCOMPARE(window.scorePanel()->table()->rowCount(), int(e->verdicts.size()));
            QVERIFY(window.scorePanel()->consensusText().contains(QString::number(e->flaggedCount())));

            // Mark it through the action, with a note.
            window.setNoteOfCurrent("polyp-like edge, check");
            window.action("markUnusual")->trigger();
            QCOMPARE(window.frameModel()->frame(row).mark, ReviewMark::ConfirmedUnusual);
            markedKey = window.frameModel()->frame(row).reviewKey();

            // J moves on.
            window.action("next")->trigger();
            QVERIFY(window.frameList()->currentIndex().row() >= 1);
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

    void filtersNarrowTheList()
    {
        MainWindow window;
        QVERIFY(window.openDemo());
        QTRY_VERIFY_WITH_TIMEOUT(!window.isScoring(), 120000);
        int flagged = 0;
        for (const FrameRecord &f : window.frameModel()->frames())
            flagged += f.isFlagged() ? 1 : 0;
        window.frameProxy()->setFlaggedOnly(true);
        QCOMPARE(window.frameProxy()->rowCount(), flagged);
        window.frameProxy()->setFlaggedOnly(false);
        window.frameProxy()->setNameFilter("far_0");
        QVERIFY(window.frameProxy()->rowCount() > 0 && window.frameProxy()->rowCount() < 60);
    }

    void tenThousandFramesOpenQuickly()
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
        QElapsedTimer clock;
        clock.start();
        QVERIFY(window.openFrames({dir.path()}));
        QCoreApplication::processEvents();
        const qint64 ms = clock.elapsed();
        qInfo("10,000 frames listed in %lld ms", ms);
        QCOMPARE(window.frameModel()->rowCount(), 10060);
        QVERIFY2(ms < 3000, qPrintable(QString::number(ms)));
        const qint64 gap = longestEventLoopGap([] { return false; }, 1500);
        qInfo("longest event-loop gap while scoring 10,000 frames: %lld ms", gap);
        window.scoringJob()->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!window.isScoring(), 60000);
    }
};

QTEST_MAIN(MainWindowTest)
#include "mainwindowtest.moc"
