// RMDS on a 2-D layout where both the tied class covariance and the global covariance are
// diagonal and known by hand.

#include "detect/registry.h"
#include "base/error.h"
#include "support/linearbackbone.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

namespace {

// Class 0 = square (+-1, +-1) around (-3, 0), class 1 = the same around (3, 0). A third feature
// is constant, so both covariances are singular and pinvh must ignore it.
// Tied class covariance: deviations (+-1, +-1) -> I.
// Global mean (0, 0); x takes -4, -4, -2, -2, 2, 2, 4, 4 -> E[x^2] = 10, E[y^2] = 1, E[xy] = 0,
// so Sigma_0 = diag(10, 1).
// Hence s = min_c (x - c)^2 + y^2 - (x^2/10 + y^2) = min_{c = +-3} (x - c)^2 - x^2/10.
at::Tensor trainFeatures()
{
    return torch::tensor({-4.f, -1.f, 0.f, -4.f, 1.f, 0.f, -2.f, -1.f, 0.f, -2.f, 1.f, 0.f,
                          2.f,  -1.f, 0.f, 2.f,  1.f, 0.f, 4.f,  -1.f, 0.f, 4.f,  1.f, 0.f})
        .reshape({8, 3});
}
const std::vector<int64_t> kLabels = {0, 0, 0, 0, 1, 1, 1, 1};

} // namespace

class RmdsTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void handComputed_data()
    {
        QTest::addColumn<double>("x");
        QTest::addColumn<double>("y");
        QTest::addColumn<double>("expected");
        QTest::newRow("origin") << 0.0 << 0.0 << 9.0;
        QTest::newRow("class 1 mean") << 3.0 << 0.0 << -0.9;
        QTest::newRow("class 1 mean, y cancels") << 3.0 << 5.0 << -0.9;
        QTest::newRow("class 0 side") << -2.0 << 1.0 << 1.0 - 0.4;
        QTest::newRow("far on x") << 10.0 << 0.0 << 49.0 - 10.0;
    }

    void handComputed()
    {
        QFETCH(double, x);
        QFETCH(double, y);
        QFETCH(double, expected);
        const at::Tensor w = torch::zeros({2, 3}), b = torch::zeros({2});
        auto detector = createDetector("rmds");
        detector->fit(test::trainContext(trainFeatures(), kLabels, w, b));
        const at::Tensor query =
            torch::tensor({static_cast<float>(x), static_cast<float>(y), 5.f}).reshape({1, 3});
        const double s = test::scoreFeatures(*detector, query, w, b)[0].item<double>();
        QVERIFY2(std::abs(s - expected) < 1e-9, qPrintable(QString::number(s, 'g', 15)));
    }

    void farScoresHigher()
    {
        const at::Tensor w = torch::zeros({2, 3}), b = torch::zeros({2});
        auto detector = createDetector("rmds");
        QVERIFY(detector->referenceIsIdHigh());
        detector->fit(test::trainContext(trainFeatures(), kLabels, w, b));
        const at::Tensor s = test::scoreFeatures(
            *detector, torch::tensor({3.f, 1.f, 0.f, 20.f, 0.f, 0.f}).reshape({2, 3}), w, b);
        QVERIFY(s[1].item<double>() > s[0].item<double>());
    }

    void stateRoundTrip()
    {
        torch::manual_seed(1);
        const at::Tensor train = torch::randn({60, 5});
        std::vector<int64_t> labels(60);
        for (size_t i = 0; i < labels.size(); ++i)
            labels[i] = static_cast<int64_t>(i % 3);
        const at::Tensor w = torch::zeros({3, 5}), b = torch::zeros({3});
        auto fitted = createDetector("rmds");
        fitted->fit(test::trainContext(train, labels, w, b));
        const DetectorState state = fitted->state();
        for (const char *key : {"class_means", "precision", "global_mean", "global_precision"})
            QVERIFY2(state.count(key), key);
        auto restored = createDetector("rmds");
        restored->setState(state);
        const at::Tensor q = torch::randn({7, 5});
        QVERIFY(torch::equal(test::scoreFeatures(*fitted, q, w, b), test::scoreFeatures(*restored, q, w, b)));
        DetectorState incomplete = state;
        incomplete.erase("global_precision");
        QVERIFY_THROWS_EXCEPTION(Error, createDetector("rmds")->setState(incomplete));
    }

    void refusesUnlabelledTraining()
    {
        auto detector = createDetector("rmds");
        const at::Tensor w = torch::zeros({2, 2}), b = torch::zeros({2});
        QVERIFY_THROWS_EXCEPTION(Error,
                                 detector->fit(test::trainContext(torch::ones({3, 2}), {0, -1, 1}, w, b)));
    }
};

QTEST_GUILESS_MAIN(RmdsTest)
#include "rmdstest.moc"
