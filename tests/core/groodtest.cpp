// GROOD: the closed-form gradient against finite differences of the loss it differentiates,
// prototypes and the synthetic OOD prototype computed by hand on a network whose mid part is a
// known linear map + ReLU, the 1-NN score against brute force, the gradient bank's content,
// availability, the state round trip, and the profile fitter's streaming early statistics against
// the all-in-memory computation.

#include "fit/profilefitter.h"
#include "detect/grood.h"
#include "detect/registry.h"
#include "base/error.h"
#include "model/resnet.h"
#include "pipeline/scoringrun.h"
#include "support/linearbackbone.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>

#include <torch/torch.h>

#include <cmath>

using namespace ood;

namespace {

/// early = the first two input channels at pixel (0,0); features = relu(A early) with
/// A = [[1,-1],[1,1]]; logits = W features + b. Everything GROOD computes on it is hand-checkable.
class MixBackbone final : public Backbone
{
  public:
    MixBackbone(at::Tensor weight, at::Tensor bias) : m_weight(std::move(weight)), m_bias(std::move(bias)) {}

    std::string architecture() const override { return "mix"; }
    int numClasses() const override { return static_cast<int>(m_weight.size(0)); }
    int featureDim() const override { return 2; }
    Activations forward(const at::Tensor &input, const ForwardRequest &request) override
    {
        Activations a;
        const at::Tensor early = input.select(3, 0).select(2, 0).narrow(1, 0, 2).contiguous();
        a.features = featuresFromEarly(early);
        a.logits = torch::addmm(m_bias, a.features, m_weight.t());
        if (request.early)
            a.early = early;
        return a;
    }
    at::Tensor logitsWithGradient(const at::Tensor &input) override { return forward(input, {}).logits; }
    at::Tensor headWeight() const override { return m_weight; }
    at::Tensor headBias() const override { return m_bias; }
    at::Tensor featuresFromEarly(const at::Tensor &early) override
    {
        const at::Tensor a = torch::tensor({1.f, -1.f, 1.f, 1.f}).reshape({2, 2});
        return torch::relu(early.to(torch::kFloat32).matmul(a.t()));
    }
    bool canRunFromEarly() const override { return true; }

  private:
    at::Tensor m_weight, m_bias;
};

/// Five images: class 0 early maps (2,0), (4,0), (0,3); class 1 (0,2), (0,4). With
/// W = [[1,0],[0,0.9]] the third is predicted as class 1, the rest correctly.
struct HandData
{
    at::Tensor early = torch::tensor({2.f, 0.f, 4.f, 0.f, 0.f, 3.f, 0.f, 2.f, 0.f, 4.f}).reshape({5, 2});
    std::vector<int64_t> labels{0, 0, 0, 1, 1};
    at::Tensor weight = torch::tensor({1.f, 0.f, 0.f, 0.9f}).reshape({2, 2});
    at::Tensor bias = torch::zeros({2});
    MixBackbone backbone{weight, bias};
    GradientPass pass{backbone};

    FitContext context()
    {
        const at::Tensor input = torch::zeros({5, 3, 1, 1});
        input.select(3, 0).select(2, 0).narrow(1, 0, 2).copy_(early);
        ForwardRequest request;
        request.early = true;
        const Activations a = backbone.forward(input, request);
        FitContext c;
        c.train.features = a.features;
        c.train.logits = a.logits;
        c.train.labels = torch::tensor(labels, torch::kInt64);
        // By hand: class 0 mean early (2,1), class 1 (0,3).
        c.train.earlyClassMeans = torch::tensor({2.0, 1.0, 0.0, 3.0}, torch::kFloat64).reshape({2, 2});
        c.train.earlyClassCounts = torch::tensor({3, 2}, torch::kInt64);
        c.train.earlySubset = a.early;
        c.train.earlySubsetRows = torch::arange(5, torch::kInt64);
        c.train.earlySubsetSamples = torch::arange(5, torch::kInt64);
        c.train.listSize = 5;
        c.headWeight = weight;
        c.headBias = bias;
        c.architecture = "mix";
        c.gradientPass = &pass;
        return c;
    }
};

/// Cross-entropy of the nearest-class-prototype logits -[|h-p_1|, ..., |h-p_C|, |h-p_ood|]
/// against `label`, in float64 (the loss GROOD differentiates w.r.t. p_ood).
double ncpCrossEntropy(const std::vector<double> &h, const std::vector<std::vector<double>> &prototypes,
                       const std::vector<double> &ood, int label)
{
    std::vector<double> logits;
    auto distance = [&](const std::vector<double> &p) {
        double sum = 0;
        for (size_t j = 0; j < h.size(); ++j)
            sum += (h[j] - p[j]) * (h[j] - p[j]);
        return std::sqrt(sum);
    };
    for (const auto &p : prototypes)
        logits.push_back(-distance(p));
    logits.push_back(-distance(ood));
    double m = logits[0];
    for (double v : logits)
        m = std::max(m, v);
    double sum = 0;
    for (double v : logits)
        sum += std::exp(v - m);
    return m + std::log(sum) - logits[static_cast<size_t>(label)];
}

at::Tensor toTensor(const std::vector<double> &v)
{
    return torch::tensor(v, torch::kFloat64);
}

void writeImage(const QString &path, int seed, int classIndex)
{
    cv::RNG rng(static_cast<uint64_t>(seed) + 1);
    cv::Mat image(40, 36, CV_8UC3);
    rng.fill(image, cv::RNG::UNIFORM, cv::Scalar(0, 0, 0), cv::Scalar(255, 255, 255));
    image += cv::Scalar(60.0 * classIndex, 0, 90.0 * (2 - classIndex));
    QVERIFY(cv::imwrite(path.toStdString(), image));
}

} // namespace

class GroodTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void gradientMatchesFiniteDifferences_data()
    {
        QTest::addColumn<QVector<double>>("h");
        QTest::addColumn<int>("label");
        QTest::newRow("near class 0, label 0") << QVector<double>{1.1, -0.2, 0.3} << 0;
        QTest::newRow("near class 0, label 2") << QVector<double>{1.1, -0.2, 0.3} << 2;
        QTest::newRow("near the OOD prototype") << QVector<double>{0.4, 0.45, -0.6} << 1;
        QTest::newRow("far from everything") << QVector<double>{-7.0, 5.0, 9.0} << 1;
        QTest::newRow("between classes") << QVector<double>{0.5, 0.5, 0.0} << 2;
    }

    void gradientMatchesFiniteDifferences()
    {
        QFETCH(QVector<double>, h);
        QFETCH(int, label);
        const std::vector<std::vector<double>> prototypes{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        const std::vector<double> ood{0.3, 0.5, -0.5};
        const std::vector<double> x(h.begin(), h.end());
        const at::Tensor g = grood::gradients(
            toTensor(x).reshape({1, 3}),
            torch::tensor({1., 0., 0., 0., 1., 0., 0., 0., 1.}, torch::kFloat64).reshape({3, 3}),
            toTensor(ood))[0];
        QCOMPARE(g.scalar_type(), torch::kFloat64);
        const double step = 1e-5;
        for (size_t j = 0; j < 3; ++j) {
            std::vector<double> plus = ood, minus = ood;
            plus[j] += step;
            minus[j] -= step;
            const double numeric =
                (ncpCrossEntropy(x, prototypes, plus, label) - ncpCrossEntropy(x, prototypes, minus, label)) /
                (2 * step);
            const double analytic = g[static_cast<int64_t>(j)].item<double>();
            QVERIFY2(std::abs(numeric - analytic) < 1e-6, qPrintable(QString("component %1: %2 vs %3")
                                                                         .arg(j)
                                                                         .arg(numeric, 0, 'g', 12)
                                                                         .arg(analytic, 0, 'g', 12)));
        }
    }

    void gradientIsZeroAtTheOodPrototype()
    {
        const at::Tensor ood = torch::tensor({0.3, 0.5}, torch::kFloat64);
        const at::Tensor g = grood::gradients(ood.reshape({1, 2}), torch::eye(2, torch::kFloat64), ood);
        QVERIFY(torch::equal(g, torch::zeros({1, 2}, torch::kFloat64)));
    }

    void prototypesByHand_data()
    {
        QTest::addColumn<double>("syntheticSamples");
        QTest::addColumn<double>("filter");
        QTest::addColumn<double>("oodX");
        QTest::addColumn<double>("oodY");
        QTest::addColumn<qint64>("syntheticCount");
        // Mixed early maps 0.5 e + 0.5 p_{runner-up}: (1,1.5) (2,1.5) (1,2) (1,1.5) (1,2.5); through
        // relu(A m): (0,2.5) (0.5,3.5) (0,3) (0,2.5) (0,3.5).
        QTest::newRow("all five") << 100.0 << 0.0 << 0.1 << 3.0 << qint64(5);
        // floor(k*5/2), k = 0,1: images 0 and 2.
        QTest::newRow("two evenly spaced") << 2.0 << 0.0 << 0.0 << 2.75 << qint64(2);
        // Distances to the nearest class prototype 0.5, 0.7071, 0, 0.5, 0.5; the 80% quantile
        // 0.5414 leaves one, so the two farthest stay: image 1, then image 0 (lowest index of the
        // tie at 0.5).
        QTest::newRow("proximity filter") << 100.0 << 1.0 << 0.25 << 3.0 << qint64(2);
    }

    void prototypesByHand()
    {
        QFETCH(double, syntheticSamples);
        QFETCH(double, filter);
        QFETCH(double, oodX);
        QFETCH(double, oodY);
        QFETCH(qint64, syntheticCount);
        HandData data;
        auto detector = createDetector("grood");
        detector->setSetting("synthetic_samples", syntheticSamples);
        detector->setSetting("filter_ood", filter);
        QCOMPARE(detector->needs().fit.trainEarly.subsetSize, static_cast<int64_t>(syntheticSamples));
        QVERIFY(detector->needs().fit.trainEarly.classMeans);
        QVERIFY(!detector->needs().score.forward.early); // scoring reads only the penultimate features
        detector->fit(data.context());
        const DetectorState state = detector->state();
        // Class means of h: class 0 (2,2) (4,4) (0,3) -> (2,3); class 1 (0,2) (0,4) -> (0,3).
        QVERIFY(torch::allclose(state.at("class_prototypes"),
                                torch::tensor({2.0, 3.0, 0.0, 3.0}, torch::kFloat64).reshape({2, 2}), 0,
                                1e-12));
        QVERIFY2(
            torch::allclose(state.at("ood_prototype"), torch::tensor({oodX, oodY}, torch::kFloat64), 0, 1e-6),
            qPrintable(QString("%1 %2")
                           .arg(state.at("ood_prototype")[0].item<double>())
                           .arg(state.at("ood_prototype")[1].item<double>())));
        QCOMPARE(state.at("synthetic_count").item<int64_t>(), static_cast<int64_t>(syntheticCount));
    }

    void bankHoldsOnlyCorrectlyClassified()
    {
        HandData data;
        auto detector = createDetector("grood");
        FitContext context = data.context();
        detector->fit(context);
        const DetectorState state = detector->state();
        const at::Tensor bank = state.at("gradient_bank");
        QCOMPARE(bank.size(0), int64_t(4)); // image 2 (label 0, predicted 1) is left out
        const at::Tensor correctRows = torch::tensor({0, 1, 3, 4}, torch::kInt64);
        const at::Tensor expected = grood::gradients(context.train.features.index_select(0, correctRows),
                                                     state.at("class_prototypes"), state.at("ood_prototype"));
        QVERIFY(torch::allclose(bank.to(torch::kFloat64), expected, 0, 1e-7));
        // A TRAIN image scores (almost) 0: its own gradient is in the bank.
        const at::Tensor s = test::scoreFeatures(
            *detector, context.train.features.index_select(0, correctRows), data.weight, data.bias);
        QVERIFY(s.abs().max().item<double>() < 1e-6);
    }

    void scoreIsExactNearestNeighbour()
    {
        torch::manual_seed(7);
        const int64_t d = 8, classes = 4;
        const at::Tensor prototypes = torch::randn({classes, d}, torch::kFloat64);
        const at::Tensor ood = torch::randn({d}, torch::kFloat64);
        const at::Tensor trainFeatures = torch::randn({300, d}, torch::kFloat64) * 1.5;
        const at::Tensor bank = grood::gradients(trainFeatures, prototypes, ood).to(torch::kFloat32);
        auto detector = createDetector("grood");
        DetectorState state{{"class_prototypes", prototypes},
                            {"ood_prototype", ood},
                            {"gradient_bank", bank},
                            {"synthetic_count", torch::tensor(int64_t(100))}};
        detector->setState(state);
        const at::Tensor queries = torch::cat({torch::randn({50, d}, torch::kFloat64) * 3.0,
                                               trainFeatures.slice(0, 0, 5), ood.reshape({1, d})})
                                       .to(torch::kFloat32);
        const at::Tensor w = torch::zeros({classes, d}), b = torch::zeros({classes});
        const at::Tensor s = test::scoreFeatures(*detector, queries, w, b);
        QCOMPARE(s.scalar_type(), torch::kFloat64);
        const at::Tensor g = grood::gradients(queries, prototypes, ood);
        const at::Tensor bank64 = bank.to(torch::kFloat64);
        for (int64_t i = 0; i < queries.size(0); ++i) {
            const double brute = (bank64 - g[i].unsqueeze(0)).norm(2, {1}).min().item<double>();
            QVERIFY2(std::abs(s[i].item<double>() - brute) < 1e-6,
                     qPrintable(QString("query %1: %2 vs %3").arg(i).arg(s[i].item<double>()).arg(brute)));
        }
    }

    void unavailableWithoutEarly()
    {
        auto detector = createDetector("grood");
        test::LinearBackbone linear(torch::zeros({2, 3}), torch::zeros({2}));
        const std::string reason = detector->unavailableReason(linear);
        QVERIFY(!reason.empty());
        QVERIFY2(QString::fromStdString(reason).contains("features_from_early"), reason.c_str());
        HandData data;
        QVERIFY(detector->unavailableReason(data.backbone).empty());
        torch::manual_seed(0);
        ResNetBackbone resnet(createResNet("resnet18", 2));
        QVERIFY(resnet.canRunFromEarly());
        QVERIFY(detector->unavailableReason(resnet).empty());
    }

    void refusesMissingEarlyStatistics()
    {
        HandData data;
        FitContext context = data.context();
        context.train.earlyClassMeans = at::Tensor();
        auto detector = createDetector("grood");
        QVERIFY_THROWS_EXCEPTION(Error, detector->fit(context));
        // A class without any training image has no prototype.
        FitContext oneClass = data.context();
        oneClass.train.labels = torch::zeros({5}, torch::kInt64);
        QVERIFY_THROWS_EXCEPTION(Error, detector->fit(oneClass));
    }

    void stateRoundTrip()
    {
        HandData data;
        auto fitted = createDetector("grood");
        fitted->setSetting("mix_lambda", 0.7);
        fitted->fit(data.context());
        auto restored = createDetector("grood");
        restored->setState(fitted->state());
        QCOMPARE(restored->setting("mix_lambda"), 0.7);
        torch::manual_seed(3);
        const at::Tensor q = torch::randn({9, 2}) * 3;
        QVERIFY(torch::equal(test::scoreFeatures(*fitted, q, data.weight, data.bias),
                             test::scoreFeatures(*restored, q, data.weight, data.bias)));
        DetectorState broken = fitted->state();
        broken.erase("gradient_bank");
        QVERIFY_THROWS_EXCEPTION(Error, restored->setState(broken));
    }

    /// The profile fitter keeps per-class sums and <= 100 early maps instead of every map; the
    /// result must equal GROOD fitted on every map held in memory. 121 train images (one of them
    /// unreadable, at position 0, which is one of the evenly spaced positions).
    void streamingFitMatchesInMemory()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QStringList classes{"a", "b", "c"};
        for (const QString &split : {QString("train"), QString("valid")}) {
            for (int c = 0; c < 3; ++c) {
                const QString folder = dir.filePath(split + "/" + classes[c]);
                QVERIFY(QDir().mkpath(folder));
                const int count = split == "train" ? 40 : 3;
                for (int i = 0; i < count; ++i)
                    writeImage(folder + QString("/img%1.png").arg(i, 3, 10, QChar('0')),
                               c * 1000 + i + (split == "train" ? 0 : 500), c);
            }
        }
        QFile corrupt(dir.filePath("train/a/000_corrupt.png"));
        QVERIFY(corrupt.open(QIODevice::WriteOnly));
        corrupt.write("not an image");
        corrupt.close();

        torch::manual_seed(11);
        LoadedModel model;
        model.backbone = std::make_unique<ResNetBackbone>(createResNet("resnet18", 3));
        model.card.architecture = "resnet18";
        model.card.numClasses = 3;
        model.card.featureDim = 512;
        model.card.input.width = model.card.input.height = 32;
        const SampleList train = scanImageFolder(dir.filePath("train"));
        const SampleList validation = scanImageFolder(dir.filePath("valid"));
        QCOMPARE(int(train.samples.size()), 121);
        QVERIFY(train.samples[0].path.endsWith("000_corrupt.png"));

        FitOptions options;
        options.detectorIds = {"grood"};
        options.run.batchSize = 16;
        options.run.decodeWorkers = 1;
        FitReport report;
        const Profile profile = fitProfile(model, train, validation, options, {}, &report);
        QCOMPARE(int(report.failedImages.size()), 1);
        const ProfileDetector *streamed = profile.find("grood");
        QVERIFY(streamed);

        // All in memory: every early map of the split, then means and the subset by the formula.
        ForwardRequest request;
        request.early = true;
        const Scorer extractor(*model.backbone, {}, request);
        std::vector<at::Tensor> features, logits, early;
        std::vector<int64_t> labels, positions;
        runBatches(*model.backbone, extractor, train.samples, model.card.input, options.run, "train",
                   [&](const Batch &batch, const BatchScores *scores) {
                       if (!scores)
                           return;
                       features.push_back(scores->activations.features.clone());
                       logits.push_back(scores->activations.logits.clone());
                       early.push_back(scores->activations.early.clone());
                       for (size_t index : batch.sampleIndices) {
                           labels.push_back(train.samples[index].label);
                           positions.push_back(static_cast<int64_t>(index));
                       }
                   });
        FitContext context;
        context.train.features = torch::cat(features);
        context.train.logits = torch::cat(logits);
        context.train.labels = torch::tensor(labels, torch::kInt64);
        const at::Tensor allEarly = torch::cat(early).to(torch::kFloat64);
        QCOMPARE(allEarly.size(0), int64_t(120));
        std::vector<at::Tensor> means;
        for (int64_t c = 0; c < 3; ++c)
            means.push_back(
                allEarly.index_select(0, (context.train.labels == c).nonzero().reshape({-1})).mean(0));
        context.train.earlyClassMeans = torch::stack(means);
        std::vector<int64_t> subsetRows, subsetPositions;
        for (int64_t k = 0; k < 100; ++k) {
            const int64_t position = k * 121 / 100;
            for (size_t row = 0; row < positions.size(); ++row)
                if (positions[row] == position) {
                    subsetRows.push_back(static_cast<int64_t>(row));
                    subsetPositions.push_back(position);
                }
        }
        QCOMPARE(int(subsetRows.size()), 99); // position 0 is the unreadable file
        context.train.earlySubsetRows = torch::tensor(subsetRows, torch::kInt64);
        context.train.earlySubsetSamples = torch::tensor(subsetPositions, torch::kInt64);
        context.train.earlySubset = torch::cat(early).index_select(0, context.train.earlySubsetRows);
        context.train.listSize = 121;
        context.headWeight = model.backbone->headWeight();
        context.headBias = model.backbone->headBias();
        const GradientPass pass(*model.backbone);
        context.gradientPass = &pass;
        auto inMemory = createDetector("grood");
        inMemory->fit(context);

        const DetectorState a = streamed->detector->state(), b = inMemory->state();
        QCOMPARE(a.at("synthetic_count").item<int64_t>(), int64_t(99));
        QCOMPARE(b.at("synthetic_count").item<int64_t>(), int64_t(99));
        QVERIFY(torch::allclose(a.at("class_prototypes"), b.at("class_prototypes"), 1e-9, 1e-9));
        // Only the summation order of the early means differs (float64), then float32 layers.
        QVERIFY2(torch::allclose(a.at("ood_prototype"), b.at("ood_prototype"), 1e-5, 1e-6),
                 qPrintable(QString::number(
                     (a.at("ood_prototype") - b.at("ood_prototype")).abs().max().item<double>())));
        QCOMPARE(a.at("gradient_bank").sizes(), b.at("gradient_bank").sizes());
        QVERIFY(torch::allclose(a.at("gradient_bank"), b.at("gradient_bank"), 1e-4, 1e-6));
    }
};

QTEST_GUILESS_MAIN(GroodTest)
#include "groodtest.moc"
