// Video frames: a clip written here with OpenCV's MJPG encoder, one solid colour per frame, so
// that every decoded frame tells which frame it is; sampling, random access, truncated files and
// files that only pretend to be videos.

#include "data/videosource.h"
#include "base/error.h"

#include <QtTest>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

using namespace ood;

namespace {

constexpr int kFrames = 90;
constexpr int kWidth = 160;
constexpr int kHeight = 120;
constexpr double kFps = 10;
/// JPEG of a flat colour is off by a few levels at most; neighbouring frames differ by 8.
constexpr int kTolerance = 5;

/// The colour of frame i (RGB): R and G move by 8 per frame through 30 steps, B by 40 every 30
/// frames, so no two frames are within the tolerance of each other.
cv::Vec3i colourOf(int i)
{
    return {10 + 8 * (i % 30), 250 - 8 * (i % 30), 20 + 40 * (i / 30)};
}

/// Mean colour of the central quarter (RGB).
cv::Vec3d centreMean(const RgbImage &image)
{
    cv::Mat rgb(image.height, image.width, CV_8UC3, const_cast<uint8_t *>(image.pixels.data()));
    const cv::Scalar mean =
        cv::mean(rgb(cv::Rect(image.width / 4, image.height / 4, image.width / 2, image.height / 2)));
    return {mean[0], mean[1], mean[2]};
}

bool hasColourOf(const RgbImage &image, int i)
{
    const cv::Vec3d mean = centreMean(image);
    const cv::Vec3i want = colourOf(i);
    for (int c = 0; c < 3; ++c)
        if (std::abs(mean[c] - want[c]) > kTolerance)
            return false;
    return true;
}

QString describe(const RgbImage &image, int i)
{
    const cv::Vec3d mean = centreMean(image);
    const cv::Vec3i want = colourOf(i);
    return QStringLiteral("frame %1: got (%2,%3,%4), want (%5,%6,%7)")
        .arg(i)
        .arg(mean[0], 0, 'f', 1)
        .arg(mean[1], 0, 'f', 1)
        .arg(mean[2], 0, 'f', 1)
        .arg(want[0])
        .arg(want[1])
        .arg(want[2]);
}

void expectError(const std::function<void()> &action, const QString &fileName, const QString &fragment = {})
{
    try {
        action();
        QFAIL(qPrintable("no error for " + fileName));
    } catch (const Error &e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(fileName), e.what());
        QVERIFY2(QString::fromUtf8(e.what()).contains(fragment), e.what());
    }
}

} // namespace

class VideoSourceTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_dir;
    QString m_video; ///< MJPG in AVI: every frame a key frame
    QString m_h264;  ///< H.264 in MP4, empty when OpenCV cannot write it here

    /// The clip: kFrames flat frames of colourOf(i) with the frame number in a corner.
    static bool writeClip(const QString &path, int fourcc)
    {
        cv::VideoWriter writer(path.toStdString(), cv::CAP_FFMPEG, fourcc, kFps, cv::Size(kWidth, kHeight));
        if (!writer.isOpened())
            return false;
        for (int i = 0; i < kFrames; ++i) {
            const cv::Vec3i c = colourOf(i);
            cv::Mat frame(kHeight, kWidth, CV_8UC3, cv::Scalar(c[2], c[1], c[0])); // BGR
            // Real clips are not flat and move (which gives an H.264 encoder B-frames to reorder);
            // the centre, where colours are measured, stays flat.
            cv::putText(frame, std::to_string(i), {1, 12}, cv::FONT_HERSHEY_PLAIN, 0.9, cv::Scalar(0, 0, 0));
            cv::circle(frame, {40 + i, 12}, 8, cv::Scalar(255, 255, 255), -1);
            cv::circle(frame, {kWidth - 12, 40 + i % 70}, 6, cv::Scalar(0, 0, 0), -1);
            writer.write(frame);
        }
        writer.release();
        return QFileInfo(path).size() > 0;
    }

    /// The clip of a data row: "mjpg" or "h264" (skipped when there is no H.264 encoder).
    QString clip(const QString &codec)
    {
        if (codec == QLatin1String("h264")) {
            if (m_h264.isEmpty())
                QTest::qSkip("no H.264 encoder", __FILE__, __LINE__);
            return m_h264;
        }
        return m_video;
    }

    static void addCodecRows()
    {
        QTest::addColumn<QString>("codec");
        QTest::newRow("mjpg") << "mjpg";
        QTest::newRow("h264") << "h264";
    }

  private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_video = m_dir.filePath(QStringLiteral("clip.avi"));
        QVERIFY2(writeClip(m_video, cv::VideoWriter::fourcc('M', 'J', 'P', 'G')),
                 "OpenCV cannot write MJPG into AVI here");
        // H.264 (frames predicted from each other, seeks not frame-accurate) when an encoder exists.
        const QString h264 = m_dir.filePath(QStringLiteral("clip.mp4"));
        if (writeClip(h264, cv::VideoWriter::fourcc('a', 'v', 'c', '1')))
            m_h264 = h264;
        else
            qInfo("no H.264 encoder: the inter-frame rows are skipped");
    }

    void extensions_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("video");
        for (const char *ext : {"mp4", "avi", "mkv", "mov", "webm", "mpg", "mpeg", "m4v", "wmv"})
            QTest::newRow(ext) << QStringLiteral("/data/clip.%1").arg(QLatin1String(ext)) << true;
        QTest::newRow("upper case") << "/data/CLIP.MP4" << true;
        QTest::newRow("dots") << "/data/a.b.MoV" << true;
        QTest::newRow("image") << "/data/frame.png" << false;
        QTest::newRow("video then text") << "/data/clip.mp4.txt" << false;
        QTest::newRow("no extension") << "/data/mp4" << false;
        QTest::newRow("only extension") << "/data/.mp4" << false;
        QTest::newRow("folder-like") << "/data/mp4/frame.jpg" << false;
    }

    void extensions()
    {
        QFETCH(QString, path);
        QFETCH(bool, video);
        QCOMPARE(isVideoPath(path), video);
    }

    void properties_data() { addCodecRows(); }

    void properties()
    {
        QFETCH(QString, codec);
        const QString path = clip(codec);
        if (path.isEmpty())
            return;
        VideoSource source(path);
        QCOMPARE(source.path(), path);
        QCOMPARE(source.frameCount(), kFrames);
        QCOMPARE(source.fps(), kFps);
        QCOMPARE(source.width(), kWidth);
        QCOMPARE(source.height(), kHeight);
    }

    void sampling_data()
    {
        QTest::addColumn<QString>("codec");
        QTest::addColumn<int>("every");
        QTest::addColumn<QVector<int>>("frames");
        QVector<int> all;
        for (int i = 0; i < kFrames; ++i)
            all << i;
        QVector<int> sevens;
        for (int i = 0; i < kFrames; i += 7)
            sevens << i;
        const std::vector<std::pair<int, QVector<int>>> rows{
            {1, all},  {7, sevens}, {29, {0, 29, 58, 87}}, {30, {0, 30, 60}}, {89, {0, 89}},
            {90, {0}}, {1000, {0}}};
        for (const char *codec : {"mjpg", "h264"})
            for (const auto &[every, frames] : rows)
                QTest::addRow("%s every %d", codec, every) << QString::fromLatin1(codec) << every << frames;
    }

    void sampling()
    {
        QFETCH(QString, codec);
        QFETCH(int, every);
        QFETCH(QVector<int>, frames);
        const QString path = clip(codec);
        if (path.isEmpty())
            return;
        VideoSource source(path);
        const std::vector<int> listed = source.sampledFrames(every);
        QCOMPARE(QVector<int>(listed.begin(), listed.end()), frames);

        QVector<int> visited;
        source.readSampled(every, [&](VideoFrame &frame) {
            visited << frame.index;
            [&] {
                QVERIFY2(frame.ok(), qPrintable(frame.error));
                QCOMPARE(frame.image.width, kWidth);
                QCOMPARE(frame.image.height, kHeight);
                QCOMPARE(frame.image.pixels.size(), size_t(kWidth * kHeight * 3));
                QVERIFY2(hasColourOf(frame.image, frame.index),
                         qPrintable(describe(frame.image, frame.index)));
            }();
            return !QTest::currentTestFailed();
        });
        QCOMPARE(visited, frames);
    }

    void stopsWhenAsked()
    {
        VideoSource source(m_video);
        int visits = 0;
        source.readSampled(3, [&](VideoFrame &) { return ++visits < 2; });
        QCOMPARE(visits, 2);
        // A second pass starts again from the first frame.
        QVector<int> visited;
        source.readSampled(12, [&](VideoFrame &frame) {
            visited << frame.index;
            return frame.ok() && hasColourOf(frame.image, frame.index);
        });
        QCOMPARE(visited, (QVector<int>{0, 12, 24, 36, 48, 60, 72, 84}));
    }

    void randomAccess_data() { addCodecRows(); }

    void randomAccess()
    {
        QFETCH(QString, codec);
        const QString path = clip(codec);
        if (path.isEmpty())
            return;
        VideoSource source(path);
        // The same decoder reading from the start gives the reference: a frame reached any other
        // way must be identical to the pixel, or it is another frame (or decoded from the wrong
        // reference frames).
        std::vector<RgbImage> streamed;
        source.readSampled(1, [&](VideoFrame &frame) {
            streamed.push_back(std::move(frame.image));
            return true;
        });
        QCOMPARE(int(streamed.size()), kFrames);
        // Forward, backward, next, far, first, last, the same frame twice.
        for (int i : {57, 3, 4, 5, 89, 0, 88, 1, 1, 46, 27, 9, 70, 69, 35}) {
            const RgbImage image = source.frame(i);
            QCOMPARE(image.width, kWidth);
            QVERIFY2(hasColourOf(image, i), qPrintable(describe(image, i)));
            QVERIFY2(image.pixels == streamed[size_t(i)].pixels,
                     qPrintable(QStringLiteral("frame %1 differs from the stream").arg(i)));
        }
        // Random access in the middle of a stream does not disturb the next stream.
        QVector<int> visited;
        source.readSampled(40, [&](VideoFrame &frame) {
            visited << frame.index;
            return frame.ok() && hasColourOf(frame.image, frame.index);
        });
        QCOMPARE(visited, (QVector<int>{0, 40, 80}));
        const QString name = QFileInfo(path).fileName();
        expectError([&] { source.frame(kFrames); }, name, QStringLiteral("out of range"));
        expectError([&] { source.frame(-1); }, name, QStringLiteral("out of range"));
        expectError([&] { source.sampledFrames(0); }, name, QStringLiteral("at least 1"));
    }

    void pixelLimit()
    {
        DecodeLimits limits;
        limits.maxPixels = kWidth * kHeight - 1;
        expectError([&] { VideoSource source(m_video, limits); }, QStringLiteral("clip.avi"),
                    QStringLiteral("limit"));
        limits.maxPixels = kWidth * kHeight;
        VideoSource source(m_video, limits);
        QVERIFY(hasColourOf(source.frame(2), 2));
    }

    void truncatedFile_data() { addCodecRows(); }

    void truncatedFile()
    {
        QFETCH(QString, codec);
        const QString path = clip(codec);
        if (path.isEmpty())
            return;
        QFile original(path);
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QByteArray bytes = original.readAll();
        const QString cutName = QStringLiteral("cut.") + QFileInfo(path).suffix();
        const QString cut = m_dir.filePath(cutName);
        QFile file(cut);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes.left(bytes.size() / 2));
        file.close();

        std::unique_ptr<VideoSource> source;
        try {
            source = std::make_unique<VideoSource>(cut);
        } catch (const Error &e) {
            // Refusing the whole file is allowed, as long as it is a clear error.
            QVERIFY2(QString::fromUtf8(e.what()).contains(cutName), e.what());
            qInfo("truncated video refused: %s", e.what());
            return;
        }
        int decoded = 0, failed = 0;
        std::vector<int> wrongColour;
        source->readSampled(1, [&](VideoFrame &frame) {
            [&] {
                if (frame.ok()) {
                    ++decoded;
                    QCOMPARE(frame.image.width, kWidth);
                    if (!hasColourOf(frame.image, frame.index)) {
                        qInfo("%s", qPrintable(describe(frame.image, frame.index)));
                        wrongColour.push_back(frame.index);
                    }
                } else {
                    ++failed;
                    QVERIFY2(frame.error.contains(cutName), qPrintable(frame.error));
                    QVERIFY(frame.image.isNull());
                }
            }();
            return !QTest::currentTestFailed();
        });
        qInfo("truncated video: %d frames listed, %d decoded, %d reported broken", source->frameCount(),
              decoded, failed);
        QCOMPARE(decoded + failed, source->frameCount());
        // Decoded frames are the right frames, not neighbours; only the one frame the cut went
        // through may be partly concealed grey.
        QVERIFY(wrongColour.size() <= 1);
        if (!wrongColour.empty())
            QCOMPARE(wrongColour.front(), decoded - 1);
        // The first half of an MJPG AVI holds about half the frames (the index is at the end).
        if (codec == QLatin1String("mjpg"))
            QVERIFY(decoded >= kFrames / 4);

        // Frames near the end, one at a time: an image or an error, never a crash.
        for (int i : {source->frameCount() - 1, source->frameCount() - 2, 2}) {
            try {
                const RgbImage image = source->frame(i);
                QVERIFY2(i == decoded - 1 || hasColourOf(image, i), qPrintable(describe(image, i)));
            } catch (const Error &e) {
                QVERIFY2(QString::fromUtf8(e.what()).contains(cutName), e.what());
            }
        }
    }

    void notAVideo_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("text") << "notes.mp4" << QByteArray("frame,score\n0,0.5\n").repeated(100)
                              << "not a video";
        QTest::newRow("empty") << "empty.mp4" << QByteArray() << "empty";
        QByteArray noise(4096, '\0');
        for (int i = 0; i < noise.size(); ++i)
            noise[i] = char((i * 7919 + 17) % 253);
        QTest::newRow("noise") << "noise.avi" << noise << "";
    }

    void notAVideo()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, fragment);
        const QString path = m_dir.filePath(name);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
        file.close();
        expectError([&] { VideoSource source(path); }, name, fragment);
    }

    void missing()
    {
        expectError([&] { VideoSource source(m_dir.filePath(QStringLiteral("gone.mp4"))); },
                    QStringLiteral("gone.mp4"), QStringLiteral("does not exist"));
        expectError([&] { VideoSource source(m_dir.path()); }, m_dir.path(), QStringLiteral("folder"));
    }
};

QTEST_GUILESS_MAIN(VideoSourceTest)
#include "videosourcetest.moc"
