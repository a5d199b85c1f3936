// The bad-input corpus of docs/hardening.md, generated here byte by byte (deterministic, nothing
// downloaded): broken, disguised, exotic and hostile images, names and folders the file system
// allows but people do not expect, damaged and foreign profiles and checkpoints, a video with
// broken frames. Every item must give an ood::Error (or a scan problem) that names it and says
// what is wrong, never a crash, a hang or a huge allocation; the exotic-but-valid images must
// decode to the 8-bit RGB values worked out by hand in each row.

#include "calib/profile.h"
#include "calib/profilemodel.h"
#include "data/samplelist.h"
#include "data/videosource.h"
#include "base/error.h"
#include "image/imagedecoder.h"
#include "model/checkpointreader.h"
#include "model/modelloader.h"

#include "support/errors.h"
#include "support/systempython.h"
#include "support/torchfiles.h"

#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include <torch/torch.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <climits>
#include <cstring>
#include <random>
#include <set>

using namespace ood;
using ood::test::errorOf;

namespace {

const QString kDemoAssets = QStringLiteral(OOD_SOURCE_DIR "/resources/demo/assets");

QByteArray bigEndian32(uint32_t v)
{
    QByteArray b(4, '\0');
    for (int i = 0; i < 4; ++i)
        b[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
    return b;
}

QByteArray littleEndian(uint64_t v, int bytes)
{
    QByteArray b(bytes, '\0');
    for (int i = 0; i < bytes; ++i)
        b[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    return b;
}

uint32_t crc(const QByteArray &bytes)
{
    return static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef *>(bytes.constData()), static_cast<uInt>(bytes.size())));
}

QByteArray pngChunk(const char *type, const QByteArray &data)
{
    const QByteArray body = QByteArray(type, 4) + data;
    return bigEndian32(static_cast<uint32_t>(data.size())) + body + bigEndian32(crc(body));
}

/// A PNG written from its specification: `rows` are the raw scanlines without filter bytes.
QByteArray makePng(uint32_t width, uint32_t height, int bitDepth, int colourType, const QByteArray &rows,
                   const QByteArray &palette = {})
{
    const int channels = colourType == 2 ? 3 : colourType == 4 ? 2 : colourType == 6 ? 4 : 1;
    const int rowBytes = (static_cast<int>(width) * channels * bitDepth + 7) / 8;
    QByteArray filtered;
    for (uint32_t y = 0; y < height && rowBytes > 0; ++y)
        filtered += QByteArray(1, '\0') + rows.mid(static_cast<qsizetype>(y) * rowBytes, rowBytes);
    QByteArray header = bigEndian32(width) + bigEndian32(height);
    header += static_cast<char>(bitDepth);
    header += static_cast<char>(colourType);
    header += QByteArray(3, '\0'); // deflate, adaptive filtering, no interlace
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png += pngChunk("IHDR", header);
    if (!palette.isEmpty())
        png += pngChunk("PLTE", palette);
    png += pngChunk("IDAT", qCompress(filtered, 9).mid(4)); // qCompress: 4-byte length, then zlib
    png += pngChunk("IEND", {});
    return png;
}

QByteArray bytesOf(std::initializer_list<int> values)
{
    QByteArray b;
    for (int v : values)
        b += static_cast<char>(v);
    return b;
}

QByteArray encode(const std::string &extension, const cv::Mat &image, const std::vector<int> &params = {})
{
    std::vector<uchar> bytes;
    if (!cv::imencode(extension, image, bytes, params))
        return {};
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), static_cast<int>(bytes.size()));
}

/// A zip archive with stored entries, from the format specification: a foreign zip.
QByteArray storedZip(const std::vector<std::pair<QByteArray, QByteArray>> &entries)
{
    QByteArray zip, directory;
    for (const auto &[name, data] : entries) {
        const QByteArray common = littleEndian(20, 2) + littleEndian(0, 2) + littleEndian(0, 2) +
                                  littleEndian(0, 4) + littleEndian(crc(data), 4) +
                                  littleEndian(static_cast<uint64_t>(data.size()), 4) +
                                  littleEndian(static_cast<uint64_t>(data.size()), 4) +
                                  littleEndian(static_cast<uint64_t>(name.size()), 2) + littleEndian(0, 2);
        directory += QByteArray("PK\x01\x02", 4) + littleEndian(20, 2) + common + littleEndian(0, 2) +
                     littleEndian(0, 2) + littleEndian(0, 2) + littleEndian(0, 4) +
                     littleEndian(static_cast<uint64_t>(zip.size()), 4) + name;
        zip += QByteArray("PK\x03\x04", 4) + common + name + data;
    }
    const auto count = static_cast<uint64_t>(entries.size());
    return zip + directory + QByteArray("PK\x05\x06", 4) + littleEndian(0, 4) + littleEndian(count, 2) +
           littleEndian(count, 2) + littleEndian(static_cast<uint64_t>(directory.size()), 4) +
           littleEndian(static_cast<uint64_t>(zip.size()), 4) + littleEndian(0, 2);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QByteArray randomBytes(int count, unsigned seed)
{
    std::mt19937 generator(seed);
    QByteArray bytes(count, '\0');
    for (char &c : bytes)
        c = static_cast<char>(generator() & 0xFF);
    return bytes;
}

QByteArray pickleSaved(const c10::impl::GenericDict &dict)
{
    const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
    return QByteArray(bytes.data(), static_cast<int>(bytes.size()));
}

/// Peak resident memory of this process in MiB.
double peakRssMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

/// Creates `dir/name` inside a folder given by an open descriptor, for paths the kernel will not
/// take whole (longer than PATH_MAX).
int makeDirAt(int parent, const std::string &name)
{
    if (mkdirat(parent, name.c_str(), 0755) != 0)
        return -1;
    return openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY);
}

/// Removes a tree through directory descriptors: QDir cannot name entries whose names are not
/// UTF-8, nor paths longer than PATH_MAX, and both are in the corpus.
void removeTreeAt(int parent, const char *name)
{
    struct stat info;
    if (fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) != 0)
        return;
    if (S_ISDIR(info.st_mode)) {
        const int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (DIR *dir = fd >= 0 ? fdopendir(fd) : nullptr) {
            while (const dirent *entry = readdir(dir))
                if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0)
                    removeTreeAt(dirfd(dir), entry->d_name);
            closedir(dir);
        }
        unlinkat(parent, name, AT_REMOVEDIR);
    } else {
        unlinkat(parent, name, 0);
    }
}

/// Colour of frame i of the test video (BGR), far enough apart that neighbours cannot be confused.
cv::Scalar frameColour(int i)
{
    return cv::Scalar(20 + 7 * i, 230 - 7 * i, (i % 2) ? 200 : 40);
}

} // namespace

class BadInputTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_dir;
    QString m_goodPng;    ///< 4x3 RGB PNG, pixel (0,0) = (10,20,30)
    QString m_deepFolder; ///< a folder whose path is longer than PATH_MAX inside
    QString m_deepFile;   ///< an image at the bottom of it
    bool m_python = false;

    QString path(const QString &relative) const { return m_dir.filePath(relative); }
    QString write(const QString &relative, const QByteArray &bytes) const
    {
        const QString target = path(relative);
        QDir().mkpath(QFileInfo(target).path());
        QFile file(target);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
            qFatal("cannot write %s", qPrintable(target));
        return target;
    }

    /// A torch.save zip whose data.pkl is `pickle` (no storages).
    QString writePickle(const QString &relative, const test::PickleWriter &pickle) const
    {
        return write(relative, test::torchSaveZip(pickle.bytes(), {}));
    }

    void makeImages()
    {
        // 4x3 RGB, pixel (x,y) = (10 + 60x, 20 + 70y, 30), stored BGR for OpenCV.
        cv::Mat good(3, 4, CV_8UC3);
        for (int y = 0; y < 3; ++y)
            for (int x = 0; x < 4; ++x)
                good.at<cv::Vec3b>(y, x) =
                    cv::Vec3b(30, static_cast<uchar>(20 + 70 * y), static_cast<uchar>(10 + 60 * x));
        const QByteArray png = encode(".png", good);
        m_goodPng = write("images/good.png", png);
        write("images/png-named.jpg", png);
        write("images/empty.png", {});
        write("images/text-named.png", "this is a text file, not a picture\n");
        // Noise makes the compressed data long enough to cut in half meaningfully.
        cv::Mat noise(64, 64, CV_8UC3);
        cv::randu(noise, 0, 255);
        const QByteArray noisyPng = encode(".png", noise);
        write("images/truncated.png", noisyPng.left(noisyPng.size() / 2));
        const QByteArray jpeg = encode(".jpg", noise, {cv::IMWRITE_JPEG_QUALITY, 95});
        write("images/truncated.jpg", jpeg.left(jpeg.size() * 2 / 3));
        write("images/truncated-header.jpg", jpeg.left(12));
        QByteArray badIhdr = png;
        badIhdr.replace(12, 4, "JUNK");
        write("images/corrupt-header.png", badIhdr);
        write("images/corrupt-header.jpg",
              QByteArray("\xFF\xD8", 2) + randomBytes(300, 7).replace('\xFF', '\x01'));
        write("images/random-bytes.png", randomBytes(2048, 11));

        // Exotic but valid: values chosen so that every conversion has one right answer.
        // 16-bit RGB (0x1234, 0xABCD, 0x8080): the high byte and round(v/257) agree: (18, 171, 128).
        write("images/rgb16.png", makePng(1, 1, 16, 2, bytesOf({0x12, 0x34, 0xAB, 0xCD, 0x80, 0x80})));
        // Grey 16-bit 0xC8C8 -> 200.
        write("images/grey16.png", makePng(1, 1, 16, 0, bytesOf({0xC8, 0xC8})));
        // Palette [(200,100,50), (0,128,255)], pixels 0 1 / 1 0.
        write("images/palette.png",
              makePng(2, 2, 8, 3, bytesOf({0, 1, 1, 0}), bytesOf({200, 100, 50, 0, 128, 255})));
        // 4-bit palette: two pixels in one byte, indices 1 and 0.
        write("images/palette4.png",
              makePng(2, 1, 4, 3, bytesOf({0x10}), bytesOf({200, 100, 50, 0, 128, 255})));
        // RGBA: alpha is dropped, colour kept as stored (PIL's convert("RGB")): (10,20,30), (250,0,5).
        write("images/alpha.png", makePng(2, 1, 8, 6, bytesOf({10, 20, 30, 0, 250, 0, 5, 128})));
        write("images/grey.png", makePng(2, 1, 8, 0, bytesOf({77, 201})));
        write("images/grey-alpha.png", makePng(1, 1, 8, 4, bytesOf({90, 0})));
        // 1-bit grey: bits 1 0 -> 255, 0.
        write("images/bilevel.png", makePng(2, 1, 1, 0, bytesOf({0x80})));

        // Decompression bombs: tiny files whose headers declare enormous images.
        write("images/bomb.png", makePng(60000, 60000, 8, 2, {}));
        QByteArray jpegBomb = encode(".jpg", good);
        const int sof = jpegBomb.indexOf(QByteArray("\xFF\xC0", 2));
        jpegBomb.replace(sof + 5, 4, bytesOf({0xEA, 0x60, 0xEA, 0x60})); // 60000 x 60000
        write("images/bomb.jpg", jpegBomb);
        write("images/bomb.tiff", QByteArray("II*\0", 4) + littleEndian(8, 4) + littleEndian(2, 2) +
                                      littleEndian(256, 2) + littleEndian(4, 2) + littleEndian(1, 4) +
                                      littleEndian(60000, 4) + littleEndian(257, 2) + littleEndian(4, 2) +
                                      littleEndian(1, 4) + littleEndian(60000, 4) + littleEndian(0, 4));
        // VP8L: 14-bit width-1 and height-1 after the 0x2F signature: 16384 x 16384.
        write("images/bomb.webp", QByteArray("RIFF", 4) + littleEndian(30, 4) + "WEBPVP8L" +
                                      littleEndian(10, 4) + QByteArray(1, '\x2F') +
                                      littleEndian((16383u) | (16383u << 14), 4) + QByteArray(8, '\0'));
        write("images/bomb.bmp", QByteArray("BM") + littleEndian(70, 4) + littleEndian(0, 4) +
                                     littleEndian(54, 4) + littleEndian(40, 4) + littleEndian(60000, 4) +
                                     littleEndian(60000, 4) + littleEndian(1, 2) + littleEndian(24, 2) +
                                     QByteArray(24, '\0') + QByteArray(16, '\0'));
        write("images/bomb.ppm", QByteArray("P6\n# a comment\n60000 60000\n255\n") + QByteArray(64, '\0'));
        // Two 32-bit sizes whose product overflows a signed 64-bit number.
        write("images/overflow.png", makePng(0xFFFFFFFF, 0xFFFFFFFF, 8, 2, {}));

        // Unreadable as an image whatever its name says.
        QDir().mkpath(path("images/folder.jpg"));
        if (mkfifo(QFile::encodeName(path("images/fifo.png")).constData(), 0644) != 0)
            qWarning("mkfifo failed: %s", strerror(errno));
        QFile::link(path("images/nowhere.png"), path("images/dangling.png"));
        write("images/locked.png", png);
        QFile::setPermissions(path("images/locked.png"), QFileDevice::Permissions());

        // Names: 255 bytes (the most a name may have) and a path longer than PATH_MAX.
        write("names/" + QString(251, 'n') + ".png", png);
        m_deepFolder = path("deep");
        QDir().mkpath(m_deepFolder);
        int fd = open(QFile::encodeName(m_deepFolder).constData(), O_RDONLY | O_DIRECTORY);
        QString deep = m_deepFolder;
        const std::string segment(200, 'd');
        while (fd >= 0 && QFile::encodeName(deep).size() < PATH_MAX + 200) {
            const int next = makeDirAt(fd, segment);
            close(fd);
            fd = next;
            deep += "/" + QString::fromStdString(segment);
        }
        QVERIFY(fd >= 0);
        const int file = openat(fd, "deep.png", O_WRONLY | O_CREAT, 0644);
        QVERIFY(file >= 0);
        QCOMPARE(::write(file, png.constData(), static_cast<size_t>(png.size())),
                 static_cast<ssize_t>(png.size()));
        close(file);
        close(fd);
        m_deepFile = deep + "/deep.png";
    }

  private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        makeImages();
        m_python = test::systemPythonHas("PIL");
    }

    void cleanupTestCase() { removeTreeAt(AT_FDCWD, QFile::encodeName(m_dir.path()).constData()); }

    void decoding_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("error"); // a fragment of the message; empty: must decode
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<QVector<int>>("rgb"); // the first pixels, R G B each

        QTest::newRow("good PNG") << "images/good.png"
                                  << "" << 4 << 3 << QVector<int>{10, 20, 30, 70, 20, 30};
        QTest::newRow("PNG named .jpg") << "images/png-named.jpg"
                                        << "" << 4 << 3 << QVector<int>{10, 20, 30};
        QTest::newRow("16-bit RGB PNG") << "images/rgb16.png"
                                        << "" << 1 << 1 << QVector<int>{18, 171, 128};
        QTest::newRow("16-bit grey PNG") << "images/grey16.png"
                                         << "" << 1 << 1 << QVector<int>{200, 200, 200};
        QTest::newRow("palette PNG") << "images/palette.png"
                                     << "" << 2 << 2
                                     << QVector<int>{200, 100, 50, 0, 128, 255, 0, 128, 255, 200, 100, 50};
        QTest::newRow("4-bit palette PNG") << "images/palette4.png"
                                           << "" << 2 << 1 << QVector<int>{0, 128, 255, 200, 100, 50};
        QTest::newRow("alpha PNG") << "images/alpha.png"
                                   << "" << 2 << 1 << QVector<int>{10, 20, 30, 250, 0, 5};
        QTest::newRow("grey PNG") << "images/grey.png"
                                  << "" << 2 << 1 << QVector<int>{77, 77, 77, 201, 201, 201};
        QTest::newRow("grey+alpha PNG") << "images/grey-alpha.png"
                                        << "" << 1 << 1 << QVector<int>{90, 90, 90};
        QTest::newRow("1-bit PNG") << "images/bilevel.png"
                                   << "" << 2 << 1 << QVector<int>{255, 255, 255, 0, 0, 0};
        QTest::newRow("255-byte name") << "names/" + QString(251, 'n') + ".png"
                                       << "" << 4 << 3 << QVector<int>{10, 20, 30};

        QTest::newRow("empty") << "images/empty.png"
                               << "file is empty" << 0 << 0 << QVector<int>{};
        QTest::newRow("text named .png") << "images/text-named.png"
                                         << "not a format this program reads" << 0 << 0 << QVector<int>{};
        QTest::newRow("random bytes") << "images/random-bytes.png"
                                      << "not a readable image" << 0 << 0 << QVector<int>{};
        QTest::newRow("truncated PNG") << "images/truncated.png"
                                       << "PNG: truncated or corrupt data" << 0 << 0 << QVector<int>{};
        QTest::newRow("truncated JPEG") << "images/truncated.jpg"
                                        << "JPEG: truncated" << 0 << 0 << QVector<int>{};
        QTest::newRow("JPEG cut in its header")
            << "images/truncated-header.jpg"
            << "JPEG: truncated before its frame header" << 0 << 0 << QVector<int>{};
        QTest::newRow("corrupt PNG header") << "images/corrupt-header.png"
                                            << "PNG: truncated or corrupt header" << 0 << 0 << QVector<int>{};
        QTest::newRow("corrupt JPEG header")
            << "images/corrupt-header.jpg"
            << "JPEG: truncated before its frame header" << 0 << 0 << QVector<int>{};
        QTest::newRow("folder named .jpg") << "images/folder.jpg"
                                           << "is a folder" << 0 << 0 << QVector<int>{};
        QTest::newRow("FIFO named .png") << "images/fifo.png"
                                         << "not a regular file" << 0 << 0 << QVector<int>{};
        QTest::newRow("dangling link") << "images/dangling.png"
                                       << "does not exist" << 0 << 0 << QVector<int>{};
        QTest::newRow("no read permission") << "images/locked.png"
                                            << "cannot be read" << 0 << 0 << QVector<int>{};
        QTest::newRow("missing") << "images/missing.png"
                                 << "does not exist" << 0 << 0 << QVector<int>{};
    }

    void decoding()
    {
        QFETCH(QString, file);
        QFETCH(QString, error);
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(QVector<int>, rgb);
        const QString target = path(file);
        if (file.endsWith("locked.png") && QFile(target).open(QIODevice::ReadOnly))
            QSKIP("running with rights that read any file (root): chmod 000 does not make a file unreadable; "
                  "the "
                  "FIFO, folder and dangling-link rows cover files that cannot be read");
        if (error.isEmpty()) {
            RgbImage image;
            try {
                image = decodeImageFile(target);
            } catch (const Error &e) {
                QFAIL(e.what());
            }
            QCOMPARE(image.width, width);
            QCOMPARE(image.height, height);
            QCOMPARE(image.pixels.size(), size_t(width) * size_t(height) * 3);
            for (int i = 0; i < rgb.size(); ++i)
                QVERIFY2(int(image.pixels[size_t(i)]) == rgb[i],
                         qPrintable(QString("value %1: got %2, want %3")
                                        .arg(i)
                                        .arg(image.pixels[size_t(i)])
                                        .arg(rgb[i])));
            return;
        }
        const QString message = errorOf([&] { decodeImageFile(target); });
        qInfo("%s", qPrintable(message));
        QVERIFY2(message.contains(error), qPrintable(message));
        QVERIFY2(message.contains(QFileInfo(file).fileName()), qPrintable(message)); // names the item
    }

    void cmykJpeg_data()
    {
        QTest::addColumn<QVector<int>>("cmyk");
        QTest::addColumn<QVector<int>>("rgb");
        // RGB = 255 (1 - C)(1 - K) etc. with C, M, Y, K in [0,1] (PIL's CMYK -> RGB):
        // (51,102,153,51): R = 204*204/255 = 163.2, G = 153*204/255 = 122.4, B = 102*204/255 = 81.6.
        QTest::newRow("red") << QVector<int>{0, 255, 255, 0} << QVector<int>{255, 0, 0};
        QTest::newRow("mixed") << QVector<int>{51, 102, 153, 51} << QVector<int>{163, 122, 82};
        QTest::newRow("black by K") << QVector<int>{0, 0, 0, 255} << QVector<int>{0, 0, 0};
    }

    void cmykJpeg()
    {
        QFETCH(QVector<int>, cmyk);
        QFETCH(QVector<int>, rgb);
        if (!m_python)
            OOD_SKIP_WITHOUT_REFERENCE("no system Python with PIL to write a CMYK JPEG");
        const QString file =
            path(QString("images/cmyk-%1.jpg").arg(QTest::currentDataTag()).replace(' ', '-'));
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON, {"-c",
                                         "import sys\nfrom PIL import Image\n"
                                         "c = tuple(int(v) for v in sys.argv[2:6])\n"
                                         "Image.new('CMYK', (8, 8), c).save(sys.argv[1], quality=100)\n",
                                         file, QString::number(cmyk[0]), QString::number(cmyk[1]),
                                         QString::number(cmyk[2]), QString::number(cmyk[3])});
        QVERIFY(python.waitForFinished(60000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        const RgbImage image = decodeImageFile(file);
        QCOMPARE(image.width, 8);
        for (int c = 0; c < 3; ++c) // JPEG at quality 100 and 8-bit arithmetic: within 4 levels
            QVERIFY2(
                std::abs(int(image.pixels[size_t(c)]) - rgb[c]) <= 4,
                qPrintable(
                    QString("channel %1: got %2, want %3").arg(c).arg(image.pixels[size_t(c)]).arg(rgb[c])));
    }

    void bombsRefusedBeforeDecoding_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("declared");
        QTest::newRow("PNG") << "images/bomb.png"
                             << "60000x60000";
        QTest::newRow("JPEG") << "images/bomb.jpg"
                              << "60000x60000";
        QTest::newRow("TIFF") << "images/bomb.tiff"
                              << "60000x60000";
        QTest::newRow("WebP") << "images/bomb.webp"
                              << "16384x16384";
        QTest::newRow("BMP") << "images/bomb.bmp"
                             << "60000x60000";
        QTest::newRow("PPM") << "images/bomb.ppm"
                             << "60000x60000";
        QTest::newRow("64-bit overflow") << "images/overflow.png"
                                         << "4294967295x4294967295";
    }

    void bombsRefusedBeforeDecoding()
    {
        QFETCH(QString, file);
        QFETCH(QString, declared);
        const double before = peakRssMb();
        const QString message = errorOf([&] { decodeImageFile(path(file)); });
        const double grown = peakRssMb() - before;
        qInfo("%s: peak RSS grew by %.1f MiB; %s", qPrintable(file), grown, qPrintable(message));
        QVERIFY2(message.contains(declared) && message.contains("refused before decoding"),
                 qPrintable(message));
        QVERIFY2(message.contains(QFileInfo(file).fileName()), qPrintable(message));
        // Decoding even one of them would need gigabytes.
        QVERIFY2(grown < 32, qPrintable(QString::number(grown)));
    }

    void limitsAreConfigurable()
    {
        DecodeLimits limits;
        limits.maxPixels = 11; // the good PNG has 12
        QVERIFY(errorOf([&] {
                    decodeImageFile(m_goodPng, limits);
                }).contains("4x3 pixels, more than the limit of 11"));
        limits.maxPixels = 12;
        QCOMPARE(decodeImageFile(m_goodPng, limits).width, 4);
        limits.maxFileBytes = QFileInfo(m_goodPng).size() - 1;
        QVERIFY(errorOf([&] { decodeImageFile(m_goodPng, limits); }).contains("more than the limit of"));
    }

    void overlongPath()
    {
        QVERIFY(QFile::encodeName(m_deepFile).size() > PATH_MAX);
        const QString message = errorOf([&] { decodeImageFile(m_deepFile); });
        QVERIFY2(message.contains("longer than the 4096 bytes"), qPrintable(message.right(200)));
    }

    void folderScan_data()
    {
        QTest::addColumn<QString>("setup");
        QTest::addColumn<int>("samples");
        QTest::addColumn<QStringList>("problems"); // fragments, each found in some problem line
        QTest::newRow("symbolic link loops")
            << "loop" << 2
            << QStringList{"loop/self: folder visited twice (symbolic link loop?)",
                           "loop/up/loop: folder visited twice"};
        QTest::newRow("non-UTF-8 names")
            << "utf8" << 1
            << QStringList{"utf8/\\xffbad\\xfe.png: file name is not valid UTF-8",
                           "utf8/dir\\xff: folder name is not valid UTF-8"};
        QTest::newRow("path longer than PATH_MAX")
            << "deep" << 0 << QStringList{"folder path is longer than the 4096 bytes"};
    }

    void folderScan()
    {
        QFETCH(QString, setup);
        QFETCH(int, samples);
        QFETCH(QStringList, problems);
        QString root;
        if (setup == "loop") {
            // parent/ holds b.png and loop/, which holds a.png, a link to itself and one to parent/.
            root = path("loops/loop");
            write("loops/b.png", readAll(m_goodPng));
            write("loops/loop/a.png", readAll(m_goodPng));
            QVERIFY(QFile::link(".", root + "/self"));
            QVERIFY(QFile::link("..", root + "/up"));
        } else if (setup == "utf8") {
            root = path("utf8");
            write("utf8/fine.png", readAll(m_goodPng));
            const QByteArray folder = QFile::encodeName(root);
            const QByteArray badFile = folder + "/\xff"
                                                "bad\xfe.png";
            const int fd = open(badFile.constData(), O_WRONLY | O_CREAT, 0644);
            QVERIFY(fd >= 0);
            close(fd);
            QCOMPARE(mkdir((folder + "/dir\xff").constData(), 0755), 0);
        } else {
            root = m_deepFolder;
        }
        const SampleList list = scanInputs({root});
        for (const QString &problem : list.problems)
            qInfo("problem: %s",
                  qPrintable(problem.size() > 300 ? problem.left(60) + "..." + problem.right(120) : problem));
        QCOMPARE(int(list.samples.size()), samples);
        for (const QString &fragment : problems) {
            const bool found = std::any_of(list.problems.begin(), list.problems.end(),
                                           [&](const QString &p) { return p.contains(fragment); });
            QVERIFY2(found, qPrintable(fragment));
        }
        // Nothing listed twice.
        QSet<QString> seen;
        for (const Sample &s : list.samples) {
            const QString canonical = QFileInfo(s.path).canonicalFilePath();
            QVERIFY2(!seen.contains(canonical), qPrintable(s.path));
            seen.insert(canonical);
        }
    }

    void hundredThousandEntries()
    {
        const QString folder = path("many");
        QDir().mkpath(folder);
        const QByteArray native = QFile::encodeName(folder);
        const int dirFd = open(native.constData(), O_RDONLY | O_DIRECTORY);
        QVERIFY(dirFd >= 0);
        for (int i = 0; i < 100000; ++i) {
            char name[32];
            std::snprintf(name, sizeof name, "frame%06d.%s", i, i % 10 == 9 ? "txt" : "png");
            const int fd = openat(dirFd, name, O_WRONLY | O_CREAT, 0644);
            QVERIFY(fd >= 0);
            close(fd);
        }
        close(dirFd);
        // The time this scan takes is measured by data-bench (docs/benchmarks.md).
        const SampleList list = scanInputs({folder});
        QCOMPARE(int(list.samples.size()), 90000);
        QVERIFY(list.problems.isEmpty());
        QVERIFY(list.samples.front().path.endsWith("frame000000.png"));
        QVERIFY(list.samples.back().path.endsWith("frame099998.png"));
        QVERIFY(std::is_sorted(list.samples.begin(), list.samples.end(),
                               [](const Sample &a, const Sample &b) { return a.path < b.path; }));
        QDir(folder).removeRecursively();
    }

    void profiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("error");
        const QByteArray demo = readAll(kDemoAssets + "/demo.oodprofile");
        QVERIFY(!demo.isEmpty());
        QTest::newRow("empty") << write("profiles/empty.oodprofile", {}) << "is empty";
        QTest::newRow("random bytes")
            << write("profiles/random.oodprofile", randomBytes(4096, 3)) << "not an OOD Inspector profile";
        QTest::newRow("truncated") << write("profiles/truncated.oodprofile", demo.left(demo.size() / 2))
                                   << "truncated or foreign file): it is truncated or not a zip archive";
        QTest::newRow("cut inside the zip directory")
            << write("profiles/cut-end.oodprofile", demo.left(demo.size() - 30))
            << "truncated or foreign file";
        QTest::newRow("foreign zip") << write("profiles/notes.oodprofile",
                                              storedZip({{"notes.txt", "hello"}}))
                                     << "is a zip archive but not a PyTorch file";
        c10::impl::GenericDict unrelated(c10::StringType::get(), c10::AnyType::get());
        unrelated.insert("epoch", int64_t(3));
        unrelated.insert("lr", 0.1);
        QTest::newRow("torch file of an unrelated dict")
            << write("profiles/unrelated.oodprofile", pickleSaved(unrelated))
            << "is a PyTorch file but not an OOD Inspector profile";
        QTest::newRow("a state_dict")
            << write("profiles/state.oodprofile", test::stateDictFile({{"fc.weight", {2, 2}, {}}}))
            << "is a PyTorch file but not an OOD Inspector profile";
        // Found by fuzz_profile_load: a string that claims 4 GB made LibTorch allocate it.
        test::PickleWriter huge;
        huge.proto();
        QByteArray hugeString = huge.bytes() + "X" + littleEndian(0xF8000000u, 4) + "abc";
        QTest::newRow("4 GB string length (fuzz)")
            << write("profiles/huge-string.oodprofile", test::torchSaveZip(hugeString, {}))
            << "data.pkl ends early";
        // Found by the fuzzers: a zip whose version record cannot be read made LibTorch leak.
        QByteArray badVersion = pickleSaved(unrelated);
        const int version = badVersion.indexOf("archive/version");
        badVersion[version - 30] = 'X'; // its local header signature
        QTest::newRow("unreadable version record (fuzz)")
            << write("profiles/bad-version.oodprofile", badVersion) << "version record cannot be read";
        QTest::newRow("folder") << path("images/folder.jpg") << "is a folder";
        QTest::newRow("FIFO") << path("images/fifo.png") << "not a regular file";
    }

    void profiles()
    {
        QFETCH(QString, file);
        QFETCH(QString, error);
        const double before = peakRssMb();
        const QString message = errorOf([&] { loadProfile(file); });
        qInfo("%s", qPrintable(message));
        QVERIFY2(message.contains(error), qPrintable(message));
        QVERIFY2(message.contains(QFileInfo(file).fileName()), qPrintable(message));
        QVERIFY2(peakRssMb() - before < 64, qPrintable(QString::number(peakRssMb() - before)));
    }

    void profileRefusesAnotherModel()
    {
        const Profile profile = loadProfile(kDemoAssets + "/demo.oodprofile");
        // The same model with one byte more: another file, another sha256.
        const QString other = write("models/other-model.pt", readAll(kDemoAssets + "/model.pt") + "x");
        const QString message = errorOf([&] { loadProfileModel(profile, other); });
        QVERIFY2(message.contains("other-model.pt") && message.contains("does not match the profile") &&
                     message.contains(QString::fromStdString(profile.model.sha256)),
                 qPrintable(message));
        // The real one loads.
        QCOMPARE(loadProfileModel(profile, kDemoAssets + "/model.pt").card.sha256, profile.model.sha256);
    }

    void checkpoints_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("architecture"); // empty: the checkpoint reader alone
        QTest::addColumn<QString>("error");
        const QByteArray model = readAll(kDemoAssets + "/model.pt");
        QVERIFY(!model.isEmpty());
        QTest::newRow("empty") << write("checkpoints/empty.pt", {}) << ""
                               << "empty";
        QTest::newRow("random bytes") << write("checkpoints/random.pt", randomBytes(4096, 5)) << ""
                                      << "not a PyTorch checkpoint";
        QTest::newRow("truncated") << write("checkpoints/truncated.pt", model.left(model.size() / 2)) << ""
                                   << "truncated or not a zip archive";
        QTest::newRow("truncated, as resnet18") << path("checkpoints/truncated.pt") << "resnet18"
                                                << "truncated";
        QTest::newRow("foreign zip") << write("checkpoints/notes.pt", storedZip({{"notes.txt", "hello"}}))
                                     << ""
                                     << "is a zip archive but not a PyTorch file";
        QTest::newRow("empty zip") << write("checkpoints/nothing.pt", storedZip({})) << ""
                                   << "empty zip archive";
        c10::impl::GenericDict unrelated(c10::StringType::get(), c10::AnyType::get());
        unrelated.insert("epoch", int64_t(3));
        unrelated.insert("note", std::string("no weights here"));
        QTest::newRow("torch.save of an unrelated dict")
            << write("checkpoints/unrelated.pt", pickleSaved(unrelated)) << ""
            << "holds no tensors";

        // Code in the pickle: os.system('touch <marker>') as the whole file. Recorded, never run.
        const QString marker = path("checkpoints/executed");
        for (const auto &[module, name] : {std::pair<const char *, const char *>{"os", "system"},
                                           {"posix", "system"},
                                           {"builtins", "eval"},
                                           {"subprocess", "call"}}) {
            test::PickleWriter p;
            p.proto()
                .global(module, name)
                .mark()
                .string(("touch " + marker).toStdString())
                .tuple()
                .reduce()
                .stop();
            QTest::addRow("GLOBAL %s.%s", module, name)
                << writePickle(QString("checkpoints/%1-%2.pt").arg(module, name), p) << ""
                << "holds no tensors";
        }
        // Storage and shape numbers chosen to overflow 64-bit products or to ask for terabytes.
        {
            test::PickleWriter p;
            p.proto().global("collections", "OrderedDict").emptyTuple().reduce().mark().string("w");
            p.tensor("0", int64_t(1) << 61, {4}).setItems().stop();
            QTest::newRow("storage of 2^61 elements")
                << write("checkpoints/numel.pt", test::torchSaveZip(p.bytes(), {{"0", QByteArray(16, '\0')}}))
                << ""
                << "is shorter than its";
        }
        {
            test::PickleWriter p; // size 2^40 x 2^40 with strides 2^40: each product overflows
            p.proto().global("collections", "OrderedDict").emptyTuple().reduce().mark().string("w");
            p.global("torch._utils", "_rebuild_tensor_v2").mark();
            p.mark()
                .string("storage")
                .global("torch", "FloatStorage")
                .string("0")
                .string("cpu")
                .integer(4)
                .tuple();
            p.persistentId().integer(0).mark().integer(int64_t(1) << 40).integer(int64_t(1) << 40).tuple();
            p.mark().integer(int64_t(1) << 40).integer(int64_t(1) << 40).tuple().boolean(false);
            p.global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce().setItems().stop();
            QTest::newRow("overflowing strides")
                << write("checkpoints/strides.pt",
                         test::torchSaveZip(p.bytes(), {{"0", QByteArray(16, '\0')}}))
                << ""
                << "outside its storage";
        }
        {
            test::PickleWriter p; // stride 0: 2^40 elements read from one
            p.proto().global("collections", "OrderedDict").emptyTuple().reduce().mark().string("w");
            p.global("torch._utils", "_rebuild_tensor_v2").mark();
            p.mark()
                .string("storage")
                .global("torch", "FloatStorage")
                .string("0")
                .string("cpu")
                .integer(1)
                .tuple();
            p.persistentId()
                .integer(0)
                .mark()
                .integer(int64_t(1) << 40)
                .tuple()
                .mark()
                .integer(0)
                .tuple()
                .boolean(false);
            p.global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce().setItems().stop();
            QTest::newRow("stride 0, 2^40 elements")
                << write("checkpoints/broadcast.pt",
                         test::torchSaveZip(p.bytes(), {{"0", QByteArray(4, '\0')}}))
                << ""
                << "more elements than its storage can hold";
        }
        const QByteArray small = test::stateDictFile({{"fc.weight", {2, 2}, {}}});
        QByteArray badVersion = small;
        badVersion[badVersion.indexOf("archive/version") - 30] = 'X';
        QTest::newRow("unreadable version record (fuzz)")
            << write("checkpoints/bad-version.pt", badVersion) << ""
            << "version record cannot be read";
        // Found by fuzz_checkpoint_load: PyTorch writes a ZIP64 end record, and miniz takes its
        // counts over the classic ones; with zero entries there LibTorch refused the file and leaked.
        QByteArray zip64 = small;
        const int record = zip64.lastIndexOf(QByteArray("PK\x06\x06", 4));
        QVERIFY(record > 0);
        zip64.replace(record + 24, 16, QByteArray(16, '\0'));
        QTest::newRow("ZIP64 record without entries (fuzz)") << write("checkpoints/zip64.pt", zip64) << ""
                                                             << "empty zip archive";
        // Found by fuzz_profile_load: a version record compressed with a method miniz lacks.
        QByteArray method = small;
        const int central = method.indexOf("archive/version", method.indexOf("archive/version") + 1) - 46;
        QVERIFY(central > 0 && method.mid(central, 4) == QByteArray("PK\x01\x02", 4));
        method[central + 10] = 'c';
        QTest::newRow("version record of an unknown compression (fuzz)")
            << write("checkpoints/method.pt", method) << ""
            << "version record cannot be read";
        QByteArray encrypted = method; // the same central entry, flagged as encrypted instead
        encrypted[central + 10] = '\0';
        encrypted[central + 8] = static_cast<char>(encrypted[central + 8] | 0x41);
        QTest::newRow("encrypted version record (fuzz)") << write("checkpoints/encrypted.pt", encrypted) << ""
                                                         << "version record cannot be read";
        QByteArray folderFlag = method; // DOS attributes saying "directory": miniz reads it as empty
        folderFlag[central + 10] = '\0';
        folderFlag[central + 38] = static_cast<char>(folderFlag[central + 38] | 0x10);
        QTest::newRow("version record marked as a folder (fuzz)")
            << write("checkpoints/folder-flag.pt", folderFlag) << ""
            << "version record cannot be read";
        QByteArray directory = small;
        directory[directory.indexOf(QByteArray("PK\x01\x02", 4)) + 2] = 'Z';
        QTest::newRow("broken zip directory") << write("checkpoints/directory.pt", directory) << ""
                                              << "zip directory cannot be read";

        // The demo model's weights with one tensor of the wrong shape, saved as Python would.
        std::vector<test::FloatTensor> tensors;
        for (const auto &[name, tensor] : readCheckpointTensors((kDemoAssets + "/model.pt").toStdString())) {
            at::Tensor t = tensor.to(torch::kFloat32).contiguous();
            if (name == "layer1.0.conv1.weight")
                t = torch::zeros({t.size(0), t.size(1), 1, 1});
            tensors.push_back({name, t.sizes().vec(),
                               std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel())});
        }
        QTest::newRow("wrong shape for resnet18")
            << write("checkpoints/wrong-shape.pt", test::stateDictFile(tensors)) << "resnet18"
            << "layer1.0.conv1.weight";
        QTest::newRow("resnet18 weights as resnet50") << kDemoAssets + "/model.pt"
                                                      << "resnet50"
                                                      << "resnet18";
        QTest::newRow("FIFO") << path("images/fifo.png") << "resnet18"
                              << "not a regular file";
    }

    void checkpoints()
    {
        QFETCH(QString, file);
        QFETCH(QString, architecture);
        QFETCH(QString, error);
        const QString marker = path("checkpoints/executed");
        const double before = peakRssMb();
        const QString message = errorOf([&] {
            if (architecture.isEmpty())
                readCheckpointTensors(file.toStdString());
            else
                loadModel(file.toStdString(), architecture.toStdString());
        });
        qInfo("%s", qPrintable(message));
        QVERIFY2(message.contains(error), qPrintable(message));
        QVERIFY2(message.contains(QFileInfo(file).fileName()), qPrintable(message));
        QVERIFY2(!QFileInfo::exists(marker), "code from a checkpoint was executed");
        QVERIFY2(peakRssMb() - before < 64, qPrintable(QString::number(peakRssMb() - before)));
    }

    void selfReferencingPickle()
    {
        // Found by fuzz_profile_load (as a leak): a list appended to itself. Read and freed; under
        // the fuzzers' LeakSanitizer the cycle leaked before the reader emptied its values.
        test::PickleWriter p;
        p.proto().global("collections", "OrderedDict").emptyTuple().reduce().mark().string("loop");
        const QByteArray list =
            QByteArray(1, ']') + QByteArray(1, '2') + QByteArray(1, 'a'); // EMPTY_LIST DUP APPEND
        const QByteArray pickle = p.bytes() + list + test::PickleWriter().setItems().stop().bytes();
        const QString file = write("checkpoints/cycle.pt", test::torchSaveZip(pickle, {}));
        const QString message = errorOf([&] { readCheckpointTensors(file.toStdString()); });
        QVERIFY2(message.contains("holds no tensors") && message.contains("cycle.pt"), qPrintable(message));
    }

    void handMadeCheckpointIsRead()
    {
        // The writer behind the hostile rows makes files the reader accepts, so those rows fail for
        // the reason they name and not for a mistake in the writer.
        const QString file = write("checkpoints/good.pt",
                                   test::stateDictFile({{"a.weight", {2, 3}, {}}, {"b", {4}, {1, 2, 3, 4}}}));
        const NamedTensors tensors = readCheckpointTensors(file.toStdString());
        QCOMPARE(tensors.size(), size_t(2));
        QCOMPARE(tensors[0].first, std::string("a.weight"));
        QVERIFY(torch::equal(tensors[0].second, torch::arange(6, torch::kFloat32).reshape({2, 3})));
        QVERIFY(torch::equal(tensors[1].second, torch::tensor({1.f, 2.f, 3.f, 4.f})));
    }

    void videoWithBrokenFrames()
    {
        constexpr int kFrames = 24, kWidth = 64, kHeight = 48;
        const QString clip = path("video/broken.avi");
        QDir().mkpath(path("video"));
        {
            cv::VideoWriter writer(clip.toStdString(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10,
                                   cv::Size(kWidth, kHeight));
            if (!writer.isOpened())
                QSKIP("this OpenCV cannot write MJPG AVI files");
            for (int i = 0; i < kFrames; ++i)
                writer.write(cv::Mat(kHeight, kWidth, CV_8UC3, frameColour(i)));
        }
        // Each frame is a JPEG in a "00dc" chunk. Wipe the start (SOI, tables, frame header) of
        // frames 8 and 15: same size, so the AVI structure and every other frame stay intact.
        QByteArray bytes = readAll(clip);
        std::vector<int> starts;
        for (int at = bytes.indexOf("00dc"); at >= 0; at = bytes.indexOf("00dc", at + 4))
            if (static_cast<uchar>(bytes[at + 8]) == 0xFF && static_cast<uchar>(bytes[at + 9]) == 0xD8)
                starts.push_back(at + 8);
        QCOMPARE(int(starts.size()), kFrames);
        const std::set<int> broken{8, 15};
        for (int i : broken)
            bytes.replace(starts[size_t(i)], 200, QByteArray(200, '\0'));
        write("video/broken.avi", bytes);

        VideoSource source(clip);
        QCOMPARE(source.frameCount(), kFrames);
        std::vector<int> decoded, failed;
        source.readSampled(1, [&](VideoFrame &frame) {
            if (!frame.ok()) {
                failed.push_back(frame.index);
                qInfo("%s", qPrintable(frame.error));
                [&] {
                    QVERIFY2(frame.error.contains("broken.avi frame " + QString::number(frame.index)),
                             qPrintable(frame.error));
                }();
                return true;
            }
            decoded.push_back(frame.index);
            // The frame delivered as i is frame i, not a neighbour.
            const cv::Scalar want = frameColour(frame.index);
            const uint8_t *p = &frame.image.pixels[size_t((kHeight / 2 * kWidth + kWidth / 2) * 3)];
            [&] {
                for (int c = 0; c < 3; ++c)
                    QVERIFY2(std::abs(int(p[c]) - int(want[2 - c])) <= 6,
                             qPrintable(QString("frame %1 channel %2: got %3, want %4")
                                            .arg(frame.index)
                                            .arg(c)
                                            .arg(p[c])
                                            .arg(want[2 - c])));
            }();
            return true;
        });
        QVERIFY(!QTest::currentTestFailed());
        QCOMPARE(std::set<int>(failed.begin(), failed.end()), broken);
        QCOMPARE(int(decoded.size()), kFrames - int(broken.size()));
        // One at a time too: the broken frame is an error naming it, its neighbour decodes.
        const QString message = errorOf([&] { source.frame(8); });
        QVERIFY2(message.contains("broken.avi frame 8"), qPrintable(message));
        QVERIFY(source.frame(9).width == kWidth);
    }
};

QTEST_GUILESS_MAIN(BadInputTest)
#include "badinputtest.moc"
