// Decoding one sample: an image file as decodeImageFile gives it, a video frame as VideoSource
// gives it, however a thread steps through the video, and a clear error for a frame that is not
// there.

#include "data/sampledecoder.h"
#include "data/videosource.h"
#include "base/error.h"
#include "support/videoclips.h"

#include <QtTest>
#include <QtConcurrent>

#include <opencv2/imgcodecs.hpp>

using namespace ood;

namespace {

constexpr int kFrames = 40;

/// Frame i is flat grey level 5*i, so a decoded frame says which frame it is.
std::vector<cv::Mat> greyRamp()
{
    std::vector<cv::Mat> frames;
    for (int i = 0; i < kFrames; ++i)
        frames.emplace_back(48, 64, CV_8UC3, cv::Scalar(5 * i, 5 * i, 5 * i));
    return frames;
}

double meanLevel(const RgbImage &image)
{
    double sum = 0;
    for (uint8_t v : image.pixels)
        sum += v;
    return sum / double(image.pixels.size());
}

} // namespace

class SampleDecoderTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_dir;
    QString m_video;

  private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_video = m_dir.filePath("ramp.avi");
        QVERIFY2(test::writeMjpegVideo(m_video, greyRamp(), 10), "OpenCV cannot write MJPG into AVI here");
    }

    void imageSampleIsTheDecodedFile()
    {
        const QString path = m_dir.filePath("still.png");
        cv::Mat bgr(5, 7, CV_8UC3, cv::Scalar(10, 20, 30));
        QVERIFY(cv::imwrite(path.toStdString(), bgr));
        const RgbImage image = decodeSample({path, -1, -1});
        QCOMPARE(image.width, 7);
        QCOMPARE(image.height, 5);
        // BGR (10, 20, 30) on disk is RGB (30, 20, 10).
        QCOMPARE(int(image.pixels[0]), 30);
        QCOMPARE(int(image.pixels[1]), 20);
        QCOMPARE(int(image.pixels[2]), 10);
    }

    void videoFrames_data()
    {
        QTest::addColumn<QList<int>>("order");
        QTest::newRow("forward, every frame") << QList<int>{0, 1, 2, 3, 4, 5};
        QTest::newRow("forward, every 7th") << QList<int>{0, 7, 14, 21, 28, 35};
        QTest::newRow("backwards") << QList<int>{39, 20, 3, 0};
        QTest::newRow("far jumps") << QList<int>{0, 38, 1, 37};
    }

    void videoFrames()
    {
        QFETCH(QList<int>, order);
        VideoSource reference(m_video);
        for (int index : order) {
            const RgbImage got = decodeSample({m_video, -1, index});
            const RgbImage want = reference.frame(index);
            QCOMPARE(got.width, 64);
            QCOMPARE(got.height, 48);
            QVERIFY2(got.pixels == want.pixels, qPrintable(QString("frame %1").arg(index)));
            // MJPEG of a flat grey stays within a level or two of it.
            QVERIFY2(std::abs(meanLevel(got) - 5.0 * index) < 2.5,
                     qPrintable(QString("frame %1: %2").arg(index).arg(meanLevel(got))));
        }
    }

    void threadsReadTheirOwnFrames()
    {
        // Two pool threads interleave frames of the same file, each with its own open video.
        QList<int> indices;
        for (int i = 0; i < kFrames; ++i)
            indices << i;
        const QList<double> levels = QtConcurrent::blockingMapped(indices, [this](int index) {
            return meanLevel(decodeSample({m_video, -1, index}));
        });
        for (int i = 0; i < kFrames; ++i)
            QVERIFY2(std::abs(levels[i] - 5.0 * i) < 2.5,
                     qPrintable(QString("frame %1: %2").arg(i).arg(levels[i])));
    }

    void aReplacedFileIsReopened()
    {
        const QString path = m_dir.filePath("replaced.avi");
        QVERIFY(test::writeMjpegVideo(path, greyRamp(), 10));
        QVERIFY(std::abs(meanLevel(decodeSample({path, -1, 10})) - 50) < 2.5);
        // The same name now holds a brighter clip of another length: the cached reader must not
        // hand out frames of the old file.
        std::vector<cv::Mat> bright;
        for (int i = 0; i < 12; ++i)
            bright.emplace_back(48, 64, CV_8UC3, cv::Scalar(200, 200, 200));
        QVERIFY(QFile::remove(path));
        QVERIFY(test::writeMjpegVideo(path, bright, 10));
        QVERIFY(std::abs(meanLevel(decodeSample({path, -1, 10})) - 200) < 2.5);
        QVERIFY_THROWS_EXCEPTION(Error, decodeSample({path, -1, 30}));
    }

    void missingFrameNamesFileAndFrame()
    {
        try {
            decodeSample({m_video, -1, kFrames + 5});
            QFAIL("no error for a frame past the end");
        } catch (const Error &e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains("ramp.avi") && message.contains(QString::number(kFrames + 5)),
                     qPrintable(message));
        }
    }

    void missingVideoIsAnError()
    {
        QVERIFY_THROWS_EXCEPTION(Error, decodeSample({m_dir.filePath("none.mp4"), -1, 0}));
    }
};

QTEST_GUILESS_MAIN(SampleDecoderTest)
#include "sampledecodertest.moc"
