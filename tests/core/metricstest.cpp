// Metrics against hand computations, closed forms and brute-force definitions.

#include "base/error.h"
#include "eval/metrics.h"

#include <QtTest>

#include <random>

using namespace ood;

namespace {

// AUROC by its definition: pairs (id, ood) with ood > id count 1, ties 1/2.
double bruteAuroc(const std::vector<double> &id, const std::vector<double> &ood)
{
    double wins = 0;
    for (double o : ood)
        for (double i : id)
            wins += o > i ? 1.0 : (o == i ? 0.5 : 0.0);
    return wins / static_cast<double>(id.size() * ood.size());
}

// Average precision by its definition: at each distinct threshold t (descending), precision of
// {score >= t} times the recall gained there.
double bruteAp(const std::vector<double> &pos, const std::vector<double> &neg)
{
    std::vector<double> thresholds = pos;
    thresholds.insert(thresholds.end(), neg.begin(), neg.end());
    std::sort(thresholds.begin(), thresholds.end(), std::greater<>());
    thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());
    double ap = 0, previousRecall = 0;
    for (double t : thresholds) {
        const double tp =
            static_cast<double>(std::count_if(pos.begin(), pos.end(), [t](double s) { return s >= t; }));
        const double fp =
            static_cast<double>(std::count_if(neg.begin(), neg.end(), [t](double s) { return s >= t; }));
        const double recall = tp / static_cast<double>(pos.size());
        ap += (recall - previousRecall) * tp / (tp + fp);
        previousRecall = recall;
    }
    return ap;
}

} // namespace

class MetricsTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void aurocClosedForms_data()
    {
        QTest::addColumn<std::vector<double>>("id");
        QTest::addColumn<std::vector<double>>("ood");
        QTest::addColumn<double>("expected");
        QTest::newRow("perfect") << std::vector<double>{0, 1, 2} << std::vector<double>{3, 4} << 1.0;
        QTest::newRow("reversed") << std::vector<double>{3, 4} << std::vector<double>{0, 1, 2} << 0.0;
        QTest::newRow("all tied") << std::vector<double>{1, 1, 1} << std::vector<double>{1, 1} << 0.5;
        // Pairs: ood 2 beats id 1, ties id 2 (1/2), loses to 3 -> 1.5; ood 4 beats all -> 3; total 4.5/6.
        QTest::newRow("hand, with a tie")
            << std::vector<double>{1, 2, 3} << std::vector<double>{2, 4} << 0.75;
    }

    void aurocClosedForms()
    {
        QFETCH(std::vector<double>, id);
        QFETCH(std::vector<double>, ood);
        QFETCH(double, expected);
        QCOMPARE(auroc(id, ood), expected);
    }

    void fpr95ByHand()
    {
        // 20 ID scores 1..20: t = sorted[floor(0.95*20) = 19] = 20. OOD 5, 20, 21, 30: 2 of 4 <= 20.
        std::vector<double> id(20);
        std::iota(id.begin(), id.end(), 1.0);
        QCOMPARE(fpr95Nero(id, {5, 20, 21, 30}), 0.5);
        QCOMPARE(thresholdAtTpr(id, 0.95), 20.0);
        // 10 ID scores: floor(9.5) = 9 -> the largest.
        QCOMPARE(thresholdAtTpr({3, 1, 2, 9, 4, 5, 8, 7, 6, 0}, 0.95), 9.0);
    }

    void averagePrecisionByHand()
    {
        // Ranked: 0.9 (pos), 0.8 (neg), 0.7 (pos): AP = 0.5*1 + 0.5*(2/3) = 5/6.
        QVERIFY(std::abs(averagePrecision({0.9, 0.7}, {0.8}) - 5.0 / 6.0) < 1e-15);
        // A tie between a positive and a negative at the top: one threshold, P = 1/2, R = 1.
        QCOMPARE(averagePrecision({1.0}, {1.0}), 0.5);
    }

    void randomAgainstBruteForce()
    {
        std::mt19937 rng(17);
        std::uniform_int_distribution<int> coarse(0, 30); // coarse values create many ties
        for (int trial = 0; trial < 20; ++trial) {
            std::vector<double> id(37 + trial), ood(23 + 2 * trial);
            for (double &v : id)
                v = coarse(rng) / 3.0;
            for (double &v : ood)
                v = coarse(rng) / 3.0 + 2;
            QVERIFY(std::abs(auroc(id, ood) - bruteAuroc(id, ood)) < 1e-12);
            const OodMetrics m = evaluateScores(id, ood);
            QVERIFY(std::abs(m.auprOut - bruteAp(ood, id)) < 1e-12);
            std::vector<double> negId(id.size()), negOod(ood.size());
            std::transform(id.begin(), id.end(), negId.begin(), std::negate<>());
            std::transform(ood.begin(), ood.end(), negOod.begin(), std::negate<>());
            QVERIFY(std::abs(m.auprIn - bruteAp(negId, negOod)) < 1e-12);
        }
    }

    void rocCurvePoints()
    {
        const std::vector<RocPoint> roc = rocCurve({1, 2, 3}, {2, 4});
        // Thresholds 4, 3, 2, 1 after the (0,0) start.
        QCOMPARE(roc.size(), size_t(5));
        QCOMPARE(roc[1].tpr, 0.5);
        QCOMPARE(roc[1].fpr, 0.0);
        QCOMPARE(roc[3].tpr, 1.0);
        QCOMPARE(roc[3].fpr, 2.0 / 3.0);
        QCOMPARE(roc.back().fpr, 1.0);
    }

    void refusesEmptyAndNan()
    {
        QVERIFY_THROWS_EXCEPTION(Error, auroc({}, {1}));
        QVERIFY_THROWS_EXCEPTION(Error, evaluateScores({1, std::nan("")}, {2}));
    }
};

QTEST_GUILESS_MAIN(MetricsTest)
#include "metricstest.moc"
