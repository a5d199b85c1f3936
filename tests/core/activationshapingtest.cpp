// ASH-B/S/P and SCALE: the number kept (half-to-even rounding), hand-computed shaped scores, the
// tie order, the guards for signed features and empty top-k, and an independent numpy version.

#include "detect/registry.h"
#include "base/error.h"
#include "support/linearbackbone.h"
#include "support/systempython.h"

#include <QtTest>

#include <torch/torch.h>

#include <cmath>

using namespace ood;

namespace {

double lse(std::initializer_list<double> v)
{
    double sum = 0;
    for (double x : v)
        sum += std::exp(x);
    return std::log(sum);
}

std::unique_ptr<Detector> fitted(const std::string &id, const at::Tensor &train, const at::Tensor &w,
                                 const at::Tensor &b, double percentile = -1)
{
    auto detector = createDetector(id);
    if (percentile >= 0)
        detector->setSetting("percentile", percentile);
    detector->fit(
        test::trainContext(train, std::vector<int64_t>(static_cast<size_t>(train.size(0)), 0), w, b));
    return detector;
}

} // namespace

class ActivationShapingTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void registeredWithDefaults_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("name");
        QTest::addColumn<double>("percentile");
        QTest::newRow("ash is ASH-B@90 (OpenOOD)") << "ash"
                                                   << "ASH-B" << 90.0;
        QTest::newRow("ash_s") << "ash_s"
                               << "ASH-S" << 90.0;
        QTest::newRow("ash_p") << "ash_p"
                               << "ASH-P" << 90.0;
        QTest::newRow("scale") << "scale"
                               << "SCALE" << 85.0;
    }

    void registeredWithDefaults()
    {
        QFETCH(QString, id);
        QFETCH(QString, name);
        QFETCH(double, percentile);
        auto detector = createDetector(id.toStdString());
        QCOMPARE(QString::fromStdString(detector->displayName()), name);
        QCOMPARE(detector->setting("percentile"), percentile);
        QVERIFY(detector->referenceIsIdHigh());
        QVERIFY(detector->needs().fit.trainData);
    }

    // k = n - round_half_even(n·P/100), observed through ASH-P with h_j = j (1..n) and a single
    // all-ones class: the score is minus the sum of the k largest, -(k(2n-k+1)/2).
    void keptCount_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<double>("percentile");
        QTest::addColumn<int>("k");
        QTest::newRow("10 @ 90") << 10 << 90.0 << 1;
        QTest::newRow("512 @ 90: round(460.8) = 461") << 512 << 90.0 << 51;
        QTest::newRow("512 @ 65: round(332.8) = 333") << 512 << 65.0 << 179;
        QTest::newRow("512 @ 85: round(435.2) = 435") << 512 << 85.0 << 77;
        QTest::newRow("384 @ 90: round(345.6) = 346") << 384 << 90.0 << 38;
        QTest::newRow("10 @ 25: round(2.5) = 2 (half to even)") << 10 << 25.0 << 8;
        QTest::newRow("10 @ 35: round(3.5) = 4 (half to even)") << 10 << 35.0 << 6;
        QTest::newRow("10 @ 15: round(1.5) = 2 (half to even)") << 10 << 15.0 << 8;
        QTest::newRow("10 @ 0 keeps all") << 10 << 0.0 << 10;
    }

    void keptCount()
    {
        QFETCH(int, n);
        QFETCH(double, percentile);
        QFETCH(int, k);
        const at::Tensor h = torch::arange(1, n + 1, torch::kFloat32).reshape({1, n});
        const at::Tensor w = torch::ones({1, n}), b = torch::zeros({1});
        const auto detector = fitted("ash_p", h, w, b, percentile);
        const double s = test::scoreFeatures(*detector, h, w, b)[0].item<double>();
        QCOMPARE(s, -static_cast<double>(k) * (2.0 * n - k + 1) / 2.0);
    }

    // n = 4, h = (3, 1, 0, 2), P = 50 -> k = 2, kept indices 0 and 3; s1 = 6, s2 = 5.
    // W = [[1,1,0,0],[0,0,1,1]], b = (0, 0.5).
    //   ASH-P: h' = (3,0,0,2)               -> z = (3, 2.5)
    //   ASH-B: h' = (3,0,0,3) (s1/k = 3)    -> z = (3, 3.5)
    //   ASH-S: h' = (3,0,0,2)·e^{6/5}       -> z = (3e^1.2, 2e^1.2 + 0.5)
    //   SCALE: h' = (3,1,0,2)·e^{6/5}       -> z = (4e^1.2, 2e^1.2 + 0.5)
    void handComputed_data()
    {
        const double e = std::exp(1.2);
        QTest::addColumn<QString>("id");
        QTest::addColumn<double>("expected");
        QTest::newRow("ash_p") << "ash_p" << -lse({3.0, 2.5});
        QTest::newRow("ash") << "ash" << -lse({3.0, 3.5});
        QTest::newRow("ash_s") << "ash_s" << -lse({3 * e, 2 * e + 0.5});
        QTest::newRow("scale") << "scale" << -lse({4 * e, 2 * e + 0.5});
    }

    void handComputed()
    {
        QFETCH(QString, id);
        QFETCH(double, expected);
        const at::Tensor h = torch::tensor({3.f, 1.f, 0.f, 2.f}).reshape({1, 4});
        const at::Tensor w = torch::tensor({1.f, 1.f, 0.f, 0.f, 0.f, 0.f, 1.f, 1.f}).reshape({2, 4});
        const at::Tensor b = torch::tensor({0.f, 0.5f});
        const auto detector = fitted(id.toStdString(), h, w, b, 50);
        const double s = test::scoreFeatures(*detector, h, w, b)[0].item<double>();
        QVERIFY2(std::abs(s - expected) < 1e-12,
                 qPrintable(QString("%1 vs %2").arg(s, 0, 'g', 17).arg(expected, 0, 'g', 17)));
    }

    // h = (1, 2, 2, 0), P = 75 -> k = 1: the tie at value 2 keeps the lower index (1).
    // W picks neuron 1 into class 0 and neuron 2 into class 1, b = (0, 1).
    //   ASH-P keeps h_1 = 2 -> z = (2, 1) (keeping h_2 instead would give (0, 3));
    //   ASH-B sets h_1 = s1/k = 5 -> z = (5, 1) (not (0, 6)).
    void tiesKeepTheLowerIndex_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<double>("expected");
        QTest::newRow("ash_p") << "ash_p" << -lse({2.0, 1.0});
        QTest::newRow("ash") << "ash" << -lse({5.0, 1.0});
    }

    void tiesKeepTheLowerIndex()
    {
        QFETCH(QString, id);
        QFETCH(double, expected);
        const at::Tensor h = torch::tensor({1.f, 2.f, 2.f, 0.f}).reshape({1, 4});
        const at::Tensor w = torch::tensor({0.f, 1.f, 0.f, 0.f, 0.f, 0.f, 1.f, 0.f}).reshape({2, 4});
        const at::Tensor b = torch::tensor({0.f, 1.f});
        const auto detector = fitted(id.toStdString(), h, w, b, 75);
        QVERIFY(std::abs(test::scoreFeatures(*detector, h, w, b)[0].item<double>() - expected) < 1e-12);
    }

    // Higher = more OOD: a feature vector with more energy behind the predicted class scores lower.
    void signConvention_data()
    {
        QTest::addColumn<QString>("id");
        for (const char *id : {"ash", "ash_s", "ash_p", "scale"})
            QTest::newRow(id) << id;
    }

    void signConvention()
    {
        QFETCH(QString, id);
        const at::Tensor w = torch::eye(4), b = torch::zeros({4});
        const at::Tensor h = torch::tensor({8.f, 0.5f, 0.2f, 0.1f, 1.f, 1.f, 1.f, 1.f}).reshape({2, 4});
        const auto detector = fitted(id.toStdString(), h, w, b, 50);
        const at::Tensor s = test::scoreFeatures(*detector, h, w, b);
        QVERIFY(s[0].item<double>() < s[1].item<double>());
    }

    void signedTrainingFeaturesAreRejected_data() { signConvention_data(); }

    void signedTrainingFeaturesAreRejected()
    {
        QFETCH(QString, id);
        const at::Tensor w = torch::eye(3), b = torch::zeros({3});
        const at::Tensor train = torch::tensor({1.f, 0.f, 2.f, 0.5f, -0.25f, 1.f}).reshape({2, 3});
        try {
            fitted(id.toStdString(), train, w, b, 50);
            QFAIL("fit accepted signed features");
        } catch (const Error &e) {
            const QString message = e.what();
            QVERIFY2(message.contains("non-negative") && message.contains("1 of 2") &&
                         message.contains("-0.25"),
                     e.what());
        }
    }

    // Once fitted on a ReLU model, a sample with a negative entry is outside the method: NaN
    // for that sample only. An all-zero h stays zero (its score is -LSE(b)).
    void negativeAtScoreTimeIsNaN_data() { signConvention_data(); }

    void negativeAtScoreTimeIsNaN()
    {
        QFETCH(QString, id);
        const at::Tensor w = torch::eye(3), b = torch::tensor({0.f, 1.f, 2.f});
        const auto detector = fitted(id.toStdString(), torch::ones({2, 3}), w, b, 50);
        const at::Tensor h = torch::tensor({1.f, 2.f, 3.f, 1.f, -1.f, 3.f, 0.f, 0.f, 0.f}).reshape({3, 3});
        const at::Tensor s = test::scoreFeatures(*detector, h, w, b);
        QVERIFY(std::isfinite(s[0].item<double>()));
        QVERIFY(std::isnan(s[1].item<double>()));
        QVERIFY(std::abs(s[2].item<double>() + lse({0.0, 1.0, 2.0})) < 1e-12);
    }

    // n = 10: P = 95 gives round(9.5) = 10 (half to even) -> k = 0; P = 100 -> k = 0.
    void emptyTopKIsAnError_data()
    {
        QTest::addColumn<double>("percentile");
        QTest::newRow("95 rounds 9.5 up to 10") << 95.0;
        QTest::newRow("100") << 100.0;
        QTest::newRow("out of range") << 120.0;
    }

    void emptyTopKIsAnError()
    {
        QFETCH(double, percentile);
        const at::Tensor w = torch::ones({1, 10}), b = torch::zeros({1});
        QVERIFY_THROWS_EXCEPTION(Error, fitted("ash", torch::rand({3, 10}), w, b, percentile));
        // The same guard at score time, when the setting is changed after fitting.
        auto detector = fitted("scale", torch::rand({3, 10}), w, b);
        detector->setSetting("percentile", percentile);
        QVERIFY_THROWS_EXCEPTION(Error, test::scoreFeatures(*detector, torch::rand({2, 10}), w, b));
    }

    void settingsRoundTrip()
    {
        auto detector = createDetector("ash_s");
        detector->setSetting("percentile", 95);
        auto restored = createDetector("ash_s");
        restored->setState(detector->state());
        QCOMPARE(restored->setting("percentile"), 95.0);
    }

    // An independent version in numpy: k from np.round, top-k by a stable argsort of -h (value
    // descending, index ascending), the shaping and the energy in its log-sum-exp form.
    void matchesNumpy_data()
    {
        QTest::addColumn<double>("ashPercentile");
        QTest::addColumn<double>("scalePercentile");
        QTest::newRow("defaults") << 90.0 << 85.0;
        QTest::newRow("65: k = 64 - round(41.6) = 22") << 65.0 << 65.0;
    }

    void matchesNumpy()
    {
        QFETCH(double, ashPercentile);
        QFETCH(double, scalePercentile);
        if (!test::systemPythonHas("numpy"))
            OOD_SKIP_WITHOUT_REFERENCE("system Python with numpy not available");
        torch::manual_seed(7);
        const int64_t n = 64, c = 5, count = 25;
        // ReLU-like features with exact zeros; rows 0-4 have 8 equal large entries, so the top-k
        // boundary falls inside a tie; row 5 is all zero.
        at::Tensor h = torch::relu(torch::randn({count, n})) * 2;
        h.narrow(0, 0, 5).narrow(1, 0, 8).fill_(5.0);
        h[5].zero_();
        const at::Tensor w = torch::randn({c, n}) * 0.3, b = torch::randn({c});
        const std::vector<std::pair<std::string, double>> ids = {{"ash", ashPercentile},
                                                                 {"ash_s", ashPercentile},
                                                                 {"ash_p", ashPercentile},
                                                                 {"scale", scalePercentile}};

        QTemporaryDir dir;
        for (const auto &[name, tensor] :
             std::vector<std::pair<QString, at::Tensor>>{{"h", h}, {"w", w}, {"b", b}}) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(test::float64Bytes(tensor));
        }
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON, {"-c",
                                         "import sys, numpy as np\n"
                                         "d, n, c, ash_p, scale_p = sys.argv[1], int(sys.argv[2]), "
                                         "int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])\n"
                                         "h = np.fromfile(d + '/h').reshape(-1, n)\n"
                                         "w = np.fromfile(d + '/w').reshape(c, n)\n"
                                         "b = np.fromfile(d + '/b')\n"
                                         "def energy(x):\n"
                                         "    z = x @ w.T + b\n"
                                         "    m = z.max(axis=1, keepdims=True)\n"
                                         "    return -(m[:, 0] + np.log(np.exp(z - m).sum(axis=1)))\n"
                                         "def shape(variant, p):\n"
                                         "    k = n - int(np.round(n * p / 100.0))\n"
                                         "    out = np.zeros_like(h)\n"
                                         "    for r, row in enumerate(h):\n"
                                         "        top = np.argsort(-row, kind='stable')[:k]\n"
                                         "        s1, s2 = row.sum(), row[top].sum()\n"
                                         "        f = np.exp(s1 / s2) if s2 > 0 else 1.0\n"
                                         "        if variant == 'ash': out[r, top] = s1 / k\n"
                                         "        elif variant == 'ash_s': out[r, top] = row[top] * f\n"
                                         "        elif variant == 'ash_p': out[r, top] = row[top]\n"
                                         "        else: out[r] = row * f\n"
                                         "    return out\n"
                                         "res = [energy(shape(v, ash_p if v != 'scale' else scale_p)) for v "
                                         "in ('ash', 'ash_s', 'ash_p', 'scale')]\n"
                                         "np.array(res).tofile(d + '/s')\n",
                                         dir.path(), QString::number(n), QString::number(c),
                                         QString::number(ashPercentile), QString::number(scalePercentile)});
        QVERIFY(python.waitForFinished(120000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        QFile out(dir.filePath("s"));
        QVERIFY(out.open(QIODevice::ReadOnly));
        const QByteArray bytes = out.readAll();
        QCOMPARE(bytes.size(), static_cast<int>(ids.size() * count * 8));
        const auto *reference = reinterpret_cast<const double *>(bytes.constData());
        for (size_t i = 0; i < ids.size(); ++i) {
            const auto detector = fitted(ids[i].first, h, w, b, ids[i].second);
            const at::Tensor s = test::scoreFeatures(*detector, h, w, b);
            for (int64_t r = 0; r < count; ++r) {
                const double expected = reference[static_cast<int64_t>(i) * count + r];
                const double got = s[r].item<double>();
                QVERIFY2(std::abs(got - expected) <= 1e-9 * std::max(1.0, std::abs(expected)),
                         qPrintable(QString("%1 row %2: %3 vs numpy %4")
                                        .arg(QString::fromStdString(ids[i].first))
                                        .arg(r)
                                        .arg(got, 0, 'g', 17)
                                        .arg(expected, 0, 'g', 17)));
            }
        }
    }
};

QTEST_GUILESS_MAIN(ActivationShapingTest)
#include "activationshapingtest.moc"
