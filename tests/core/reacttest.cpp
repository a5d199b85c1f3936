// ReAct + Energy: the NERO absolute clip and the OpenOOD percentile on hand-made numbers.

#include "detect/registry.h"
#include "support/linearbackbone.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

class ReactTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void neroClip_data()
    {
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<double>("clip");
        QTest::newRow("resnet18 clips at 0.9") << "resnet18" << 0.9;
        QTest::newRow("deit clips at 0.99") << "deit_small" << 0.99;
    }

    void neroClip()
    {
        QFETCH(QString, architecture);
        QFETCH(double, clip);
        const at::Tensor w = torch::eye(2), b = torch::zeros({2});
        auto detector = createDetector("react");
        detector->fit(test::trainContext(torch::ones({2, 2}), {0, 1}, w, b, architecture.toStdString()));
        // h = (1.5, 0.2) -> (clip, 0.2); logits equal the clipped features (W = I, b = 0).
        const double s = test::scoreFeatures(*detector, torch::tensor({1.5f, 0.2f}).reshape({1, 2}), w, b)[0]
                             .item<double>();
        QVERIFY(std::abs(s + std::log(std::exp(clip) + std::exp(0.2))) < 1e-6);
    }

    void percentileOnValidation()
    {
        const at::Tensor w = torch::eye(2), b = torch::zeros({2});
        auto detector = createDetector("react");
        detector->setSetting("percentile", 90);
        QVERIFY(detector->needs().fit.valData);
        FitContext context = test::trainContext(torch::ones({2, 2}), {0, 1}, w, b);
        // Validation entries 0..5 (flattened): numpy.percentile(range(6), 90) = 0.9*5 = 4.5.
        context.val.features = torch::tensor({0.f, 1.f, 2.f, 3.f, 4.f, 5.f}).reshape({3, 2});
        detector->fit(context);
        QVERIFY(std::abs(detector->state().at("clip_value").item<double>() - 4.5) < 1e-12);
    }
};

QTEST_GUILESS_MAIN(ReactTest)
#include "reacttest.moc"
