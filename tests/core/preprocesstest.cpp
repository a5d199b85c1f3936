// The resize and normalisation against PIL 9.4 + torchvision run by the system Python at test
// time: the resized bytes must be identical, the normalised tensor equal to float32 precision.

#include "image/imagedecoder.h"
#include "image/preprocess.h"

#include "support/systempython.h"

#include <QtTest>

#include <torch/torch.h>

#include <random>

using namespace ood;

namespace {

RgbImage randomImage(int width, int height, unsigned seed)
{
    std::mt19937 rng(seed);
    RgbImage image;
    image.width = width;
    image.height = height;
    image.pixels.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
    for (auto &v : image.pixels)
        v = static_cast<uint8_t>(rng() & 0xFF);
    return image;
}

QByteArray bytesOf(const RgbImage &image)
{
    return QByteArray(reinterpret_cast<const char *>(image.pixels.data()),
                      static_cast<int>(image.pixels.size()));
}

} // namespace

class PreprocessTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void matchesPil_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("outWidth");
        QTest::addColumn<int>("outHeight");
        QTest::newRow("kvasir 617x528 -> 224") << 617 << 528 << 224 << 224;
        QTest::newRow("1348x1070 -> 224") << 1348 << 1070 << 224 << 224;
        QTest::newRow("720x576 -> 224") << 720 << 576 << 224 << 224;
        QTest::newRow("28 -> 32 upscale") << 28 << 28 << 32 << 32;
        QTest::newRow("odd 101x37 -> 50x80") << 101 << 37 << 50 << 80;
        QTest::newRow("1x1 -> 7x5") << 1 << 1 << 7 << 5;
        QTest::newRow("width only 300x224 -> 224") << 300 << 224 << 224 << 224;
        QTest::newRow("height only 224x300 -> 224") << 224 << 300 << 224 << 224;
    }

    void matchesPil()
    {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, outWidth);
        QFETCH(int, outHeight);
        if (!test::systemPythonHas("PIL, torchvision"))
            OOD_SKIP_WITHOUT_REFERENCE("system Python with PIL and torchvision not available");
        const RgbImage image = randomImage(width, height, static_cast<unsigned>(width * 31 + height));
        QTemporaryDir dir;
        const QString in = dir.filePath("in.raw"), resized = dir.filePath("resized.raw"),
                      tensor = dir.filePath("tensor.raw");
        QFile f(in);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytesOf(image));
        f.close();
        QProcess python;
        python.start(
            OOD_SYSTEM_PYTHON,
            {"-c",
             "import sys, numpy as np, torch\n"
             "from PIL import Image\n"
             "from torchvision import transforms as T\n"
             "w, h, ow, oh = map(int, sys.argv[2:6])\n"
             "a = np.fromfile(sys.argv[1], dtype=np.uint8).reshape(h, w, 3)\n"
             "img = Image.fromarray(a, 'RGB')\n"
             "r = T.Resize((oh, ow))(img)\n"
             "np.asarray(r).tofile(sys.argv[6])\n"
             "t = T.Compose([T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])(r)\n"
             "t.numpy().astype(np.float32).tofile(sys.argv[7])\n",
             in, QString::number(width), QString::number(height), QString::number(outWidth),
             QString::number(outHeight), resized, tensor});
        QVERIFY(python.waitForFinished(120000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());

        const RgbImage ours = resizeLikePil(image, outWidth, outHeight);
        QFile r(resized);
        QVERIFY(r.open(QIODevice::ReadOnly));
        const QByteArray reference = r.readAll();
        QCOMPARE(bytesOf(ours).size(), reference.size());
        int differing = 0;
        for (int i = 0; i < reference.size(); ++i)
            differing += bytesOf(ours)[i] != reference[i] ? 1 : 0;
        QCOMPARE(differing, 0);

        InputSpec spec;
        spec.width = outWidth;
        spec.height = outHeight;
        const at::Tensor t = preprocessImage(image, spec);
        QFile tf(tensor);
        QVERIFY(tf.open(QIODevice::ReadOnly));
        const QByteArray floats = tf.readAll();
        const at::Tensor expected = torch::from_blob(const_cast<char *>(floats.constData()),
                                                     {3, outHeight, outWidth}, torch::kFloat32)
                                        .clone();
        QCOMPARE(t.sizes(), expected.sizes());
        QVERIFY2(torch::allclose(t, expected, 0, 1e-6),
                 qPrintable(QString::number((t - expected).abs().max().item<double>())));
    }

    void realFramesMatchPil_data()
    {
        QTest::addColumn<QString>("file");
        const QDir frames(OOD_SHARED_DIR "/data/endoscopy");
        for (const QString &name : frames.entryList({"*.jpg"}, QDir::Files, QDir::Name))
            QTest::newRow(qPrintable(name.left(12))) << frames.filePath(name);
        if (frames.entryList({"*.jpg"}).isEmpty())
            QTest::newRow("no frames") << QString();
    }

    void realFramesMatchPil()
    {
        // The whole path of a real endoscopy JPEG: our OpenCV decode + resize + normalisation
        // against PIL's Image.open().convert("RGB") + torchvision's NERO transform. Both link
        // Debian's libjpeg-turbo, so the tensors are expected to be identical.
        QFETCH(QString, file);
        if (file.isEmpty())
            QSKIP("the shared endoscopy frames are not present");
        if (!test::systemPythonHas("PIL, torchvision"))
            OOD_SKIP_WITHOUT_REFERENCE("system Python with PIL and torchvision not available");
        QTemporaryDir dir;
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON,
                     {"-c",
                      "import sys, numpy as np\n"
                      "from PIL import Image\n"
                      "from torchvision import transforms as T\n"
                      "img = Image.open(sys.argv[1]).convert('RGB')\n"
                      "t = T.Compose([T.Resize((224, 224)), T.ToTensor(),\n"
                      "               T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])(img)\n"
                      "t.numpy().astype(np.float32).tofile(sys.argv[2])\n",
                      file, dir.filePath("t.raw")});
        QVERIFY(python.waitForFinished(120000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        QFile tf(dir.filePath("t.raw"));
        QVERIFY(tf.open(QIODevice::ReadOnly));
        const QByteArray floats = tf.readAll();
        const at::Tensor expected =
            torch::from_blob(const_cast<char *>(floats.constData()), {3, 224, 224}, torch::kFloat32).clone();
        const at::Tensor ours = preprocessImage(decodeImageFile(file), InputSpec{});
        QCOMPARE((ours - expected).abs().max().item<float>(), 0.0f);
    }

    void identityWhenSizesMatch()
    {
        const RgbImage image = randomImage(9, 4, 1);
        QCOMPARE(bytesOf(resizeLikePil(image, 9, 4)), bytesOf(image));
    }

    void bicubicMatchesPil_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("outWidth");
        QTest::addColumn<int>("outHeight");
        QTest::newRow("CLIP 617x528 -> 261x224") << 617 << 528 << 261 << 224;
        QTest::newRow("1348x1070 -> 282x224") << 1348 << 1070 << 282 << 224;
        QTest::newRow("strong shrink 900x40 -> 30x7") << 900 << 40 << 30 << 7;
        QTest::newRow("upscale 28x20 -> 224x160") << 28 << 20 << 224 << 160;
        QTest::newRow("odd 101x37 -> 50x80") << 101 << 37 << 50 << 80;
        QTest::newRow("1x1 -> 7x5") << 1 << 1 << 7 << 5;
        QTest::newRow("3x2 -> 1x1") << 3 << 2 << 1 << 1;
        QTest::newRow("width only 300x224 -> 224") << 300 << 224 << 224 << 224;
        QTest::newRow("height only 224x300 -> 224") << 224 << 300 << 224 << 224;
    }

    void bicubicMatchesPil()
    {
        // Random pixels put every channel next to 0 and 255, where the negative lobes of the cubic
        // kernel overshoot and the clipping to 8 bits must match PIL's.
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, outWidth);
        QFETCH(int, outHeight);
        if (!test::systemPythonHas("PIL, numpy"))
            OOD_SKIP_WITHOUT_REFERENCE("system Python with PIL and numpy not available");
        const RgbImage image = randomImage(width, height, static_cast<unsigned>(width * 17 + height));
        QTemporaryDir dir;
        const QString in = dir.filePath("in.raw"), resized = dir.filePath("resized.raw");
        QFile f(in);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytesOf(image));
        f.close();
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON, {"-c",
                                         "import sys, numpy as np\n"
                                         "from PIL import Image\n"
                                         "w, h, ow, oh = map(int, sys.argv[2:6])\n"
                                         "a = np.fromfile(sys.argv[1], dtype=np.uint8).reshape(h, w, 3)\n"
                                         "r = Image.fromarray(a, 'RGB').resize((ow, oh), Image.BICUBIC)\n"
                                         "np.asarray(r).tofile(sys.argv[6])\n",
                                         in, QString::number(width), QString::number(height),
                                         QString::number(outWidth), QString::number(outHeight), resized});
        QVERIFY(python.waitForFinished(120000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        QFile r(resized);
        QVERIFY(r.open(QIODevice::ReadOnly));
        const QByteArray reference = r.readAll();
        const QByteArray ours = bytesOf(resizeLikePil(image, outWidth, outHeight, PilFilter::Bicubic));
        QCOMPARE(ours.size(), reference.size());
        int differing = 0;
        for (int i = 0; i < reference.size(); ++i)
            differing += ours[i] != reference[i] ? 1 : 0;
        QCOMPARE(differing, 0);
    }

    void clipPreprocessMatchesTorchvision()
    {
        // CLIP's clip/clip.py transform on a PIL image: Resize(n, BICUBIC), CenterCrop(n),
        // ToTensor, Normalize with CLIP's mean and std. One 8-bit difference would show as 1/255/std.
        // All cases go through one Python process: importing torchvision costs seconds.
        struct Case
        {
            const char *name;
            int width, height, size;
        };
        const std::vector<Case> cases{
            {"landscape 617x528", 617, 528, 224},
            {"portrait 528x617", 528, 617, 224},
            {"4:3 640x480", 640, 480, 224},
            {"short side 225, 300x225", 300, 225, 224},
            {"upscale 100x80", 100, 80, 224},
            {"already 224x224", 224, 224, 224},
            {"crop only 224x300", 224, 300, 224},
            {"crop only, offset 1.5 -> 2, 227x224", 227, 224, 224},
            {"crop only, offset 2.5 -> 2, 229x224", 229, 224, 224},
            {"336 px 500x400", 500, 400, 336},
        };
        if (!test::systemPythonHas("PIL, torchvision"))
            OOD_SKIP_WITHOUT_REFERENCE("system Python with PIL and torchvision not available");
        QTemporaryDir dir;
        QStringList arguments{
            "-c", "import sys, numpy as np\n"
                  "from PIL import Image\n"
                  "from torchvision import transforms as T\n"
                  "for case in sys.argv[1:]:\n"
                  "    path, w, h, n = case.split(',')\n"
                  "    w, h, n = int(w), int(h), int(n)\n"
                  "    a = np.fromfile(path + '.in', dtype=np.uint8).reshape(h, w, 3)\n"
                  "    t = T.Compose([T.Resize(n, interpolation=T.InterpolationMode.BICUBIC),\n"
                  "                   T.CenterCrop(n), T.ToTensor(),\n"
                  "                   T.Normalize((0.48145466, 0.4578275, 0.40821073),\n"
                  "                               (0.26862954, 0.26130258, 0.27577711))])\n"
                  "    t(Image.fromarray(a, 'RGB')).numpy().astype(np.float32).tofile(path + '.out')\n"};
        std::vector<RgbImage> images;
        for (size_t i = 0; i < cases.size(); ++i) {
            const Case &c = cases[i];
            images.push_back(
                randomImage(c.width, c.height, static_cast<unsigned>(c.width * 7 + c.height * 3)));
            const QString base = dir.filePath(QString::number(i));
            QFile f(base + ".in");
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytesOf(images.back()));
            arguments << QString("%1,%2,%3,%4").arg(base).arg(c.width).arg(c.height).arg(c.size);
        }
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON, arguments);
        QVERIFY(python.waitForFinished(120000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());

        for (size_t i = 0; i < cases.size(); ++i) {
            const Case &c = cases[i];
            InputSpec spec;
            spec.width = spec.height = c.size;
            spec.resize = ResizePolicy::ShortSideBicubicCenterCrop;
            spec.mean = {0.48145466f, 0.4578275f, 0.40821073f};
            spec.std = {0.26862954f, 0.26130258f, 0.27577711f};
            const at::Tensor ours = preprocessImage(images[i], spec);
            QFile tf(dir.filePath(QString::number(i)) + ".out");
            QVERIFY(tf.open(QIODevice::ReadOnly));
            const QByteArray floats = tf.readAll();
            QVERIFY2(floats.size() == 3 * c.size * c.size * 4, c.name);
            const at::Tensor expected =
                torch::from_blob(const_cast<char *>(floats.constData()), {3, c.size, c.size}, torch::kFloat32)
                    .clone();
            QVERIFY2(ours.sizes() == expected.sizes(), c.name);
            const double difference = (ours - expected).abs().max().item<double>();
            QVERIFY2(difference <= 1e-6, qPrintable(QString("%1: %2").arg(c.name).arg(difference)));
        }
    }

    void shortSideResizedSizes_data()
    {
        // int(size * long / short) worked by hand; the short side becomes `size`.
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("expectedWidth");
        QTest::addColumn<int>("expectedHeight");
        QTest::newRow("640x480: 224*640/480 = 298.67") << 640 << 480 << 224 << 298 << 224;
        QTest::newRow("480x640") << 480 << 640 << 224 << 224 << 298;
        QTest::newRow("617x528: 138208/528 = 261.76") << 617 << 528 << 224 << 261 << 224;
        QTest::newRow("300x200: exactly 336") << 300 << 200 << 224 << 336 << 224;
        QTest::newRow("square 1000") << 1000 << 1000 << 224 << 224 << 224;
        QTest::newRow("upscale 80x100: 280") << 80 << 100 << 224 << 224 << 280;
        QTest::newRow("224x300 unchanged") << 224 << 300 << 224 << 224 << 300;
    }

    void shortSideResizedSizes()
    {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, size);
        QFETCH(int, expectedWidth);
        QFETCH(int, expectedHeight);
        const auto [w, h] = shortSideResizedSize(width, height, size);
        QCOMPARE(w, expectedWidth);
        QCOMPARE(h, expectedHeight);
    }

    void centerCropOffsets_data()
    {
        // torchvision: int(round((in - out) / 2.0)); Python rounds halves to the even integer.
        QTest::addColumn<int>("inSize");
        QTest::addColumn<int>("outSize");
        QTest::addColumn<int>("expected");
        QTest::newRow("equal") << 224 << 224 << 0;
        QTest::newRow("even difference 32") << 256 << 224 << 16;
        QTest::newRow("0.5 -> 0") << 225 << 224 << 0;
        QTest::newRow("1.5 -> 2") << 227 << 224 << 2;
        QTest::newRow("2.5 -> 2") << 229 << 224 << 2;
        QTest::newRow("37.0") << 298 << 224 << 37;
        QTest::newRow("38.5 -> 38") << 301 << 224 << 38;
        QTest::newRow("39.5 -> 40") << 303 << 224 << 40;
    }

    void centerCropOffsets()
    {
        QFETCH(int, inSize);
        QFETCH(int, outSize);
        QFETCH(int, expected);
        QCOMPARE(centerCropOffset(inSize, outSize), expected);
    }
};

QTEST_GUILESS_MAIN(PreprocessTest)
#include "preprocesstest.moc"
