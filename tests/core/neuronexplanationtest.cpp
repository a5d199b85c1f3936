// The neuron-level NERO explanation: it must reproduce the detector's score, split the relevance
// distance exactly, name the class whose cluster the frame sits in, and compare each neuron with
// that class's mean training relevance.

#include "detect/registry.h"
#include "base/error.h"
#include "detect/headrelevance.h"
#include "explain/neuronexplanation.h"
#include "support/errors.h"
#include "support/linearbackbone.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

namespace {

constexpr int64_t kDim = 9, kClasses = 3, kPerClass = 20;

struct Fixture
{
    at::Tensor w, b, train;
    std::vector<int64_t> labels;
    std::unique_ptr<Detector> nero;

    Fixture()
    {
        torch::manual_seed(7);
        w = torch::randn({kClasses, kDim}, torch::kFloat64).to(torch::kFloat32).to(torch::kFloat64);
        b = (torch::randn({kClasses}, torch::kFloat64) + 2).to(torch::kFloat32).to(torch::kFloat64);
        train = torch::zeros({kClasses * kPerClass, kDim}, torch::kFloat64);
        for (int64_t i = 0; i < train.size(0); ++i) {
            const int64_t c = i % kClasses;
            labels.push_back(c);
            // Class c lives around 3 on neurons 3c..3c+2 and 0.2 elsewhere: separated clusters.
            at::Tensor centre = torch::full({kDim}, 0.2, torch::kFloat64);
            centre.narrow(0, 3 * c, 3).fill_(3.0);
            train[i] = torch::relu(centre + 0.1 * torch::randn({kDim}, torch::kFloat64))
                           .to(torch::kFloat32)
                           .to(torch::kFloat64);
        }
        nero = createDetector("nero");
        nero->setSetting("least_relevant", 4);
        nero->fit(test::trainContext(train, labels, w, b));
    }

    at::Tensor frameNear(int64_t c) const
    {
        at::Tensor x = torch::full({kDim}, 0.25, torch::kFloat64);
        x.narrow(0, 3 * c, 3).fill_(2.9);
        return x.to(torch::kFloat32);
    }
};

} // namespace

class NeuronExplanationTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void reproducesTheNeroScore_data()
    {
        QTest::addColumn<int>("cluster");
        QTest::newRow("near class 0") << 0;
        QTest::newRow("near class 1") << 1;
        QTest::newRow("near class 2") << 2;
    }
    void reproducesTheNeroScore()
    {
        QFETCH(int, cluster);
        const Fixture f;
        const at::Tensor x = f.frameNear(cluster);
        const NeuronExplanation e =
            explainNeurons(*f.nero, x, f.w.to(torch::kFloat32), f.b.to(torch::kFloat32));
        const double score = test::scoreFeatures(*f.nero, x.unsqueeze(0), f.w, f.b)[0].item<double>();
        QVERIFY2(std::abs(e.score - score) < 1e-9 * std::max(1.0, score),
                 qPrintable(QString("%1 vs %2").arg(e.score).arg(score)));
        QCOMPARE(e.nearestClass, int64_t(cluster));
        QCOMPARE(e.classDistances.size(), size_t(kClasses));
        QCOMPARE(*std::min_element(e.classDistances.begin(), e.classDistances.end()), e.relevanceDistance);
        // The per-neuron shares add up to the distance (V has orthonormal columns).
        QVERIFY2(std::abs(e.contribution.sum().item<double>() - e.relevanceDistance) <
                     1e-9 * std::max(1.0, e.relevanceDistance),
                 qPrintable(
                     QString("%1 vs %2").arg(e.contribution.sum().item<double>()).arg(e.relevanceDistance)));
    }

    void centroidIsTheClassMeanRelevance()
    {
        const Fixture f;
        const NeuronExplanation e =
            explainNeurons(*f.nero, f.frameNear(1), f.w.to(torch::kFloat32), f.b.to(torch::kFloat32));
        const HeadRelevance r = headRelevance(f.train, f.w, f.b);
        at::Tensor sum = torch::zeros({kDim}, torch::kFloat64);
        int count = 0;
        for (size_t i = 0; i < f.labels.size(); ++i)
            if (f.labels[i] == 1) {
                sum += r.neurons[static_cast<int64_t>(i)];
                ++count;
            }
        QVERIFY(!e.centroidIsProjection);
        QVERIFY(torch::allclose(e.centroid, sum / count, 1e-9, 1e-12));
        QVERIFY(torch::allclose(e.deviation, e.relevance - e.centroid, 0, 1e-15));
    }

    void leastRelevantSetHoldsTheSmallestRelevances()
    {
        const Fixture f;
        const NeuronExplanation e =
            explainNeurons(*f.nero, f.frameNear(2), f.w.to(torch::kFloat32), f.b.to(torch::kFloat32));
        QCOMPARE(e.leastRelevant.sum().item<int64_t>(), int64_t(4));
        const double largestInSet = e.relevance.masked_select(e.leastRelevant).max().item<double>();
        const double smallestOutside =
            e.relevance.masked_select(e.leastRelevant.logical_not()).min().item<double>();
        QVERIFY(largestInSet <= smallestOutside);
        const at::Tensor a = e.activation.abs();
        QVERIFY(std::abs(e.featureNormFactor -
                         (a.masked_select(e.leastRelevant).sum() / a.sum()).item<double>()) < 1e-12);
        const std::vector<int64_t> top = e.topContributors(3);
        QCOMPARE(top.size(), size_t(3));
        QVERIFY(e.contribution[top[0]].item<double>() >= e.contribution[top[1]].item<double>());
        QVERIFY(e.contribution[top[1]].item<double>() >= e.contribution[top[2]].item<double>());
    }

    void olderProfilesFallBackToTheProjectedCentroid()
    {
        const Fixture f;
        DetectorState state = f.nero->state();
        state.erase("class_relevance_centroids");
        state.erase("centroid_labels");
        auto restored = createDetector("nero");
        restored->setState(state);
        const NeuronExplanation e =
            explainNeurons(*restored, f.frameNear(0), f.w.to(torch::kFloat32), f.b.to(torch::kFloat32));
        QVERIFY(e.centroidIsProjection);
        QCOMPARE(e.nearestClass, int64_t(0));
        const at::Tensor expected =
            state.at("relevance_mean") + torch::matmul(state.at("pca_basis"), state.at("class_centroids")[0]);
        QVERIFY(torch::allclose(e.centroid, expected, 1e-12, 1e-14));
    }

    void rejectsWhatItCannotExplain()
    {
        const Fixture f;
        auto msp = createDetector("msp");
        QVERIFY(test::errorOf([&] { explainNeurons(*msp, f.frameNear(0), f.w, f.b); }).contains("NERO"));
        QVERIFY(
            test::errorOf([&] { explainNeurons(*f.nero, torch::ones({4}), f.w, f.b); }).contains("features"));
        QVERIFY(test::errorOf([&] {
                    explainNeurons(*f.nero, torch::ones({2, kDim}), f.w, f.b);
                }).contains("one frame"));
        auto unfitted = createDetector("nero");
        QVERIFY(
            test::errorOf([&] { explainNeurons(*unfitted, f.frameNear(0), f.w, f.b); }).contains("fitted"));
    }
};

QTEST_GUILESS_MAIN(NeuronExplanationTest)
#include "neuronexplanationtest.moc"
