// Class-activation maps: hand-computed maps, conservation of NERO's relevance through the
// pooling layer on a real ResNet, and Grad-CAM's closed form against autograd.

#include "base/error.h"
#include "explain/cam.h"
#include "detect/headrelevance.h"
#include "model/resnet.h"
#include "support/errors.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

namespace {

// Two 2x2 maps: A0 = [[1,3],[0,0]] (sum 4), A1 = [[2,2],[2,2]] (sum 8).
at::Tensor handMaps()
{
    return torch::tensor({1., 3., 0., 0., 2., 2., 2., 2.}, torch::kFloat64).reshape({2, 2, 2});
}

bool near(const at::Tensor &a, const at::Tensor &b, double tolerance)
{
    return a.sizes() == b.sizes() &&
           (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>() <= tolerance;
}

ResNet smallResNet()
{
    torch::manual_seed(3);
    ResNet model = createResNet("resnet18", 4, 4);
    model->eval();
    return model;
}

} // namespace

class CamTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void proportionalMapByHand()
    {
        // Weights (4, -8): M = A0*4/4 + A1*(-8)/8 = [[1-2, 3-2], [0-2, 0-2]].
        const at::Tensor m = proportionalPoolingMap(handMaps(), torch::tensor({4., -8.}));
        QVERIFY(near(m, torch::tensor({-1., 1., -2., -2.}).reshape({2, 2}), 1e-15));
        QCOMPARE(m.sum().item<double>(), -4.0);
    }

    void silentChannelAddsNothing()
    {
        const at::Tensor maps = torch::cat({handMaps(), torch::zeros({1, 2, 2}, torch::kFloat64)});
        const at::Tensor m = proportionalPoolingMap(maps, torch::tensor({4., -8., 5.}));
        QVERIFY(near(m, torch::tensor({-1., 1., -2., -2.}).reshape({2, 2}), 1e-15));
    }

    void relevanceCamSumsToHeadRelevanceOnAResNet()
    {
        ResNet model = smallResNet();
        torch::NoGradGuard noGrad;
        const ResNetOutputs out = model->forwardAll(torch::randn({1, 3, 64, 64}), true, false);
        const HeadRelevance r = headRelevance(out.features, model->fc()->weight, model->fc()->bias);
        const at::Tensor m = proportionalPoolingMap(out.featureMaps, r.neurons[0]);
        QCOMPARE(m.sizes(), (at::IntArrayRef{2, 2}));
        // sum M = sum_k R_k = 1 - r_b (NERO with epsilon 0).
        const double expected = 1.0 - r.bias[0].item<double>();
        QVERIFY2(std::abs(m.sum().item<double>() - expected) < 1e-6,
                 qPrintable(QString("%1 vs %2").arg(m.sum().item<double>()).arg(expected)));
    }

    void gradCamByHand_data()
    {
        QTest::addColumn<int>("target");
        QTest::addColumn<QVector<double>>("expected");
        // W = [[1, 0.5], [-1, 2]], 4 cells.
        // class 0: alpha = (0.25, 0.125): 0.25*A0 + 0.125*A1 = [[0.5, 1], [0.25, 0.25]].
        QTest::newRow("class 0") << 0 << QVector<double>{0.5, 1.0, 0.25, 0.25};
        // class 1: alpha = (-0.25, 0.5): [[0.75, 0.25], [1, 1]].
        QTest::newRow("class 1") << 1 << QVector<double>{0.75, 0.25, 1.0, 1.0};
        // class 2 = -class 1: every cell negative except none, ReLU gives 0.
        QTest::newRow("class 2 (all negative)") << 2 << QVector<double>{0, 0, 0, 0};
    }
    void gradCamByHand()
    {
        QFETCH(int, target);
        QFETCH(QVector<double>, expected);
        const at::Tensor w = torch::tensor({1., 0.5, -1., 2., 1., -2.}).reshape({3, 2});
        const at::Tensor maps = handMaps();
        const at::Tensor m = gradCamMap(maps, maps.mean({1, 2}), w, target);
        const at::Tensor want =
            torch::tensor(std::vector<double>(expected.begin(), expected.end())).reshape({2, 2});
        QVERIFY2(near(m, want, 1e-15),
                 qPrintable(QString("max error %1").arg((m - want).abs().max().item<double>())));
    }

    void gradCamMatchesAutogradOnAResNet()
    {
        ResNet model = smallResNet();
        ResNetOutputs out;
        {
            torch::NoGradGuard noGrad;
            out = model->forwardAll(torch::randn({1, 3, 96, 96}), true, false);
        }
        const int64_t target = 2;
        // Grad-CAM's definition: alpha_k = mean_ij dy/dA_kij for y = fc(avgpool(A))[target].
        const at::Tensor a = out.featureMaps.detach().clone().requires_grad_(true);
        const at::Tensor y =
            torch::addmm(model->fc()->bias, a.mean({2, 3}), model->fc()->weight.t())[0][target];
        const at::Tensor grad = torch::autograd::grad({y}, {a})[0];
        const at::Tensor alpha = grad.mean({2, 3}, true);
        const at::Tensor expected = torch::relu((alpha * a.detach()).sum(1))[0];
        const at::Tensor m = gradCamMap(out.featureMaps, out.features, model->fc()->weight.detach(), target);
        QVERIFY2(
            near(m, expected, 1e-6),
            qPrintable(
                QString("max error %1").arg((m - expected.to(torch::kFloat64)).abs().max().item<double>())));
        QVERIFY(m.max().item<double>() > 0);
    }

    void upsamplingIsBilinearWithoutCornerAlignment()
    {
        // align_corners = false, 2x: source coordinate (x + 0.5)/2 - 0.5 = -0.25, 0.25, 0.75, 1.25
        // (clamped at the borders). Row 0 = [0, 0.25, 0.75, 1]; row 1 mixes rows 0.75/0.25.
        const Heatmap map =
            heatmapFromGrid("test", "unit", true, torch::tensor({0., 1., 2., 3.}).reshape({2, 2}), 4, 4);
        QCOMPARE(map.values.sizes(), (at::IntArrayRef{4, 4}));
        QVERIFY(near(map.values[0], torch::tensor({0., 0.25, 0.75, 1.}), 1e-6));
        QVERIFY(near(map.values[1], torch::tensor({0.5, 0.75, 1.25, 1.5}), 1e-6));
        QCOMPARE(map.minimum, 0.0);
        QCOMPARE(map.maximum, 3.0);
    }

    void badInputIsRefused()
    {
        const at::Tensor maps = handMaps();
        const at::Tensor w = torch::ones({3, 2});
        QVERIFY(test::errorOf([&] {
                    proportionalPoolingMap(maps, torch::ones({3}));
                }).contains("one weight per feature map"));
        QVERIFY(test::errorOf([&] {
                    proportionalPoolingMap(at::Tensor(), torch::ones({3}));
                }).contains("no feature maps"));
        QVERIFY(test::errorOf([&] { gradCamMap(maps, maps.mean({1, 2}), w, 3); }).contains("class 3"));
        QVERIFY(test::errorOf([&] {
                    gradCamMap(maps, torch::ones({2}), w, 0);
                }).contains("global-average-pooling"));
        QVERIFY(test::errorOf([&] {
                    heatmapFromGrid("m", "u", true, torch::ones({3}), 4, 4);
                }).contains("[h,w]"));
    }
};

QTEST_GUILESS_MAIN(CamTest)
#include "camtest.moc"
