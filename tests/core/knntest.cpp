// KNN (deep nearest neighbours) and its FAISS wrapper: FAISS's exact search against a brute-force
// torch re-derivation, the closed form r² = 2 − 2cos on unit vectors, the zero-vector and k > N
// rules, the profile round trip, and the approximate IVF index (recall measured against exact).

#include "detect/nearestneighbours.h"
#include "detect/registry.h"
#include "base/error.h"
#include "support/linearbackbone.h"

#include <QtTest>

#include <torch/torch.h>

#include <cmath>
#include <set>
#include <thread>

using namespace ood;

namespace {

/// Independent reference: OpenOOD's normaliser in float64, all squared distances, sorted.
at::Tensor bruteForceKth(const at::Tensor &train, const at::Tensor &queries, int64_t k)
{
    auto normalise = [](const at::Tensor &x) {
        const at::Tensor d = x.to(torch::kFloat64);
        return d / d.norm(2, 1, true) + 1e-10;
    };
    const at::Tensor distances = torch::cdist(normalise(queries), normalise(train)).pow(2);
    return std::get<0>(distances.sort(1)).select(1, k - 1);
}

/// Rows around `centres` clusters, the shape real penultimate features have.
at::Tensor clustered(int64_t n, int64_t d, int64_t centres, uint64_t seed)
{
    torch::manual_seed(seed);
    const at::Tensor means = torch::randn({centres, d}) * 2;
    const at::Tensor which = torch::randint(centres, {n}, torch::kInt64);
    return (means.index_select(0, which) + torch::randn({n, d})).relu();
}

std::vector<int64_t> noLabels(int64_t n)
{
    return std::vector<int64_t>(static_cast<size_t>(n), -1);
}

} // namespace

class KnnTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void matchesBruteForce_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("d");
        QTest::addColumn<int>("k");
        QTest::newRow("300x16 k=50") << 300 << 16 << 50;
        QTest::newRow("1000x512 k=50 (ResNet-18 width)") << 1000 << 512 << 50;
        QTest::newRow("64x8 k=1") << 64 << 8 << 1;
        QTest::newRow("40x3 k=N") << 40 << 3 << 40;
    }

    void matchesBruteForce()
    {
        QFETCH(int, n);
        QFETCH(int, d);
        QFETCH(int, k);
        torch::manual_seed(static_cast<uint64_t>(n * 7 + d));
        const at::Tensor train = torch::randn({n, d}).relu() + 0.01; // ReLU features, never all zero
        const at::Tensor queries = torch::randn({37, d}) * 3;        // mixed signs, other scales
        const at::Tensor w = torch::zeros({2, d}), b = torch::zeros({2});
        auto detector = createDetector("knn");
        detector->setSetting("k", k);
        detector->fit(test::trainContext(train, noLabels(n), w, b));
        const at::Tensor scores = test::scoreFeatures(*detector, queries, w, b);
        const at::Tensor expected = bruteForceKth(train, queries, k);
        QCOMPARE(scores.scalar_type(), torch::kFloat64);
        const double worst = (scores - expected).abs().max().item<double>();
        QVERIFY2(worst < 1e-5, qPrintable(QString("max |faiss - brute force| = %1").arg(worst)));
    }

    void unitVectorsHandComputed_data()
    {
        QTest::addColumn<int>("k");
        QTest::addColumn<double>("expected");
        // Bank directions 0°, 90°, 180° (lengths 3, 0.5, 2: normalisation removes them); query at
        // 45°. cos = 1/√2, 1/√2, −1/√2, so r² = 2 − 2cos = 2 − √2, 2 − √2, 2 + √2.
        QTest::newRow("k=1") << 1 << 2.0 - std::sqrt(2.0);
        QTest::newRow("k=2") << 2 << 2.0 - std::sqrt(2.0);
        QTest::newRow("k=3") << 3 << 2.0 + std::sqrt(2.0);
    }

    void unitVectorsHandComputed()
    {
        QFETCH(int, k);
        QFETCH(double, expected);
        const at::Tensor train = torch::tensor({3.f, 0.f, 0.f, 0.5f, -2.f, 0.f}).reshape({3, 2});
        const at::Tensor w = torch::zeros({2, 2}), b = torch::zeros({2});
        auto detector = createDetector("knn");
        detector->setSetting("k", k);
        detector->fit(test::trainContext(train, noLabels(3), w, b));
        const double s =
            test::scoreFeatures(*detector, torch::tensor({5.f, 5.f}).reshape({1, 2}), w, b)[0].item<double>();
        QVERIFY2(std::abs(s - expected) < 1e-6, qPrintable(QString::number(s, 'g', 12)));
        QVERIFY(detector->referenceIsIdHigh());
    }

    void refusesKLargerThanTrain()
    {
        const at::Tensor w = torch::zeros({2, 4}), b = torch::zeros({2});
        auto detector = createDetector("knn"); // k = 50 by default
        QCOMPARE(detector->setting("k"), 50.0);
        QVERIFY_THROWS_EXCEPTION(
            Error, detector->fit(test::trainContext(torch::rand({49, 4}) + 0.1, noLabels(49), w, b)));
        detector->fit(test::trainContext(torch::rand({50, 4}) + 0.1, noLabels(50), w, b));
    }

    void refusesBadSettings_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<double>("value");
        QTest::newRow("k = 0") << "k" << 0.0;
        QTest::newRow("k = 2.5") << "k" << 2.5;
        QTest::newRow("index = 2") << "index" << 2.0;
        QTest::newRow("nprobe = 0") << "nprobe" << 0.0;
    }

    void refusesBadSettings()
    {
        QFETCH(QString, name);
        QFETCH(double, value);
        const at::Tensor w = torch::zeros({2, 4}), b = torch::zeros({2});
        auto detector = createDetector("knn");
        detector->setSetting("k", 2);
        detector->setSetting(name.toStdString(), value);
        QVERIFY_THROWS_EXCEPTION(
            Error, detector->fit(test::trainContext(torch::rand({10, 4}) + 0.1, noLabels(10), w, b)));
    }

    void zeroVectors()
    {
        const at::Tensor w = torch::zeros({2, 2}), b = torch::zeros({2});
        // One zero TRAIN row among 4: it is left out, so the bank has 3 rows.
        const at::Tensor train = torch::tensor({1.f, 0.f, 0.f, 0.f, 0.f, 1.f, -1.f, 0.f}).reshape({4, 2});
        auto detector = createDetector("knn");
        detector->setSetting("k", 4);
        QVERIFY_THROWS_EXCEPTION(Error, detector->fit(test::trainContext(train, noLabels(4), w, b)));
        detector->setSetting("k", 3);
        detector->fit(test::trainContext(train, noLabels(4), w, b));
        QCOMPARE(detector->state().at("bank").size(0), int64_t{3});

        const float nan = std::numeric_limits<float>::quiet_NaN();
        const at::Tensor queries = torch::tensor({0.f, 0.f, 1.f, 0.f, nan, 1.f}).reshape({3, 2});
        const at::Tensor s = test::scoreFeatures(*detector, queries, w, b);
        QCOMPARE(s[0].item<double>(), 4.0);                  // zero query: maximal distance
        QVERIFY(std::abs(s[1].item<double>() - 4.0) < 1e-6); // (1,0): its 3rd neighbour is (−1,0)
        QVERIFY(std::isnan(s[2].item<double>()));            // non-finite query

        const at::Tensor bad = torch::tensor({1.f, nan, 0.f, 1.f, 1.f, 1.f}).reshape({3, 2});
        auto other = createDetector("knn");
        other->setSetting("k", 1);
        QVERIFY_THROWS_EXCEPTION(Error, other->fit(test::trainContext(bad, noLabels(3), w, b)));
    }

    void stateRoundTrip_data()
    {
        QTest::addColumn<int>("index");
        QTest::newRow("exact") << 0;
        QTest::newRow("ivf") << 1;
    }

    void stateRoundTrip()
    {
        QFETCH(int, index);
        const at::Tensor train = clustered(2000, 16, 8, 5);
        const at::Tensor w = torch::zeros({2, 16}), b = torch::zeros({2});
        auto fitted = createDetector("knn");
        fitted->setSetting("k", 10);
        fitted->setSetting("index", index);
        fitted->fit(test::trainContext(train, noLabels(2000), w, b));
        const DetectorState state = fitted->state();
        QCOMPARE(state.count("ivf_centroids"), size_t(index == 1 ? 1 : 0));
        auto restored = createDetector("knn");
        restored->setState(state);
        QCOMPARE(restored->setting("index"), double(index));
        const at::Tensor q = clustered(50, 16, 8, 6);
        QVERIFY(torch::equal(test::scoreFeatures(*fitted, q, w, b), test::scoreFeatures(*restored, q, w, b)));

        DetectorState missing = state;
        missing.erase("bank");
        QVERIFY_THROWS_EXCEPTION(Error, createDetector("knn")->setState(missing));
    }

    void ivfTrainingIsDeterministic()
    {
        const at::Tensor bank = clustered(5000, 32, 16, 7);
        const auto first = nn::NearestNeighbours::ivf(bank, 50, 4);
        const auto second = nn::NearestNeighbours::ivf(bank, 50, 4);
        QVERIFY(torch::equal(first.centroids(), second.centroids()));
        const at::Tensor q = clustered(100, 32, 16, 8);
        const auto a = first.search(q, 5), c = second.search(q, 5);
        QVERIFY(torch::equal(a.distances, c.distances));
        QVERIFY(torch::equal(a.indices, c.indices));
    }

    void ivfCompletesShortCells()
    {
        // 2 cells, 1 probed, k = N: no cell holds N rows, so every query must fall back to all cells
        // and then sees the whole bank like the exact index.
        const at::Tensor bank = clustered(100, 8, 2, 9);
        const auto ivf = nn::NearestNeighbours::ivf(bank, 2, 1);
        const auto exact = nn::NearestNeighbours::exact(bank);
        const at::Tensor q = clustered(20, 8, 2, 10);
        const at::Tensor a = ivf.kthSquaredDistance(q, 100), e = exact.kthSquaredDistance(q, 100);
        QVERIFY(torch::isfinite(a).all().item<bool>());
        QVERIFY(torch::allclose(a, e, 1e-5, 1e-5));
    }

    void ivfRecallOn20kBank()
    {
        // Normalised clustered 20k x 64 bank, default cells (floor(sqrt(N)) = 141) and nprobe 8.
        const int64_t k = 50;
        at::Tensor bank = clustered(20000, 64, 64, 11);
        bank = bank / bank.norm(2, 1, true).clamp_min(1e-12);
        at::Tensor q = clustered(500, 64, 64, 12);
        q = q / q.norm(2, 1, true).clamp_min(1e-12);
        const auto exact = nn::NearestNeighbours::exact(bank);
        const auto ivf = nn::NearestNeighbours::ivf(bank, nn::NearestNeighbours::defaultListCount(20000), 8);
        QCOMPARE(ivf.listCount(), int64_t{141});
        const auto e = exact.search(q, k), a = ivf.search(q, k);
        QVERIFY(torch::isfinite(a.distances).all().item<bool>());
        // Approximate search misses neighbours, never invents closer ones.
        QVERIFY((a.distances.select(1, k - 1) >= e.distances.select(1, k - 1) - 1e-6).all().item<bool>());
        int64_t found = 0;
        for (int64_t i = 0; i < q.size(0); ++i) {
            const at::Tensor truth = e.indices[i].contiguous();
            const std::set<int64_t> exactSet(truth.data_ptr<int64_t>(), truth.data_ptr<int64_t>() + k);
            const at::Tensor approx = a.indices[i].contiguous();
            for (int64_t j = 0; j < k; ++j)
                found += exactSet.count(approx.data_ptr<int64_t>()[j]);
        }
        const double recall = static_cast<double>(found) / static_cast<double>(q.size(0) * k);
        const double kthRatio =
            (a.distances.select(1, k - 1) / e.distances.select(1, k - 1)).mean().item<double>();
        qInfo("IVF recall@%lld on 20000x64 (nlist 141, nprobe 8): %.4f; mean r2_K ivf/exact %.4f",
              static_cast<long long>(k), recall, kthRatio);
        QVERIFY(recall > 0.5);
    }

    void searchRejectsBadInput()
    {
        const auto exact = nn::NearestNeighbours::exact(torch::rand({10, 4}));
        QVERIFY_THROWS_EXCEPTION(Error, exact.search(torch::rand({2, 5}), 1));
        QVERIFY_THROWS_EXCEPTION(Error, exact.search(torch::rand({2, 4}), 11));
        QVERIFY_THROWS_EXCEPTION(Error, exact.search(torch::rand({2, 4}), 0));
        QVERIFY_THROWS_EXCEPTION(Error, nn::NearestNeighbours::exact(torch::rand({0, 4})));
        QVERIFY_THROWS_EXCEPTION(Error, nn::NearestNeighbours::ivf(torch::rand({10, 4}), 11, 1));
    }

    void searchFromWorkerThread()
    {
        const at::Tensor bank = clustered(3000, 32, 8, 13), q = clustered(64, 32, 8, 14);
        const auto exact = nn::NearestNeighbours::exact(bank);
        const at::Tensor here = exact.kthSquaredDistance(q, 20);
        at::Tensor there;
        std::thread worker([&] { there = exact.kthSquaredDistance(q, 20); });
        worker.join();
        QVERIFY(torch::equal(here, there));
    }
};

QTEST_GUILESS_MAIN(KnnTest)
#include "knntest.moc"
