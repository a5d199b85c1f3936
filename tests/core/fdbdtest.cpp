// fDBD by hand on 2-D features with 3 classes.

#include "detect/registry.h"
#include "base/error.h"
#include "support/linearbackbone.h"

#include <QtTest>

#include <torch/torch.h>

#include <cmath>

using namespace ood;

namespace {

// w_0 = (1, 0), w_1 = (0, 1), w_2 = (-1, -1), b = 0:
// ||w_0 - w_1|| = sqrt 2, ||w_0 - w_2|| = ||(2, 1)|| = sqrt 5, ||w_1 - w_2|| = ||(1, 2)|| = sqrt 5.
const at::Tensor &weight()
{
    static const at::Tensor w = torch::tensor({1.f, 0.f, 0.f, 1.f, -1.f, -1.f}).reshape({3, 2});
    return w;
}
const at::Tensor &bias()
{
    static const at::Tensor b = torch::zeros({3});
    return b;
}
// Mean (2, 1).
at::Tensor trainFeatures()
{
    return torch::tensor({1.f, 1.f, 3.f, 1.f, 2.f, 3.f, 2.f, -1.f}).reshape({4, 2});
}

std::unique_ptr<Detector> fitted(double normaliser)
{
    auto detector = createDetector("fdbd");
    detector->setSetting("normaliser", normaliser);
    detector->fit(test::trainContext(trainFeatures(), {0, 0, 1, 1}, weight(), bias()));
    return detector;
}

} // namespace

class FdbdTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void handComputed_data()
    {
        QTest::addColumn<double>("x");
        QTest::addColumn<double>("y");
        QTest::addColumn<double>("normaliser");
        QTest::addColumn<double>("expected");
        const double r2 = std::sqrt(2.0), r5 = std::sqrt(5.0);
        // h = (5, 1): z = (5, 1, -6), top 0: F = 4/sqrt2 + 11/sqrt5; ||h - mu|| = 3, ||h|| = sqrt 26.
        QTest::newRow("top 0, train mean") << 5.0 << 1.0 << 0.0 << -(4 / r2 + 11 / r5) / 3;
        QTest::newRow("top 0, feature norm") << 5.0 << 1.0 << 1.0 << -(4 / r2 + 11 / r5) / std::sqrt(26.0);
        // h = (2, 4): z = (2, 4, -6), top 1: F = 2/sqrt2 + 10/sqrt5; ||h - mu|| = 3, ||h|| = sqrt 20.
        QTest::newRow("top 1, train mean") << 2.0 << 4.0 << 0.0 << -(2 / r2 + 10 / r5) / 3;
        QTest::newRow("top 1, feature norm") << 2.0 << 4.0 << 1.0 << -(2 / r2 + 10 / r5) / std::sqrt(20.0);
        // h = (-2, -1): z = (-2, -1, 3), top 2: F = 5/sqrt5 + 4/sqrt5; ||h - mu|| = sqrt(16 + 4).
        QTest::newRow("top 2, train mean") << -2.0 << -1.0 << 0.0 << -(9 / r5) / std::sqrt(20.0);
    }

    void handComputed()
    {
        QFETCH(double, x);
        QFETCH(double, y);
        QFETCH(double, normaliser);
        QFETCH(double, expected);
        auto detector = fitted(normaliser);
        const at::Tensor h = torch::tensor({static_cast<float>(x), static_cast<float>(y)}).reshape({1, 2});
        const double s = test::scoreFeatures(*detector, h, weight(), bias())[0].item<double>();
        QVERIFY2(std::abs(s - expected) < 1e-12,
                 qPrintable(QString("%1 vs %2").arg(s, 0, 'g', 17).arg(expected, 0, 'g', 17)));
    }

    void nearBoundaryScoresHigher()
    {
        // (3, 3) sits on the class 0 / class 1 boundary: one of its distances is 0.
        auto detector = fitted(0);
        QVERIFY(detector->referenceIsIdHigh());
        const at::Tensor s = test::scoreFeatures(
            *detector, torch::tensor({5.f, 1.f, 3.f, 3.f}).reshape({2, 2}), weight(), bias());
        QVERIFY(s[1].item<double>() > s[0].item<double>());
    }

    void stateRoundTrip()
    {
        auto a = fitted(1);
        const DetectorState state = a->state();
        QVERIFY(state.count("train_mean") && state.count("weight_distances"));
        QVERIFY(torch::allclose(state.at("train_mean"), torch::tensor({2.0, 1.0}, torch::kFloat64)));
        auto b = createDetector("fdbd");
        b->setState(state);
        QCOMPARE(b->setting("normaliser"), 1.0);
        const at::Tensor q = torch::randn({6, 2});
        QVERIFY(torch::equal(test::scoreFeatures(*a, q, weight(), bias()),
                             test::scoreFeatures(*b, q, weight(), bias())));
    }

    void refusesIdenticalClassWeights()
    {
        auto detector = createDetector("fdbd");
        const at::Tensor w = torch::tensor({1.f, 0.f, 1.f, 0.f, 0.f, 1.f}).reshape({3, 2});
        QVERIFY_THROWS_EXCEPTION(Error,
                                 detector->fit(test::trainContext(trainFeatures(), {0, 0, 1, 1}, w, bias())));
    }
};

QTEST_GUILESS_MAIN(FdbdTest)
#include "fdbdtest.moc"
