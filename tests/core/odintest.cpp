// ODIN through a one-layer network whose input gradient is known in closed form:
// d CE(Wx/T, c)/dx = W^T (softmax(Wx/T) - e_c) / T.

#include "detect/registry.h"
#include "support/linearbackbone.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

class OdinTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void closedForm_data()
    {
        QTest::addColumn<bool>("bound");
        QTest::addColumn<int>("repeats");
        QTest::newRow("graph of its own") << false << 1;
        // The Scorer's case: the pass bound to the batch keeps x's graph for the next detector,
        // which differentiates it again (here ODIN itself).
        QTest::newRow("shared graph, scored twice") << true << 2;
    }

    void closedForm()
    {
        QFETCH(bool, bound);
        QFETCH(int, repeats);
        torch::manual_seed(3);
        const at::Tensor w = torch::randn({3, 12}), b = torch::randn({3});
        test::LinearBackbone backbone(w, b);
        const at::Tensor x = torch::randn({4, 3, 2, 2});
        auto detector = createDetector("odin");
        const double t = detector->setting("temperature"), eps = detector->setting("epsilon");
        QCOMPARE(t, 100.0);
        QCOMPARE(eps, 0.0005);

        const Activations a = backbone.forward(x, {});
        const GradientPass unbound(backbone), boundToX(backbone, x);
        ScoreContext context{a, x, bound ? &boundToX : &unbound, w, b};
        const at::Tensor s = detector->score(context);
        for (int r = 1; r < repeats; ++r)
            QVERIFY(torch::equal(detector->score(context), s));

        const at::Tensor flat = x.reshape({4, 12}).to(torch::kFloat64);
        const at::Tensor wd = w.to(torch::kFloat64), bd = b.to(torch::kFloat64);
        for (int64_t i = 0; i < 4; ++i) {
            const at::Tensor z = torch::mv(wd, flat[i]) + bd;
            const int64_t c = z.argmax().item<int64_t>();
            at::Tensor residual = torch::softmax(z / t, 0);
            residual[c] -= 1;
            const at::Tensor gradient = torch::mv(wd.t(), residual); // sign only: /T and /N do not matter
            const at::Tensor step =
                torch::where(gradient >= 0, torch::ones_like(gradient), -torch::ones_like(gradient));
            const at::Tensor shifted = flat[i] - eps * step;
            const double expected =
                -torch::softmax((torch::mv(wd, shifted) + bd) / t, 0).max().item<double>();
            QVERIFY2(std::abs(s[i].item<double>() - expected) < 1e-6,
                     qPrintable(QString("%1 vs %2").arg(s[i].item<double>()).arg(expected)));
        }
    }

    void perturbationRaisesConfidence()
    {
        // The step lowers the CE of the predicted class, so ODIN's score is at most the MSP at T.
        torch::manual_seed(5);
        const at::Tensor w = torch::randn({3, 12}), b = torch::randn({3});
        test::LinearBackbone backbone(w, b);
        const at::Tensor x = torch::randn({6, 3, 2, 2});
        const Activations a = backbone.forward(x, {});
        const GradientPass pass(backbone);
        ScoreContext context{a, x, &pass, w, b};
        const at::Tensor s = createDetector("odin")->score(context);
        const at::Tensor unperturbed =
            -std::get<0>(torch::softmax(a.logits.to(torch::kFloat64) / 100, 1).max(1));
        QVERIFY((s <= unperturbed + 1e-7).all().item<bool>());
    }
};

QTEST_GUILESS_MAIN(OdinTest)
#include "odintest.moc"
