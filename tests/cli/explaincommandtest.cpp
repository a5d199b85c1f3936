// 'ood-inspect explain' through the real executable on the committed demo assets: every file it
// promises, numbers that agree with 'ood-inspect score' and with each other, the same numbers on
// 1 and 2 threads, and clear errors for bad command lines and bad images.

#include "support/processrun.h"

#include <QtTest>

#include <opencv2/imgcodecs.hpp>

#include <cmath>

using namespace ood::test;

namespace {

const QString kAssets = OOD_SOURCE_DIR "/resources/demo/assets";

QStringList demoArguments(const QString &frame, const QString &out)
{
    return {"explain",
            "--profile",
            kAssets + "/demo.oodprofile",
            "--model",
            kAssets + "/model.pt",
            "--input",
            frame,
            "--out",
            out,
            "--quiet"};
}

QString firstFrame(const QString &group)
{
    QDirIterator it(kAssets + "/frames/" + group, {"*.png"}, QDir::Files, QDirIterator::Subdirectories);
    QStringList frames;
    while (it.hasNext())
        frames << it.next();
    frames.sort();
    return frames.value(0);
}

double detectorScore(const QJsonObject &summary, const QString &id)
{
    for (const QJsonValue &v : summary["detectors"].toArray())
        if (v.toObject()["id"].toString() == id)
            return v.toObject()["score"].toDouble();
    return std::nan("");
}

} // namespace

class ExplainCommandTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_dir;
    QString m_frame;
    QJsonObject m_summary;

  private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo::exists(kAssets + "/demo.oodprofile"))
            QSKIP("no demo assets (resources/demo/build-assets.sh)");
        m_frame = firstFrame("near-ood");
        QVERIFY(!m_frame.isEmpty());
        const Run r = run(OOD_INSPECT_BINARY, demoArguments(m_frame, m_dir.filePath("one")) << "--threads"
                                                                                            << "2");
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        m_summary = QJsonDocument::fromJson(readAll(m_dir.filePath("one/summary.json"))).object();
        QVERIFY(!m_summary.isEmpty());
    }

    void writesEveryPromisedFile()
    {
        QStringList expected{"summary.json",  "relevance.csv", "faithfulness.csv",
                             "landscape.csv", "landscape.png", "densities.csv"};
        for (const char *method : {"relevance-cam", "deviation-cam", "grad-cam", "lrp", "saliency"})
            expected << QString("heatmap-%1.png").arg(method) << QString("heatmap-%1.tiff").arg(method);
        for (const QString &name : expected)
            QVERIFY2(QFileInfo(m_dir.filePath("one/" + name)).size() > 0, qPrintable(name));
        QCOMPARE(m_summary["unavailable"].toArray().size(), 0);
        // The overlays are at the frame's resolution, the raw maps at the model's input size.
        const cv::Mat frame = cv::imread(m_frame.toStdString(), cv::IMREAD_COLOR);
        const cv::Mat overlay =
            cv::imread(m_dir.filePath("one/heatmap-lrp.png").toStdString(), cv::IMREAD_COLOR);
        QCOMPARE(overlay.cols, frame.cols);
        QCOMPARE(overlay.rows, frame.rows);
        const cv::Mat raw =
            cv::imread(m_dir.filePath("one/heatmap-grad-cam.tiff").toStdString(), cv::IMREAD_UNCHANGED);
        QCOMPARE(raw.type(), CV_32FC1);
        QCOMPARE(raw.cols, m_summary["model"].toObject()["input_width"].toInt());
        double low = 0, high = 0;
        cv::minMaxLoc(raw, &low, &high);
        for (const QJsonValue &v : m_summary["heatmaps"].toArray())
            if (v.toObject()["method"].toString() == "grad-cam") {
                QVERIFY(std::abs(low - v.toObject()["minimum"].toDouble()) < 1e-6);
                QVERIFY(std::abs(high - v.toObject()["maximum"].toDouble()) < 1e-6);
            }
    }

    void summaryCountsImagesPerStage()
    {
        // Next to the seconds per stage (kept as they were), the images each stage sent through the
        // model: the default 21x21 landscape is 441 forward passes, saliency one input gradient.
        const QJsonObject seconds = m_summary["seconds"].toObject();
        const QJsonObject forward = m_summary["forward_images"].toObject();
        const QJsonObject gradient = m_summary["gradient_images"].toObject();
        for (const char *stage : {"scores", "landscape", "faithfulness", "lrp", "total"})
            QVERIFY2(seconds.contains(stage) && forward.contains(stage) && gradient.contains(stage), stage);
        QCOMPARE(forward["landscape"].toInteger(), qint64(441));
        QCOMPARE(gradient["landscape"].toInteger(), qint64(0));
        QCOMPARE(gradient["saliency"].toInteger(), qint64(1));
        QVERIFY(forward["scores"].toInteger() >= 1);
        qint64 sum = 0;
        for (auto it = forward.begin(); it != forward.end(); ++it)
            sum += it.key() == "total" ? 0 : it.value().toInteger();
        QCOMPARE(forward["total"].toInteger(), sum);
    }

    void scoresAgreeWithTheScoreCommand()
    {
        const Run r = run(OOD_INSPECT_BINARY, {"score", "--profile", kAssets + "/demo.oodprofile", "--model",
                                               kAssets + "/model.pt", "--quiet", m_frame});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        const QStringList lines = csvTableLines(r.out);
        QCOMPARE(lines.size(), 2);
        const QStringList header = csvFields(lines[0]), row = csvFields(lines[1]);
        int compared = 0;
        // The detector columns run from after confidence up to flagged_by (then unusual, error).
        const int lastDetector = int(header.indexOf("flagged_by")) - 1;
        QVERIFY(lastDetector > 3);
        for (int c = 3; c <= lastDetector; ++c) {
            const double expected = row[c].toDouble();
            const double got = detectorScore(m_summary, header[c]);
            QVERIFY2(std::abs(got - expected) <= 1e-6 * std::max(1.0, std::abs(expected)),
                     qPrintable(QString("%1: %2 vs %3").arg(header[c]).arg(got).arg(expected)));
            ++compared;
        }
        QVERIFY(compared >= 20);
    }

    void partsAgreeWithEachOther()
    {
        // The landscape's centre is the frame's own score.
        const QJsonObject landscape = m_summary["landscape"].toObject();
        const QString detector = landscape["detector"].toString();
        QCOMPARE(detector, QString("msp"));
        QVERIFY(std::abs(landscape["centre_score"].toDouble() - detectorScore(m_summary, detector)) < 1e-6);
        QCOMPARE(readAll(m_dir.filePath("one/landscape.csv")).count('\n'), 1 + 21 * 21);

        // relevance.csv: one row per neuron; the contributions add up to the relevance distance;
        // the NERO score is (d + s_b |r_b|) phi.
        const QStringList rows =
            QString::fromUtf8(readAll(m_dir.filePath("one/relevance.csv"))).split('\n', Qt::SkipEmptyParts);
        double contributions = 0;
        for (int i = 1; i < rows.size(); ++i)
            contributions += csvFields(rows[i])[5].toDouble();
        const QJsonObject neurons = m_summary["neurons"].toObject();
        QVERIFY(rows.size() > 10);
        QVERIFY(std::abs(contributions - neurons["relevance_distance"].toDouble()) < 1e-6);
        const double nero = (neurons["relevance_distance"].toDouble() + neurons["bias_term"].toDouble()) *
                            neurons["feature_norm_factor"].toDouble();
        QVERIFY(std::abs(nero - detectorScore(m_summary, "nero")) < 1e-6 * std::max(1.0, nero));

        // Percentiles lie in [0, 100] and flags follow the thresholds.
        for (const QJsonValue &v : m_summary["detectors"].toArray()) {
            const QJsonObject d = v.toObject();
            const double p = d["percentile_among_id_validation"].toDouble(-1);
            QVERIFY(p >= 0 && p <= 100);
            QCOMPARE(d["flagged"].toBool(), d["score"].toDouble() > d["threshold"].toDouble());
        }
        // Faithfulness: every heatmap plus the random order.
        QCOMPARE(m_summary["faithfulness"].toObject()["curves"].toArray().size(),
                 m_summary["heatmaps"].toArray().size() + 1);
    }

    void sameNumbersOnOneThread()
    {
        const Run r = run(OOD_INSPECT_BINARY, demoArguments(m_frame, m_dir.filePath("single")) << "--threads"
                                                                                               << "1");
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        for (const char *name : {"landscape.csv", "relevance.csv", "faithfulness.csv", "densities.csv"}) {
            const QStringList a =
                QString::fromUtf8(readAll(m_dir.filePath(QString("one/") + name))).split('\n');
            const QStringList b =
                QString::fromUtf8(readAll(m_dir.filePath(QString("single/") + name))).split('\n');
            QCOMPARE(a.size(), b.size());
            for (int i = 1; i < a.size(); ++i) {
                const QStringList x = csvFields(a[i]), y = csvFields(b[i]);
                QCOMPARE(x.size(), y.size());
                for (int c = 0; c < x.size(); ++c) {
                    bool okX = false, okY = false;
                    const double u = x[c].toDouble(&okX), v = y[c].toDouble(&okY);
                    if (okX && okY)
                        QVERIFY2(
                            std::abs(u - v) <= 1e-5 * std::max(1.0, std::abs(u)),
                            qPrintable(QString("%1 line %2: %3 vs %4").arg(name).arg(i).arg(x[c], y[c])));
                    else
                        QCOMPARE(x[c], y[c]);
                }
            }
        }
    }

    void badCommandLinesAndImages_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        const QString profile = kAssets + "/demo.oodprofile";
        QTest::newRow("no --out") << QStringList{"explain", "--profile", profile, "x.png"} << 2
                                  << "needs --out";
        QTest::newRow("two images") << QStringList{"explain", "--profile", profile, "--out",
                                                   "o",       "a.png",     "b.png"}
                                    << 2 << "exactly one image";
        QTest::newRow("unknown part")
            << QStringList{"explain", "--profile", profile,     "--model",  kAssets + "/model.pt",
                           "--out",   "o",         "--methods", "lrp,shap", "x.png"}
            << 1 << "unknown explanation 'shap'";
        QTest::newRow("even landscape") << QStringList{"explain",
                                                       "--profile",
                                                       profile,
                                                       "--model",
                                                       kAssets + "/model.pt",
                                                       "--out",
                                                       "o",
                                                       "--landscape-size",
                                                       "20",
                                                       firstFrame("id")}
                                        << 1 << "--landscape-size must be odd";
    }
    void badCommandLinesAndImages()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Run r = run(OOD_INSPECT_BINARY, arguments);
        QVERIFY2(r.exitCode == exitCode, qPrintable(describe(r)));
        QVERIFY2(r.err.contains(message), qPrintable(describe(r)));
    }

    void notAnImageNamesTheFile()
    {
        const QString text = m_dir.filePath("notes.png");
        QFile file(text);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("this is not a picture");
        file.close();
        const Run r = run(OOD_INSPECT_BINARY, demoArguments(text, m_dir.filePath("bad")));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("notes.png"), qPrintable(describe(r)));
        QVERIFY(!QFileInfo::exists(m_dir.filePath("bad/summary.json")));
    }
};

QTEST_GUILESS_MAIN(ExplainCommandTest)
#include "explaincommandtest.moc"
