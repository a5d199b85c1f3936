// End to end through the real executables: the Fashion-MNIST demo set and model (3 ID classes,
// held-out classes as near OOD, synthetic patterns as far OOD) -> fit -> evaluate -> score,
// including a folder of broken files.

#include "support/processrun.h"

#include <QtTest>

using namespace ood::test;

namespace {

const QStringList kDetectors = {
    "msp",      "odin", "energy", "entropy", "maxlogit",  "mahalanobis", "vim",       "neco",    "react",
    "gradnorm", "nero", "knn",    "gen",     "tempscale", "ash",         "ash_s",     "ash_p",   "scale",
    "dice",     "rmds", "fdbd",   "grood",   "pro_msp",   "pro_ent",     "pro_msp_t", "pro_gen", "abet"};

} // namespace

class EndToEndTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_dir;
    QString path(const QString &relative) const { return m_dir.filePath(relative); }

  private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo::exists(OOD_FASHION_MNIST_DIR "/train-images-idx3-ubyte.gz"))
            QSKIP("Debian's dataset-fashion-mnist is not installed");
        const Run demo = run(OOD_MAKE_DEMO_BINARY, {"--out", m_dir.path()});
        QVERIFY2(demo.exitCode == 0, qPrintable(describe(demo)));
        QVERIFY(QFileInfo::exists(path("model.pt")));
    }

    void fitWritesProfile()
    {
        const Run fit = run(OOD_INSPECT_BINARY, {"fit", "--model", path("model.pt"), "--arch", "resnet18",
                                                 "--input-size", "32", "--train", path("data/train"), "--val",
                                                 path("data/valid"), "--out", path("demo.oodprofile")});
        QVERIFY2(fit.exitCode == 0, qPrintable(describe(fit)));
        QVERIFY(QFileInfo(path("demo.oodprofile")).size() > 0);
        for (const QString &id : kDetectors)
            QVERIFY2(fit.out.contains(QRegularExpression("\\n" + id + " +[-0-9.e+]+\\n")),
                     qPrintable(id + "\n" + fit.out));
    }

    void evaluateSeparatesOod_data()
    {
        QTest::addColumn<QString>("oodFolder");
        QTest::addColumn<double>("minimumAuroc");
        // The demo model is trained deterministically (one thread, fixed seed); measured on it
        // (ResNet-18 width 16 with AbeT heads): near OOD (Pullover, Sneaker vs T-shirt/top,
        // Trouser, Bag) MSP 0.88, NERO 0.85; far OOD (noise, stripes, checkerboards, blobs)
        // MSP 0.87, NERO 0.92. Chance is 0.5.
        QTest::newRow("near") << "data/ood-near" << 0.70;
        QTest::newRow("far") << "data/ood-far" << 0.75;
    }

    void evaluateSeparatesOod()
    {
        QFETCH(QString, oodFolder);
        QFETCH(double, minimumAuroc);
        const QString json = path(QFileInfo(oodFolder).fileName() + ".json");
        const Run evaluate =
            run(OOD_INSPECT_BINARY, {"evaluate", "--profile", path("demo.oodprofile"), "--id",
                                     path("data/test-id"), "--ood", path(oodFolder), "--json", json});
        QVERIFY2(evaluate.exitCode == 0, qPrintable(describe(evaluate)));
        QFile file(json);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject metrics = QJsonDocument::fromJson(file.readAll()).object();
        for (const QString &id : kDetectors) {
            QVERIFY2(metrics.contains(id), qPrintable(id));
            for (const char *key : {"auroc", "fpr95", "aupr_in", "aupr_out"}) {
                const double v = metrics[id].toObject()[key].toDouble(-1);
                QVERIFY2(v >= 0 && v <= 1, qPrintable(QString("%1 %2 = %3").arg(id, key).arg(v)));
            }
        }
        qInfo().noquote() << oodFolder << "\n" << evaluate.out;
        for (const char *id : {"msp", "nero"}) {
            const double auroc = metrics[id].toObject()["auroc"].toDouble();
            QVERIFY2(auroc > minimumAuroc, qPrintable(QString("%1 AUROC %2").arg(id).arg(auroc)));
        }
    }

    void scoreReportsBrokenFiles()
    {
        const QString folder = path("mixed");
        QDir().mkpath(folder);
        auto write = [&](const QString &name, const QByteArray &bytes) {
            QFile f(folder + "/" + name);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        };
        QFile good(path("data/test-id/Bag/") + QDir(path("data/test-id/Bag")).entryList(QDir::Files).first());
        QVERIFY(good.open(QIODevice::ReadOnly));
        const QByteArray png = good.readAll();
        write("a_good.png", png);
        write("b_empty.png", QByteArray());
        write("c_truncated.png", png.left(png.size() / 3));
        write("d_text.jpg", "this is not an image\n");
        // A valid PNG signature and IHDR declaring 30000x30000 pixels, and nothing else.
        QByteArray huge(
            "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x75\x30\x00\x00\x75\x30\x08\x02\x00\x00\x00", 29);
        huge.append(QByteArray(4, '\0'));
        write("e_huge.png", huge);
        write("f_denied.png", png);
        QFile::setPermissions(folder + "/f_denied.png", QFileDevice::Permissions());
        const bool root = QFile(folder + "/f_denied.png").open(QIODevice::ReadOnly); // root reads anyway

        const QString csv = path("mixed.csv");
        const Run score =
            run(OOD_INSPECT_BINARY,
                {"score", "--profile", path("demo.oodprofile"), "--input", folder, "--out", csv}, 120000);
        QCOMPARE(score.exitCode, 3);
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines = csvTableLines(QString::fromUtf8(file.readAll()));
        QCOMPARE(lines.size(), 7);
        QCOMPARE(lines[0], "path,prediction,confidence," + kDetectors.join(',') + ",flagged_by,error");
        auto rowFor = [&](const QString &name) {
            for (const QString &line : lines)
                if (line.contains(name))
                    return csvFields(line);
            return QStringList();
        };
        const int columns = 3 + kDetectors.size() + 2;
        const QStringList goodRow = rowFor("a_good.png");
        QCOMPARE(goodRow.size(), columns);
        QCOMPARE(goodRow[1], QString("Bag"));
        QVERIFY(goodRow.last().isEmpty());
        for (int c = 3; c < 3 + kDetectors.size(); ++c)
            QVERIFY(!goodRow[c].isEmpty());
        const QMap<QString, QString> expected = {{"b_empty.png", "empty"},
                                                 {"c_truncated.png", "not a readable image"},
                                                 {"d_text.jpg", "not a readable image"},
                                                 {"e_huge.png", "30000x30000"}};
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            const QStringList row = rowFor(it.key());
            QVERIFY2(row.size() >= columns && row.last().contains(it.value()),
                     qPrintable(it.key() + ": " + row.join(',')));
            QVERIFY2(row[3].isEmpty(), qPrintable(it.key())); // no score for a broken file
        }
        const QStringList denied = rowFor("f_denied.png");
        QVERIFY2(root ? denied.last().isEmpty() : denied.last().contains("cannot be read"),
                 qPrintable(denied.join(',')));
        QVERIFY(score.err.contains("could not be scored"));
    }

    void commandLineErrors()
    {
        QCOMPARE(run(OOD_INSPECT_BINARY, {"score"}).exitCode, 2);
        QCOMPARE(run(OOD_INSPECT_BINARY, {"frobnicate"}).exitCode, 2);
        const Run missing =
            run(OOD_INSPECT_BINARY, {"score", "--profile", path("nope.oodprofile"), "--input", path("data")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("does not exist"));
        const Run version = run(OOD_INSPECT_BINARY, {"--version"});
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.startsWith("ood-inspect 0."));
    }
};

QTEST_GUILESS_MAIN(EndToEndTest)
#include "endtoendtest.moc"
