// ViM on a 2-D case worked out by hand (docs/detectors.md, ViM).

#include "detect/registry.h"
#include "support/linearbackbone.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

class VimTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void handComputed_data()
    {
        QTest::addColumn<float>("b0");
        QTest::addColumn<float>("b1");
        QTest::newRow("zero bias, origin u = 0") << 0.f << 0.f;
        QTest::newRow("bias (1,-1), origin u = (-1,1)") << 1.f << -1.f;
    }

    void handComputed()
    {
        QFETCH(float, b0);
        QFETCH(float, b1);
        // W = I, so u = -W^+ b = -b. Train features u + {(3,0),(-3,0),(0,1),(0,-1)}: the second
        // moment about u is diag(4.5, 0.5); DIM = D/2 = 1 keeps e1, the residual is e2.
        // Residual norms 0,0,1,1 -> mean 0.5; logits = h + b = the offsets, max 3,0,1,0 -> mean 1;
        // alpha = 1 / 0.5 = 2. Query u + (1,2): logits (1,2), score = 2*2 - log(e + e^2).
        const at::Tensor w = torch::eye(2), b = torch::tensor({b0, b1});
        const at::Tensor u = -b;
        const at::Tensor offsets = torch::tensor({3.f, 0.f, -3.f, 0.f, 0.f, 1.f, 0.f, -1.f}).reshape({4, 2});
        auto detector = createDetector("vim");
        detector->fit(test::trainContext(offsets + u, {0, 0, 1, 1}, w, b));
        const at::Tensor query = (torch::tensor({1.f, 2.f}) + u).reshape({1, 2});
        const double expected = 4.0 - std::log(std::exp(1.0) + std::exp(2.0));
        const double s = test::scoreFeatures(*detector, query, w, b)[0].item<double>();
        QVERIFY2(std::abs(s - expected) < 1e-6, qPrintable(QString::number(s, 'g', 12)));
        QVERIFY(std::abs(detector->state().at("alpha").item<double>() - 2.0) < 1e-9);
    }
};

QTEST_GUILESS_MAIN(VimTest)
#include "vimtest.moc"
