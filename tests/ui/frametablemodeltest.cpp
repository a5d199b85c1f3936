// The frame list models: what the table shows and sorts by, each filter of the proxy alone and
// combined (against counts made by hand on a small session), batched score updates, the model
// tester's consistency checks, and 10,000 frames loaded, sorted, filtered and shown (how long that
// takes is measured by ui-bench, not asserted here: wall-clock limits fail on a loaded machine).

#include "detect/detectorwords.h"
#include "models/framefilterproxy.h"
#include "models/frametablemodel.h"

#include <QAbstractItemModelTester>
#include <QTableView>
#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace ood;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

FrameRecord scoredFrame(const QString &name, int prediction, double confidence, std::vector<double> scores,
                        int flaggedBy, ReviewMark mark = ReviewMark::None)
{
    FrameRecord frame;
    frame.path = "/data/" + name;
    frame.displayName = name;
    frame.scored = true;
    frame.prediction = prediction;
    frame.confidence = confidence;
    frame.scores = std::move(scores);
    frame.flaggedBy = flaggedBy;
    // The fixture's verdict is the rule "any detector" (k = 1); tests of a verdict that differs
    // from the count set `flagged` themselves.
    frame.flagged = flaggedBy > 0;
    frame.mark = mark;
    return frame;
}

FrameRecord unscoredFrame(const QString &name, const QString &error = {})
{
    FrameRecord frame;
    frame.path = "/data/" + name;
    frame.displayName = name;
    frame.error = error;
    return frame;
}

/// Detectors A (threshold 1) and B (threshold 2), classes cat and dog. Flags counted by hand:
/// A flags rows 1, 2, 4; B flags rows 2, 3 (row 7's 2.0 is not above 2).
std::vector<FrameRecord> smallSession()
{
    return {
        scoredFrame("alpha.png", 0, 0.90, {0.5, 1.0}, 0),
        scoredFrame("beta.png", 1, 0.60, {1.5, 1.0}, 1, ReviewMark::ConfirmedUnusual),
        scoredFrame("gamma.png", 0, 0.55, {1.5, 2.5}, 2, ReviewMark::FalseAlarm),
        scoredFrame("delta.png", 1, 0.70, {0.2, 3.0}, 1),
        scoredFrame("Alpha2.png", 1, 0.80, {2.0, 0.1}, 1, ReviewMark::Unsure),
        unscoredFrame("broken.png", "cannot decode /data/broken.png"),
        unscoredFrame("pending.png"),
        scoredFrame("epsilon.png", 0, 0.99, {0.9, 2.0}, 0, ReviewMark::ConfirmedUnusual),
    };
}

void setUpSmall(FrameTableModel &model)
{
    model.setDetectors({"a", "b"}, {"Detector A", "Detector B"}, {1.0, 2.0});
    model.setClassNames({"cat", "dog"});
    model.setFrames(smallSession());
}

QList<int> proxyRows(const FrameFilterProxy &proxy)
{
    QList<int> rows;
    for (int r = 0; r < proxy.rowCount(); ++r)
        rows << proxy.frameRow(r);
    return rows;
}

/// A large session: `detectors` scores per frame from a fixed-seed generator, every 10th frame
/// unscored, thresholds at 2.0 (about 2.3 % of normal scores above each).
std::vector<FrameRecord> largeSession(int count, int detectors)
{
    std::mt19937 rng(12345);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<FrameRecord> frames(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
        FrameRecord &frame = frames[static_cast<size_t>(i)];
        frame.path = QStringLiteral("/session/video%1.mp4").arg(i / 1000);
        frame.videoFrame = i % 1000;
        frame.displayName = QStringLiteral("video%1.mp4 #%2").arg(i / 1000).arg(i % 1000);
        frame.scores.assign(static_cast<size_t>(detectors), kNaN);
        frame.mark = static_cast<ReviewMark>(i % 4);
        if (i % 10 == 9)
            continue;
        frame.scored = true;
        frame.prediction = i % 5;
        frame.confidence = uniform(rng);
        for (int d = 0; d < detectors; ++d) {
            frame.scores[static_cast<size_t>(d)] = normal(rng);
            frame.flaggedBy += frame.scores[static_cast<size_t>(d)] > 2.0 ? 1 : 0;
        }
        frame.flagged = frame.flaggedBy > 0;
    }
    return frames;
}

} // namespace

class FrameTableModelTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void displayAndRoles()
    {
        FrameTableModel model;
        setUpSmall(model);
        QCOMPARE(model.rowCount(), 8);
        QCOMPARE(model.columnCount(), 4 + 2 + 3);
        QCOMPARE(model.detectorColumn(1), 5);
        QCOMPARE(model.flaggedColumn(), 6);
        QCOMPARE(model.markColumn(), 7);
        QCOMPARE(model.noteColumn(), 8);

        QCOMPARE(model.headerData(model.detectorColumn(0), Qt::Horizontal).toString(), QString("Detector A"));
        const QString headerTip =
            model.headerData(model.detectorColumn(1), Qt::Horizontal, Qt::ToolTipRole).toString();
        QVERIFY2(headerTip.contains("id b") && headerTip.contains('2'), qPrintable(headerTip));

        const auto cell = [&](int row, int column, int role = Qt::DisplayRole) {
            return model.data(model.index(row, column), role);
        };
        QCOMPARE(cell(2, FrameTableModel::NameColumn).toString(), QString("gamma.png"));
        QCOMPARE(cell(1, FrameTableModel::PredictionColumn).toString(), QString("dog"));
        QCOMPARE(cell(0, FrameTableModel::ConfidenceColumn).toString(),
                 QLocale().toString(90.0, 'f', 1) + " %");
        QCOMPARE(cell(2, model.flaggedColumn()).toString(), QString("Unusual, 2 of 2"));
        QCOMPARE(cell(3, model.flaggedColumn()).toString(), QString("Unusual, 1 of 2"));
        QCOMPARE(cell(0, model.flaggedColumn()).toString(), QString("0 of 2"));
        QCOMPARE(model.headerData(model.flaggedColumn(), Qt::Horizontal).toString(), QString("Verdict"));
        QCOMPARE(cell(3, model.detectorColumn(1)).toString(), QLocale().toString(3.0, 'g', 4));
        QCOMPARE(cell(1, model.markColumn()).toString(),
                 FrameTableModel::markText(ReviewMark::ConfirmedUnusual));
        QCOMPARE(cell(0, model.markColumn()).toString(), QString());
        // A failed frame says so, and why.
        QCOMPARE(cell(5, FrameTableModel::PredictionColumn).toString(), QString("error"));
        QVERIFY(cell(5, FrameTableModel::NameColumn, Qt::ToolTipRole).toString().contains("cannot decode"));
        QVERIFY(cell(5, model.detectorColumn(0)).toString().isEmpty());
        QVERIFY(cell(6, model.flaggedColumn()).toString().isEmpty());

        // Raw values for sorting; NaN where there is none.
        QCOMPARE(cell(4, model.detectorColumn(0), FrameTableModel::SortRole).toDouble(), 2.0);
        QVERIFY(std::isnan(cell(6, model.detectorColumn(0), FrameTableModel::SortRole).toDouble()));
        QVERIFY(std::isnan(cell(5, FrameTableModel::ConfidenceColumn, FrameTableModel::SortRole).toDouble()));
        QCOMPARE(cell(3, model.noteColumn(), FrameTableModel::FrameRowRole).toInt(), 3);

        // Colours: the over-threshold cell differs from a flagged row's other cells, which differ
        // from an unflagged row's.
        QVERIFY(model.isFlaggedBy(3, 1));
        QVERIFY(!model.isFlaggedBy(7, 1)); // 2.0 is not above 2.0
        const QVariant overCell = cell(3, model.detectorColumn(1), Qt::BackgroundRole);
        const QVariant flaggedRow = cell(3, model.detectorColumn(0), Qt::BackgroundRole);
        QVERIFY(overCell.isValid() && flaggedRow.isValid());
        QVERIFY(overCell.value<QBrush>().color() != flaggedRow.value<QBrush>().color());
        QVERIFY(!cell(0, model.detectorColumn(0), Qt::BackgroundRole).isValid());
        QVERIFY(cell(3, model.detectorColumn(1), Qt::ForegroundRole).isValid());
        QVERIFY(!cell(3, model.detectorColumn(0), Qt::ForegroundRole).isValid());
        QVERIFY(cell(3, model.detectorColumn(1), FrameTableModel::FlaggedRole).toBool());
        QVERIFY(!cell(3, model.detectorColumn(0), FrameTableModel::FlaggedRole).toBool());
        QVERIFY(
            cell(3, model.detectorColumn(1), Qt::ToolTipRole).toString().contains("finds the frame unusual"));
    }

    void verdictColumnFollowsTheVerdict()
    {
        // The verdict is the profile's rule, not "any detector". Here NERO alone decides: a frame
        // only MSP and Energy flag is not called unusual, so it is neither tinted nor listed as
        // flagged, and a frame NERO alone flags is; the count stays as detail.
        FrameTableModel model;
        model.setDetectors({"nero", "msp", "energy"}, {"NERO", "MSP", "Energy"}, {1.0, 1.0, 1.0});
        FrameRecord two = scoredFrame("two.png", 0, 0.9, {0.5, 2.0, 2.0}, 2);
        two.flagged = false;
        FrameRecord one = scoredFrame("one.png", 0, 0.9, {2.0, 0.5, 0.5}, 1);
        model.setFrames({two, one});
        const auto cell = [&](int row, int column, int role = Qt::DisplayRole) {
            return model.data(model.index(row, column), role);
        };
        QCOMPARE(cell(0, model.flaggedColumn()).toString(), QString("2 of 3"));
        QCOMPARE(cell(1, model.flaggedColumn()).toString(), QString("Unusual, 1 of 3"));
        QVERIFY(cell(0, model.flaggedColumn(), Qt::ToolTipRole)
                    .toString()
                    .contains("does not mean the frame is normal"));
        QVERIFY(!cell(0, FrameTableModel::NameColumn, Qt::BackgroundRole).isValid());
        QCOMPARE(cell(1, FrameTableModel::NameColumn, Qt::BackgroundRole).value<QBrush>().color(),
                 FrameTableModel::unusualRowColour());
        // A detector over its threshold keeps its own tint on a row the verdict leaves alone.
        QCOMPARE(cell(0, model.detectorColumn(1), Qt::BackgroundRole).value<QBrush>().color(),
                 FrameTableModel::flaggingCellColour());
        QVERIFY(!cell(0, FrameTableModel::NameColumn, FrameTableModel::FlaggedRole).toBool());
        FrameFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.setFlaggedOnly(true);
        QCOMPARE(proxyRows(proxy), QList<int>{1});
        // Sorting by the verdict column puts unusual frames above the others, whatever their count.
        QVERIFY(model.sortNumber(1, model.flaggedColumn()) > model.sortNumber(0, model.flaggedColumn()));

        // Only the enabled detectors count in "k of n".
        model.setEnabledDetectors({true, true, false});
        QCOMPARE(model.enabledDetectorCount(), 2);
        QCOMPARE(cell(1, model.flaggedColumn()).toString(), QString("Unusual, 1 of 2"));

        // Headers in plain words; the description, the technical name and the id in the tooltip.
        const DetectorWords nero = detectorWords("nero");
        QCOMPARE(model.headerData(model.detectorColumn(0), Qt::Horizontal).toString(), nero.plainName);
        const QString tip =
            model.headerData(model.detectorColumn(0), Qt::Horizontal, Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(nero.description) && tip.contains("NERO (id nero)"), qPrintable(tip));
        QVERIFY(cell(1, model.detectorColumn(0), Qt::ToolTipRole).toString().startsWith(nero.plainName));
    }

    void keysAndMarks()
    {
        FrameTableModel model;
        model.setDetectors({"a"}, {"A"}, {0.0});
        std::vector<FrameRecord> frames(3);
        frames[0].path = "/v/clip.mp4";
        frames[0].videoFrame = 0;
        frames[1].path = "/v/clip.mp4";
        frames[1].videoFrame = 12;
        frames[2].path = "/img/one.png";
        model.setFrames(frames);
        QCOMPARE(model.rowOfKey("/v/clip.mp4#12"), 1);
        QCOMPARE(model.rowOfKey("/img/one.png"), 2);
        QCOMPARE(model.rowOfKey("/v/clip.mp4"), -1);
        QCOMPARE(model.data(model.index(2, FrameTableModel::NameColumn)).toString(), QString("one.png"));
        // Records get one score slot per detector even when they came without.
        QCOMPARE(model.frame(0).scores.size(), size_t(1));

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setMark(1, ReviewMark::FalseAlarm, "reflection");
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed[0][0].toModelIndex(), model.index(1, model.markColumn()));
        QCOMPARE(changed[0][1].toModelIndex(), model.index(1, model.noteColumn()));
        QCOMPARE(model.frame(1).mark, ReviewMark::FalseAlarm);
        QCOMPARE(model.data(model.index(1, model.noteColumn())).toString(), QString("reflection"));
    }

    void thumbnailsAreRequestedOnceAndSetLater()
    {
        FrameTableModel model;
        setUpSmall(model);
        QSignalSpy needed(&model, &FrameTableModel::thumbnailNeeded);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        const QModelIndex thumb = model.index(2, FrameTableModel::ThumbnailColumn);
        QVERIFY(!model.data(thumb, Qt::DecorationRole).isValid());
        QVERIFY(!model.data(thumb, Qt::DecorationRole).isValid());
        QCOMPARE(needed.count(), 1);
        QCOMPARE(needed[0][0].toInt(), 2);
        QImage image(8, 6, QImage::Format_RGB32);
        image.fill(Qt::red);
        model.setThumbnail(2, image);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed[0][0].toModelIndex(), thumb);
        QCOMPARE(model.data(thumb, Qt::DecorationRole).value<QImage>(), image);
        // A new session asks again.
        model.setFrames(smallSession());
        QVERIFY(!model.data(thumb, Qt::DecorationRole).isValid());
        QCOMPARE(needed.count(), 2);
    }

    void updateScoresIsOneChangePerBatch()
    {
        FrameTableModel model;
        setUpSmall(model);
        FrameFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.setFlaggedOnly(true);
        QCOMPARE(proxy.rowCount(), 4);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        std::vector<FrameResult> results(2);
        results[0].error = "still broken";
        results[0].scores = {kNaN, kNaN};
        results[1].scored = true;
        results[1].prediction = 1;
        results[1].confidence = 0.5;
        results[1].scores = {1.2, 0.3};
        results[1].flaggedBy = 1;
        results[1].flagged = true;
        model.updateScores(5, results);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed[0][0].toModelIndex(), model.index(5, 0));
        QCOMPARE(changed[0][1].toModelIndex(), model.index(6, model.columnCount() - 1));
        QCOMPARE(model.frame(5).error, QString("still broken"));
        QVERIFY(model.frame(6).scored);
        QCOMPARE(model.frame(6).scores[0], 1.2);
        QVERIFY(model.isFlaggedBy(6, 0));
        // The proxy follows: pending.png is now flagged by A.
        QCOMPARE(proxy.rowCount(), 5);
        QVERIFY(proxyRows(proxy).contains(6));

        // A batch running past the end is cut, still one change.
        changed.clear();
        model.updateScores(7, std::vector<FrameResult>(3));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed[0][1].toModelIndex().row(), 7);
    }

    void sortingPutsMissingLast_data()
    {
        QTest::addColumn<int>("column"); // -1, -2: detector A / B
        QTest::addColumn<int>("order");
        QTest::addColumn<QList<int>>("expected");
        // Detector A scores: r0 .5, r1 1.5, r2 1.5, r3 .2, r4 2.0, r7 .9; r5, r6 unscored.
        QTest::newRow("A ascending") << -1 << int(Qt::AscendingOrder) << QList<int>{3, 0, 7, 1, 2, 4, 5, 6};
        QTest::newRow("A descending") << -1 << int(Qt::DescendingOrder) << QList<int>{4, 1, 2, 7, 0, 3, 5, 6};
        // Confidence: r0 .90, r1 .60, r2 .55, r3 .70, r4 .80, r7 .99.
        QTest::newRow("confidence ascending")
            << int(FrameTableModel::ConfidenceColumn) << int(Qt::AscendingOrder)
            << QList<int>{2, 1, 3, 4, 0, 7, 5, 6};
        QTest::newRow("confidence descending")
            << int(FrameTableModel::ConfidenceColumn) << int(Qt::DescendingOrder)
            << QList<int>{7, 0, 4, 3, 1, 2, 5, 6};
        // Names, ignoring case.
        QTest::newRow("name ascending") << int(FrameTableModel::NameColumn) << int(Qt::AscendingOrder)
                                        << QList<int>{0, 4, 1, 5, 3, 7, 2, 6};
        QTest::newRow("name descending") << int(FrameTableModel::NameColumn) << int(Qt::DescendingOrder)
                                         << QList<int>{6, 2, 7, 3, 5, 1, 4, 0};
        // Flagged by: r2 2; r1, r3, r4 1; r0, r7 0; unscored last.
        QTest::newRow("flagged descending")
            << -3 << int(Qt::DescendingOrder) << QList<int>{2, 1, 3, 4, 0, 7, 5, 6};
        QTest::newRow("flagged ascending")
            << -3 << int(Qt::AscendingOrder) << QList<int>{0, 7, 1, 3, 4, 2, 5, 6};
    }

    void sortingPutsMissingLast()
    {
        QFETCH(int, column);
        QFETCH(int, order);
        QFETCH(QList<int>, expected);
        FrameTableModel model;
        setUpSmall(model);
        FrameFilterProxy proxy;
        proxy.setSourceModel(&model);
        if (column == -1 || column == -2)
            column = model.detectorColumn(-column - 1);
        else if (column == -3)
            column = model.flaggedColumn();
        proxy.sort(column, Qt::SortOrder(order));
        QCOMPARE(proxyRows(proxy), expected);
    }

    void filters_data()
    {
        QTest::addColumn<bool>("flaggedOnly");
        QTest::addColumn<int>("predicted");
        QTest::addColumn<int>("mark"); // -1: any
        QTest::addColumn<int>("detector");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QList<int>>("expected");
        const int any = -1;
        QTest::newRow("none") << false << any << any << any << QString()
                              << QList<int>{0, 1, 2, 3, 4, 5, 6, 7};
        QTest::newRow("flagged") << true << any << any << any << QString() << QList<int>{1, 2, 3, 4};
        QTest::newRow("cat") << false << 0 << any << any << QString() << QList<int>{0, 2, 7};
        QTest::newRow("dog") << false << 1 << any << any << QString() << QList<int>{1, 3, 4};
        QTest::newRow("unreviewed") << false << any << int(ReviewMark::None) << any << QString()
                                    << QList<int>{0, 3, 5, 6};
        QTest::newRow("confirmed") << false << any << int(ReviewMark::ConfirmedUnusual) << any << QString()
                                   << QList<int>{1, 7};
        QTest::newRow("false alarm") << false << any << int(ReviewMark::FalseAlarm) << any << QString()
                                     << QList<int>{2};
        QTest::newRow("unsure") << false << any << int(ReviewMark::Unsure) << any << QString()
                                << QList<int>{4};
        QTest::newRow("by A") << false << any << any << 0 << QString() << QList<int>{1, 2, 4};
        QTest::newRow("by B") << false << any << any << 1 << QString() << QList<int>{2, 3};
        QTest::newRow("detector the model lacks") << false << any << any << 5 << QString() << QList<int>{};
        QTest::newRow("name") << false << any << any << any << QString("ALPHA") << QList<int>{0, 4};
        QTest::newRow("flagged dog") << true << 1 << any << any << QString() << QList<int>{1, 3, 4};
        QTest::newRow("cat by A") << false << 0 << any << 0 << QString() << QList<int>{2};
        QTest::newRow("unreviewed flagged")
            << true << any << int(ReviewMark::None) << any << QString() << QList<int>{3};
        QTest::newRow("by B named with a") << false << any << any << 1 << QString("a") << QList<int>{2, 3};
        QTest::newRow("confirmed by A")
            << false << any << int(ReviewMark::ConfirmedUnusual) << 0 << QString() << QList<int>{1};
        QTest::newRow("all five") << true << 1 << int(ReviewMark::Unsure) << 0 << QString("alpha")
                                  << QList<int>{4};
        QTest::newRow("nothing left")
            << true << 0 << int(ReviewMark::Unsure) << any << QString() << QList<int>{};
    }

    void filters()
    {
        QFETCH(bool, flaggedOnly);
        QFETCH(int, predicted);
        QFETCH(int, mark);
        QFETCH(int, detector);
        QFETCH(QString, name);
        QFETCH(QList<int>, expected);
        FrameTableModel model;
        setUpSmall(model);
        FrameFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.setFlaggedOnly(flaggedOnly);
        proxy.setPredictedClass(predicted);
        proxy.setMarkFilter(mark < 0 ? std::nullopt : std::optional<ReviewMark>(ReviewMark(mark)));
        proxy.setFlaggingDetector(detector);
        proxy.setNameFilter(name);
        QCOMPARE(proxyRows(proxy), expected);
        proxy.clearFilters();
        QCOMPARE(proxy.rowCount(), 8);
    }

    void modelTester()
    {
        FrameTableModel model;
        FrameFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester modelCheck(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyCheck(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        setUpSmall(model);
        proxy.sort(model.detectorColumn(1), Qt::DescendingOrder);
        proxy.setFlaggedOnly(true);
        std::vector<FrameResult> results(2);
        results[1].scored = true;
        results[1].prediction = 0;
        results[1].confidence = 0.4;
        results[1].scores = {3.0, 3.0};
        results[1].flaggedBy = 2;
        results[1].flagged = true;
        model.updateScores(5, results);
        model.setMark(6, ReviewMark::Unsure, "odd");
        proxy.setMarkFilter(ReviewMark::Unsure);
        proxy.setNameFilter("p");
        model.setThumbnail(0, QImage(4, 4, QImage::Format_RGB32));
        model.setClassNames({"cat", "dog", "bird"});
        proxy.clearFilters();
        model.setDetectors({"a"}, {"A"}, {1.0});
        proxy.sort(FrameTableModel::NameColumn, Qt::AscendingOrder);
        model.setFrames(largeSession(200, 1));
        proxy.setFlaggingDetector(0);
        QVERIFY(proxy.rowCount() < 200);
    }

    void tenThousandFrames()
    {
        const int count = 10000, detectors = 20;
        const std::vector<FrameRecord> frames = largeSession(count, detectors);
        std::vector<std::string> ids;
        QStringList names;
        for (int d = 0; d < detectors; ++d) {
            ids.push_back("det" + std::to_string(d));
            names << QStringLiteral("Detector %1").arg(d);
        }
        FrameTableModel model;
        model.setDetectors(ids, names, std::vector<double>(detectors, 2.0));
        model.setClassNames({"a", "b", "c", "d", "e"});
        FrameFilterProxy proxy;
        proxy.setSourceModel(&model);

        // The time of each step is measured by ui-bench (docs/benchmarks.md).
        model.setFrames(frames);
        QCOMPARE(proxy.rowCount(), count);

        const int column = model.detectorColumn(7);
        proxy.sort(column, Qt::DescendingOrder);
        int unscored = 0;
        double previous = std::numeric_limits<double>::infinity();
        for (int r = 0; r < proxy.rowCount(); ++r) {
            const double v = frames[static_cast<size_t>(proxy.frameRow(r))].scores[7];
            if (std::isnan(v)) {
                ++unscored;
                continue;
            }
            QVERIFY2(unscored == 0, "a scored frame after an unscored one");
            QVERIFY(v <= previous);
            previous = v;
        }
        QCOMPARE(unscored, count / 10);

        // Frames flagged by detector 7 that nobody reviewed yet, counted straight from the records.
        int expected = 0;
        for (const FrameRecord &frame : frames)
            expected += frame.scored && frame.scores[7] > 2.0 && frame.mark == ReviewMark::None ? 1 : 0;
        proxy.setFlaggingDetector(7);
        proxy.setMarkFilter(ReviewMark::None);
        QCOMPARE(proxy.rowCount(), expected);
        QVERIFY(expected > 0);

        proxy.clearFilters();
        QTableView view;
        view.resize(1000, 700);
        view.setModel(&proxy);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCoreApplication::processEvents();
    }
};

QTEST_MAIN(FrameTableModelTest)
#include "frametablemodeltest.moc"
