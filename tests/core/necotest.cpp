// NECO against an independent computation: StandardScaler + PCA by the SVD of the centred data
// (how sklearn's full PCA works), written here with torch ops instead of our Eigen path.

#include "detect/registry.h"
#include "support/linearbackbone.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

namespace {

at::Tensor referenceNeco(const at::Tensor &train, const at::Tensor &test, const at::Tensor &logits,
                         int64_t dim, bool maxLogitProduct, bool rawDenominator)
{
    const at::Tensor mean = train.mean(0);
    at::Tensor scale = ((train - mean).pow(2)).mean(0).sqrt();
    scale = torch::where(scale == 0, torch::ones_like(scale), scale);
    const at::Tensor standardTrain = (train - mean) / scale;
    const at::Tensor standardTest = (test - mean) / scale;
    const at::Tensor pcaMean = standardTrain.mean(0);
    const auto svd = torch::linalg_svd(standardTrain - pcaMean, false);
    const at::Tensor components = std::get<2>(svd).narrow(0, 0, dim); // [dim, D]
    const at::Tensor reduced = torch::matmul(standardTest - pcaMean, components.t());
    at::Tensor r = reduced.norm(2, 1) / (rawDenominator ? test : standardTest).norm(2, 1);
    if (maxLogitProduct)
        r = r * std::get<0>(logits.max(1));
    return -r;
}

} // namespace

class NecoTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void matchesSvdReference_data()
    {
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<bool>("product");
        QTest::addColumn<bool>("raw");
        QTest::newRow("resnet18") << "resnet18" << false << false;
        QTest::newRow("deit") << "deit_small_patch16_224" << true << true;
        QTest::newRow("other torchscript") << "convnext" << true << false;
    }

    void matchesSvdReference()
    {
        QFETCH(QString, architecture);
        QFETCH(bool, product);
        QFETCH(bool, raw);
        torch::manual_seed(11);
        // Anisotropic features so the principal directions are well separated.
        const at::Tensor mixing = torch::randn({8, 8}, torch::kFloat64);
        const at::Tensor train =
            (torch::randn({60, 8}, torch::kFloat64) * torch::linspace(3, 0.1, 8, torch::kFloat64))
                .matmul(mixing)
                .to(torch::kFloat32)
                .to(torch::kFloat64);
        const at::Tensor test = torch::randn({9, 8}, torch::kFloat64).to(torch::kFloat32).to(torch::kFloat64);
        const at::Tensor w = torch::randn({3, 8}), b = torch::randn({3});
        std::vector<int64_t> labels(60, 0);
        auto detector = createDetector("neco");
        detector->setSetting("dim", 3);
        detector->fit(test::trainContext(train, labels, w, b, architecture.toStdString()));
        const at::Tensor s = test::scoreFeatures(*detector, test, w, b);
        const at::Tensor logits = torch::addmm(b.to(torch::kFloat64), test, w.to(torch::kFloat64).t());
        const at::Tensor expected = referenceNeco(train, test, logits, 3, product, raw);
        QVERIFY2(torch::allclose(s, expected, 1e-6, 1e-9),
                 qPrintable(QString("max diff %1").arg((s - expected).abs().max().item<double>())));
    }
};

QTEST_GUILESS_MAIN(NecoTest)
#include "necotest.moc"
