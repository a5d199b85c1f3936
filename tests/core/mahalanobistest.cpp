// Mahalanobis on a 2-D layout whose tied covariance is the identity, computed by hand.

#include "detect/registry.h"
#include "base/error.h"
#include "support/linearbackbone.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

class MahalanobisTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void handComputed_data()
    {
        QTest::addColumn<double>("x");
        QTest::addColumn<double>("y");
        QTest::addColumn<double>("expected");
        // Class 0 = square around (1,1), class 1 = square around (11,11); deviations are (+-1,+-1)
        // so the biased tied covariance is I and d_c is the squared Euclidean distance.
        QTest::newRow("near class 0") << 1.0 << 3.0 << 4.0; // (0)^2 + (2)^2
        QTest::newRow("between") << 6.0 << 6.0 << 50.0;     // 5^2 + 5^2 to both
        QTest::newRow("at class 1 mean") << 11.0 << 11.0 << 0.0;
        QTest::newRow("far") << -9.0 << 1.0 << 100.0; // 10^2 to class 0
    }

    void handComputed()
    {
        QFETCH(double, x);
        QFETCH(double, y);
        QFETCH(double, expected);
        // A third, constant feature makes the covariance singular: pinvh must ignore it.
        const at::Tensor train =
            torch::tensor({0.f,  0.f,  0.f, 2.f,  0.f,  0.f, 0.f,  2.f,  0.f, 2.f,  2.f,  0.f,
                           10.f, 10.f, 0.f, 12.f, 10.f, 0.f, 10.f, 12.f, 0.f, 12.f, 12.f, 0.f})
                .reshape({8, 3});
        const at::Tensor w = torch::zeros({2, 3}), b = torch::zeros({2});
        auto detector = createDetector("mahalanobis");
        detector->fit(test::trainContext(train, {0, 0, 0, 0, 1, 1, 1, 1}, w, b));
        const at::Tensor query =
            torch::tensor({static_cast<float>(x), static_cast<float>(y), 5.f}).reshape({1, 3});
        const double s = test::scoreFeatures(*detector, query, w, b)[0].item<double>();
        QVERIFY2(std::abs(s - expected) < 1e-9, qPrintable(QString::number(s, 'g', 15)));
    }

    void stateRoundTrip()
    {
        const at::Tensor train = torch::randn({40, 5}, torch::TensorOptions().dtype(torch::kFloat32));
        std::vector<int64_t> labels(40);
        for (size_t i = 0; i < labels.size(); ++i)
            labels[i] = static_cast<int64_t>(i % 2);
        const at::Tensor w = torch::zeros({2, 5}), b = torch::zeros({2});
        auto fitted = createDetector("mahalanobis");
        fitted->fit(test::trainContext(train, labels, w, b));
        auto restored = createDetector("mahalanobis");
        restored->setState(fitted->state());
        const at::Tensor q = torch::randn({7, 5});
        QVERIFY(torch::equal(test::scoreFeatures(*fitted, q, w, b), test::scoreFeatures(*restored, q, w, b)));
    }

    void refusesUnlabelledTraining()
    {
        auto detector = createDetector("mahalanobis");
        const at::Tensor w = torch::zeros({2, 2}), b = torch::zeros({2});
        QVERIFY_THROWS_EXCEPTION(Error,
                                 detector->fit(test::trainContext(torch::ones({3, 2}), {0, -1, 1}, w, b)));
    }
};

QTEST_GUILESS_MAIN(MahalanobisTest)
#include "mahalanobistest.moc"
