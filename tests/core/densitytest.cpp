// Score densities: KDE closed forms (one point is a normal pdf, two points a mixture of two),
// Scott's bandwidth by hand, unit mass on a wide grid, histograms and percentiles counted by
// hand, and the degenerate inputs.

#include "calib/profile.h"
#include "explain/density.h"
#include "support/errors.h"

#include <QtTest>

#include <torch/torch.h>

#include <cmath>

using namespace ood;
using ood::test::errorOf;

namespace {

double normalPdf(double x, double mean, double sd)
{
    const double u = (x - mean) / sd;
    return std::exp(-0.5 * u * u) / (sd * std::sqrt(2.0 * M_PI));
}

double trapezoid(const std::vector<double> &x, const std::vector<double> &y)
{
    double area = 0;
    for (size_t i = 1; i < x.size(); ++i)
        area += 0.5 * (x[i] - x[i - 1]) * (y[i] + y[i - 1]);
    return area;
}

at::Tensor scores(const std::vector<double> &values)
{
    return torch::tensor(values, torch::kFloat64);
}

bool allFinite(const std::vector<double> &values)
{
    return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

} // namespace

class DensityTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void singlePointIsNormalPdf()
    {
        const std::vector<double> grid = {-1.0, 0.5, 2.0, 2.3, 4.0};
        const std::vector<double> density = gaussianKde({2.0}, 0.5, grid);
        for (size_t i = 0; i < grid.size(); ++i)
            QVERIFY(std::abs(density[i] - normalPdf(grid[i], 2.0, 0.5)) < 1e-14);
    }

    void twoPointsAreAMixture()
    {
        // {0, 2}: mean 1, std(ddof=1) = sqrt(2), h = sqrt(2) * 2^(-1/5) = 1.2311444133449163.
        const double h = 1.2311444133449163;
        bool fallback = true;
        QVERIFY(std::abs(scottBandwidth({0.0, 2.0}, &fallback) - h) < 1e-14);
        QVERIFY(!fallback);
        const std::vector<double> grid = {-2.0, 0.0, 1.0, 3.5};
        const std::vector<double> density = gaussianKde({0.0, 2.0}, h, grid);
        for (size_t i = 0; i < grid.size(); ++i) {
            const double expected = 0.5 * (normalPdf(grid[i], 0.0, h) + normalPdf(grid[i], 2.0, h));
            QVERIFY2(std::abs(density[i] - expected) < 1e-14, qPrintable(QString::number(i)));
        }
    }

    void scottBandwidthByHand_data()
    {
        QTest::addColumn<std::vector<double>>("sample");
        QTest::addColumn<double>("expected");
        // {1..5}: mean 3, sum of squares 10, var(ddof=1) 2.5; h = sqrt(2.5) * 5^(-1/5).
        QTest::newRow("1..5") << std::vector<double>{1, 2, 3, 4, 5} << 1.145977269496164;
        // Shift and order do not matter; a scale of 10 scales h by 10.
        QTest::newRow("shifted") << std::vector<double>{105, 101, 103, 102, 104} << 1.145977269496164;
        QTest::newRow("scaled") << std::vector<double>{10, 20, 30, 40, 50} << 11.45977269496164;
    }

    void scottBandwidthByHand()
    {
        QFETCH(std::vector<double>, sample);
        QFETCH(double, expected);
        QVERIFY(std::abs(scottBandwidth(sample) - expected) < 1e-12 * expected);
    }

    void densitiesIntegrateToOne_data()
    {
        QTest::addColumn<int>("seed");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("m");
        QTest::newRow("normal") << 1 << 500 << 300;
        QTest::newRow("small") << 2 << 3 << 2;
        QTest::newRow("constant set") << 3 << 200 << 0;
    }

    void densitiesIntegrateToOne()
    {
        QFETCH(int, seed);
        QFETCH(int, n);
        QFETCH(int, m);
        torch::manual_seed(static_cast<uint64_t>(seed));
        const at::Tensor id = torch::randn({n}, torch::kFloat64);
        // A bimodal set, or (m = 0) a constant one that takes the fallback bandwidth.
        const at::Tensor set = m > 0 ? torch::cat({torch::randn({m}, torch::kFloat64) * 0.3 + 2,
                                                   torch::randn({m}, torch::kFloat64) * 2 - 1})
                                     : torch::full({5}, 1.5, torch::kFloat64);
        DensityOptions options;
        options.gridPoints = 8192;
        options.padBandwidths = 10; // mass beyond 10 bandwidths: < 1e-22
        const ScoreDensity d = scoreDensity(id, 0.0, set, 0.25, options);
        // Trapezoid on a smooth integrand whose narrowest kernel spans > 10 grid steps.
        const double step = d.grid[1] - d.grid[0];
        QVERIFY2(std::min(d.idBandwidth, d.setBandwidth) > 10 * step, qPrintable(QString::number(step)));
        QVERIFY2(std::abs(trapezoid(d.grid, d.idDensity) - 1) < 1e-6,
                 qPrintable(QString::number(trapezoid(d.grid, d.idDensity))));
        QVERIFY2(std::abs(trapezoid(d.grid, d.setDensity) - 1) < 1e-6,
                 qPrintable(QString::number(trapezoid(d.grid, d.setDensity))));
        QCOMPARE(d.setBandwidthFallback, m == 0);
    }

    void gridSpansSamplesThresholdAndFrame()
    {
        const ScoreDensity d = scoreDensity(scores({1, 2, 3, 4, 5}), 6.0, scores({0.5, 1.5}), -2.0);
        const double h = d.idBandwidth;
        QCOMPARE(int(d.grid.size()), 256);
        // The ID sample has the larger bandwidth ({0.5, 1.5}: sqrt(0.5) * 2^(-1/5) = 0.6156).
        QVERIFY(std::abs(d.setBandwidth - 0.6155722066724582) < 1e-12);
        QVERIFY(std::abs(d.grid.front() - (-2.0 - 3 * h)) < 1e-12);
        QVERIFY(std::abs(d.grid.back() - (6.0 + 3 * h)) < 1e-12);
        QVERIFY(std::abs(d.binEdges.front() - (-2.0)) < 1e-12 && std::abs(d.binEdges.back() - 6.0) < 1e-12);
        QCOMPARE(d.threshold, 6.0);
        QCOMPARE(*d.frameValue, -2.0);
        QCOMPARE(*d.framePercentile, 0.0);
    }

    void percentileWithTies_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<double>("expected");
        // Validation {1, 2, 2, 2, 3}: ties count as below, so the share of values <= value.
        QTest::newRow("below all") << 0.0 << 0.0;
        QTest::newRow("first") << 1.0 << 20.0;
        QTest::newRow("between") << 1.5 << 20.0;
        QTest::newRow("tied") << 2.0 << 80.0;
        QTest::newRow("last") << 3.0 << 100.0;
        QTest::newRow("above all") << 10.0 << 100.0;
    }

    void percentileWithTies()
    {
        QFETCH(double, value);
        QFETCH(double, expected);
        QCOMPARE(percentileAmongValidation(scores({2, 3, 1, 2, 2}), value), expected);
    }

    void histogramByHand()
    {
        // Fixed count: edges {0, 2, 4}; [0, 2) holds 0, 1 and the closed last bin [2, 4] holds 2, 3, 4.
        DensityOptions options;
        options.bins = 2;
        const ScoreDensity fixed =
            scoreDensity(scores({0, 1, 2, 3, 4}), 4.0, scores({4, 4, 0.5}), std::nullopt, options);
        QCOMPARE(fixed.binEdges, (std::vector<double>{0, 2, 4}));
        QCOMPARE(fixed.idCounts, (std::vector<int64_t>{2, 3}));
        QCOMPARE(fixed.setCounts, (std::vector<int64_t>{1, 2}));
        // Heights: count / (n * width) = 2/10, 3/10 and 1/6, 2/6.
        QVERIFY(std::abs(fixed.idHeights[0] - 0.2) < 1e-15 && std::abs(fixed.idHeights[1] - 0.3) < 1e-15);
        QVERIFY(std::abs(fixed.setHeights[0] - 1.0 / 6) < 1e-15 &&
                std::abs(fixed.setHeights[1] - 2.0 / 6) < 1e-15);
        QVERIFY(!fixed.frameValue && !fixed.framePercentile);

        // Freedman-Diaconis on 0..99: IQR = 74.25 - 24.75 = 49.5, width 2 * 49.5 / 100^(1/3) = 21.33,
        // ceil(99 / 21.33) = 5 bins of 19.8 (numpy.histogram_bin_edges(np.arange(100.), "fd") agrees).
        std::vector<double> ramp(100);
        for (int i = 0; i < 100; ++i)
            ramp[static_cast<size_t>(i)] = i;
        const ScoreDensity fd = scoreDensity(scores(ramp), 50.0);
        QCOMPARE(int(fd.binEdges.size()), 6);
        QVERIFY(std::abs(fd.binEdges[1] - 19.8) < 1e-12);
        QCOMPARE(fd.idCounts, (std::vector<int64_t>{20, 20, 20, 20, 20}));
        QVERIFY(fd.setCounts.empty() && fd.setHeights.empty() && fd.setDensity.empty());
        QCOMPARE(fd.setBandwidth, 0.0);
    }

    void constantSampleIsFinite_data()
    {
        QTest::addColumn<std::vector<double>>("sample");
        QTest::addColumn<double>("bandwidth");
        // 1% of |mean| (the axis has no range beyond the value itself), 0.01 for zeros.
        QTest::newRow("one value") << std::vector<double>{-3.0} << 0.03;
        QTest::newRow("constant") << std::vector<double>{0.7, 0.7, 0.7} << 0.007;
        QTest::newRow("zeros") << std::vector<double>{0, 0} << 0.01;
    }

    void constantSampleIsFinite()
    {
        QFETCH(std::vector<double>, sample);
        QFETCH(double, bandwidth);
        bool fallback = false;
        QVERIFY(std::abs(scottBandwidth(sample, &fallback) - bandwidth) < 1e-12 * bandwidth);
        QVERIFY(fallback);
        const ScoreDensity d = scoreDensity(scores(sample), sample[0], scores(sample), sample[0]);
        QVERIFY(d.idBandwidthFallback && d.setBandwidthFallback);
        QVERIFY(std::abs(d.idBandwidth - bandwidth) < 1e-12 * bandwidth);
        QVERIFY(allFinite(d.idDensity) && allFinite(d.setDensity) && allFinite(d.idHeights) &&
                allFinite(d.grid));
        // numpy widens the empty range to value +- 0.5.
        QVERIFY(std::abs(d.binEdges.front() - (sample[0] - 0.5)) < 1e-12);
        QCOMPARE(*d.framePercentile, 100.0);
        // The peak of a one-value KDE is the normal pdf's: 1 / (h sqrt(2 pi)).
        const double peak = *std::max_element(d.idDensity.begin(), d.idDensity.end());
        QVERIFY(std::abs(peak - 1 / (bandwidth * std::sqrt(2 * M_PI))) < 1e-3 * peak);
    }

    void fallbackFollowsTheAxisRange()
    {
        // A constant ID sample beside a spread set: 1% of the axis range (10), not of |mean| (0).
        const ScoreDensity d = scoreDensity(scores({0, 0, 0}), 0.0, scores({-5, 5, 1}));
        QVERIFY(d.idBandwidthFallback && !d.setBandwidthFallback);
        QVERIFY(std::abs(d.idBandwidth - 0.1) < 1e-15);
    }

    void profileDetectorOverload()
    {
        ProfileDetector detector;
        detector.validationScores = scores({1, 2, 3, 4});
        detector.threshold = 3.5;
        const ScoreDensity d = scoreDensity(detector, {}, 2.0);
        QCOMPARE(d.threshold, 3.5);
        QCOMPARE(*d.framePercentile, 50.0);
    }

    void badInput()
    {
        QVERIFY(errorOf([] { scottBandwidth({}); }).contains("empty"));
        QVERIFY(errorOf([] { gaussianKde({1.0}, 0.0, {0.0}); }).contains("bandwidth"));
        QVERIFY(errorOf([] {
                    percentileAmongValidation(torch::zeros({0}, torch::kFloat64), 1.0);
                }).contains("no validation scores"));
        QVERIFY(errorOf([] {
                    scoreDensity(torch::zeros({0}, torch::kFloat64), 0.0);
                }).contains("no ID validation"));
        QVERIFY(errorOf([] {
                    scoreDensity(scores({1, NAN}), 0.0);
                }).contains("1 of 2 scores are not finite"));
        QVERIFY(errorOf([] { scoreDensity(scores({1, 2}), 0.0, scores({INFINITY})); }).contains("set"));
        QVERIFY(errorOf([] { scoreDensity(scores({1, 2}), 0.0, {}, NAN); }).contains("frame"));
        QVERIFY(errorOf([] { scoreDensity(torch::zeros({2, 2}, torch::kFloat64), 0.0); }).contains("1-D"));
        DensityOptions options;
        options.gridPoints = 1;
        QVERIFY(errorOf([&] {
                    scoreDensity(scores({1, 2}), 0.0, {}, std::nullopt, options);
                }).contains("grid points"));
    }
};

QTEST_GUILESS_MAIN(DensityTest)
#include "densitytest.moc"
