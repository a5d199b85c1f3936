// Turning heatmaps into pictures: ranges, colour map anchors, overlays that leave the frame alone
// where there is nothing to show, and lossless float files.

#include "base/error.h"
#include "explain/heatmaprender.h"
#include "support/errors.h"

#include <QtTest>

#include <opencv2/imgcodecs.hpp>

#include <torch/torch.h>

using namespace ood;

namespace {

RgbImage greyFrame(int width, int height, uint8_t value)
{
    RgbImage frame;
    frame.width = width;
    frame.height = height;
    frame.pixels.assign(static_cast<size_t>(width) * height * 3, value);
    return frame;
}

std::array<int, 3> pixel(const RgbImage &image, int x, int y)
{
    const size_t at = (static_cast<size_t>(y) * image.width + x) * 3;
    return {image.pixels[at], image.pixels[at + 1], image.pixels[at + 2]};
}

} // namespace

class HeatmapRenderTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void naturalRanges_data()
    {
        QTest::addColumn<bool>("isSigned");
        QTest::addColumn<double>("minimum");
        QTest::addColumn<double>("maximum");
        QTest::addColumn<double>("low");
        QTest::addColumn<double>("high");
        QTest::newRow("signed, symmetric about 0") << true << -0.5 << 2.0 << -2.0 << 2.0;
        QTest::newRow("signed, all zero") << true << 0.0 << 0.0 << -1.0 << 1.0;
        QTest::newRow("unsigned from 0") << false << 0.25 << 3.0 << 0.0 << 3.0;
        QTest::newRow("unsigned flat") << false << 0.0 << 0.0 << 0.0 << 1.0;
    }
    void naturalRanges()
    {
        QFETCH(bool, isSigned);
        QFETCH(double, minimum);
        QFETCH(double, maximum);
        QFETCH(double, low);
        QFETCH(double, high);
        Heatmap map;
        map.isSigned = isSigned;
        map.minimum = minimum;
        map.maximum = maximum;
        const ColourRange range = naturalRange(map);
        QCOMPARE(range.low, low);
        QCOMPARE(range.high, high);
    }

    void signedRangeIgnoresAFewExtremePixels()
    {
        // 1000 pixels: 995 with |v| = 1, 5 with 100. The 99.5th percentile of |v| (the 995th
        // smallest) is 1, so those five saturate instead of fading every other pixel.
        at::Tensor values = torch::ones({1000});
        values.narrow(0, 0, 500).fill_(-1.0);
        values.narrow(0, 995, 5).fill_(100.0);
        const Heatmap map = heatmapFromPixels("lrp", "unit", true, values.reshape({20, 50}));
        const ColourRange range = naturalRange(map);
        QCOMPARE(range.low, -1.0);
        QCOMPARE(range.high, 1.0);
    }

    void colourMapAnchors()
    {
        uint8_t rgb[3];
        // Diverging: the centre of the range is white, the ends are dark blue and dark red.
        colourOf(0.0, {-1, 1}, ColourMap::Diverging, rgb);
        QCOMPARE((std::array<int, 3>{rgb[0], rgb[1], rgb[2]}), (std::array<int, 3>{255, 255, 255}));
        colourOf(-5.0, {-1, 1}, ColourMap::Diverging, rgb); // clamped
        QVERIFY(rgb[2] > rgb[0]);
        colourOf(1.0, {-1, 1}, ColourMap::Diverging, rgb);
        QVERIFY(rgb[0] > rgb[2]);
        // Inferno runs from near black to pale yellow.
        colourOf(0.0, {0, 1}, ColourMap::Inferno, rgb);
        QVERIFY(rgb[0] + rgb[1] + rgb[2] < 10);
        colourOf(1.0, {0, 1}, ColourMap::Inferno, rgb);
        QVERIFY(rgb[0] > 240 && rgb[1] > 240);
    }

    void overlayLeavesTheFrameWhereThereIsNoRelevance()
    {
        // Signed map, zero on the left half, strong positive on the right half.
        at::Tensor values = torch::zeros({4, 4});
        values.narrow(1, 2, 2).fill_(1.0);
        const Heatmap map = heatmapFromPixels("test", "unit", true, values);
        const RgbImage frame = greyFrame(8, 8, 100);
        const RgbImage out = overlayHeatmap(frame, map, 0.8, naturalRange(map), ColourMap::Diverging);
        QCOMPARE(out.width, 8);
        QCOMPARE(out.height, 8);
        QCOMPARE(pixel(out, 0, 3), (std::array<int, 3>{100, 100, 100}));
        const auto right = pixel(out, 7, 3);
        QVERIFY(right[0] > right[2]); // towards red
        // Opacity 0 gives the frame back unchanged.
        const RgbImage none = overlayHeatmap(frame, map, 0.0, naturalRange(map), ColourMap::Diverging);
        QVERIFY(none.pixels == frame.pixels);
    }

    void floatTiffIsLossless()
    {
        torch::manual_seed(5);
        const at::Tensor values = torch::randn({7, 5});
        const QByteArray bytes = encodeFloatTiff(values);
        const std::vector<uchar> buffer(bytes.begin(), bytes.end());
        const cv::Mat decoded = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
        QCOMPARE(decoded.type(), CV_32FC1);
        QCOMPARE(decoded.rows, 7);
        QCOMPARE(decoded.cols, 5);
        const at::Tensor back = torch::from_blob(const_cast<uchar *>(decoded.data), {7, 5}, torch::kFloat32);
        QVERIFY(torch::equal(back, values));
    }

    void pngHasTheImageSize()
    {
        const QByteArray png = encodePng(greyFrame(6, 3, 7));
        QVERIFY(png.startsWith("\x89PNG"));
        const std::vector<uchar> buffer(png.begin(), png.end());
        const cv::Mat decoded = cv::imdecode(buffer, cv::IMREAD_COLOR);
        QCOMPARE(decoded.cols, 6);
        QCOMPARE(decoded.rows, 3);
    }

    void badInputIsRefused()
    {
        QVERIFY(test::errorOf([] { encodePng(RgbImage()); }).contains("empty"));
        QVERIFY(test::errorOf([] { encodeFloatTiff(torch::ones({3})); }).contains("[H,W]"));
        Heatmap map = heatmapFromPixels("m", "u", true, torch::ones({2, 2}));
        QVERIFY(test::errorOf([&] {
                    overlayHeatmap(RgbImage(), map, 0.5, {-1, 1}, ColourMap::Diverging);
                }).contains("empty frame"));
    }
};

QTEST_GUILESS_MAIN(HeatmapRenderTest)
#include "heatmaprendertest.moc"
