// DICE: the contribution mask and the score by hand, the strict threshold, the profile round trip
// of the fitted mask, and an independent numpy version.

#include "calib/profile.h"
#include "detect/registry.h"
#include "base/error.h"
#include "support/linearbackbone.h"
#include "support/systempython.h"

#include <QtTest>

#include <torch/torch.h>

#include <cmath>

using namespace ood;

namespace {

// TRAIN h = (1,2,0), (3,0,2) -> m̄ = (2,1,1). W = [[1,-1,2],[0.5,3,-2]]
// -> V = m̄_j·W_cj = [[2,-1,2],[1,3,-2]]; sorted entries -2,-1,1,2,2,3.
const at::Tensor &trainFeatures()
{
    static const at::Tensor h = torch::tensor({1.f, 2.f, 0.f, 3.f, 0.f, 2.f}).reshape({2, 3});
    return h;
}
const at::Tensor &weight()
{
    static const at::Tensor w = torch::tensor({1.f, -1.f, 2.f, 0.5f, 3.f, -2.f}).reshape({2, 3});
    return w;
}
const at::Tensor &bias()
{
    static const at::Tensor b = torch::tensor({0.1f, -0.2f});
    return b;
}

std::unique_ptr<Detector> fittedDice(double percentile, const at::Tensor &train = trainFeatures(),
                                     const at::Tensor &w = weight(), const at::Tensor &b = bias())
{
    auto detector = createDetector("dice");
    detector->setSetting("percentile", percentile);
    detector->fit(
        test::trainContext(train, std::vector<int64_t>(static_cast<size_t>(train.size(0)), 0), w, b));
    return detector;
}

} // namespace

class DiceTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void defaults()
    {
        auto detector = createDetector("dice");
        QCOMPARE(QString::fromStdString(detector->displayName()), QString("DICE"));
        QCOMPARE(detector->setting("percentile"), 90.0);
        QVERIFY(detector->referenceIsIdHigh());
        QVERIFY(detector->needs().fit.trainData);
    }

    // numpy.percentile of (-2,-1,1,2,2,3): q = (P/100)·5.
    void maskByHand_data()
    {
        QTest::addColumn<double>("percentile");
        QTest::addColumn<double>("threshold");
        QTest::addColumn<QVector<int>>("mask");
        QTest::newRow("50: q = 2.5 -> 1.5") << 50.0 << 1.5 << QVector<int>{1, 0, 1, 0, 1, 0};
        QTest::newRow("60: q = 3 -> 2, entries equal to 2 dropped")
            << 60.0 << 2.0 << QVector<int>{0, 0, 0, 0, 1, 0};
        QTest::newRow("90: q = 4.5 -> 2.5") << 90.0 << 2.5 << QVector<int>{0, 0, 0, 0, 1, 0};
        QTest::newRow("10: q = 0.5 -> -1.5") << 10.0 << -1.5 << QVector<int>{1, 1, 1, 1, 1, 0};
    }

    void maskByHand()
    {
        QFETCH(double, percentile);
        QFETCH(double, threshold);
        QFETCH(QVector<int>, mask);
        const DetectorState state = fittedDice(percentile)->state();
        QCOMPARE(state.at("threshold").item<double>(), threshold);
        const at::Tensor m = state.at("mask");
        QCOMPARE(m.scalar_type(), torch::kBool);
        QCOMPARE(m.sizes().vec(), (std::vector<int64_t>{2, 3}));
        const at::Tensor flat = m.to(torch::kInt32).contiguous().reshape({-1});
        for (int i = 0; i < mask.size(); ++i)
            QCOMPARE(flat[i].item<int>(), mask[i]);
    }

    // P = 50: W⊙M = [[1,0,2],[0,3,0]]; h = (1,1,1) -> z = (3.1, 2.8); h = (0,2,0.5) -> z = (1.1, 5.8).
    void scoreByHand()
    {
        const auto detector = fittedDice(50);
        const at::Tensor h = torch::tensor({1.f, 1.f, 1.f, 0.f, 2.f, 0.5f}).reshape({2, 3});
        const at::Tensor s = test::scoreFeatures(*detector, h, weight(), bias());
        const double b0 = static_cast<double>(0.1f), b1 = static_cast<double>(-0.2f);
        QVERIFY(std::abs(s[0].item<double>() + std::log(std::exp(3 + b0) + std::exp(3 + b1))) < 1e-12);
        QVERIFY(std::abs(s[1].item<double>() + std::log(std::exp(1 + b0) + std::exp(6 + b1))) < 1e-12);
        // Higher = more OOD: the second sample has the larger energy, so the lower score.
        QVERIFY(s[1].item<double>() < s[0].item<double>());
    }

    void emptyMaskIsAnError()
    {
        // P = 100: the threshold is the largest contribution, and nothing lies strictly above it.
        try {
            fittedDice(100);
            QFAIL("fit accepted an empty mask");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("keeps no weight"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, fittedDice(-5));
    }

    void maskMustMatchTheModel()
    {
        const auto detector = fittedDice(50);
        QVERIFY_THROWS_EXCEPTION(Error, test::scoreFeatures(*detector, torch::ones({1, 4}),
                                                            torch::ones({2, 4}), torch::zeros({2})));
    }

    void profileRoundTrip()
    {
        torch::manual_seed(3);
        const at::Tensor w = torch::randn({3, 8}), b = torch::randn({3});
        Profile profile;
        profile.model.architecture = "resnet18";
        profile.model.modelPath = "/models/m.pt";
        profile.model.sha256 = std::string(64, 'b');
        profile.model.numClasses = 3;
        profile.model.featureDim = 8;
        profile.model.classNames = {"a", "b", "c"};
        profile.model.input.width = profile.model.input.height = 32;
        profile.trainCount = 20;
        profile.validationCount = 6;
        ProfileDetector entry;
        entry.detector = fittedDice(80, torch::rand({20, 8}), w, b);
        entry.validationScores = torch::rand({6}, torch::kFloat64);
        entry.threshold = 0.5;
        profile.detectors.push_back(std::move(entry));
        QTemporaryDir dir;
        saveProfile(profile, dir.filePath("p.oodprofile"));
        const Profile loaded = loadProfile(dir.filePath("p.oodprofile"));
        QCOMPARE(loaded.detectors.size(), size_t{1});
        const Detector &restored = *loaded.detectors[0].detector;
        const Detector &original = *profile.detectors[0].detector;
        QVERIFY(torch::equal(restored.state().at("mask"), original.state().at("mask")));
        QCOMPARE(restored.state().at("threshold").item<double>(),
                 original.state().at("threshold").item<double>());
        QCOMPARE(restored.setting("percentile"), 80.0);
        const at::Tensor query = torch::rand({5, 8});
        QVERIFY(torch::equal(test::scoreFeatures(restored, query, w, b),
                             test::scoreFeatures(original, query, w, b)));

        auto unfitted = createDetector("dice");
        DetectorState state = original.state();
        state.erase("mask");
        QVERIFY_THROWS_EXCEPTION(Error, unfitted->setState(state));
    }

    // Signed features are fine for DICE (only the mean contribution matters); numpy computes the
    // mean, np.percentile (linear), the strict mask and the energy independently.
    void matchesNumpy_data()
    {
        QTest::addColumn<double>("percentile");
        QTest::addColumn<bool>("signedFeatures");
        QTest::newRow("default 90, ReLU features") << 90.0 << false;
        QTest::newRow("70, signed features") << 70.0 << true;
    }

    void matchesNumpy()
    {
        QFETCH(double, percentile);
        QFETCH(bool, signedFeatures);
        if (!test::systemPythonHas("numpy"))
            OOD_SKIP_WITHOUT_REFERENCE("system Python with numpy not available");
        torch::manual_seed(19);
        const int64_t n = 48, c = 6;
        const at::Tensor raw = torch::randn({40, n}) + 0.3;
        const at::Tensor train = signedFeatures ? raw : torch::relu(raw);
        const at::Tensor test = signedFeatures ? torch::randn({15, n}) : torch::relu(torch::randn({15, n}));
        const at::Tensor w = torch::randn({c, n}), b = torch::randn({c});
        QTemporaryDir dir;
        for (const auto &[name, tensor] : std::vector<std::pair<QString, at::Tensor>>{
                 {"train", train}, {"test", test}, {"w", w}, {"b", b}}) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(test::float64Bytes(tensor));
        }
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON,
                     {"-c",
                      "import sys, numpy as np\n"
                      "d, n, c, p = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])\n"
                      "train = np.fromfile(d + '/train').reshape(-1, n)\n"
                      "test = np.fromfile(d + '/test').reshape(-1, n)\n"
                      "w = np.fromfile(d + '/w').reshape(c, n)\n"
                      "b = np.fromfile(d + '/b')\n"
                      "contrib = train.mean(axis=0)[None, :] * w\n"
                      "mask = contrib > np.percentile(contrib, p)\n"
                      "z = test @ (w * mask).T + b\n"
                      "m = z.max(axis=1, keepdims=True)\n"
                      "s = -(m[:, 0] + np.log(np.exp(z - m).sum(axis=1)))\n"
                      "np.concatenate([s, mask.astype(np.float64).ravel()]).tofile(d + '/out')\n",
                      dir.path(), QString::number(n), QString::number(c), QString::number(percentile)});
        QVERIFY(python.waitForFinished(120000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        QFile out(dir.filePath("out"));
        QVERIFY(out.open(QIODevice::ReadOnly));
        const QByteArray bytes = out.readAll();
        QCOMPARE(bytes.size(), static_cast<int>((15 + c * n) * 8));
        const auto *reference = reinterpret_cast<const double *>(bytes.constData());

        const auto detector = fittedDice(percentile, train, w, b);
        const at::Tensor mask = detector->state().at("mask").to(torch::kFloat64).contiguous().reshape({-1});
        for (int64_t i = 0; i < c * n; ++i)
            QCOMPARE(mask[i].item<double>(), reference[15 + i]);
        const at::Tensor s = test::scoreFeatures(*detector, test, w, b);
        for (int64_t r = 0; r < 15; ++r) {
            const double expected = reference[r], got = s[r].item<double>();
            QVERIFY2(
                std::abs(got - expected) <= 1e-9 * std::max(1.0, std::abs(expected)),
                qPrintable(
                    QString("row %1: %2 vs numpy %3").arg(r).arg(got, 0, 'g', 17).arg(expected, 0, 'g', 17)));
        }
    }
};

QTEST_GUILESS_MAIN(DiceTest)
#include "dicetest.moc"
