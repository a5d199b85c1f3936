// Score landscape: the centre is the plain score of the image, a linear model gives a closed form
// at every grid point (and the L-infinity norms and deltaZ follow from the directions by hand),
// seeded directions, thread-count independence, the direction normalisations, bad input and
// cancelling, and the same scores in either memory layout; coarse-to-fine levels score every point
// once, hand over the full grid's sub-grids and end with the landscape of the full grid. The speed
// of the layouts is measured by explain-bench (docs/benchmarks.md).

#include "detect/registry.h"
#include "model/countingbackbone.h"
#include "explain/landscape.h"
#include "model/resnet.h"
#include "pipeline/scorer.h"
#include "support/errors.h"
#include "support/linearbackbone.h"

#include <QtTest>

#include <torch/torch.h>

#include <cmath>

using namespace ood;
using ood::test::errorOf;

namespace {

std::unique_ptr<ResNetBackbone> smallResNet(uint64_t seed, int width = 4)
{
    torch::manual_seed(seed);
    return std::make_unique<ResNetBackbone>(createResNet("resnet18", 3, width));
}

at::Tensor randomImage(uint64_t seed, int64_t side)
{
    torch::manual_seed(seed);
    return torch::randn({3, side, side});
}

double maxDifference(const at::Tensor &a, const at::Tensor &b)
{
    return (a - b).abs().max().item<double>();
}

/// Mahalanobis, so that a fitted detector is covered too. Fitted on the resnet's features of
/// random images plus noise: those features alone are nearly collinear, and the near-singular
/// covariance would give scores around 1e9 whose float32 rounding is far above 1e-6.
std::unique_ptr<Detector> fittedMahalanobis(ResNetBackbone &backbone)
{
    torch::manual_seed(21);
    const at::Tensor a = backbone.forward(torch::randn({60, 3, 32, 32}), {}).features;
    const at::Tensor features = a + torch::randn_like(a) * a.std();
    std::vector<int64_t> labels;
    for (int i = 0; i < 60; ++i)
        labels.push_back(i % 3);
    auto detector = createDetector("mahalanobis");
    detector->fit(test::trainContext(features, labels, backbone.headWeight(), backbone.headBias()));
    return detector;
}

} // namespace

class LandscapeTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void centreIsThePlainScore_data()
    {
        QTest::addColumn<QString>("detectorId");
        QTest::addColumn<bool>("channelsLast");
        for (const char *id : {"msp", "energy", "maxlogit", "entropy", "mahalanobis"})
            QTest::newRow(id) << QString(id) << true;
        QTest::newRow("msp contiguous") << "msp" << false;
        QTest::newRow("mahalanobis contiguous") << "mahalanobis" << false;
    }

    void centreIsThePlainScore()
    {
        QFETCH(QString, detectorId);
        QFETCH(bool, channelsLast);
        auto backbone = smallResNet(3);
        std::unique_ptr<Detector> detector = detectorId == "mahalanobis"
                                                 ? fittedMahalanobis(*backbone)
                                                 : createDetector(detectorId.toStdString());
        const at::Tensor x = randomImage(5, 32);
        LandscapeOptions options;
        options.gridSize = 5;
        options.batchSize = 8; // the centre (point 12) sits inside the second batch
        options.channelsLast = channelsLast;
        const ScoreLandscape landscape = scoreLandscape(*backbone, *detector, x, options);

        const Scorer scorer(*backbone, {detector.get()});
        const double plain = scorer.scoreBatch(x.unsqueeze(0)).scores[0][0].item<double>();
        QVERIFY2(std::abs(landscape.centre - plain) < 1e-6 * std::max(1.0, std::abs(plain)),
                 qPrintable(QString("%1 vs %2").arg(landscape.centre, 0, 'g', 12).arg(plain, 0, 'g', 12)));
        QCOMPARE(landscape.scores[2][2].item<double>(), landscape.centre);
        QCOMPARE(landscape.perturbationNorms[2][2].item<double>(), 0.0);
        QCOMPARE(landscape.detectorId, detectorId.toStdString());
        QCOMPARE(landscape.referenceIsIdHigh, detector->referenceIsIdHigh());
        QVERIFY(torch::isfinite(landscape.scores).all().item<bool>());
    }

    void linearModelClosedForm_data()
    {
        QTest::addColumn<QString>("detectorId");
        QTest::addColumn<bool>("orthogonalise");
        QTest::newRow("energy") << "energy" << false;
        QTest::newRow("maxlogit") << "maxlogit" << false;
        QTest::newRow("energy orthogonal") << "energy" << true;
    }

    void linearModelClosedForm()
    {
        QFETCH(QString, detectorId);
        QFETCH(bool, orthogonalise);
        // logits(x + a d1 + b d2) = l + a u + b v with l = W x + bias, u = W d1, v = W d2, so
        // energy = -LSE(l + a u + b v) and maxlogit = -max_c (l_c + a u_c + b v_c).
        torch::manual_seed(8);
        // Rounded to float32 first: the backbone computes with exactly these values.
        const at::Tensor w = (torch::randn({2, 3 * 4 * 4}) * 0.5).to(torch::kFloat64);
        const at::Tensor bias = torch::randn({2}).to(torch::kFloat64);
        test::LinearBackbone backbone(w, bias);
        const at::Tensor x = torch::randn({3, 4, 4});
        auto detector = createDetector(detectorId.toStdString());
        LandscapeOptions options;
        options.gridSize = 9;
        options.radius = 0.5; // large enough for the logits to move visibly
        options.epsilon = 0.3;
        options.orthogonalise = orthogonalise;
        const ScoreLandscape landscape = scoreLandscape(backbone, *detector, x, options);

        const at::Tensor d1 = landscape.direction1.to(torch::kFloat64).flatten();
        const at::Tensor d2 = landscape.direction2.to(torch::kFloat64).flatten();
        if (!orthogonalise)
            QVERIFY((d1.abs() == 1).all().item<bool>() && (d2.abs() == 1).all().item<bool>());
        else // Gram-Schmidt: orthogonal, same L2 norm as a sign vector (sqrt(48)).
            QVERIFY(std::abs((d1 * d2).sum().item<double>()) < 1e-5 &&
                    std::abs(d2.norm().item<double>() - std::sqrt(48.0)) < 1e-5);
        const at::Tensor x64 = x.to(torch::kFloat64).flatten();
        double expectedDelta = 0;
        const int n = options.gridSize, m = n / 2;
        for (int i = 0; i < n; ++i) {
            for (int j = 0; j < n; ++j) {
                const double a = 0.5 * (i - m) / m, b = 0.5 * (j - m) / m;
                QVERIFY(std::abs(landscape.coordinates[static_cast<size_t>(i)] - a) < 1e-15);
                double norm = 0, logit[2];
                for (int64_t e = 0; e < d1.size(0); ++e)
                    norm = std::max(norm, std::abs(a * d1[e].item<double>() + b * d2[e].item<double>()));
                for (int c = 0; c < 2; ++c) {
                    logit[c] = bias[c].item<double>();
                    for (int64_t e = 0; e < d1.size(0); ++e)
                        logit[c] +=
                            w[c][e].item<double>() *
                            (x64[e].item<double>() + a * d1[e].item<double>() + b * d2[e].item<double>());
                }
                const double top = std::max(logit[0], logit[1]);
                const double expected =
                    detectorId == "energy"
                        ? -(top + std::log(std::exp(logit[0] - top) + std::exp(logit[1] - top)))
                        : -top;
                const double got = landscape.scores[i][j].item<double>();
                QVERIFY2(std::abs(got - expected) < 1e-5,
                         qPrintable(QString("(%1,%2): %3 vs %4").arg(i).arg(j).arg(got).arg(expected)));
                QVERIFY(std::abs(landscape.perturbationNorms[i][j].item<double>() - norm) < 1e-6);
                if (norm <= 0.3 + 1e-9)
                    expectedDelta = std::max(expectedDelta, std::abs(got - landscape.centre));
            }
        }
        QCOMPARE(landscape.deltaZ, expectedDelta);
        QVERIFY(landscape.deltaZ > 0);
        if (!orthogonalise) // sign vectors of 48 entries: ||a d1 + b d2||_inf = |a| + |b| (both sign pairs
                            // occur)
            QCOMPARE(landscape.pointsInBall, 13); // |i| + |j| <= 2 steps of 0.125: 1 + 4 + 8 points
    }

    void seededDirections()
    {
        auto backbone = smallResNet(3);
        auto detector = createDetector("energy");
        const at::Tensor x = randomImage(6, 32);
        LandscapeOptions options;
        options.gridSize = 3;
        torch::manual_seed(123); // the global RNG must play no part
        const ScoreLandscape first = scoreLandscape(*backbone, *detector, x, options);
        torch::manual_seed(456);
        const ScoreLandscape again = scoreLandscape(*backbone, *detector, x, options);
        QVERIFY(torch::equal(first.direction1, again.direction1) &&
                torch::equal(first.direction2, again.direction2));
        QVERIFY(torch::equal(first.scores, again.scores));
        QVERIFY(!torch::equal(first.direction1, first.direction2));
        const auto [d1, d2] = landscapeDirections(x, options);
        QVERIFY(torch::equal(d1, first.direction1) && torch::equal(d2, first.direction2));

        options.seed = 1;
        const ScoreLandscape other = scoreLandscape(*backbone, *detector, x, options);
        QVERIFY(!torch::equal(first.direction1, other.direction1) &&
                !torch::equal(first.direction2, other.direction2));
        QVERIFY(!torch::equal(first.scores, other.scores));
        QCOMPARE(other.centre, first.centre);
    }

    void threadCountDoesNotMatter()
    {
        auto backbone = smallResNet(9, 8);
        auto detector = createDetector("msp");
        const at::Tensor x = randomImage(10, 64);
        LandscapeOptions options;
        options.gridSize = 5;
        options.batchSize = 7;
        options.radius = 0.5;
        torch::set_num_threads(1);
        const ScoreLandscape one = scoreLandscape(*backbone, *detector, x, options);
        torch::set_num_threads(2);
        const ScoreLandscape two = scoreLandscape(*backbone, *detector, x, options);
        QVERIFY2(maxDifference(one.scores, two.scores) <= 1e-5,
                 qPrintable(QString::number(maxDifference(one.scores, two.scores))));
        QVERIFY(torch::equal(one.direction1, two.direction1));
    }

    void filterNormalisedDirections()
    {
        torch::manual_seed(2);
        at::Tensor x = torch::randn({3, 8, 8});
        x[1] *= 5; // channels of different energy
        LandscapeOptions options;
        options.directions = LandscapeDirections::FilterNormalised;
        const auto [d1, d2] = landscapeDirections(x, options);
        for (int c = 0; c < 3; ++c) {
            const double target = x[c].norm().item<double>();
            QVERIFY(std::abs(d1[c].norm().item<double>() - target) < 1e-5 * target);
            QVERIFY(std::abs(d2[c].norm().item<double>() - target) < 1e-5 * target);
        }
        test::LinearBackbone backbone(torch::randn({2, 3 * 8 * 8}), torch::zeros({2}));
        auto detector = createDetector("msp");
        options.gridSize = 3;
        QCOMPARE(scoreLandscape(backbone, *detector, x, options).radius, 0.05);
        QVERIFY(errorOf([&] {
                    landscapeDirections(torch::zeros({3, 4, 4}), options);
                }).contains("zero in every channel"));
    }

    void badInput()
    {
        test::LinearBackbone backbone(torch::randn({2, 3 * 4 * 4}), torch::zeros({2}));
        auto msp = createDetector("msp");
        const at::Tensor x = torch::randn({3, 4, 4});
        for (const char *id : {"odin", "pro_msp"}) {
            auto detector = createDetector(id);
            const QString message = errorOf([&] { scoreLandscape(backbone, *detector, x); });
            QVERIFY2(message.contains(QString("'%1'").arg(id)) && message.contains("input gradients"),
                     qPrintable(message));
        }
        LandscapeOptions even;
        even.gridSize = 20;
        QVERIFY(errorOf([&] { scoreLandscape(backbone, *msp, x, even); }).contains("odd"));
        LandscapeOptions tiny;
        tiny.gridSize = 1;
        QVERIFY(errorOf([&] { scoreLandscape(backbone, *msp, x, tiny); }).contains("at least 3"));
        LandscapeOptions radius;
        radius.radius = -1;
        QVERIFY(errorOf([&] { scoreLandscape(backbone, *msp, x, radius); }).contains("radius"));
        LandscapeOptions batch;
        batch.batchSize = 0;
        QVERIFY(errorOf([&] { scoreLandscape(backbone, *msp, x, batch); }).contains("batch size"));
        QVERIFY(errorOf([&] {
                    scoreLandscape(backbone, *msp, torch::randn({2, 3, 4, 4}));
                }).contains("one image"));
        QVERIFY(errorOf([&] { scoreLandscape(backbone, *msp, x.to(torch::kFloat64)); }).contains("float32"));
        QVERIFY(errorOf([&] { scoreLandscape(backbone, *msp, x / 0); }).contains("non-finite"));
    }

    void cancel()
    {
        test::LinearBackbone backbone(torch::randn({2, 3 * 4 * 4}), torch::zeros({2}));
        auto msp = createDetector("msp");
        LandscapeOptions options;
        options.gridSize = 5;
        options.batchSize = 10;
        std::vector<std::pair<int, int>> calls;
        const QString message = errorOf([&] {
            scoreLandscape(backbone, *msp, torch::randn({3, 4, 4}), options, [&](int done, int total) {
                calls.emplace_back(done, total);
                return done < 20;
            });
        });
        QVERIFY2(message.contains("cancelled after 20 of 25"), qPrintable(message));
        QCOMPARE(calls, (std::vector<std::pair<int, int>>{{10, 25}, {20, 25}}));

        calls.clear();
        scoreLandscape(backbone, *msp, torch::randn({3, 4, 4}), options, [&](int done, int total) {
            calls.emplace_back(done, total);
            return true;
        });
        QCOMPARE(calls, (std::vector<std::pair<int, int>>{{10, 25}, {20, 25}, {25, 25}}));
    }

    void levelSizes_data()
    {
        QTest::addColumn<int>("gridSize");
        QTest::addColumn<std::vector<int>>("levels");
        QTest::addColumn<std::vector<int>>("expected");
        // (N-1) divisible by (n-1): 20 by 4 and 10; 40 by 4 and 10; 8 by 4 only; 14 by neither.
        QTest::newRow("21") << 21 << std::vector<int>{5, 11} << std::vector<int>{5, 11, 21};
        QTest::newRow("41") << 41 << std::vector<int>{11, 5} << std::vector<int>{5, 11, 41};
        QTest::newRow("9") << 9 << std::vector<int>{5, 11} << std::vector<int>{5, 9};
        QTest::newRow("15") << 15 << std::vector<int>{5, 11} << std::vector<int>{15};
        QTest::newRow("full listed") << 21 << std::vector<int>{5, 21} << std::vector<int>{5, 21};
        QTest::newRow("none") << 21 << std::vector<int>{} << std::vector<int>{21};
    }

    void levelSizes()
    {
        QFETCH(int, gridSize);
        QFETCH(std::vector<int>, levels);
        QFETCH(std::vector<int>, expected);
        LandscapeOptions options;
        options.gridSize = gridSize;
        options.levels = levels;
        QCOMPARE(landscapeLevelSizes(options), expected);
    }

    void levelsScoreEveryPointOnce()
    {
        // A 32 px ResNet: levels 5 and 11 of a 21 grid. 5x5 = 25 images; the 11x11 grid shares
        // indices {0,10,20}^2 = 9 points with it, so 121 - 9 = 112 new ones; the full grid the
        // remaining 441 - 25 - 112 = 304. Every point once: 441 images in all.
        auto resnet = smallResNet(4);
        CountingBackbone backbone(*resnet);
        auto detector = createDetector("energy");
        const at::Tensor x = randomImage(7, 32);
        LandscapeOptions options;
        options.gridSize = 21;
        options.radius = 0.5;
        options.epsilon = 0.3;
        options.batchSize = 40;
        options.levels = {5, 11};
        std::vector<ScoreLandscape> levels;
        std::vector<int64_t> imagesAtLevel;
        std::vector<std::pair<int, int>> progress;
        const ScoreLandscape full = scoreLandscape(
            backbone, *detector, x, options,
            [&](int done, int total) {
                progress.emplace_back(done, total);
                return true;
            },
            [&](const ScoreLandscape &level) {
                levels.push_back(level);
                imagesAtLevel.push_back(backbone.forwardImages());
            });
        QCOMPARE(levels.size(), size_t(3));
        QCOMPARE(imagesAtLevel, (std::vector<int64_t>{25, 137, 441}));
        QCOMPARE(backbone.forwardImages(), int64_t(441));
        // No batch spans two levels: 25 | 40 40 32 | 40 x 7 + 24.
        QCOMPARE(backbone.forwardBatches(),
                 (std::vector<int64_t>{25, 40, 40, 32, 40, 40, 40, 40, 40, 40, 40, 24}));
        QCOMPARE(progress.front(), std::make_pair(25, 441));
        QCOMPARE(progress.back(), std::make_pair(441, 441));

        // The last level is the result; each level is the full grid's sub-grid, point for point.
        QVERIFY(torch::equal(levels.back().scores, full.scores));
        const int sizes[] = {5, 11, 21};
        // Sign directions: ||a d1 + b d2||_inf = |a| + |b|, and the grid steps are 0.25, 0.1 and
        // 0.05, so the points with |a| + |b| <= 0.3 are |i| + |j| <= 1, 3 and 6 steps from the
        // centre: 1 + 4 = 5, 1 + 4 + 8 + 12 = 25 and 1 + 4 (1 + ... + 6) = 85 points.
        const int inBall[] = {5, 25, 85};
        for (size_t l = 0; l < 3; ++l) {
            const ScoreLandscape &level = levels[l];
            const int n = sizes[l], step = 20 / (n - 1);
            QCOMPARE(int(level.coordinates.size()), n);
            QCOMPARE(level.scores.size(0), int64_t(n));
            QCOMPARE(level.pointsInBall, inBall[l]);
            QCOMPARE(level.centre, full.centre);
            QCOMPARE(level.radius, full.radius);
            QVERIFY(torch::equal(level.direction1, full.direction1));
            double deltaZ = 0;
            for (int i = 0; i < n; ++i) {
                QCOMPARE(level.coordinates[size_t(i)], full.coordinates[size_t(i * step)]);
                for (int j = 0; j < n; ++j) {
                    const double score = full.scores[i * step][j * step].item<double>();
                    QCOMPARE(level.scores[i][j].item<double>(), score);
                    QCOMPARE(level.perturbationNorms[i][j].item<double>(),
                             full.perturbationNorms[i * step][j * step].item<double>());
                    if (std::abs(i - n / 2) + std::abs(j - n / 2) <= (l == 0 ? 1 : l == 1 ? 3 : 6))
                        deltaZ = std::max(deltaZ, std::abs(score - full.centre));
                }
            }
            QCOMPARE(level.deltaZ, deltaZ);
        }
    }

    void levelsEndWithTodaysLandscape()
    {
        // The same points; only which of them share a batch differs. Observed equal to the last bit
        // on this CPU; a forward pass may round a batch of another size differently (other
        // oneDNN blocking), hence the tolerance.
        auto backbone = smallResNet(5, 8);
        auto detector = createDetector("msp");
        const at::Tensor x = randomImage(8, 48);
        LandscapeOptions options;
        options.gridSize = 21;
        options.radius = 0.05;
        const ScoreLandscape today = scoreLandscape(*backbone, *detector, x, options);
        options.levels = {5, 11};
        const ScoreLandscape levelled = scoreLandscape(*backbone, *detector, x, options);
        QCOMPARE(levelled.coordinates, today.coordinates);
        QVERIFY(torch::equal(levelled.direction1, today.direction1) &&
                torch::equal(levelled.direction2, today.direction2));
        QVERIFY(torch::equal(levelled.perturbationNorms, today.perturbationNorms));
        QCOMPARE(levelled.centre, today.centre); // the unperturbed image, alone in the first batch or not
        QCOMPARE(levelled.pointsInBall, today.pointsInBall);
        const double relative = ((levelled.scores - today.scores).abs() / today.scores.abs().clamp_min(1e-12))
                                    .max()
                                    .item<double>();
        qInfo("largest relative difference to the landscape without levels: %.3g", relative);
        QVERIFY2(relative <= 1e-6, qPrintable(QString::number(relative)));
        QVERIFY(std::abs(levelled.deltaZ - today.deltaZ) <= 1e-6 * std::max(1e-12, today.deltaZ));
    }

    void levelsCancel()
    {
        test::LinearBackbone backbone(torch::randn({2, 3 * 4 * 4}), torch::zeros({2}));
        auto msp = createDetector("msp");
        LandscapeOptions options;
        options.gridSize = 9;
        options.levels = {5};
        int levels = 0;
        const QString message = errorOf([&] {
            scoreLandscape(
                backbone, *msp, torch::randn({3, 4, 4}), options, [](int done, int) { return done < 25; },
                [&](const ScoreLandscape &) { ++levels; });
        });
        QVERIFY2(message.contains("cancelled after 25 of 81"), qPrintable(message));
        QCOMPARE(levels, 0); // the 5x5 level was scored but stopped before it was handed over
        options.levels = {4};
        QVERIFY(errorOf([&] {
                    scoreLandscape(backbone, *msp, torch::randn({3, 4, 4}), options);
                }).contains("odd grid"));
    }

    void memoryLayoutDoesNotMatter()
    {
        // The layouts explain-bench times (docs/benchmarks.md): channels-last input, with the
        // convolution kernels stored contiguous or channels-last, against contiguous input.
        torch::manual_seed(0);
        ResNetBackbone backbone(createResNet("resnet18", 2, 8));
        torch::manual_seed(0);
        ResNet model = createResNet("resnet18", 2, 8);
        {
            torch::NoGradGuard noGrad;
            for (at::Tensor &p : model->parameters())
                if (p.dim() == 4)
                    p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
        }
        ResNetBackbone channelsLastWeights(model);
        auto detector = createDetector("energy");
        const at::Tensor x = randomImage(1, 64);
        LandscapeOptions options;
        options.gridSize = 5;
        options.batchSize = 7;
        options.channelsLast = false;
        const ScoreLandscape contiguous = scoreLandscape(backbone, *detector, x, options);
        options.channelsLast = true;
        for (Backbone *b :
             {static_cast<Backbone *>(&backbone), static_cast<Backbone *>(&channelsLastWeights)}) {
            const double difference =
                maxDifference(contiguous.scores, scoreLandscape(*b, *detector, x, options).scores);
            QVERIFY2(difference <= 1e-5, qPrintable(QString::number(difference)));
        }
    }
};

QTEST_GUILESS_MAIN(LandscapeTest)
#include "landscapetest.moc"
