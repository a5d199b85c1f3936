// The plots over the open set: flagged stretches of a video worked out by hand, a click on the
// timeline going to the nearest sampled frame, ROC curves drawn with their AUROC, and the legend
// lines that name what each curve and band is.

#include "widgets/qcustomplotinclude.h"
#include "widgets/sessionplots.h"

#include <QtTest>

using namespace ood;

using Stretches = std::vector<std::pair<int, int>>;
Q_DECLARE_METATYPE(Stretches)

class SessionPlotsTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void stretches_data()
    {
        QTest::addColumn<std::vector<int>>("frames");
        QTest::addColumn<std::vector<bool>>("flagged");
        QTest::addColumn<Stretches>("expected");
        QTest::newRow("none") << std::vector<int>{0, 5, 10} << std::vector<bool>{false, false, false}
                              << Stretches{};
        QTest::newRow("all") << std::vector<int>{0, 5, 10} << std::vector<bool>{true, true, true}
                             << Stretches{{0, 10}};
        QTest::newRow("two runs") << std::vector<int>{0, 5, 10, 15, 20, 25}
                                  << std::vector<bool>{true, true, false, true, false, true}
                                  << Stretches{{0, 5}, {15, 15}, {25, 25}};
        QTest::newRow("uneven sampling") << std::vector<int>{3, 4, 90, 91}
                                         << std::vector<bool>{false, true, true, false} << Stretches{{4, 90}};
        QTest::newRow("empty") << std::vector<int>{} << std::vector<bool>{} << Stretches{};
    }

    void stretches()
    {
        QFETCH(std::vector<int>, frames);
        QFETCH(std::vector<bool>, flagged);
        QFETCH(Stretches, expected);
        QCOMPARE(flaggedStretches(frames, flagged), expected);
    }

    void clickGoesToTheNearestSampledFrame_data()
    {
        QTest::addColumn<double>("x");
        QTest::addColumn<int>("frame");
        QTest::newRow("before the first") << -40.0 << 0;
        QTest::newRow("on a sample") << 10.0 << 10;
        QTest::newRow("nearer the lower") << 12.4 << 10;
        QTest::newRow("halfway goes down") << 12.5 << 10;
        QTest::newRow("nearer the upper") << 12.6 << 15;
        QTest::newRow("past the last") << 1000.0 << 25;
    }

    void clickGoesToTheNearestSampledFrame()
    {
        QFETCH(double, x);
        QFETCH(int, frame);
        TimelinePlot plot;
        TimelineData data;
        data.videoName = "clip.avi";
        data.detectorName = "MSP";
        data.frames = {0, 5, 10, 15, 20, 25};
        data.scores = {0.1, 0.2, 0.9, std::nan(""), 0.3, 0.95};
        data.flagged = {false, false, true, false, false, true};
        data.threshold = 0.5;
        data.currentFrame = 10;
        data.fps = 25;
        plot.showTimeline(data);
        QCOMPARE(plot.nearestFrame(x), frame);
    }

    void timelineSaysWhatItShows()
    {
        TimelinePlot plot;
        plot.resize(500, 300);
        TimelineData data;
        data.videoName = "clip.avi";
        data.detectorName = "MSP";
        data.frames = {0, 5, 10, 15, 20, 25};
        data.scores = {0.1, 0.2, 0.9, 0.8, 0.3, 0.95};
        data.flagged = {false, false, true, true, false, true};
        data.threshold = 0.5;
        data.fps = 25;
        data.currentFrame = 10;
        plot.showTimeline(data);
        // 25 frames at 25 fps is 1.0 s; flagged 10-15 and 25: three frames in two stretches.
        QCOMPARE(plot.caption(),
                 QString("clip.avi: 6 sampled frames, 1.0 s; 3 unusual in 2 stretches. Score: MSP."));
        // The legend names the line, the threshold, the bands and the selected frame.
        const QString legend = plot.legendText();
        for (const char *part :
             {"score of MSP", "its threshold", "frames called unusual", "the selected frame"})
            QVERIFY2(legend.contains(part), qPrintable(legend));
        QCOMPARE(plot.plot()->graphCount(), 1);
        QCOMPARE(plot.plot()->graph(0)->dataCount(), 6);
        int bands = 0;
        for (int i = 0; i < plot.plot()->itemCount(); ++i)
            bands += qobject_cast<QCPItemRect *>(plot.plot()->item(i)) ? 1 : 0;
        QCOMPARE(bands, 2);

        // A click in the middle of the axis rect lands on the frame nearest to its x value.
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        plot.plot()->replot();
        QSignalSpy clicked(&plot, &TimelinePlot::frameClicked);
        const int px = int(plot.plot()->xAxis->coordToPixel(15.4));
        const int py = plot.plot()->axisRect()->center().y();
        QTest::mouseClick(plot.plot(), Qt::LeftButton, {}, QPoint(px, py));
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.first().first().toInt(), 15);
    }

    void rocCurves()
    {
        // ID scores {0.1, 0.2}, OOD {0.15, 0.3}: of the four (OOD, ID) pairs three rank the OOD
        // frame higher, so AUROC = 0.75; with the groups swapped it is 0.25.
        const std::vector<double> id{0.1, 0.2}, ood{0.15, 0.3};
        RocPlot plot;
        plot.showCurves({{"MSP", rocCurve(id, ood), 0.75}, {"Energy", rocCurve(ood, id), 0.25}}, 0, 2, 2);
        QCOMPARE(plot.plot()->plottableCount(), 2);
        QCOMPARE(plot.caption(),
                 QString("2 ID and 2 OOD frames (from the folder names). Best AUROC: MSP, 0.750."));
        // Only the highlighted detector is in the legend, with its AUROC.
        QCOMPARE(plot.plot()->legend->itemCount(), 1);
        auto *item = qobject_cast<QCPPlottableLegendItem *>(plot.plot()->legend->item(0));
        QVERIFY(item);
        QCOMPARE(item->plottable()->name(), QString("MSP (AUROC 0.750)"));
        // The legend line names the other two kinds of line too.
        const QString legend = plot.legendText();
        for (const char *part :
             {"MSP, the detector chosen in the Scores tab", "the other detectors", "chance"})
            QVERIFY2(legend.contains(part), qPrintable(legend));
        // The curve runs from (0,0) to (1,1) through the thresholds: with OOD 0.3 > ID 0.2 >
        // OOD 0.15 > ID 0.1 it steps up, right, up, right.
        auto *curve = qobject_cast<QCPCurve *>(item->plottable());
        QVERIFY(curve);
        QVector<QPointF> points;
        for (auto it = curve->data()->constBegin(); it != curve->data()->constEnd(); ++it)
            points << QPointF(it->key, it->value);
        QCOMPARE(points, (QVector<QPointF>{{0, 0}, {0, 0.5}, {0.5, 0.5}, {0.5, 1}, {1, 1}}));
    }

    void rocUnavailableSaysWhy()
    {
        RocPlot plot;
        plot.showUnavailable("open folders named id and ood");
        QCOMPARE(plot.caption(), QString("open folders named id and ood"));
        QCOMPARE(plot.plot()->plottableCount(), 0);
        QVERIFY(plot.legendText().isEmpty());
    }
};

QTEST_MAIN(SessionPlotsTest)
#include "sessionplotstest.moc"
