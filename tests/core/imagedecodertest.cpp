// Decoding: pixel values of grey, alpha, 16-bit and palette images worked out by hand, EXIF
// orientation, and a specific error for every kind of broken file.

#include "base/error.h"
#include "image/imagedecoder.h"
#include "support/systempython.h"

#include <QtTest>

#include <opencv2/imgcodecs.hpp>

using namespace ood;

namespace {

void expectError(const QString &path, const QString &fragment, const DecodeLimits &limits = {})
{
    try {
        decodeImageFile(path, limits);
        QFAIL(qPrintable("no error for " + path));
    } catch (const Error &e) {
        QVERIFY2(QString(e.what()).contains(fragment), e.what());
        QVERIFY2(QString(e.what()).contains(QFileInfo(path).fileName()), e.what()); // names the file
    }
}

void writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

} // namespace

class ImageDecoderTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_dir;

  private Q_SLOTS:
    void convertsToRgb_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("r");
        QTest::addColumn<int>("g");
        QTest::addColumn<int>("b");
        // Grey 77 -> (77,77,77). BGRA (10,20,30,0): alpha is dropped -> RGB (30,20,10).
        // 16-bit grey 51400 = 200*257 -> 200 after scaling to 8 bits.
        // 16-bit BGR (257*10, 257*20, 257*30) -> RGB (30,20,10).
        QTest::newRow("grey") << "grey" << 77 << 77 << 77;
        QTest::newRow("alpha") << "alpha" << 30 << 20 << 10;
        QTest::newRow("grey16") << "grey16" << 200 << 200 << 200;
        QTest::newRow("rgb16") << "rgb16" << 30 << 20 << 10;
    }

    void convertsToRgb()
    {
        QFETCH(QString, kind);
        QFETCH(int, r);
        QFETCH(int, g);
        QFETCH(int, b);
        cv::Mat image;
        if (kind == "grey")
            image = cv::Mat(5, 7, CV_8UC1, cv::Scalar(77));
        else if (kind == "alpha")
            image = cv::Mat(5, 7, CV_8UC4, cv::Scalar(10, 20, 30, 0));
        else if (kind == "grey16")
            image = cv::Mat(5, 7, CV_16UC1, cv::Scalar(51400));
        else
            image = cv::Mat(5, 7, CV_16UC3, cv::Scalar(2570, 5140, 7710));
        const QString path = m_dir.filePath(kind + ".png");
        QVERIFY(cv::imwrite(path.toStdString(), image));
        const RgbImage decoded = decodeImageFile(path);
        QCOMPARE(decoded.width, 7);
        QCOMPARE(decoded.height, 5);
        QCOMPARE(decoded.pixels.size(), size_t(7 * 5 * 3));
        QCOMPARE(int(decoded.pixels[0]), r);
        QCOMPARE(int(decoded.pixels[1]), g);
        QCOMPARE(int(decoded.pixels[2]), b);
        QCOMPARE(int(decoded.pixels.back()), b);
    }

    void paletteAndExifWithPil_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("r");
        // A palette PNG whose only colour is (200, 100, 50).
        QTest::newRow("palette")
            << "im = Image.new('P', (6, 4)); im.putpalette([200, 100, 50] * 256); im.save(out)" << 6 << 4
            << 200;
        // An 8x2 JPEG, red in pixels (0,0) and (1,0) of its top row, stored with EXIF orientation 6
        // (rotate 90 degrees clockwise to display): displayed it is 2 wide and 8 tall; old (x,y)
        // lands at (1-y, x), so the red pixels fill the right column's top two rows and the
        // top-left pixel comes from old (0,1), which is blue.
        QTest::newRow("exif orientation 6")
            << "im = Image.new('RGB', (8, 2), (0, 0, 255)); im.paste((255, 0, 0), (0, 0, 2, 1))\n"
               "ex = Image.Exif(); ex[0x0112] = 6; im.save(out, quality=100, subsampling=0, exif=ex)"
            << 2 << 8 << 0;
    }

    void paletteAndExifWithPil()
    {
        QFETCH(QString, script);
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, r);
        if (!QFileInfo::exists(OOD_SYSTEM_PYTHON))
            OOD_SKIP_WITHOUT_REFERENCE("no system Python to write the file");
        const QString path = m_dir.filePath(QString(QTest::currentDataTag()).replace(' ', '_') +
                                            (script.contains("quality") ? ".jpg" : ".png"));
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON,
                     {"-c", "import sys\nfrom PIL import Image\nout = sys.argv[1]\n" + script, path});
        QVERIFY(python.waitForFinished(60000));
        if (python.exitCode() != 0)
            OOD_SKIP_WITHOUT_REFERENCE("system Python has no PIL");
        const RgbImage decoded = decodeImageFile(path);
        QCOMPARE(decoded.width, width);
        QCOMPARE(decoded.height, height);
        QVERIFY2(std::abs(int(decoded.pixels[0]) - r) <= 40, qPrintable(QString::number(decoded.pixels[0])));
        if (script.contains("exif")) // the red corner is now top-right
            QVERIFY(decoded.pixels[(width - 1) * 3] > 200);
    }

    void brokenFiles()
    {
        const QString good = m_dir.filePath("good.png");
        QVERIFY(cv::imwrite(good.toStdString(), cv::Mat(32, 32, CV_8UC3, cv::Scalar(1, 2, 3))));
        QFile in(good);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray png = in.readAll();

        expectError(m_dir.filePath("missing.png"), "does not exist");
        QDir(m_dir.path()).mkdir("folder.png");
        expectError(m_dir.filePath("folder.png"), "folder");
        writeBytes(m_dir.filePath("empty.jpg"), QByteArray());
        expectError(m_dir.filePath("empty.jpg"), "empty");
        writeBytes(m_dir.filePath("text.jpg"), "plain text, not a JPEG\n");
        expectError(m_dir.filePath("text.jpg"), "not a readable image");
        writeBytes(m_dir.filePath("truncated.png"), png.left(png.size() / 2));
        expectError(m_dir.filePath("truncated.png"), "not a readable image");
        writeBytes(m_dir.filePath("truncated.jpg"), QByteArray("\xFF\xD8\xFF\xE0\x00\x10JFIF", 10));
        expectError(m_dir.filePath("truncated.jpg"), "not a readable image");
        // Header of a 30000 x 30000 PNG and nothing else: refused before any decoding.
        QByteArray huge(
            "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x75\x30\x00\x00\x75\x30\x08\x02\x00\x00\x00", 29);
        writeBytes(m_dir.filePath("huge.png"), huge);
        // How fast the refusal is: data-bench (docs/benchmarks.md).
        expectError(m_dir.filePath("huge.png"), "30000x30000");
        // Limits are configurable.
        DecodeLimits small;
        small.maxPixels = 100;
        expectError(good, "32x32", small);
        small = DecodeLimits();
        small.maxFileBytes = 10;
        expectError(good, "limit", small);
    }
};

QTEST_GUILESS_MAIN(ImageDecoderTest)
#include "imagedecodertest.moc"
