// GEN on a 3-class example computed by hand, with M below and above the number of classes, in the
// reference's float32 and in the exact float64 form, and the saturated-softmax case where float32
// loses the top-class term (as OpenOOD does) and float64 keeps it.

#include "detect/registry.h"
#include "base/error.h"

#include <QtTest>

#include <torch/torch.h>

#include <cmath>

using namespace ood;

namespace {

double genOf(Detector &detector, const std::vector<double> &logits)
{
    Activations a;
    a.logits = torch::tensor(logits, torch::kFloat64).reshape({1, -1});
    a.features = torch::zeros({1, 2});
    const at::Tensor w = torch::zeros({static_cast<int64_t>(logits.size()), 2}),
                     b = torch::zeros({static_cast<int64_t>(logits.size())});
    ScoreContext context{a, {}, nullptr, w, b};
    return detector.score(context)[0].item<double>();
}

} // namespace

class GenTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void handComputed_data()
    {
        QTest::addColumn<double>("gamma");
        QTest::addColumn<double>("m");
        QTest::addColumn<double>("expected");
        for (const bool exact : {false, true})
            addHandRows(exact);
    }

    static void addHandRows(bool exact)
    {
        const auto newRow = [exact](const char *name) -> QTestData & {
            return QTest::addRow("%s, %s", exact ? "float64" : "float32", name);
        };
        // z = (ln 6, ln 3, 0): p = (0.6, 0.3, 0.1), p(1-p) = (0.24, 0.21, 0.09).
        newRow("gamma 1, all") << 1.0 << 100.0 << 0.24 + 0.21 + 0.09;
        newRow("gamma 1, M = C") << 1.0 << 3.0 << 0.54;
        newRow("gamma 1, M = 2") << 1.0 << 2.0 << 0.45;
        newRow("gamma 1, M = 1") << 1.0 << 1.0 << 0.24;
        newRow("gamma 2, M = 2") << 2.0 << 2.0 << 0.0576 + 0.0441;
        newRow("default gamma 0.1, all")
            << 0.1 << 100.0 << std::pow(0.24, 0.1) + std::pow(0.21, 0.1) + std::pow(0.09, 0.1);
        newRow("gamma 0.1, M = 1") << 0.1 << 1.0 << std::pow(0.24, 0.1);
    }

    void handComputed()
    {
        QFETCH(double, gamma);
        QFETCH(double, m);
        QFETCH(double, expected);
        const bool exact = QString(QTest::currentDataTag()).startsWith("float64");
        auto detector = createDetector("gen");
        detector->setSetting("gamma", gamma);
        detector->setSetting("m", m);
        detector->setSetting("float64", exact ? 1 : 0);
        // The classes are listed out of order so that top-M has to select, not take a prefix.
        const double s = genOf(*detector, {std::log(3.0), 0.0, std::log(6.0)});
        const double tolerance = exact ? 1e-12 : 1e-6 * expected; // float32 rounding
        QVERIFY2(std::abs(s - expected) < tolerance, qPrintable(QString::number(s, 'g', 17)));
    }

    void defaults()
    {
        auto detector = createDetector("gen");
        QCOMPARE(detector->setting("gamma"), 0.1);
        QCOMPARE(detector->setting("m"), 100.0);
        QCOMPARE(detector->setting("float64"), 0.0); // OpenOOD's float32 by default
        QVERIFY(detector->referenceIsIdHigh());
    }

    void saturatedTopClassKeepsItsTerm()
    {
        // z = (50, 0, 0): 1 - p_top = 2e^-50/(1 + 2e^-50), p_other = e^-50/(1 + 2e^-50), so
        // G = (2e^-50)^0.1 + 2(e^-50)^0.1 to relative 1e-20, i.e. e^-5 (2^0.1 + 2).
        auto detector = createDetector("gen");
        detector->setSetting("float64", 1);
        const double s50 = genOf(*detector, {50, 0, 0});
        const double expected = std::exp(-5.0) * (std::pow(2.0, 0.1) + 2);
        QVERIFY2(std::abs(s50 - expected) < 1e-12 * expected, qPrintable(QString::number(s50, 'g', 17)));
        // A still more confident frame is still less OOD (no tie at the saturated softmax).
        QVERIFY(genOf(*detector, {60, 0, 0}) < s50);
    }

    void float32LosesSaturatedTopTerm()
    {
        // float32 (the reference): p_top rounds to exactly 1, so only the two other classes count,
        // each e^-50 to float32 precision: G = 2 (e^-50)^0.1 = 2 e^-5.
        auto detector = createDetector("gen");
        const double s = genOf(*detector, {50, 0, 0});
        QVERIFY2(std::abs(s - 2 * std::exp(-5.0)) < 1e-6 * 2 * std::exp(-5.0),
                 qPrintable(QString::number(s, 'g', 17)));
    }

    void uncertainScoresHigher()
    {
        auto detector = createDetector("gen");
        const double uniform = genOf(*detector, {1, 1, 1});
        QVERIFY(std::abs(uniform - 3 * std::pow(2.0 / 9.0, 0.1)) < 1e-6);
        QVERIFY(uniform > genOf(*detector, {5, 0, -1}));
    }

    void settingsRoundTrip()
    {
        auto a = createDetector("gen");
        a->setSetting("gamma", 2);
        a->setSetting("m", 2);
        auto b = createDetector("gen");
        b->setState(a->state());
        QCOMPARE(genOf(*b, {std::log(6.0), std::log(3.0), 0.0}),
                 genOf(*a, {std::log(6.0), std::log(3.0), 0.0}));
        QCOMPARE(b->setting("m"), 2.0);
    }

    void refusesBadSettings()
    {
        auto detector = createDetector("gen");
        detector->setSetting("m", 1.5);
        QVERIFY_THROWS_EXCEPTION(Error, genOf(*detector, {1, 2, 3}));
        detector->setSetting("m", 2);
        detector->setSetting("gamma", 0);
        QVERIFY_THROWS_EXCEPTION(Error, genOf(*detector, {1, 2, 3}));
    }
};

QTEST_GUILESS_MAIN(GenTest)
#include "gentest.moc"
