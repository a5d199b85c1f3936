// Pixel-level LRP through the native ResNet (docs/detectors.md, Explanation maps): each rule
// against hand computation, conservation layer by layer, an independent Python re-derivation of the
// whole network, bad input and thread independence. The 224 px timing is explain-bench's
// (docs/benchmarks.md).

#include "explain/lrp.h"
#include "model/resnet.h"
#include "support/errors.h"
#include "support/systempython.h"

#include <QtTest>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <map>

using namespace ood;
using ood::test::errorOf;

// float32 working precision: per-layer conservation and agreement with the float64 Python
// reference, relative to the largest value involved.
constexpr double FLOAT32_TOLERANCE = 1e-5;

Q_DECLARE_METATYPE(ood::LrpRule)
Q_DECLARE_METATYPE(ood::LrpComposite)
Q_DECLARE_METATYPE(ood::LrpPrecision)

namespace {

at::Tensor values(std::vector<double> v)
{
    return torch::tensor(v, torch::kFloat64);
}

bool endsWith(const std::string &text, const std::string &suffix)
{
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Every weight and statistic drawn from an explicit generator: convs Kaiming-normal on fan_in
/// (activations keep their scale through 20 layers), BN weights in [0.5, 1.5), biases and running
/// means ~ N(0, 0.1^2), running variances in [0.5, 1.5). With zeroBias the running means and BN
/// biases are 0 and so is fc.bias, which makes every folded bias exactly 0.
void randomise(ResNetImpl &model, uint64_t seed, bool zeroBias = false)
{
    at::Generator gen = at::detail::createCPUGenerator(seed);
    torch::NoGradGuard noGrad;
    std::map<std::string, at::Tensor> state; // sorted: a fixed draw order
    for (const auto &item : model.named_parameters())
        state[item.key()] = item.value();
    for (const auto &item : model.named_buffers())
        state[item.key()] = item.value();
    for (auto &[name, t] : state) {
        if (!t.is_floating_point())
            continue;
        const auto normal = [&](double scale) { t.copy_(at::randn(t.sizes(), gen, t.options()) * scale); };
        const auto uniform = [&](double from) { t.copy_(at::rand(t.sizes(), gen, t.options()) + from); };
        if (t.dim() == 4)
            normal(std::sqrt(2.0 / double(t.size(1) * t.size(2) * t.size(3))));
        else if (t.dim() == 2)
            normal(std::sqrt(1.0 / double(t.size(1))));
        else if (endsWith(name, "running_var"))
            uniform(0.5);
        else if (endsWith(name, ".weight"))
            uniform(0.5);
        else
            normal(zeroBias ? 0.0 : 0.1); // BN bias, running_mean, fc.bias, AbeT head parameters
    }
}

ResNet makeModel(const std::string &architecture, int classes, int width, uint64_t seed,
                 bool zeroBias = false, bool abet = false)
{
    ResNet model = createResNet(architecture, classes, width, abet);
    randomise(*model, seed, zeroBias);
    model->eval();
    return model;
}

/// Images with pixel values in [0, 1], normalised as the model expects, so that they lie in the
/// ZBox.
at::Tensor images(int64_t n, int64_t height, int64_t width, uint64_t seed)
{
    at::Generator gen = at::detail::createCPUGenerator(seed);
    const at::Tensor pixels = at::rand({n, 3, height, width}, gen, at::TensorOptions().dtype(at::kFloat));
    const at::Tensor mean = torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1});
    const at::Tensor std = torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1});
    return (pixels - mean) / std;
}

LrpOptions optionsFor(LrpComposite composite, LrpPrecision precision, double epsilon = 1e-6)
{
    LrpOptions options;
    options.composite = composite;
    options.precision = precision;
    options.epsilon = epsilon;
    return options;
}

const char *precisionName(LrpPrecision precision)
{
    return precision == LrpPrecision::Float64 ? "float64" : "float32";
}

double sampleSum(const at::Tensor &relevance, int64_t n)
{
    return relevance[n].sum(at::kDouble).item<double>();
}

/// |a - b| <= tolerance * max(1, |a|, |b|, |c|): relative where the values are large.
bool near(double a, double b, double tolerance, double c = 0)
{
    return std::abs(a - b) <= tolerance * std::max({1.0, std::abs(a), std::abs(b), std::abs(c)});
}

const std::vector<LrpComposite> kComposites{LrpComposite::EpsilonGammaBox, LrpComposite::EpsilonPlusFlat,
                                            LrpComposite::EpsilonPlus};

/// Rows "<composite> <precision>".
void addCompositesAndPrecisions()
{
    QTest::addColumn<LrpComposite>("composite");
    QTest::addColumn<LrpPrecision>("precision");
    for (LrpComposite composite : kComposites)
        for (LrpPrecision precision : {LrpPrecision::Float64, LrpPrecision::Float32})
            QTest::newRow(qPrintable(QString("%1 %2").arg(QString::fromStdString(lrpCompositeName(composite)),
                                                          precisionName(precision))))
                << composite << precision;
}

} // namespace

class LrpTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void denseRules_data()
    {
        QTest::addColumn<LrpRule>("rule");
        QTest::addColumn<QVector<double>>("expected");
        QTest::addColumn<double>("absorbed");
        // One dense layer, worked by hand with epsilon = 0:
        //   a = (1, -2, 3); w_0 = (2, 1, -1), b_0 = 1; w_1 = (1, -1, 2), b_1 = -1; R_out = (1, 2).
        //   z_0 = 2 - 2 - 3 + 1 = -2, z_1 = 1 + 2 + 6 - 1 = 8.
        // Epsilon: contributions a_i w_0i = (2, -2, -3) / z_0 * 1 = (-1, 1, 1.5), bias 1/-2 = -0.5;
        //   a_i w_1i = (1, 2, 6) / 8 * 2 = (0.25, 0.5, 1.5), bias -1/8*2 = -0.25.
        //   R = (-0.75, 1.5, 3), absorbed -0.75 (sum 3.75 - 0.75 = 3).
        QTest::newRow("epsilon") << LrpRule::Epsilon << QVector<double>{-0.75, 1.5, 3.0} << -0.75;
        // z+: j=0: a+w+ = (2, 0, 0), a-w- = (0, 0, 0), b+ = 1 -> denominator 3: (2/3, 0, 0), absorbed 1/3.
        //   j=1: a+w+ = (1, 0, 6), a-w- = (0, 2, 0), b+ = 0 -> 9: 2*(1, 2, 6)/9.
        //   R = (2/3 + 2/9, 4/9, 12/9) = (8/9, 4/9, 4/3), absorbed 1/3.
        QTest::newRow("z+") << LrpRule::ZPlus << QVector<double>{8.0 / 9, 4.0 / 9, 4.0 / 3} << 1.0 / 3;
        // gamma = 0.25. j=0, z_0 < 0: a+(w + g w-) + a-(w + g w+) = (1*2, -2*1.25, 3*-1.25) = (2, -2.5,
        // -3.75),
        //   bias b + g b- = 1, denominator -3.25: (-8/13, 10/13, 15/13), absorbed -4/13.
        //   j=1, z_1 > 0: a+(w + g w+) + a-(w + g w-) = (1.25, -2*-1.25, 3*2.5) = (1.25, 2.5, 7.5),
        //   bias b + g b+ = -1, denominator 10.25, R_1 = 2: (10/41, 20/41, 60/41), absorbed -8/41.
        //   R = (-8/13 + 10/41, 10/13 + 20/41, 15/13 + 60/41) = (-198, 670, 1395)/533,
        //   absorbed (-164 - 104)/533 = -268/533; sum 1599/533 = 3.
        QTest::newRow("gamma") << LrpRule::Gamma << QVector<double>{-198.0 / 533, 670.0 / 533, 1395.0 / 533}
                               << -268.0 / 533;
        // Flat: every input gets a third of each R_j: 1/3 + 2/3 = 1 each.
        QTest::newRow("flat") << LrpRule::Flat << QVector<double>{1.0, 1.0, 1.0} << 0.0;
        // ZBox with l = -2, u = 3 (the bias cancels): x w - l w+ - u w-.
        //   j=0: (2 + 4, -2 + 2, -3 + 3) = (6, 0, 0) -> (1, 0, 0).
        //   j=1: (1 + 2, 2 + 3, 6 + 4) = (3, 5, 10) / 18 * 2 -> (1/3, 5/9, 10/9).
        //   R = (4/3, 5/9, 10/9), absorbed 0.
        QTest::newRow("zbox") << LrpRule::ZBox << QVector<double>{4.0 / 3, 5.0 / 9, 10.0 / 9} << 0.0;
    }

    void denseRules()
    {
        QFETCH(LrpRule, rule);
        QFETCH(QVector<double>, expected);
        QFETCH(double, absorbed);
        const at::Tensor a = values({1, -2, 3}).view({1, 3});
        const at::Tensor w = values({2, 1, -1, 1, -1, 2}).view({2, 3});
        const at::Tensor b = values({1, -1});
        const at::Tensor r = values({1, 2}).view({1, 2});
        const LrpLayerRelevance result =
            lrpLayer(rule, a, w, b, r, 0.0, 0.25, 1, 0, torch::tensor(-2.0, torch::kFloat64),
                     torch::tensor(3.0, torch::kFloat64));
        QCOMPARE(result.relevance.sizes(), at::IntArrayRef({1, 3}));
        QCOMPARE(result.relevance.scalar_type(), at::kDouble);
        for (int i = 0; i < 3; ++i)
            QVERIFY2(std::abs(result.relevance[0][i].item<double>() - expected[i]) < 1e-12,
                     qPrintable(QString("R_%1 = %2, expected %3")
                                    .arg(i)
                                    .arg(result.relevance[0][i].item<double>(), 0, 'g', 17)
                                    .arg(expected[i], 0, 'g', 17)));
        QVERIFY2(std::abs(result.absorbed[0].item<double>() - absorbed) < 1e-12,
                 qPrintable(QString::number(result.absorbed[0].item<double>(), 'g', 17)));
    }

    void stabiliserSign()
    {
        // epsilon = 0.5. z = 0: sgn(0) = +1, so stab = 0.5 and a_i w_i / 0.5 = (2, -2); the
        // stabiliser keeps s*(stab - z) = 2*0.5 = 1 (sum 0 + 1 = R = 1).
        LrpLayerRelevance zero =
            lrpLayer(LrpRule::Epsilon, values({1, 1}).view({1, 2}), values({1, -1}).view({1, 2}), values({0}),
                     values({1}).view({1, 1}), 0.5);
        QCOMPARE(zero.relevance[0][0].item<double>(), 2.0);
        QCOMPARE(zero.relevance[0][1].item<double>(), -2.0);
        QCOMPARE(zero.absorbed[0].item<double>(), 1.0);
        // z = -2: stab = -2.5, R = -2/-2.5 = 0.8, absorbed 0.2.
        LrpLayerRelevance negative =
            lrpLayer(LrpRule::Epsilon, values({1}).view({1, 1}), values({-2}).view({1, 1}), values({0}),
                     values({1}).view({1, 1}), 0.5);
        QVERIFY(std::abs(negative.relevance[0][0].item<double>() - 0.8) < 1e-15);
        QVERIFY(std::abs(negative.absorbed[0].item<double>() - 0.2) < 1e-15);
    }

    void flatConvIgnoresPadding()
    {
        // 2x2 input, 2x2 kernel, padding 1 -> 3x3 output. Output (p,q) sees the input rows
        // {p-1,p} and columns {q-1,q} that exist: 1 pixel at the corners, 2 at the edges, 4 in
        // the centre (padding is not counted). R_out = [[4,2,0],[0,8,0],[0,0,0]]:
        //   in(0,0) = 4/1 + 2/2 + 8/4 = 7;  in(0,1) = 2/2 + 8/4 = 3;  in(1,0) = 8/4 = 2;  in(1,1) = 8/4 = 2.
        // Input values, weights and bias play no part.
        const at::Tensor input = values({5, -3, 0, 2}).view({1, 1, 2, 2});
        const at::Tensor weight = values({1, -2, 3, 0.5}).view({1, 1, 2, 2});
        const at::Tensor r = values({4, 2, 0, 0, 8, 0, 0, 0, 0}).view({1, 1, 3, 3});
        const LrpLayerRelevance result =
            lrpLayer(LrpRule::Flat, input, weight, values({4}), r, 0.0, 0.25, 1, 1);
        QVERIFY(torch::equal(result.relevance, values({7, 3, 2, 2}).view({1, 1, 2, 2})));
        QCOMPARE(result.absorbed[0].item<double>(), 0.0);
    }

    void zboxConvPerChannelBounds()
    {
        // One pixel, three channels, a 1x1 conv w = (2, -1, 3), bias 7 (cancels); mean 0.5 and
        // std 0.5 give l = (0 - 0.5)/0.5 = -1 and u = (1 - 0.5)/0.5 = 1 per channel.
        // x = (0.5, -0.5, 0): x w - l w+ - u w- = (1 + 2, 0.5 + 1, 0 + 3) = (3, 1.5, 3), sum 7.5
        // -> R = (0.4, 0.2, 0.4).
        const at::Tensor x = values({0.5, -0.5, 0}).view({1, 3, 1, 1});
        const at::Tensor w = values({2, -1, 3}).view({1, 3, 1, 1});
        const at::Tensor low = torch::full({1, 3, 1, 1}, (0 - 0.5) / 0.5, torch::kFloat64);
        const at::Tensor high = torch::full({1, 3, 1, 1}, (1 - 0.5) / 0.5, torch::kFloat64);
        const LrpLayerRelevance result = lrpLayer(LrpRule::ZBox, x, w, values({7}),
                                                  values({1}).view({1, 1, 1, 1}), 0.0, 0.25, 1, 0, low, high);
        QVERIFY(torch::allclose(result.relevance.flatten(), values({0.4, 0.2, 0.4}), 0, 1e-15));
        QCOMPARE(result.absorbed[0].item<double>(), 0.0);
    }

    void canonizedLogits_data()
    {
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<int>("width");
        QTest::addColumn<bool>("abet");
        QTest::newRow("resnet18 w2") << "resnet18" << 2 << false;
        QTest::newRow("resnet50 w2") << "resnet50" << 2 << false;
        QTest::newRow("resnet18 w4 with AbeT heads") << "resnet18" << 4 << true;
    }

    void canonizedLogits()
    {
        // BN folding: the canonized network gives the model's own (float32) logits.
        QFETCH(QString, architecture);
        QFETCH(int, width);
        QFETCH(bool, abet);
        ResNet model = makeModel(architecture.toStdString(), 5, width, 3, false, abet);
        const at::Tensor x = images(2, 40, 48, 4);
        torch::NoGradGuard noGrad;
        const at::Tensor expected = model->forward(x).to(torch::kFloat64);
        for (LrpPrecision precision : {LrpPrecision::Float32, LrpPrecision::Float64}) {
            const LrpResult result = ResNetLrp(*model, optionsFor(LrpComposite::EpsilonPlusFlat, precision))
                                         .explain(x, torch::zeros({2, 5}));
            QVERIFY2(
                torch::allclose(result.logits, expected, 1e-4, 1e-5),
                qPrintable(
                    QString("max difference %1").arg((result.logits - expected).abs().max().item<double>())));
            QCOMPARE(result.logits.scalar_type(), at::kDouble);
            QCOMPARE(result.relevance.sizes(), x.sizes());
            QCOMPARE(result.relevance.scalar_type(),
                     precision == LrpPrecision::Float64 ? at::kDouble : at::kFloat);
            // Zero relevance in, zero out.
            QCOMPARE(result.relevance.abs().max().item<double>(), 0.0);
        }
    }

    void conservationPerLayer_data()
    {
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<LrpComposite>("composite");
        QTest::addColumn<LrpPrecision>("precision");
        for (const char *architecture : {"resnet18", "resnet50"})
            for (LrpComposite composite : kComposites)
                for (LrpPrecision precision : {LrpPrecision::Float64, LrpPrecision::Float32})
                    QTest::newRow(
                        qPrintable(QString("%1 %2 %3")
                                       .arg(architecture, QString::fromStdString(lrpCompositeName(composite)),
                                            precisionName(precision))))
                        << QString(architecture) << composite << precision;
    }

    void conservationPerLayer()
    {
        // Every traced layer: relevanceIn + absorbed == relevanceOut, to 1e-9 relative in float64
        // and FLOAT32_TOLERANCE in float32 (each layer's two sides come from different float32
        // convolutions); consecutive top-level layers hand on what they got, and the ends match
        // the tensors.
        QFETCH(QString, architecture);
        QFETCH(LrpComposite, composite);
        QFETCH(LrpPrecision, precision);
        const double tolerance = precision == LrpPrecision::Float64 ? 1e-9 : FLOAT32_TOLERANCE;
        ResNet model = makeModel(architecture.toStdString(), 4, 2, 5);
        const at::Tensor x = images(2, 64, 64, 6);
        const ResNetLrp lrp(*model, optionsFor(composite, precision));
        const at::Tensor first = lrp.explain(x, torch::zeros({2, 4})).logits;
        const at::Tensor p = torch::softmax(first, 1);
        const LrpResult result = lrp.explain(x, p, true);
        QCOMPARE(int(result.trace.size()), 2);
        const bool bottleneck = architecture == "resnet50";
        // fc, avgpool, maxpool, conv1 + per block (block, add, its convs) + 4 downsamples
        // (resnet50: layer1.0 widens 2 -> 8 channels) or 3 (resnet18: layer1 keeps its width).
        const int blocks = bottleneck ? 16 : 8;
        const int expectedRows = 4 + blocks * (2 + (bottleneck ? 3 : 2)) + (bottleneck ? 4 : 3);
        double worst = 0;
        for (int n = 0; n < 2; ++n) {
            const auto &trace = result.trace[size_t(n)];
            QCOMPARE(int(trace.size()), expectedRows);
            QCOMPARE(QString::fromStdString(trace.front().name), QString("fc"));
            QCOMPARE(QString::fromStdString(trace[1].name), QString("avgpool"));
            QCOMPARE(QString::fromStdString(trace.back().name), QString("conv1"));
            QVERIFY(near(trace.front().relevanceOut, 1.0, 1e-6)); // sum of p (rounded to float32 or not)
            QVERIFY(near(trace.back().relevanceIn, sampleSum(result.relevance, n), 1e-12));
            const LrpLayerTrace *previous = nullptr;
            for (const LrpLayerTrace &row : trace) {
                worst = std::max(worst, std::abs(row.relevanceIn + row.absorbed - row.relevanceOut) /
                                            std::max({1.0, std::abs(row.relevanceIn),
                                                      std::abs(row.relevanceOut), std::abs(row.absorbed)}));
                QVERIFY2(near(row.relevanceIn + row.absorbed, row.relevanceOut, tolerance, row.absorbed),
                         qPrintable(QString("%1: in %2 + absorbed %3 != out %4")
                                        .arg(QString::fromStdString(row.name))
                                        .arg(row.relevanceIn, 0, 'g', 17)
                                        .arg(row.absorbed, 0, 'g', 17)
                                        .arg(row.relevanceOut, 0, 'g', 17)));
                // Top level: fc, avgpool, "layerS.B", maxpool, conv1 (parts have a third dot-field).
                const bool topLevel =
                    std::count(row.name.begin(), row.name.end(), '.') == (row.name[0] == 'l' ? 1 : 0);
                if (!topLevel)
                    continue;
                if (previous)
                    QVERIFY2(near(previous->relevanceIn, row.relevanceOut, 1e-12),
                             qPrintable(QString::fromStdString(previous->name + " -> " + row.name)));
                previous = &row;
            }
            QCOMPARE(QString::fromStdString(previous->name), QString("conv1"));
        }
        qInfo("largest relative conservation error %.2g", worst);
    }

    void conservationWithoutBiases_data() { addCompositesAndPrecisions(); }

    void conservationWithoutBiases()
    {
        // All folded biases 0 (BN mean and beta 0, fc.bias 0) and epsilon 1e-12: no rule has a
        // bias share left, so the input relevance sums to sum(p) = 1, except for z+ at an output
        // whose contributions are all negative (z+ denominator 0, the relevance stays there).
        // Inside a block such an output has z <= 0 and the ReLU after it gives 0, so nothing
        // arrives there; only the two convs that feed the residual sum, the block's last conv and
        // the downsample, can keep relevance. Gamma has no such dead end (z < 0 takes the
        // negative part), so EpsilonGammaBox conserves everything.
        QFETCH(LrpComposite, composite);
        QFETCH(LrpPrecision, precision);
        const double tolerance = precision == LrpPrecision::Float64 ? 1e-9 : FLOAT32_TOLERANCE;
        ResNet model = makeModel("resnet18", 4, 2, 7, true);
        const at::Tensor x = images(3, 64, 64, 8);
        const ResNetLrp lrp(*model, optionsFor(composite, precision, 1e-12));
        const at::Tensor p = torch::softmax(lrp.explain(x, torch::zeros({3, 4})).logits, 1);
        const LrpResult result = lrp.explain(x, p, true);
        double kept = 0;
        for (int n = 0; n < 3; ++n) {
            double sumFeeders = 0;
            for (const LrpLayerTrace &row : result.trace[size_t(n)]) {
                const bool feedsSum = endsWith(row.name, ".conv2") || endsWith(row.name, ".downsample.0");
                const bool block =
                    row.name[0] == 'l' && std::count(row.name.begin(), row.name.end(), '.') == 1;
                if (feedsSum)
                    sumFeeders += row.absorbed;
                else if (!block)
                    QVERIFY2(
                        std::abs(row.absorbed) < tolerance,
                        qPrintable(
                            QString("%1 keeps %2").arg(QString::fromStdString(row.name)).arg(row.absorbed)));
            }
            const double total = sampleSum(result.relevance, n);
            if (composite == LrpComposite::EpsilonGammaBox)
                QVERIFY2(std::abs(sumFeeders) < tolerance, qPrintable(QString::number(sumFeeders)));
            QVERIFY2(std::abs(total + sumFeeders - 1.0) < tolerance,
                     qPrintable(QString("sample %1: %2 + %3").arg(n).arg(total, 0, 'g', 17).arg(sumFeeders)));
            kept += std::abs(sumFeeders);
        }
        if (composite != LrpComposite::EpsilonGammaBox && precision == LrpPrecision::Float64)
            qInfo("z+ dead ends keep %.3g of the relevance (mean over 3 images)", kept / 3);
    }

    void zboxKeepsFirstLayerRelevance()
    {
        // With the (non-zero) folded bias of conv1, ZBox still hands on everything (the bias
        // cancels), while z+ on the same layer keeps the b+ share.
        ResNet model = makeModel("resnet18", 4, 2, 9);
        const at::Tensor x = images(2, 64, 64, 10);
        const at::Tensor r = torch::ones({2, 4});
        const auto conv1 = [&](LrpComposite composite) {
            const LrpResult result =
                ResNetLrp(*model, optionsFor(composite, LrpPrecision::Float64, 1e-9)).explain(x, r, true);
            return result.trace[0].back();
        };
        const LrpLayerTrace box = conv1(LrpComposite::EpsilonGammaBox);
        QVERIFY2(std::abs(box.absorbed) <= 1e-6 * std::abs(box.relevanceOut),
                 qPrintable(QString("absorbed %1 of %2").arg(box.absorbed).arg(box.relevanceOut)));
        const LrpLayerTrace plus = conv1(LrpComposite::EpsilonPlus);
        QVERIFY2(std::abs(plus.absorbed) > 1e-3 * std::abs(plus.relevanceOut),
                 qPrintable(QString("absorbed %1 of %2").arg(plus.absorbed).arg(plus.relevanceOut)));
    }

    void matchesPython_data()
    {
        QTest::addColumn<QString>("architecture");
        QTest::newRow("resnet18") << "resnet18";
        QTest::newRow("resnet50") << "resnet50";
    }

    void matchesPython()
    {
        // An independent re-derivation (torch autograd, one rule at a time: R_in = a * grad of
        // sum(z_mod * S) with S = R / stab(z_mod) detached, BN folded in its own code, the bias
        // kept inside ZBox's three terms), written from docs/detectors.md (Explanation maps),
        // reading our saved state_dict. All three composites in both precisions, output relevance
        // one-hot e_1 and softmax p.
        if (!test::systemPythonHas("torch"))
            OOD_SKIP_WITHOUT_REFERENCE("no system Python with torch");
        QFETCH(QString, architecture);
        ResNet model = makeModel(architecture.toStdString(), 3, 2, 11);
        const at::Tensor x = images(2, 48, 40, 12);
        at::Tensor onehot = torch::zeros({2, 3});
        onehot.select(1, 1).fill_(1.0);
        QTemporaryDir dir;
        saveStateDict(dir.filePath("w.pt").toStdString(), resnetStateDict(*model));
        saveStateDict(dir.filePath("x.pt").toStdString(), {{"x", x}, {"onehot", onehot}});
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON, {"-c", R"(import sys, json, torch
import torch.nn.functional as F
sd = {k: v.double() for k, v in torch.load(sys.argv[1]).items() if v.is_floating_point()}
io = torch.load(sys.argv[2])
x, onehot = io['x'].double(), io['onehot'].double()
EPS, GAMMA = 1e-6, 0.25
mean = torch.tensor([0.485, 0.456, 0.406], dtype=torch.float64).view(1, 3, 1, 1)
std = torch.tensor([0.229, 0.224, 0.225], dtype=torch.float64).view(1, 3, 1, 1)
LOW, HIGH = (0 - mean) / std, (1 - mean) / std

def stab(z):
    return z + EPS * ((z >= 0).double() * 2 - 1)

def folded(conv, bn, stride):
    scale = sd[bn + '.weight'] / (sd[bn + '.running_var'] + 1e-5).sqrt()
    w = sd[conv + '.weight'] * scale[:, None, None, None]
    return dict(w=w, b=sd[bn + '.bias'] - sd[bn + '.running_mean'] * scale, s=stride, p=w.shape[-1] // 2)

def conv(L, a, w, b):
    return F.conv2d(a, w, b, stride=L['s'], padding=L['p'])

def rule(inputs, zfun, scales):
    # per input t: input_t * d/d input_t sum_g z_g * S_g, the S_g held fixed
    leaves = [t.detach().clone().requires_grad_(True) for t in inputs]
    zs = zfun(*leaves)
    S = [s.detach() for s in scales([z.detach() for z in zs])]
    grads = torch.autograd.grad(sum((z * s).sum() for z, s in zip(zs, S)), leaves, allow_unused=True)
    return [l.detach() * (g if g is not None else torch.zeros_like(l)) for l, g in zip(leaves, grads)]

def zplus(L, a, R, zorig):
    w, b = L['w'], L['b']
    return sum(rule([a.clamp(min=0), a.clamp(max=0)],
                    lambda ap, an: [conv(L, ap, w.clamp(min=0), b.clamp(min=0)) + conv(L, an, w.clamp(max=0), None)],
                    lambda z: [R / stab(z[0])]))

def gamma(L, a, R, zorig):
    w, b = L['w'], L['b']
    up, down = w + GAMMA * w.clamp(min=0), w + GAMMA * w.clamp(max=0)
    return sum(rule([a.clamp(min=0), a.clamp(max=0)],
                    lambda ap, an: [conv(L, ap, up, b + GAMMA * b.clamp(min=0)) + conv(L, an, down, None),
                                    conv(L, ap, down, b + GAMMA * b.clamp(max=0)) + conv(L, an, up, None)],
                    lambda z: [R * (zorig > 0) / stab(z[0]), R * (zorig < 0) / stab(z[1])]))

def zbox(L, a, R, zorig):
    w, b = L['w'], L['b']
    return sum(rule([a, LOW.expand_as(a), HIGH.expand_as(a)],
                    lambda xx, lo, hi: [conv(L, xx, w, b) - conv(L, lo, w.clamp(min=0), b.clamp(min=0))
                                        - conv(L, hi, w.clamp(max=0), b.clamp(max=0))],
                    lambda z: [R / stab(z[0])]))

def flat(L, a, R, zorig):
    return sum(rule([torch.ones_like(a)], lambda o: [conv(L, o, torch.ones_like(L['w']), None)],
                    lambda z: [R / stab(z[0])]))

bottleneck = 'layer1.0.conv3.weight' in sd
stem = folded('conv1', 'bn1', 2)
blocks = []
for s in range(1, 5):
    i = 0
    while 'layer%d.%d.conv1.weight' % (s, i) in sd:
        p, st = 'layer%d.%d' % (s, i), (2 if s > 1 and i == 0 else 1)
        n = 3 if bottleneck else 2
        convs = [folded('%s.conv%d' % (p, c), '%s.bn%d' % (p, c), st if c == (2 if bottleneck else 1) else 1)
                 for c in range(1, n + 1)]
        ds = folded(p + '.downsample.0', p + '.downsample.1', st) if p + '.downsample.0.weight' in sd else None
        blocks.append((convs, ds))
        i += 1

with torch.no_grad():
    z1 = conv(stem, x, stem['w'], stem['b'])
    a1 = F.relu(z1)
    t = F.max_pool2d(a1, 3, 2, 1)
    records = []
    for convs, ds in blocks:
        ins, outs, u = [], [], t
        for k, L in enumerate(convs):
            ins.append(u)
            outs.append(conv(L, u, L['w'], L['b']))
            u = F.relu(outs[-1]) if k + 1 < len(convs) else outs[-1]
        skip = conv(ds, t, ds['w'], ds['b']) if ds else t
        records.append((t, ins, outs, skip))
        t = F.relu(u + skip)
    A = t
    h = A.mean((2, 3))
    logits = h @ sd['fc.weight'].T + sd['fc.bias']

def explain(first, other, R):
    R = rule([h], lambda hh: [hh @ sd['fc.weight'].T + sd['fc.bias']], lambda z: [R / stab(z[0])])[0]
    R = rule([A], lambda aa: [aa.mean((2, 3))], lambda z: [R / stab(z[0])])[0]
    for (t, ins, outs, skip), (convs, ds) in reversed(list(zip(records, blocks))):
        Rskip, Rres = rule([skip, outs[-1]], lambda a, b: [a + b], lambda z: [R / stab(z[0])])
        for k in reversed(range(len(convs))):
            Rres = other(convs[k], ins[k], Rres, outs[k])
        if ds:
            Rskip = other(ds, t, Rskip, skip)
        R = Rres + Rskip
    leaf = a1.detach().clone().requires_grad_(True)
    (F.max_pool2d(leaf, 3, 2, 1) * R).sum().backward()
    return first(stem, x, leaf.grad, z1)

out = {'logits': logits.flatten().tolist()}
for name, first, other in [('EpsilonGammaBox', zbox, gamma), ('EpsilonPlusFlat', flat, zplus),
                           ('EpsilonPlus', zplus, zplus)]:
    out[name + '/onehot'] = explain(first, other, onehot).flatten().tolist()
    out[name + '/softmax'] = explain(first, other, torch.softmax(logits, 1)).flatten().tolist()
print(json.dumps(out))
)",
                                         dir.filePath("w.pt"), dir.filePath("x.pt")});
        QVERIFY(python.waitForFinished(300000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        const QJsonObject reference = QJsonDocument::fromJson(python.readAllStandardOutput()).object();
        const auto tensorOf = [&](const QString &key) {
            std::vector<double> v;
            for (const QJsonValue &value : reference[key].toArray())
                v.push_back(value.toDouble());
            return torch::tensor(v, torch::kFloat64);
        };

        for (const auto &[composite, precision] : [] {
                 std::vector<std::pair<LrpComposite, LrpPrecision>> all;
                 for (LrpComposite composite : kComposites)
                     for (LrpPrecision precision : {LrpPrecision::Float64, LrpPrecision::Float32})
                         all.emplace_back(composite, precision);
                 return all;
             }()) {
            const bool exact = precision == LrpPrecision::Float64;
            const ResNetLrp lrp(*model, optionsFor(composite, precision));
            const QString name = QString::fromStdString(lrpCompositeName(composite));
            const LrpResult explained = lrp.explain(x, onehot);
            QVERIFY(torch::allclose(explained.logits.flatten(), tensorOf("logits"), exact ? 1e-12 : 1e-5,
                                    exact ? 1e-12 : 1e-5));
            const LrpResult softmax = lrp.explain(x, torch::softmax(explained.logits, 1));
            for (const auto &[which, ours] : {std::pair{QString("onehot"), explained.relevance},
                                              std::pair{QString("softmax"), softmax.relevance}}) {
                const at::Tensor theirs = tensorOf(name + "/" + which);
                QCOMPARE(theirs.numel(), ours.numel());
                // Relative to the largest |R|: 1e-6 in float64 (the actual difference is ~1e-15),
                // FLOAT32_TOLERANCE in float32.
                const double scale = theirs.abs().max().item<double>();
                const double difference =
                    (ours.to(torch::kFloat64).flatten() - theirs).abs().max().item<double>();
                qInfo("%s %s %s: max difference %.2g of the largest |R|", qPrintable(name), qPrintable(which),
                      precisionName(precision), difference / scale);
                QVERIFY2(scale > 0 && difference <= (exact ? 1e-6 : FLOAT32_TOLERANCE) * scale,
                         qPrintable(QString("%1 %2 %3: max difference %4 at scale %5")
                                        .arg(name, which, precisionName(precision))
                                        .arg(difference)
                                        .arg(scale)));
            }
        }
    }

    void pixelMap()
    {
        const at::Tensor r = torch::arange(24, torch::kFloat64).view({2, 3, 2, 2}) - 10;
        const at::Tensor map = lrpPixelMap(r);
        QCOMPARE(map.sizes(), at::IntArrayRef({2, 2, 2}));
        // (0,0,0): -10 + -6 + -2 = -18 (signed sum over the channels).
        QCOMPARE(map[0][0][0].item<double>(), -18.0);
        QVERIFY(torch::equal(map, r.select(1, 0) + r.select(1, 1) + r.select(1, 2)));
        QVERIFY(errorOf([&] { lrpPixelMap(r.select(1, 0)); }).contains("[N,C,H,W]"));
    }

    void badInput()
    {
        ResNet model = makeModel("resnet18", 4, 2, 13);
        const ResNetLrp lrp(*model);
        QCOMPARE(lrp.numClasses(), 4);
        const at::Tensor x = images(2, 32, 32, 14);
        const at::Tensor r = torch::ones({2, 4});
        const auto message = [&](const at::Tensor &input, const at::Tensor &relevance) {
            return errorOf([&] { lrp.explain(input, relevance); });
        };
        QVERIFY(message(x, r).isEmpty());
        QVERIFY(message(x.select(0, 0), r).contains("[N,3,H,W], got [3,32,32]"));
        QVERIFY(message(torch::zeros({2, 1, 32, 32}), r).contains("[N,3,H,W], got [2,1,32,32]"));
        QVERIFY(message(at::Tensor(), r).contains("no tensor"));
        QVERIFY(message(x.to(torch::kInt), r).contains("floating point"));
        QVERIFY(message(x, torch::ones({2, 5})).contains("[N,C] = [2,4]"));
        QVERIFY(message(x, torch::ones({3, 4})).contains("got [3,4]"));
        QVERIFY(message(x, torch::ones({8})).contains("got [8]"));
        QVERIFY(message(x, torch::ones({2, 4}, torch::kLong)).contains("floating point"));
        at::Tensor nan = x.clone();
        nan[1][2][3][4] = std::nan("");
        QVERIFY(message(nan, r).contains("input holds non-finite"));
        QVERIFY(
            message(x, r * std::numeric_limits<double>::infinity()).contains("relevance holds non-finite"));

        LrpOptions options;
        options.epsilon = -1;
        QVERIFY(errorOf([&] { ResNetLrp bad(*model, options); }).contains("epsilon"));
        options = {};
        options.std[1] = 0;
        QVERIFY(errorOf([&] { ResNetLrp bad(*model, options); }).contains("std"));

        const at::Tensor a = torch::ones({1, 3}, torch::kFloat64);
        const at::Tensor w = torch::ones({2, 3}, torch::kFloat64);
        QVERIFY(errorOf([&] {
                    lrpLayer(LrpRule::Epsilon, a, w, {}, torch::ones({1, 3}), 0);
                }).contains("the relevance has shape [1,3], the layer's output has [1,2]"));
        QVERIFY(errorOf([&] {
                    lrpLayer(LrpRule::Epsilon, torch::ones({1, 4}), w, {}, torch::ones({1, 2}), 0);
                }).contains("4 channels, the weight expects 3"));
        QVERIFY(errorOf([&] {
                    lrpLayer(LrpRule::ZBox, a, w, {}, torch::ones({1, 2}), 0);
                }).contains("low and high"));
        QVERIFY(errorOf([&] {
                    lrpLayer(LrpRule::ZBox, a, w, {}, torch::ones({1, 2}), 0, 0.25, 1, 0, torch::zeros({2}),
                             torch::ones({2}));
                }).contains("do not broadcast"));
        QVERIFY(errorOf([&] {
                    lrpLayer(LrpRule::Flat, a, torch::ones({2, 3, 1, 1}), {}, torch::ones({1, 2}), 0);
                }).contains("expected input [N,D] with weight [C,D]"));
    }

    void threadCountIndependent_data() { addCompositesAndPrecisions(); }

    void threadCountIndependent()
    {
        QFETCH(LrpComposite, composite);
        QFETCH(LrpPrecision, precision);
        ResNet model = makeModel("resnet18", 3, 4, 15);
        const at::Tensor x = images(2, 64, 64, 16);
        const ResNetLrp lrp(*model, optionsFor(composite, precision));
        const at::Tensor r = torch::tensor({{0.2, 0.5, 0.3}, {1.0, 0.0, 0.0}}, torch::kFloat64);
        torch::set_num_threads(1);
        const at::Tensor one = lrp.explain(x, r).relevance;
        torch::set_num_threads(2);
        const at::Tensor two = lrp.explain(x, r).relevance;
        const double difference = (one - two).abs().max().item<double>();
        qInfo("max difference %g", difference);
        QVERIFY2(difference <= 1e-5 * std::max(1.0, one.abs().max().item<double>()),
                 qPrintable(QString::number(difference)));
    }
};

QTEST_GUILESS_MAIN(LrpTest)
#include "lrptest.moc"
