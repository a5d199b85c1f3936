// Deletion and insertion curves: a linear model whose class evidence sits in known pixels (exact
// curve values by hand), every step of a linear model re-derived with explicit loops, the shared
// forwards, the endpoints, the trapezoid rule, orders and ties by hand, determinism and bad input.

#include "explain/faithfulness.h"
#include "model/countingbackbone.h"
#include "model/resnet.h"
#include "support/errors.h"
#include "support/linearbackbone.h"

#include <QtTest>

#include <torch/torch.h>

#include <cmath>
#include <numeric>

using namespace ood;
using ood::test::errorOf;

namespace {

double sigmoid(double v)
{
    return 1 / (1 + std::exp(-v));
}

/// p_target of a two-class linear model on a [3,H,W] image given as a flat float64 vector,
/// with explicit loops.
double twoClassProbability(const std::vector<double> &image, const at::Tensor &w, const at::Tensor &b,
                           int target)
{
    double logit[2];
    for (int c = 0; c < 2; ++c) {
        logit[c] = b[c].item<double>();
        for (size_t e = 0; e < image.size(); ++e)
            logit[c] += w[c][static_cast<int64_t>(e)].item<double>() * image[e];
    }
    return sigmoid(logit[target] - logit[1 - target]);
}

std::vector<double> flat(const at::Tensor &t)
{
    const at::Tensor c = t.to(torch::kFloat64).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

} // namespace

class FaithfulnessTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void trapezoidByHand()
    {
        // A falling line: area 1/2. A step up at 1/4: 1/4 * (0 + 1)/2 + 3/4 * 1 = 0.875.
        QCOMPARE(trapezoidArea({0, 0.5, 1}, {1, 0.5, 0}), 0.5);
        QCOMPARE(trapezoidArea({0, 0.25, 1}, {0, 1, 1}), 0.875);
        QVERIFY(errorOf([] { trapezoidArea({0}, {1}); }).contains("length"));
        QVERIFY(errorOf([] { trapezoidArea({0, 1}, {1}); }).contains("same length"));
    }

    void heatmapOrderByHand()
    {
        // Values by pixel: 0:1, 1:3, 2:3, 3:-2, 4:0, 5:3. Descending, equal values in index order.
        const at::Tensor map = torch::tensor({1.0, 3.0, 3.0, -2.0, 0.0, 3.0}).view({2, 3});
        QCOMPARE(heatmapOrder(map), (std::vector<int64_t>{1, 2, 5, 0, 4, 3}));
        QVERIFY(errorOf([] {
                    heatmapOrder(torch::tensor({1.0, std::nan("")}).view({1, 2}));
                }).contains("non-finite"));
        QVERIFY(errorOf([] { heatmapOrder(torch::zeros({3})); }).contains("2-D"));
    }

    void randomOrderIsSeeded()
    {
        const std::vector<int64_t> first = randomPixelOrder(500, 0), again = randomPixelOrder(500, 0);
        QCOMPARE(first, again);
        QVERIFY(first != randomPixelOrder(500, 1));
        std::vector<int64_t> sorted = first;
        std::sort(sorted.begin(), sorted.end());
        std::vector<int64_t> identity(500);
        std::iota(identity.begin(), identity.end(), 0);
        QCOMPARE(sorted, identity);
        QVERIFY(first != identity);
    }

    void evidenceInKnownPixels()
    {
        // 8x8 image of ones; class 0's weight is 1 on every channel of pixels 9, 18, 27, 36 and 0
        // elsewhere, class 1's is 0, no bias: logits (12, 0) and p_0 = sigmoid(12). The heatmap
        // marks exactly those pixels, which therefore come first (then the zeros in index order).
        // With S = 8 each step changes 8 pixels, so step 1 already removes all evidence:
        // deletion = (s, 1/2, ..., 1/2), insertion = (1/2, s, ..., s) with s = sigmoid(12).
        const int64_t side = 8;
        at::Tensor w = torch::zeros({2, 3, side, side});
        at::Tensor map = torch::zeros({side, side});
        for (int64_t p : {9, 18, 27, 36}) {
            w[0].select(1, p / side).select(1, p % side).fill_(1.0);
            map[p / side][p % side] = 1.0;
        }
        test::LinearBackbone backbone(w.view({2, -1}), torch::zeros({2}));
        FaithfulnessOptions options;
        options.steps = 8;
        const Faithfulness f =
            faithfulnessCurves(backbone, torch::ones({3, side, side}), {{"evidence", map}}, options);
        QCOMPARE(f.target, 0);
        QCOMPARE(int(f.curves.size()), 2);
        QCOMPARE(QString::fromStdString(f.curves[1].name), QString("random"));
        const double s = sigmoid(12);
        const FaithfulnessCurve &curve = f.curves[0];
        for (int k = 0; k <= 8; ++k) {
            QVERIFY(std::abs(curve.fractions[static_cast<size_t>(k)] - k / 8.0) < 1e-15);
            QVERIFY(std::abs(curve.deletion[static_cast<size_t>(k)] - (k == 0 ? s : 0.5)) < 1e-7);
            QVERIFY(std::abs(curve.insertion[static_cast<size_t>(k)] - (k == 0 ? 0.5 : s)) < 1e-7);
        }
        // Trapezoids: (s + 1/2)/16 + 7/8 * 1/2 and (1/2 + s)/16 + 7/8 * s.
        QVERIFY(std::abs(curve.deletionArea - ((s + 0.5) / 16 + 0.4375)) < 1e-7);
        QVERIFY(std::abs(curve.insertionArea - ((s + 0.5) / 16 + 0.875 * s)) < 1e-7);
        const FaithfulnessCurve &random = f.curves[1];
        QVERIFY2(curve.deletionArea < random.deletionArea,
                 qPrintable(QString("%1 vs %2").arg(curve.deletionArea).arg(random.deletionArea)));
        QVERIFY(curve.insertionArea > random.insertionArea);
    }

    void linearModelEveryStep_data()
    {
        QTest::addColumn<int>("steps");
        QTest::addColumn<int>("target");
        QTest::addColumn<bool>("baselineImage");
        QTest::newRow("S=4 predicted") << 4 << -1 << false;
        QTest::newRow("S=3 (16 pixels: 0, 5, 11, 16) class 1") << 3 << 1 << false;
        QTest::newRow("S=5 baseline image") << 5 << -1 << true;
        QTest::newRow("S=1") << 1 << 0 << false;
    }

    void linearModelEveryStep()
    {
        QFETCH(int, steps);
        QFETCH(int, target);
        QFETCH(bool, baselineImage);
        torch::manual_seed(12);
        const at::Tensor w = torch::randn({2, 48}) * 0.4, b = torch::randn({2});
        test::LinearBackbone linear(w, b);
        CountingBackbone backbone(linear);
        const at::Tensor x = torch::randn({3, 4, 4});
        // A known order: map value 16 - r at pixel order[r].
        const std::vector<int64_t> order = {5, 0, 12, 7, 3, 15, 9, 1, 14, 2, 11, 6, 13, 8, 4, 10};
        at::Tensor map = torch::zeros({16});
        for (int r = 0; r < 16; ++r)
            map[order[static_cast<size_t>(r)]] = 16.0 - r;
        FaithfulnessOptions options;
        options.steps = steps;
        options.target = target;
        options.batchSize = 5;
        options.baselineValue = 0.25; // exact in float32
        if (baselineImage)
            options.baselineImage = torch::randn({1, 3, 4, 4});
        const Faithfulness f = faithfulnessCurves(backbone, x, {{"map", map.view({4, 4})}}, options);

        const std::vector<double> image = flat(x);
        const std::vector<double> base =
            baselineImage ? flat(options.baselineImage) : std::vector<double>(48, 0.25);
        const at::Tensor w64 = w.to(torch::kFloat64), b64 = b.to(torch::kFloat64);
        const int expectedTarget =
            target >= 0 ? target : (twoClassProbability(image, w64, b64, 0) >= 0.5 ? 0 : 1);
        QCOMPARE(f.target, expectedTarget);
        const FaithfulnessCurve &curve = f.curves[0];
        QCOMPARE(int(curve.deletion.size()), steps + 1);
        for (int k = 0; k <= steps; ++k) {
            // round(16 k / S) pixels in the map's order, over all three channels.
            const auto count = static_cast<int64_t>(std::floor(16.0 * k / steps + 0.5));
            QVERIFY(std::abs(curve.fractions[static_cast<size_t>(k)] - count / 16.0) < 1e-15);
            std::vector<double> deleted = image, inserted = base;
            for (int64_t r = 0; r < count; ++r)
                for (int c = 0; c < 3; ++c) {
                    const auto e = static_cast<size_t>(c * 16 + order[static_cast<size_t>(r)]);
                    deleted[e] = base[e];
                    inserted[e] = image[e];
                }
            const double pd = twoClassProbability(deleted, w64, b64, expectedTarget);
            const double pi = twoClassProbability(inserted, w64, b64, expectedTarget);
            QVERIFY2(std::abs(curve.deletion[static_cast<size_t>(k)] - pd) < 1e-6,
                     qPrintable(QString("k=%1 deletion %2 vs %3")
                                    .arg(k)
                                    .arg(curve.deletion[static_cast<size_t>(k)])
                                    .arg(pd)));
            QVERIFY2(std::abs(curve.insertion[static_cast<size_t>(k)] - pi) < 1e-6,
                     qPrintable(QString("k=%1 insertion %2 vs %3")
                                    .arg(k)
                                    .arg(curve.insertion[static_cast<size_t>(k)])
                                    .arg(pi)));
        }
        // The endpoints are shared: image and baseline once, then 2 (S-1) per ordering (map, random).
        QCOMPARE(curve.deletion.front(), f.originalProbability);
        QCOMPARE(curve.insertion.back(), f.originalProbability);
        QCOMPARE(curve.deletion.back(), f.baselineProbability);
        QCOMPARE(f.curves[1].insertion.front(), f.baselineProbability);
        QCOMPARE(backbone.forwardImages(), int64_t(2 + 2 * 2 * (steps - 1)));
    }

    void endpointsOnAResNet()
    {
        torch::manual_seed(4);
        ResNetBackbone backbone(createResNet("resnet18", 3, 4));
        const at::Tensor x = torch::randn({3, 40, 40});
        torch::manual_seed(5);
        const at::Tensor map = torch::randn({40, 40});
        const Faithfulness f = faithfulnessCurves(backbone, x.unsqueeze(0), {{"a", map}, {"b", -map}});
        const at::Tensor original =
            torch::softmax(backbone.forward(x.unsqueeze(0), {}).logits.to(torch::kFloat64), 1)[0];
        const at::Tensor baseline = torch::softmax(
            backbone.forward(torch::zeros({1, 3, 40, 40}), {}).logits.to(torch::kFloat64), 1)[0];
        QCOMPARE(int64_t(f.target), original.argmax().item<int64_t>());
        QVERIFY(std::abs(f.originalProbability - original[f.target].item<double>()) < 1e-6);
        QVERIFY(std::abs(f.baselineProbability - baseline[f.target].item<double>()) < 1e-6);
        QCOMPARE(int(f.curves.size()), 3);
        for (const FaithfulnessCurve &curve : f.curves) {
            QCOMPARE(int(curve.fractions.size()), 11);
            QCOMPARE(curve.deletionArea, trapezoidArea(curve.fractions, curve.deletion));
            QCOMPARE(curve.insertionArea, trapezoidArea(curve.fractions, curve.insertion));
        }
        // 1600 pixels, S = 10: fractions exactly k/10.
        QCOMPARE(f.curves[0].fractions[3], 0.3);

        const Faithfulness again = faithfulnessCurves(backbone, x, {{"a", map}, {"b", -map}});
        QCOMPARE(again.curves[2].deletion, f.curves[2].deletion);
        FaithfulnessOptions other;
        other.seed = 7;
        QVERIFY(faithfulnessCurves(backbone, x, {}, other).curves[0].deletion != f.curves[2].deletion);
    }

    void badInput()
    {
        test::LinearBackbone backbone(torch::randn({2, 48}), torch::zeros({2}));
        const at::Tensor x = torch::randn({3, 4, 4});
        QVERIFY(errorOf([&] {
                    faithfulnessCurves(backbone, x, {{"small", torch::zeros({2, 2})}});
                }).contains("heatmap 'small' is [2, 2] but the input is 4x4"));
        QVERIFY(errorOf([&] {
                    faithfulnessCurves(backbone, x, {{"flat", torch::zeros({16})}});
                }).contains("'flat'"));
        QVERIFY(errorOf([&] {
                    faithfulnessCurves(backbone, x, {{"random", torch::zeros({4, 4})}});
                }).contains("reserved"));
        QVERIFY(errorOf([&] {
                    faithfulnessCurves(backbone, x, {{"nan", torch::full({4, 4}, NAN)}});
                }).contains("non-finite"));
        FaithfulnessOptions options;
        options.steps = 0;
        QVERIFY(errorOf([&] { faithfulnessCurves(backbone, x, {}, options); }).contains("at least 1 step"));
        options = {};
        options.target = 2;
        QVERIFY(errorOf([&] { faithfulnessCurves(backbone, x, {}, options); }).contains("target class 2"));
        options.target = -2;
        QVERIFY(errorOf([&] { faithfulnessCurves(backbone, x, {}, options); }).contains("target class -2"));
        options = {};
        options.baselineImage = torch::zeros({3, 2, 2});
        QVERIFY(errorOf([&] { faithfulnessCurves(backbone, x, {}, options); }).contains("baseline image"));
        options = {};
        options.batchSize = 0;
        QVERIFY(errorOf([&] { faithfulnessCurves(backbone, x, {}, options); }).contains("batch size"));
        QVERIFY(errorOf([&] {
                    faithfulnessCurves(backbone, torch::randn({2, 3, 4, 4}), {});
                }).contains("[3,H,W]"));
        QVERIFY(
            errorOf([&] { faithfulnessCurves(backbone, x.to(torch::kFloat64), {}); }).contains("float32"));
    }
};

QTEST_GUILESS_MAIN(FaithfulnessTest)
#include "faithfulnesstest.moc"
