// TempScaling: the converged temperature against a closed form and a brute-force zooming grid; the
// OpenOOD-exact temperature against the 1-D LBFGS recursion of docs/detectors.md (TempScaling)
// written out here and against Python's torch.optim.LBFGS run as OpenOOD runs it; the
// unlabelled-validation error.

#include "detect/registry.h"
#include "base/error.h"
#include "support/linearbackbone.h"
#include "support/systempython.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <cmath>

using namespace ood;

namespace {

struct Logits
{
    std::vector<std::vector<double>> z;
    std::vector<int64_t> labels;
};

FitContext validationContext(const Logits &v)
{
    FitContext context;
    std::vector<double> flat;
    for (const auto &row : v.z)
        flat.insert(flat.end(), row.begin(), row.end());
    const auto n = static_cast<int64_t>(v.z.size());
    context.val.logits = torch::tensor(flat, torch::kFloat64).reshape({n, -1}).to(torch::kFloat32);
    context.val.features = torch::zeros({n, 2});
    context.val.labels = torch::tensor(v.labels, torch::kInt64);
    return context;
}

// Logits as the detector sees them (rounded to float32, as fit() receives them), back in double.
Logits asFitSees(const Logits &v)
{
    Logits r = v;
    for (auto &row : r.z)
        for (double &x : row)
            x = static_cast<double>(static_cast<float>(x));
    return r;
}

// Mean NLL of softmax(z/T) and its derivative in T, by explicit loops:
// dL/dT = mean (z_y - sum_c p_c z_c) / T^2. The grid search runs it in long double: near the
// minimum the NLL moves by ~1e-14 for a 1e-6 change of T, at the edge of double rounding.
template <typename Real> void nll(const Logits &v, Real t, Real &loss, Real &gradient)
{
    loss = gradient = 0;
    for (size_t i = 0; i < v.z.size(); ++i) {
        const auto &z = v.z[i];
        Real m = -1e300;
        for (double x : z)
            m = std::max<Real>(m, x / t);
        Real sum = 0, weighted = 0;
        for (double x : z) {
            sum += std::exp(x / t - m);
            weighted += std::exp(x / t - m) * x;
        }
        const Real zy = z[static_cast<size_t>(v.labels[i])];
        loss += m + std::log(sum) - zy / t;
        gradient += (zy - weighted / sum) / (t * t);
    }
    loss /= static_cast<Real>(v.z.size());
    gradient /= static_cast<Real>(v.z.size());
}

// The 1-D reduction of torch's LBFGS (lr 0.01, 50 iterations, no line search) given in
// docs/detectors.md, TempScaling.
double lbfgsRecursion(const Logits &v)
{
    double t = 1.5, loss = 0, g = 0;
    nll<double>(v, t, loss, g);
    if (std::abs(g) <= 1e-7)
        return t;
    bool stored = false;
    double sStored = 0, yStored = 0, d = 0, step = 0, gPrevious = 0;
    for (int k = 1; k <= 50; ++k) {
        if (k == 1) {
            d = -g;
        } else {
            // g_prev, step and d still hold the previous iteration's values here.
            const double y = g - gPrevious, s = step * d;
            if (y * s > 1e-10) {
                stored = true;
                sStored = s;
                yStored = y;
            }
            d = stored ? -g * sStored / yStored : -g;
        }
        gPrevious = g;
        const double lossPrevious = loss;
        step = k == 1 ? 0.01 * std::min(1.0, 1 / std::abs(g)) : 0.01;
        if (g * d > -1e-9)
            break;
        t += step * d;
        if (k == 50)
            break;
        nll<double>(v, t, loss, g);
        if (std::abs(g) <= 1e-7 || std::abs(step * d) <= 1e-9 || std::abs(loss - lossPrevious) < 1e-9)
            break;
    }
    return t;
}
// Brute force: the NLL minimiser over T by a log-spaced grid, zoomed around the best point.
double gridMinimiser(const Logits &v)
{
    long double low = std::log(0.05L), high = std::log(50.0L);
    long double best = 0;
    for (int round = 0; round < 6; ++round) {
        const int points = 2001;
        long double bestLoss = 1e300L;
        for (int i = 0; i < points; ++i) {
            const long double u = low + (high - low) * i / (points - 1);
            long double loss = 0, g = 0;
            nll<long double>(v, std::exp(u), loss, g);
            if (loss < bestLoss) {
                bestLoss = loss;
                best = u;
            }
        }
        const long double width = (high - low) / (points - 1);
        low = best - 2 * width;
        high = best + 2 * width;
    }
    return static_cast<double>(std::exp(best));
}

// 3 classes, labels drawn from softmax(z/2.5): over-confident logits, so T* is well above 1.
Logits overconfident(int64_t n, uint64_t seed)
{
    torch::manual_seed(seed);
    const at::Tensor z = torch::randn({n, 3}, torch::kFloat64) * 3;
    const at::Tensor y = torch::multinomial(torch::softmax(z / 2.5, 1), 1).squeeze(1);
    Logits v;
    for (int64_t i = 0; i < n; ++i) {
        v.z.push_back({z[i][0].item<double>(), z[i][1].item<double>(), z[i][2].item<double>()});
        v.labels.push_back(y[i].item<int64_t>());
    }
    return asFitSees(v);
}

double fittedTemperature(Detector &detector)
{
    return detector.state().at("temperature").item<double>();
}

} // namespace

class TempScaleTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void convergedClosedForm_data()
    {
        QTest::addColumn<double>("margin");
        QTest::addColumn<int>("correct");
        QTest::addColumn<int>("wrong");
        QTest::newRow("m 2, 3 of 4") << 2.0 << 3 << 1;
        QTest::newRow("m 3, 9 of 10") << 3.0 << 9 << 1;
        QTest::newRow("m 0.5, 7 of 8") << 0.5 << 7 << 1;
    }

    void convergedClosedForm()
    {
        // Every image has logits (m, 0); a share q has label 0. dL/dbeta = m(sigmoid(beta m) - q)
        // vanishes at beta m = ln(q/(1-q)), so T* = m / ln(correct/wrong).
        QFETCH(double, margin);
        QFETCH(int, correct);
        QFETCH(int, wrong);
        Logits v;
        for (int i = 0; i < correct + wrong; ++i) {
            v.z.push_back({margin, 0});
            v.labels.push_back(i < correct ? 0 : 1);
        }
        auto detector = createDetector("tempscale");
        detector->setSetting("optimiser", 1);
        detector->fit(validationContext(v));
        const double expected = margin / std::log(static_cast<double>(correct) / wrong);
        const double t = fittedTemperature(*detector);
        QVERIFY2(std::abs(t - expected) < 1e-6 * expected,
                 qPrintable(QString("%1 vs %2").arg(t, 0, 'g', 15).arg(expected, 0, 'g', 15)));
    }

    void convergedMatchesGrid()
    {
        const Logits v = overconfident(200, 3);
        auto detector = createDetector("tempscale");
        detector->setSetting("optimiser", 1);
        detector->fit(validationContext(v));
        const double t = fittedTemperature(*detector), grid = gridMinimiser(v);
        QVERIFY2(std::abs(t - grid) < 1e-6,
                 qPrintable(QString("%1 vs grid %2").arg(t, 0, 'g', 15).arg(grid, 0, 'g', 15)));
        double loss = 0, g = 0;
        nll<double>(v, t, loss, g);
        QVERIFY2(std::abs(t * g) < 1e-9, qPrintable(QString::number(t * g)));
    }

    void openOodMatchesRecursion()
    {
        const Logits v = overconfident(200, 3);
        auto detector = createDetector("tempscale");
        QCOMPARE(detector->setting("optimiser"), 0.0);
        detector->fit(validationContext(v));
        const double t = fittedTemperature(*detector), expected = lbfgsRecursion(v);
        QVERIFY2(std::abs(t - expected) < 1e-6,
                 qPrintable(QString("%1 vs %2").arg(t, 0, 'g', 15).arg(expected, 0, 'g', 15)));
        // The point of the option: 50 steps of 1% of a Newton step stop well short of T*.
        const double optimum = gridMinimiser(v);
        QVERIFY2(t > 1.5 + 0.1 && t < optimum - 0.1, qPrintable(QString("%1, T* %2").arg(t).arg(optimum)));
    }

    void openOodMatchesPythonLbfgs()
    {
        if (!test::systemPythonHas("torch, numpy"))
            OOD_SKIP_WITHOUT_REFERENCE("system Python with torch and numpy not available");
        const Logits v = overconfident(300, 11);
        QTemporaryDir dir;
        std::vector<double> flat;
        for (const auto &row : v.z)
            flat.insert(flat.end(), row.begin(), row.end());
        QFile zFile(dir.filePath("z.raw")), yFile(dir.filePath("y.raw"));
        QVERIFY(zFile.open(QIODevice::WriteOnly) && yFile.open(QIODevice::WriteOnly));
        zFile.write(reinterpret_cast<const char *>(flat.data()),
                    static_cast<qint64>(flat.size() * sizeof(double)));
        yFile.write(reinterpret_cast<const char *>(v.labels.data()),
                    static_cast<qint64>(v.labels.size() * sizeof(int64_t)));
        zFile.close();
        yFile.close();
        // OpenOOD's temp_scaling setup, in float64.
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON,
                     {"-c",
                      "import sys, numpy as np, torch\n"
                      "z = torch.from_numpy(np.fromfile(sys.argv[1], dtype=np.float64).reshape(-1, 3))\n"
                      "y = torch.from_numpy(np.fromfile(sys.argv[2], dtype=np.int64))\n"
                      "t = torch.nn.Parameter(torch.ones(1, dtype=torch.float64) * 1.5)\n"
                      "opt = torch.optim.LBFGS([t], lr=0.01, max_iter=50)\n"
                      "def closure():\n"
                      "    opt.zero_grad()\n"
                      "    loss = torch.nn.functional.cross_entropy(z / t, y)\n"
                      "    loss.backward()\n"
                      "    return loss\n"
                      "opt.step(closure)\n"
                      "print(repr(t.item()))\n",
                      dir.filePath("z.raw"), dir.filePath("y.raw")});
        QVERIFY(python.waitForFinished(120000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        bool ok = false;
        const double expected = QString::fromUtf8(python.readAllStandardOutput()).trimmed().toDouble(&ok);
        QVERIFY(ok);
        auto detector = createDetector("tempscale");
        detector->fit(validationContext(v));
        const double t = fittedTemperature(*detector);
        QVERIFY2(std::abs(t - expected) < 1e-6,
                 qPrintable(QString("%1 vs torch %2").arg(t, 0, 'g', 15).arg(expected, 0, 'g', 15)));
    }

    void unlabelledValidationIsRefused()
    {
        Logits v = overconfident(20, 5);
        for (int64_t &label : v.labels)
            label = -1;
        auto detector = createDetector("tempscale");
        QVERIFY(detector->needs().fit.valData && detector->needs().fit.valLabels);
        try {
            detector->fit(validationContext(v));
            QFAIL("no error for an unlabelled validation set");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("labelled validation folder"), e.what());
        }
        FitContext noLabels = validationContext(overconfident(20, 5));
        noLabels.val.labels = at::Tensor();
        QVERIFY_THROWS_EXCEPTION(Error, detector->fit(noLabels));
        QVERIFY_THROWS_EXCEPTION(Error, detector->fit(FitContext{}));
    }

    void scoreAndRoundTrip()
    {
        auto fitted = createDetector("tempscale");
        fitted->setSetting("optimiser", 1);
        fitted->fit(validationContext(overconfident(200, 3)));
        const double t = fittedTemperature(*fitted);
        auto restored = createDetector("tempscale");
        restored->setState(fitted->state());
        QCOMPARE(restored->setting("optimiser"), 1.0);

        // -max softmax(z/T) by hand for z = (2, 0, -1) (features = logits through an identity head).
        const at::Tensor w = torch::eye(3), b = torch::zeros({3});
        const at::Tensor h = torch::tensor({2.f, 0.f, -1.f, 0.5f, 0.4f, 0.45f}).reshape({2, 3});
        const at::Tensor s = test::scoreFeatures(*restored, h, w, b);
        QVERIFY(torch::equal(s, test::scoreFeatures(*fitted, h, w, b)));
        const double expected = -1 / (1 + std::exp(-2 / t) + std::exp(-3 / t));
        QVERIFY2(std::abs(s[0].item<double>() - expected) < 1e-12,
                 qPrintable(QString::number(s[0].item<double>())));
        // The nearly uniform frame is the more OOD one.
        QVERIFY(s[1].item<double>() > s[0].item<double>());
    }
};

QTEST_GUILESS_MAIN(TempScaleTest)
#include "tempscaletest.moc"
