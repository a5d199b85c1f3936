// PRO (docs/detectors.md, pro_* and the PRO notes) against closed forms on a linear network and
// against an independent re-derivation with Python torch autograd on a small convolutional network;
// the graph on x_0 that PRO shares with ODIN, and the passes every gradient detector declares
// (docs/detectors.md, "Cost in passes") against a hand count and a count of the calls.
//
// Closed form used below: with two classes and logits W x + b, every PRO base score g is an
// increasing function of |m|, m = z_0 - z_1, and grad_x g = f'(|m|) sign(m) (w_0 - w_1). One step
// therefore moves m by -eps * sign(m) * L with L = ||w_0 - w_1||_1, and g(x_t) = f(|m_t|).

#include "detect/registry.h"
#include "model/countingbackbone.h"
#include "base/error.h"
#include "model/backbone.h"
#include "model/resnet.h"
#include "pipeline/scorer.h"
#include "support/linearbackbone.h"
#include "support/systempython.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <atomic>
#include <cmath>
#include <thread>

using namespace ood;

namespace {

const std::vector<std::string> kProIds = {"pro_msp", "pro_ent", "pro_msp_t", "pro_gen"};

/// The base score g of each variant, in double, from a probability vector.
double baseScore(const std::string &id, const std::vector<double> &logits, double temperature, double gamma)
{
    const double t = id == "pro_msp_t" ? temperature : 1.0;
    double top = logits[0];
    for (double z : logits)
        top = std::max(top, z);
    double sum = 0;
    for (double z : logits)
        sum += std::exp((z - top) / t);
    std::vector<double> p;
    for (double z : logits)
        p.push_back(std::exp((z - top) / t) / sum);
    if (id == "pro_msp" || id == "pro_msp_t")
        return *std::max_element(p.begin(), p.end());
    double value = 0;
    for (double pc : p)
        value += id == "pro_ent" ? pc * std::log(pc + 1e-10) : -std::pow(pc, gamma) * std::pow(1 - pc, gamma);
    return value;
}

/// Two-class linear network: w_0 - w_1 has L1 norm 4 and one zero entry shared by both rows.
struct TwoClass
{
    at::Tensor w, b, x;
    static constexpr double kL1 = 4.0;

    explicit TwoClass(double margin)
    {
        const std::vector<float> w0 = {1, -1, 0.5f, -0.5f, 0.25f, -0.25f, 0.5f, 0, 0.75f, 0, 0, 0};
        std::vector<float> both(24, 0.0f);
        std::copy(w0.begin(), w0.end(), both.begin());
        both[12 + 8] = 0.75f; // same weight in both rows: no effect on the margin
        w = torch::tensor(both).reshape({2, 12});
        x = (torch::arange(12, torch::kFloat32) - 6) / 8;
        const double dot = ((w[0] - w[1]) * x).sum().item<double>();
        b = torch::tensor({static_cast<float>(margin - dot), 0.0f});
    }
};

Activations forwardOf(Backbone &backbone, const at::Tensor &x)
{
    return backbone.forward(x, {});
}

at::Tensor scoreWith(Detector &detector, Backbone &backbone, const at::Tensor &x)
{
    const Activations a = forwardOf(backbone, x);
    const GradientPass pass(backbone);
    ScoreContext context{a, x, &pass, backbone.headWeight(), backbone.headBias()};
    return detector.score(context);
}

/// Conv(3->6, 3x3, pad 1) + ReLU + global average pool + linear(6->3).
class ConvBackbone final : public Backbone
{
  public:
    at::Tensor convWeight, convBias, fcWeight, fcBias;

    ConvBackbone()
    {
        torch::manual_seed(11);
        convWeight = torch::randn({6, 3, 3, 3}) * 0.5;
        convBias = torch::randn({6}) * 0.1;
        fcWeight = torch::randn({3, 6});
        fcBias = torch::randn({3}) * 0.1;
    }
    std::string architecture() const override { return "conv"; }
    int numClasses() const override { return 3; }
    int featureDim() const override { return 6; }
    Activations forward(const at::Tensor &input, const ForwardRequest &request) override
    {
        (void)request;
        c10::InferenceMode inference;
        Activations a;
        a.features = features(input);
        a.logits = torch::nn::functional::linear(a.features, fcWeight, fcBias);
        return a;
    }
    at::Tensor logitsWithGradient(const at::Tensor &input) override
    {
        return torch::nn::functional::linear(features(input), fcWeight, fcBias);
    }
    at::Tensor headWeight() const override { return fcWeight; }
    at::Tensor headBias() const override { return fcBias; }

  private:
    at::Tensor features(const at::Tensor &input) const
    {
        namespace F = torch::nn::functional;
        return torch::relu(F::conv2d(input, convWeight, F::Conv2dFuncOptions().bias(convBias).padding(1)))
            .mean({2, 3});
    }
};

/// ODIN and the four PRO variants: the five detectors that differentiate the input.
const std::vector<std::string> kGradientIds = {"odin", "pro_msp", "pro_ent", "pro_msp_t", "pro_gen"};

std::vector<const Detector *> pointers(const std::vector<std::unique_ptr<Detector>> &detectors)
{
    std::vector<const Detector *> result;
    for (const auto &detector : detectors)
        result.push_back(detector.get());
    return result;
}

/// Six 3x8x8 inputs; the last one scaled up until its float32 softmax saturates.
at::Tensor convInputs()
{
    torch::manual_seed(12);
    at::Tensor x = torch::randn({6, 3, 8, 8});
    x[5] *= 200;
    return x;
}

/// Per image (batch of one, the reference's batch-mean loss), straight from docs/detectors.md
/// (pro_*).
const char *const kPythonProgram = R"(
import sys, torch
import torch.nn.functional as F
d = torch.load(sys.argv[1])
def net(v):
    h = F.relu(F.conv2d(v, d['conv_w'], d['conv_b'], padding=1)).mean(dim=(2, 3))
    return F.linear(h, d['fc_w'], d['fc_b'])
def g(kind, z, T, gamma, M):
    if kind in ('pro_msp', 'pro_msp_t'):
        return torch.softmax(z / T, dim=1).max(dim=1).values
    p = torch.softmax(z, dim=1)
    if kind == 'pro_ent':
        return torch.sum(p * torch.log(p + 1e-10), dim=1)
    top = torch.sort(p, dim=1).values[:, -M:]
    return -torch.sum(top ** gamma * (1 - top) ** gamma, dim=1)
for spec in sys.argv[2:]:
    kind, eps, K, T, gamma, M = spec.split(':')
    eps, K, T, gamma, M = float(eps), int(float(K)), float(T), float(gamma), int(float(M))
    scores = []
    for i in range(d['x'].shape[0]):
        v = d['x'][i:i + 1].clone()
        seen = []
        for t in range(K):
            v.requires_grad_(True)
            value = g(kind, net(v), T, gamma, M)
            seen.append(value.item())
            value.mean().backward()
            v = v.detach() - eps * torch.sign(v.grad)
        with torch.no_grad():
            seen.append(g(kind, net(v), T, gamma, M).item())
        scores.append(-min(seen))
    print(' '.join('%.10g' % s for s in scores))
)";

} // namespace

class ProTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void defaults_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("settings");
        QTest::addColumn<QList<double>>("values");
        QTest::newRow("pro_msp") << "pro_msp"
                                 << "PRO-MSP" << QStringList{"epsilon", "steps"} << QList<double>{1e-3, 1};
        QTest::newRow("pro_ent") << "pro_ent"
                                 << "PRO-ENT" << QStringList{"epsilon", "steps"} << QList<double>{1e-3, 1};
        QTest::newRow("pro_msp_t") << "pro_msp_t"
                                   << "PRO-MSP-T" << QStringList{"epsilon", "steps", "temperature"}
                                   << QList<double>{1e-3, 1, 10};
        QTest::newRow("pro_gen") << "pro_gen"
                                 << "PRO-GEN" << QStringList{"epsilon", "gamma", "m", "steps"}
                                 << QList<double>{1e-4, 0.1, 100, 3};
    }

    void defaults()
    {
        QFETCH(QString, id);
        QFETCH(QString, name);
        QFETCH(QStringList, settings);
        QFETCH(QList<double>, values);
        auto detector = createDetector(id.toStdString());
        QCOMPARE(QString::fromStdString(detector->displayName()), name);
        QVERIFY(detector->needs().score.gradientPass);
        QVERIFY(detector->referenceIsIdHigh());
        QCOMPARE(static_cast<int>(detector->settings().size()), static_cast<int>(settings.size()));
        for (int i = 0; i < settings.size(); ++i)
            QCOMPARE(detector->setting(settings[i].toStdString()), values[i]);

        // Settings survive a profile round trip.
        detector->setSetting("epsilon", 0.02);
        auto restored = createDetector(id.toStdString());
        restored->setState(detector->state());
        QCOMPARE(restored->setting("epsilon"), 0.02);
    }

    void registryOrder()
    {
        const std::vector<std::string> ids = detectorIds();
        auto position = [&](const std::string &id) {
            return std::find(ids.begin(), ids.end(), id) - ids.begin();
        };
        for (const auto &id : kProIds)
            QVERIFY2(position(id) < static_cast<long>(ids.size()), id.c_str());
        QVERIFY(position("nero") < position("pro_msp"));
        QVERIFY(position("pro_msp") < position("pro_ent"));
        QVERIFY(position("pro_ent") < position("pro_msp_t"));
        QVERIFY(position("pro_msp_t") < position("pro_gen"));
    }

    void refusesBadInput_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("setting");
        QTest::addColumn<double>("value");
        QTest::newRow("negative epsilon") << "pro_msp"
                                          << "epsilon" << -1e-3;
        QTest::newRow("fractional steps") << "pro_ent"
                                          << "steps" << 1.5;
        QTest::newRow("negative steps") << "pro_ent"
                                        << "steps" << -1.0;
        QTest::newRow("zero temperature") << "pro_msp_t"
                                          << "temperature" << 0.0;
        QTest::newRow("zero gamma") << "pro_gen"
                                    << "gamma" << 0.0;
        QTest::newRow("zero m") << "pro_gen"
                                << "m" << 0.0;
    }

    void refusesBadInput()
    {
        QFETCH(QString, id);
        QFETCH(QString, setting);
        QFETCH(double, value);
        const TwoClass net(1.0);
        test::LinearBackbone backbone(net.w, net.b);
        auto detector = createDetector(id.toStdString());
        detector->setSetting(setting.toStdString(), value);
        try {
            scoreWith(*detector, backbone, net.x.reshape({1, 3, 2, 2}));
            QFAIL("no error");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains(setting), e.what());
        }

        // Without the input batch (e.g. scored from stored features) it says what it needs.
        auto fresh = createDetector(id.toStdString());
        const Activations a = forwardOf(backbone, net.x.reshape({1, 3, 2, 2}));
        ScoreContext noInput{a, {}, nullptr, net.w, net.b};
        QVERIFY_THROWS_EXCEPTION(Error, fresh->score(noInput));
    }

    void closedForm_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<double>("epsilon"); // < 0: the default
        QTest::addColumn<int>("steps");      // < 0: the default
        QTest::addColumn<double>("margin");
        QTest::addColumn<bool>("minimumBeforeLast");
        for (const auto &id : kProIds) {
            const QString name = QString::fromStdString(id);
            const auto row = [&](const char *what) -> QTestData & {
                return QTest::newRow(qPrintable(name + " " + what)) << name;
            };
            row("defaults") << -1.0 << -1 << 1.0 << false;
            row("negative margin") << -1.0 << -1 << -0.7 << false;
            row("K=0") << -1.0 << 0 << 0.8 << false;
            // eps L = 1: m = 0.6, -0.4, 0.6 and 1.6, 0.6, -0.4, 0.6; the minimum is not the last.
            row("K=2 overshoot") << 0.25 << 2 << 0.6 << true;
            row("K=3 overshoot") << 0.25 << 3 << 1.6 << true;
        }
    }

    void closedForm()
    {
        QFETCH(QString, id);
        QFETCH(double, epsilon);
        QFETCH(int, steps);
        QFETCH(double, margin);
        QFETCH(bool, minimumBeforeLast);
        auto detector = createDetector(id.toStdString());
        if (epsilon >= 0)
            detector->setSetting("epsilon", epsilon);
        if (steps >= 0)
            detector->setSetting("steps", steps);
        const double eps = detector->setting("epsilon");
        const int k = static_cast<int>(detector->setting("steps"));
        const double temperature = id == "pro_msp_t" ? detector->setting("temperature") : 1.0;

        std::vector<double> g;
        double m = margin;
        for (int t = 0; t <= k; ++t) {
            g.push_back(baseScore(id.toStdString(), {m, 0.0}, temperature, 0.1));
            m -= eps * TwoClass::kL1 * (m > 0 ? 1 : -1);
        }
        const auto lowest = std::min_element(g.begin(), g.end());
        QCOMPARE(lowest != g.end() - 1, minimumBeforeLast);
        const double expected = -*lowest;

        const TwoClass net(margin);
        test::LinearBackbone backbone(net.w, net.b);
        const double s = scoreWith(*detector, backbone, net.x.reshape({1, 3, 2, 2}))[0].item<double>();
        QVERIFY2(std::abs(s - expected) < 1e-6,
                 qPrintable(QString("%1 vs %2").arg(s, 0, 'g', 10).arg(expected, 0, 'g', 10)));
    }

    void saturatedSoftmaxDoesNotMove_data()
    {
        // eps L equals the margin, so a step along sign(w_0 - w_1) would bring the margin to 0.
        // A float32 softmax of a margin > ~104 (T = 1) is exactly (1, 0): the gradient is 0 (NaN
        // for GEN, whose (1-p)^gamma has an infinite slope at p = 1), sign 0, the input stays, and
        // the score is that of the saturated softmax.
        QTest::addColumn<QString>("id");
        QTest::addColumn<double>("margin");
        QTest::addColumn<double>("expected");
        QTest::newRow("pro_msp") << "pro_msp" << 200.0 << -1.0;
        QTest::newRow("pro_msp_t") << "pro_msp_t" << 2000.0 << -1.0;
        QTest::newRow("pro_ent") << "pro_ent" << 200.0 << 0.0; // 1 * ln(1 + 1e-10) is 0 in float32
        QTest::newRow("pro_gen") << "pro_gen" << 200.0 << 0.0;
        // p = (1, e^-30) in float32: GEN's gradient is NaN; G = (e^-30)^0.1 (1 - e^-30)^0.1 + 0.
        QTest::newRow("pro_gen p_max = 1") << "pro_gen" << 30.0 << std::exp(-3.0);
    }

    void saturatedSoftmaxDoesNotMove()
    {
        QFETCH(QString, id);
        QFETCH(double, margin);
        QFETCH(double, expected);
        auto detector = createDetector(id.toStdString());
        detector->setSetting("epsilon", margin / TwoClass::kL1);
        const TwoClass net(margin);
        test::LinearBackbone backbone(net.w, net.b);
        const double s = scoreWith(*detector, backbone, net.x.reshape({1, 3, 2, 2}))[0].item<double>();
        QVERIFY2(std::abs(s - expected) < 1e-6, qPrintable(QString("%1 vs %2").arg(s).arg(expected)));
    }

    void zeroGradientComponentStays_data()
    {
        QTest::addColumn<QString>("id");
        for (const auto &id : kProIds)
            QTest::newRow(id.c_str()) << QString::fromStdString(id);
    }

    void zeroGradientComponentStays()
    {
        // Three classes, z = (2 x_0 + 1, x_1, -x_1) at x_1 = 0: classes 1 and 2 tie, so the
        // gradient along x_1 is exactly 0 and sign(0) = 0 keeps x_1 at 0; only x_0 moves, by -eps.
        // (ODIN's sign(0) = +1 would move x_1 too, and split the tie: a different score.)
        auto detector = createDetector(id_());
        const double eps = 0.25;
        detector->setSetting("epsilon", eps);
        detector->setSetting("steps", 1);
        at::Tensor w = torch::zeros({3, 12});
        w[0][0] = 2;
        w[1][1] = 1;
        w[2][1] = -1;
        const at::Tensor b = torch::tensor({1.0f, 0.0f, 0.0f});
        at::Tensor x = torch::zeros({1, 3, 2, 2});
        x.view({-1})[0] = 0.5;
        test::LinearBackbone backbone(w, b);
        const double s = scoreWith(*detector, backbone, x)[0].item<double>();

        const double t = id_() == "pro_msp_t" ? detector->setting("temperature") : 1.0;
        const double gamma = 0.1;
        const double before = baseScore(id_(), {2.0, 0.0, 0.0}, t, gamma);
        const double after = baseScore(id_(), {2.0 - 2 * eps, 0.0, 0.0}, t, gamma);
        const double splitTie = baseScore(id_(), {2.0 - 2 * eps, -eps, eps}, t, gamma);
        const double expected = -std::min(before, after);
        QVERIFY(std::abs(-std::min(before, splitTie) - expected) > 1e-5); // the test can tell them apart
        QVERIFY2(std::abs(s - expected) < 1e-6, qPrintable(QString("%1 vs %2").arg(s).arg(expected)));
    }

    void unifiedSign()
    {
        // Higher = more OOD: s = -min_t g(x_t) >= -g(x_0), with equality when eps = 0, where
        // PRO-MSP is exactly the MSP detector.
        ConvBackbone backbone;
        const at::Tensor x = convInputs();
        auto msp = createDetector("msp");
        const at::Tensor base = scoreWith(*msp, backbone, x);
        auto pro = createDetector("pro_msp");
        const at::Tensor s = scoreWith(*pro, backbone, x);
        QVERIFY((s >= base).all().item<bool>());
        QVERIFY((s > base).any().item<bool>());
        pro->setSetting("epsilon", 0);
        QVERIFY(torch::equal(scoreWith(*pro, backbone, x), base));
        pro->setSetting("epsilon", 1e-3);
        pro->setSetting("steps", 0);
        QVERIFY(torch::equal(scoreWith(*pro, backbone, x), base));
    }

    void batchInvariance_data()
    {
        QTest::addColumn<QString>("id");
        for (const auto &id : kProIds)
            QTest::newRow(id.c_str()) << QString::fromStdString(id);
    }

    void batchInvariance()
    {
        ConvBackbone backbone;
        const at::Tensor x = convInputs();
        auto detector = createDetector(id_());
        detector->setSetting("epsilon", 0.01);
        detector->setSetting("steps", 3);
        const at::Tensor batch = scoreWith(*detector, backbone, x);
        for (int64_t i = 0; i < x.size(0); ++i) {
            const double alone = scoreWith(*detector, backbone, x.narrow(0, i, 1))[0].item<double>();
            QVERIFY2(std::abs(alone - batch[i].item<double>()) < 1e-6,
                     qPrintable(QString("image %1: alone %2, in the batch %3")
                                    .arg(i)
                                    .arg(alone)
                                    .arg(batch[i].item<double>())));
        }
    }

    void matchesPythonAutograd()
    {
        // Independent re-derivation: Python torch autograd on the same network, weights and
        // inputs, one image at a time with the reference's batch-mean loss, sign(0) = 0.
        if (!test::systemPythonHas("torch"))
            OOD_SKIP_WITHOUT_REFERENCE("system Python has no torch");
        ConvBackbone backbone;
        const at::Tensor x = convInputs();
        QTemporaryDir dir;
        const QString file = dir.filePath("net.pt");
        saveStateDict(file.toStdString(), {{"conv_w", backbone.convWeight},
                                           {"conv_b", backbone.convBias},
                                           {"fc_w", backbone.fcWeight},
                                           {"fc_b", backbone.fcBias},
                                           {"x", x}});
        struct Config
        {
            std::string id;
            std::map<std::string, double> settings;
        };
        const std::vector<Config> configs = {
            {"pro_msp", {}},
            {"pro_ent", {}},
            {"pro_msp_t", {}},
            {"pro_gen", {}},
            {"pro_msp", {{"epsilon", 0.02}, {"steps", 3}}},
            {"pro_ent", {{"epsilon", 0.02}, {"steps", 3}}},
            {"pro_msp_t", {{"epsilon", 0.02}, {"steps", 2}, {"temperature", 0.5}}},
            {"pro_gen", {{"epsilon", 0.02}, {"steps", 2}, {"gamma", 0.5}, {"m", 2}}},
        };
        QStringList arguments = {"-c", QString::fromUtf8(kPythonProgram), file};
        std::vector<at::Tensor> ours;
        for (const Config &config : configs) {
            auto detector = createDetector(config.id);
            for (const auto &[name, value] : config.settings)
                detector->setSetting(name, value);
            const auto has = [&](const char *name) { return detector->settings().count(name) > 0; };
            arguments << QString("%1:%2:%3:%4:%5:%6")
                             .arg(QString::fromStdString(config.id))
                             .arg(detector->setting("epsilon"), 0, 'g', 17)
                             .arg(detector->setting("steps"))
                             .arg(has("temperature") ? detector->setting("temperature") : 1.0, 0, 'g', 17)
                             .arg(has("gamma") ? detector->setting("gamma") : 0.0, 0, 'g', 17)
                             .arg(has("m") ? detector->setting("m") : 0.0);
            ours.push_back(scoreWith(*detector, backbone, x));
        }
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON, arguments);
        QVERIFY(python.waitForFinished(120000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        const QStringList lines = QString(python.readAllStandardOutput()).trimmed().split('\n');
        QCOMPARE(lines.size(), static_cast<int>(configs.size()));
        for (size_t c = 0; c < configs.size(); ++c) {
            const QStringList values = lines[static_cast<int>(c)].split(' ');
            QCOMPARE(values.size(), static_cast<int>(x.size(0)));
            for (int i = 0; i < values.size(); ++i) {
                const double expected = values[i].toDouble(), actual = ours[c][i].item<double>();
                QVERIFY2(std::abs(expected - actual) < 1e-6,
                         qPrintable(QString("%1 (config %2) image %3: python %4, ours %5")
                                        .arg(QString::fromStdString(configs[c].id))
                                        .arg(c)
                                        .arg(i)
                                        .arg(expected, 0, 'g', 10)
                                        .arg(actual, 0, 'g', 10)));
            }
        }
    }

    void sharedInputGraph()
    {
        // ODIN and the four PRO variants in one Scorer read one graph on x_0 per batch, and give
        // bit for bit the scores each gives in a Scorer of its own and through an unbound pass
        // (a graph of its own, as before the graph was shared).
        ConvBackbone conv;
        CountingBackbone backbone(conv);
        const at::Tensor x = convInputs();
        std::vector<std::unique_ptr<Detector>> detectors;
        for (const auto &id : kGradientIds)
            detectors.push_back(createDetector(id));
        const Scorer together(backbone, pointers(detectors));
        for (int64_t start = 0; start < x.size(0); start += 3) {
            const at::Tensor batch = x.narrow(0, start, 3);
            backbone.reset();
            const BatchScores shared = together.scoreBatch(batch);
            // Hand count per batch: x_0's graph once plus PRO-GEN's x_1 and x_2 (K = 3); one
            // backward for ODIN and each K = 1 variant, three for PRO-GEN; the shared forward and
            // one perturbed forward per detector.
            QCOMPARE(backbone.graphForwards(), 3);
            QCOMPARE(backbone.backwards(), 7);
            QCOMPARE(static_cast<int64_t>(backbone.forwardBatches().size()), 6);
            for (size_t d = 0; d < detectors.size(); ++d) {
                const Scorer alone(backbone, {detectors[d].get()});
                const at::Tensor own = alone.scoreBatch(batch).scores.at(0);
                const at::Tensor unbound = scoreWith(*detectors[d], backbone, batch);
                QVERIFY2(torch::equal(shared.scores[d], own), kGradientIds[d].c_str());
                QVERIFY2(torch::equal(shared.scores[d], unbound), kGradientIds[d].c_str());
            }
        }
    }

    void sharedInputGraphConcurrent()
    {
        // The five detectors scored on five threads at once from one bound pass: the graph on x_0
        // is built once and every detector's scores are those it gives alone.
        ConvBackbone conv;
        CountingBackbone backbone(conv);
        const at::Tensor x = convInputs();
        std::vector<std::unique_ptr<Detector>> detectors;
        std::vector<at::Tensor> expected;
        for (const auto &id : kGradientIds) {
            detectors.push_back(createDetector(id));
            expected.push_back(scoreWith(*detectors.back(), backbone, x));
        }
        const Activations a = backbone.forward(x, {});
        const GradientPass pass(backbone, x);
        backbone.reset();
        std::vector<at::Tensor> scores(detectors.size());
        std::vector<std::string> errors(detectors.size());
        std::vector<std::thread> threads;
        for (size_t d = 0; d < detectors.size(); ++d)
            threads.emplace_back([&, d] {
                try {
                    ScoreContext context{a, x, &pass, backbone.headWeight(), backbone.headBias()};
                    scores[d] = detectors[d]->score(context);
                } catch (const std::exception &e) {
                    errors[d] = e.what();
                }
            });
        for (std::thread &thread : threads)
            thread.join();
        QCOMPARE(backbone.graphForwards(), 3);
        QCOMPARE(backbone.backwards(), 7);
        for (size_t d = 0; d < detectors.size(); ++d) {
            QVERIFY2(errors[d].empty(), errors[d].c_str());
            QVERIFY2(torch::equal(scores[d], expected[d]), kGradientIds[d].c_str());
        }
    }

    void declaredCost_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<int>("steps"); // < 0: the default
        QTest::addColumn<bool>("sharedGraphForward");
        QTest::addColumn<int>("graphForwards");
        QTest::addColumn<int>("backwardPasses");
        QTest::addColumn<int>("inferenceForwards");
        QTest::addColumn<int>("passes");
        // Hand count of the code's steps (docs/detectors.md, ODIN and pro_*).
        QTest::newRow("odin") << "odin" << -1 << true << 0 << 1 << 1 << 3;
        QTest::newRow("pro_msp") << "pro_msp" << -1 << true << 0 << 1 << 1 << 3;
        QTest::newRow("pro_ent") << "pro_ent" << -1 << true << 0 << 1 << 1 << 3;
        QTest::newRow("pro_msp_t") << "pro_msp_t" << -1 << true << 0 << 1 << 1 << 3;
        QTest::newRow("pro_gen default (K=3)") << "pro_gen" << -1 << true << 2 << 3 << 1 << 7;
        QTest::newRow("pro_gen K=3") << "pro_gen" << 3 << true << 2 << 3 << 1 << 7;
        QTest::newRow("pro_gen K=0") << "pro_gen" << 0 << false << 0 << 0 << 1 << 1;
        QTest::newRow("pro_msp K=2") << "pro_msp" << 2 << true << 1 << 2 << 1 << 5;
        QTest::newRow("gradnorm (closed form)") << "gradnorm" << -1 << false << 0 << 0 << 0 << 0;
        QTest::newRow("msp") << "msp" << -1 << false << 0 << 0 << 0 << 0;
    }

    void declaredCost()
    {
        QFETCH(int, steps);
        QFETCH(bool, sharedGraphForward);
        QFETCH(int, graphForwards);
        QFETCH(int, backwardPasses);
        QFETCH(int, inferenceForwards);
        QFETCH(int, passes);
        auto detector = createDetector(id_());
        if (steps >= 0)
            detector->setSetting("steps", steps);
        const PassCost cost = detector->needs().score.cost;
        QCOMPARE(cost.sharedGraphForward, sharedGraphForward);
        QCOMPARE(cost.graphForwards, int64_t(graphForwards));
        QCOMPARE(cost.backwardPasses, int64_t(backwardPasses));
        QCOMPARE(cost.inferenceForwards, int64_t(inferenceForwards));
        QCOMPARE(cost.passes(), int64_t(passes));
        QCOMPARE(extraPassesPerImage({detector.get()}), int64_t(passes));

        // What the detector declares is what it runs, alone in a Scorer (which adds the shared
        // inference forward).
        ConvBackbone conv;
        CountingBackbone backbone(conv);
        const Scorer scorer(backbone, {detector.get()});
        (void)scorer.scoreBatch(convInputs());
        QCOMPARE(backbone.graphForwards(), (sharedGraphForward ? 1 : 0) + graphForwards);
        QCOMPARE(backbone.backwards(), backwardPasses);
        QCOMPARE(static_cast<int64_t>(backbone.forwardBatches().size()), 1 + inferenceForwards);
    }

    void combinedCost()
    {
        std::vector<std::unique_ptr<Detector>> detectors;
        for (const auto &id : kGradientIds)
            detectors.push_back(createDetector(id));
        // 1 shared graph + 2 (ODIN) + 3 x 2 (PRO K = 1) + 2 + 3 + 1 (PRO-GEN K = 3) = 15, where
        // the detectors alone would cost 3 + 3 + 3 + 3 + 7 = 19.
        QCOMPARE(extraPassesPerImage(pointers(detectors)), int64_t(15));
        const PassCost total = combinedPassCost(pointers(detectors));
        QVERIFY(total.sharedGraphForward);
        QCOMPARE(total.graphForwards, int64_t(2));
        QCOMPARE(total.backwardPasses, int64_t(7));
        QCOMPARE(total.inferenceForwards, int64_t(5));
        // A closed-form detector adds nothing; PRO-GEN at K = 0 leaves only its inference forward.
        detectors.push_back(createDetector("gradnorm"));
        QCOMPARE(extraPassesPerImage(pointers(detectors)), int64_t(15));
        detectors[4]->setSetting("steps", 0);
        QCOMPARE(extraPassesPerImage(pointers(detectors)), int64_t(1 + 2 + 3 * 2 + 1));
        QCOMPARE(extraPassesPerImage({}), int64_t(0));
        // Only PRO-GEN at K = 0: no graph at all.
        QCOMPARE(extraPassesPerImage({detectors[4].get()}), int64_t(1));
    }

  private:
    std::string id_() const
    {
        QFETCH(QString, id);
        return id.toStdString();
    }
};

QTEST_GUILESS_MAIN(ProTest)
#include "protest.moc"
