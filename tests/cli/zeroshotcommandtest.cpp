// Zero-shot detection through the real executable on the tiny CLIP (tests/support/tinyclip.h):
// a profile from class names alone scores but cannot flag and says so; with a validation folder
// it has thresholds; score and explain work on it, and explain gives the verdict in words.

#include "support/imagefolders.h"
#include "support/processrun.h"
#include "support/systempython.h"
#include "support/tinyclip.h"

#include <QtTest>

#include <cmath>

using namespace ood::test;

namespace {

void writeLines(const QString &path, const QStringList &lines)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(lines.join('\n').toUtf8() + '\n');
}

} // namespace

class ZeroShotCommandTest : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_model, m_nouns, m_adjectives, m_val;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    QStringList fitArguments(const QString &out) const
    {
        return {"fit",
                "--arch",
                "clip",
                "--model",
                m_model,
                "--classes",
                "blue,red",
                "--negatives",
                m_nouns,
                "--negative-adjectives",
                m_adjectives,
                "--methods",
                "msp,mcm,neglabel,negrefine,knn",
                "--out",
                out,
                "--quiet"};
    }

  private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("OOD_INSPECTOR_CACHE_DIR", path("cache").toUtf8());
        if (!systemPythonHas("torch"))
            OOD_SKIP_WITHOUT_REFERENCE("Debian's python3-torch is needed to export the tiny CLIP");
        const TinyClip tiny = makeTinyClip(m_dir.path());
        QVERIFY2(!tiny.path.isEmpty(), qPrintable(tiny.problem));
        m_model = tiny.path;
        m_nouns = path("nouns.txt");
        m_adjectives = path("adjectives.txt");
        QStringList nouns, adjectives;
        for (int i = 0; i < 120; ++i)
            nouns << QStringLiteral("object %1").arg(i);
        for (int i = 0; i < 30; ++i)
            adjectives << QStringLiteral("strange %1 view").arg(i);
        writeLines(m_nouns, nouns);
        writeLines(m_adjectives, adjectives);
        m_val = path("val");
        writeColourFolder(m_val, 6, 11); // blue/, red/
    }

    void classNamesAloneScoreButDoNotFlag()
    {
        const Run fit = run(OOD_INSPECT_BINARY, fitArguments(path("names.oodprofile")));
        QVERIFY2(fit.exitCode == 0, qPrintable(describe(fit)));
        QVERIFY2(fit.out.contains("no thresholds"), qPrintable(fit.out));
        QVERIFY2(fit.out.contains(QRegularExpression("knn\\s+unavailable.*--train")), qPrintable(fit.out));
        const Run score = run(OOD_INSPECT_BINARY,
                              {"score", "--profile", path("names.oodprofile"), "--input", m_val, "--quiet"});
        QVERIFY2(score.exitCode == 0, qPrintable(describe(score)));
        QVERIFY2(score.err.contains("never flagged"), qPrintable(score.err));
        const QStringList lines = csvTableLines(score.out);
        QCOMPARE(lines.size(), 13); // header + 12 frames
        const QStringList header = csvFields(lines[0]);
        const int flaggedBy = int(header.indexOf("flagged_by"));
        const int negrefine = int(header.indexOf("negrefine"));
        QVERIFY2(flaggedBy >= 0 && negrefine >= 0, qPrintable(lines[0]));
        for (int i = 1; i < lines.size(); ++i) {
            const QStringList fields = csvFields(lines[i]);
            QCOMPARE(fields[flaggedBy], QString()); // the ids of the flagging detectors: none
            QVERIFY(std::isfinite(fields[negrefine].toDouble()));
        }
    }

    void validationGivesThresholds()
    {
        const Run fit =
            run(OOD_INSPECT_BINARY, fitArguments(path("val.oodprofile")) + QStringList{"--val", m_val});
        QVERIFY2(fit.exitCode == 0, qPrintable(describe(fit)));
        QVERIFY2(!fit.out.contains("no thresholds"), qPrintable(fit.out));
        QVERIFY2(fit.out.contains(QRegularExpression("negrefine\\s+-?[0-9]")), qPrintable(fit.out));
    }

    void explainGivesWords()
    {
        QDirIterator it(m_val + "/red", {"*.png"});
        QVERIFY(it.hasNext());
        const QString frame = it.next();
        const Run explain =
            run(OOD_INSPECT_BINARY, {"explain", "--profile", path("val.oodprofile"), "--input", frame,
                                     "--out", path("explained"), "--landscape-size", "3"});
        QVERIFY2(explain.exitCode == 0, qPrintable(describe(explain)));
        QVERIFY2(explain.err.contains("closest ID labels: "), qPrintable(explain.err));
        QVERIFY2(explain.err.contains("vision transformer"), qPrintable(explain.err)); // why no CAMs
        const QJsonObject summary = QJsonDocument::fromJson(readAll(path("explained/summary.json"))).object();
        const QJsonArray ids = summary["labels"].toObject()["id_labels"].toArray();
        QCOMPARE(ids.size(), 2);
        QVERIFY(ids[0].toObject()["cosine"].toDouble() >= ids[1].toObject()["cosine"].toDouble());
        const QJsonArray negatives = summary["labels"].toObject()["negative_labels"].toArray();
        QCOMPARE(negatives.size(), 10);
        QVERIFY(negatives[0].toObject()["label"].toString().startsWith("object ") ||
                negatives[0].toObject()["label"].toString().startsWith("strange "));
        QVERIFY(QFileInfo::exists(path("explained/labels.csv")));
        QVERIFY(QFileInfo::exists(path("explained/heatmap-saliency.png")));
        QVERIFY(!QFileInfo::exists(path("explained/heatmap-grad-cam.png")));
    }

    void clipNeedsItsLabels()
    {
        const Run fit = run(OOD_INSPECT_BINARY,
                            {"fit", "--arch", "clip", "--model", m_model, "--out", path("x.oodprofile")});
        QVERIFY(fit.exitCode != 0);
        QVERIFY2(fit.err.contains("--classes"), qPrintable(fit.err));
        const Run order =
            run(OOD_INSPECT_BINARY, {"fit", "--arch", "clip", "--model", m_model, "--classes", "red,blue",
                                     "--val", m_val, "--out", path("y.oodprofile")});
        QVERIFY(order.exitCode != 0);
        QVERIFY2(order.err.contains("order"), qPrintable(order.err));
    }
};

QTEST_GUILESS_MAIN(ZeroShotCommandTest)
#include "zeroshotcommandtest.moc"
