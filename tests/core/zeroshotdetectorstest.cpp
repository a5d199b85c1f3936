// The zero-shot detectors' scores against a direct evaluation of methods.md §11's formulas with
// plain loops in double precision: NegLabel's grouping score (and MCM's softmax of cosines) on
// fitted states built by the test.

#include "base/error.h"
#include "detect/registry.h"
#include "detect/zeroshotsupport.h"

#include <QtTest>

#include <torch/torch.h>

#include <cmath>

using namespace ood;

namespace {

at::Tensor unitRows(const at::Tensor &x)
{
    return x / x.norm(2, 1, true);
}

DetectorState negLabelState(const at::Tensor &negatives, const at::Tensor &positives,
                            const at::Tensor &permutation, double logitScale, int64_t groups)
{
    DetectorState state;
    NegativeLabels labels;
    for (int64_t i = 0; i < negatives.size(0); ++i)
        labels.labels.push_back("negative " + std::to_string(i));
    labels.nounCount = negatives.size(0) / 2;
    labels.embeddings = negatives;
    labels.source = "test";
    zeroshot::storeNegatives(labels, state);
    state["positive_embeddings"] = positives;
    state["permutation"] = permutation;
    state["logit_scale"] = torch::tensor(logitScale, torch::kFloat64);
    state["setting.groups"] = torch::tensor(double(groups), torch::kFloat64);
    return state;
}

} // namespace

class ZeroShotDetectorsTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void negLabelGroupingScore_data()
    {
        QTest::addColumn<int>("negatives");
        QTest::addColumn<int>("groups");
        QTest::newRow("K divisible by G") << 300 << 100;
        QTest::newRow("K mod G dropped") << 257 << 100;
        QTest::newRow("few groups") << 50 << 7;
    }

    void negLabelGroupingScore()
    {
        QFETCH(int, negatives);
        QFETCH(int, groups);
        torch::manual_seed(3);
        const int64_t d = 16, c = 3, n = 4;
        const double scale = 100;
        const at::Tensor neg = unitRows(torch::randn({negatives, d}));
        const at::Tensor pos = unitRows(torch::randn({c, d}));
        const int64_t kept = negatives - negatives % groups;
        const at::Tensor permutation = zeroshot::groupingPermutation(kept);
        auto detector = createDetector("neglabel");
        detector->setState(negLabelState(neg, pos, permutation, scale, groups));
        Activations a;
        a.features = unitRows(torch::randn({n, d}));
        a.logits = torch::zeros({n, c});
        const at::Tensor scores = detector->score(ScoreContext{a, {}, nullptr, {}, {}});

        const at::Tensor f = a.features.to(torch::kFloat64), nd = neg.to(torch::kFloat64),
                         pd = pos.to(torch::kFloat64);
        for (int64_t i = 0; i < n; ++i) {
            double positiveSum = 0;
            for (int64_t j = 0; j < c; ++j)
                positiveSum += std::exp(scale * (f[i] * pd[j]).sum().item<double>());
            const int64_t groupSize = kept / groups;
            double mean = 0;
            for (int64_t g = 0; g < groups; ++g) {
                double negativeSum = 0;
                for (int64_t m = 0; m < groupSize; ++m) {
                    const int64_t k = permutation[g * groupSize + m].item<int64_t>();
                    negativeSum += std::exp(scale * (f[i] * nd[k]).sum().item<double>());
                }
                mean += positiveSum / (positiveSum + negativeSum) / double(groups);
            }
            const double unified = -mean;
            QVERIFY2(
                std::abs(scores[i].item<double>() - unified) <= 1e-5 * std::max(1.0, std::abs(unified)),
                qPrintable(QString("frame %1: %2 vs %3").arg(i).arg(scores[i].item<double>()).arg(unified)));
        }
    }

    void permutationIsFixed()
    {
        const at::Tensor a = zeroshot::groupingPermutation(1000), b = zeroshot::groupingPermutation(1000);
        QVERIFY(torch::equal(a, b));
        QVERIFY(torch::equal(std::get<0>(a.sort()), torch::arange(1000, torch::kInt64)));
    }

    void textsRoundTrip()
    {
        const std::vector<std::string> texts{"normal cecum", "", "gooey landscape", "ümlaut"};
        QCOMPARE(zeroshot::unpackTexts(zeroshot::packTexts(texts)), texts);
    }

    void restoreRefusesMismatch()
    {
        DetectorState state = negLabelState(unitRows(torch::randn({200, 8})), unitRows(torch::randn({2, 8})),
                                            zeroshot::groupingPermutation(200), 100, 100);
        state["negative_labels"] = zeroshot::packTexts({"only one"});
        auto detector = createDetector("neglabel");
        QVERIFY_THROWS_EXCEPTION(Error, detector->setState(state));
    }
};

QTEST_GUILESS_MAIN(ZeroShotDetectorsTest)
#include "zeroshotdetectorstest.moc"
