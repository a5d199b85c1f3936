// 'ood-inspect score --shard K/N' and 'ood-inspect merge' through the real executable on the demo
// assets plus a generated video: the shards of a job together equal one run, whatever the order of
// the arguments, a stopped shard goes on where it stopped, and merge refuses what does not belong.

#include "support/processrun.h"
#include "support/videoclips.h"

#include <QtTest>

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>

using namespace ood::test;

namespace {

const QString kAssets = OOD_SOURCE_DIR "/resources/demo/assets";

/// The rows of a results file as fields, the column row first.
QList<QStringList> tableOf(const QString &text)
{
    QList<QStringList> table;
    for (const QString &line : csvTableLines(text))
        table << csvFields(line);
    return table;
}

/// The "# key: value" lines of a results file.
QMap<QString, QString> headerOf(const QString &text)
{
    QMap<QString, QString> header;
    for (const QString &line : text.split('\n')) {
        if (!line.startsWith("# "))
            break;
        const qsizetype colon = line.indexOf(": ");
        if (colon > 0)
            header[line.mid(2, colon - 2)] = line.mid(colon + 2);
    }
    return header;
}

/// Row key: path and frame (the frame column is the second one when present).
QString keyOf(const QStringList &row, bool withFrame)
{
    return withFrame ? row[0] + '#' + row[1] : row[0];
}

} // namespace

class ShardCommandTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_dir;
    QString m_video;
    QString m_single; ///< one unsharded run over the same inputs

    QString path(const QString &relative) const { return m_dir.filePath(relative); }
    QStringList inputs() const { return {kAssets + "/frames", m_video}; }
    QStringList scoreArguments(const QStringList &inputList) const
    {
        return QStringList{"score", "--profile", kAssets + "/demo.oodprofile", "--model",
                           kAssets + "/model.pt", "--quiet", "--batch", "8", "--threads", "2",
                           // Logit, feature, neuron, neighbour and gradient detectors: one of each
                           // kind keeps the many runs of this test short.
                           "--methods", "msp,energy,vim,mahalanobis,knn,nero,odin"} +
               inputList;
    }
    Run scoreShard(const QString &shard, const QString &out, const QStringList &inputList) const
    {
        return run(OOD_INSPECT_BINARY, scoreArguments(inputList) << "--shard" << shard << "--out" << out,
                   300000);
    }

    /// Rows of two tables agree: same keys in the same order, same predictions, scores equal to
    /// 1e-4 relative: a frame's batch differs between a shard and a whole run, and oneDNN sums in
    /// another order for another batch; ViM's residual norm turns those float32 differences into
    /// up to 6e-6 relative.
    static void compareRows(const QList<QStringList> &got, const QList<QStringList> &expected)
    {
        QCOMPARE(got.size(), expected.size());
        QCOMPARE(got.first(), expected.first()); // the column row
        const QStringList &columns = expected.first();
        const bool withFrame = columns.value(1) == "frame";
        const int firstScore = withFrame ? 4 : 3;
        for (int r = 1; r < got.size(); ++r) {
            QCOMPARE(keyOf(got[r], withFrame), keyOf(expected[r], withFrame));
            QCOMPARE(got[r].size(), expected[r].size());
            for (int c = 0; c < columns.size(); ++c) {
                if (c >= firstScore - 1 && c < columns.size() - 2) {
                    const double a = got[r][c].toDouble(), b = expected[r][c].toDouble();
                    QVERIFY2(std::abs(a - b) <= 1e-4 * std::max(1.0, std::abs(b)),
                             qPrintable(QString("%1 %2: %3 vs %4")
                                            .arg(got[r][0], columns[c], got[r][c], expected[r][c])));
                } else if (columns[c] != "flagged_by") {
                    QCOMPARE(got[r][c], expected[r][c]);
                }
            }
        }
    }

    /// The single run's rows in the canonical order of the shards: by path, then frame.
    QList<QStringList> singleRunSorted() const
    {
        QList<QStringList> table = tableOf(m_single);
        const bool withFrame = table.first().value(1) == "frame";
        std::stable_sort(
            table.begin() + 1, table.end(), [withFrame](const QStringList &a, const QStringList &b) {
                return a[0] != b[0] ? a[0] < b[0] : (withFrame ? a[1].toInt() < b[1].toInt() : false);
            });
        return table;
    }

  private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo::exists(kAssets + "/demo.oodprofile"))
            QSKIP("no demo assets (resources/demo/build-assets.sh)");
        // 15 frames of drifting stripes: enough to split a video between shards.
        std::vector<cv::Mat> frames;
        for (int i = 0; i < 15; ++i) {
            cv::Mat frame(40, 48, CV_8UC3);
            for (int y = 0; y < frame.rows; ++y)
                for (int x = 0; x < frame.cols; ++x)
                    frame.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar((x * 5 + i * 17) % 256), uchar((y * 7) % 256),
                                                          uchar(((x + y) / 4 % 2) * 200));
            frames.push_back(frame);
        }
        m_video = path("clip.avi");
        if (!writeMjpegVideo(m_video, frames, 25))
            QSKIP("OpenCV cannot write an MJPEG AVI here");
        const Run single = run(OOD_INSPECT_BINARY, scoreArguments(inputs()), 300000);
        QVERIFY2(single.exitCode == 0, qPrintable(describe(single)));
        m_single = single.out;
        const QList<QStringList> table = tableOf(m_single);
        QCOMPARE(table.size(), 1 + 60 + 15); // the column row, 60 demo frames, 15 video frames
        QCOMPARE(table.first().value(1), QString("frame"));
        QCOMPARE(headerOf(m_single).value("input_frames"), QString("75"));
    }

    void shardsTogetherEqualOneRun_data()
    {
        QTest::addColumn<int>("shards");
        QTest::newRow("1 shard") << 1;
        QTest::newRow("4 shards") << 4;
        QTest::newRow("7 shards") << 7; // 75 = 5 x 11 + 2 x 10: ranges of two sizes
    }

    void shardsTogetherEqualOneRun()
    {
        QFETCH(int, shards);
        const QString folder = path(QString("shards-%1").arg(shards));
        QVERIFY(QDir().mkpath(folder));
        QStringList files;
        int rows = 0;
        for (int k = 0; k < shards; ++k) {
            const QString file = folder + QString("/shard-%1-of-%2.csv").arg(k).arg(shards);
            const Run r = scoreShard(QString("%1/%2").arg(k).arg(shards), file, inputs());
            QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
            QVERIFY(!QFileInfo::exists(file + ".partial"));
            const QString text = QString::fromUtf8(readAll(file));
            const QMap<QString, QString> header = headerOf(text);
            QCOMPARE(header.value("shard"), QString("%1/%2").arg(k).arg(shards));
            // floor(k * 75 / N): the ranges tile the 75 frames.
            QCOMPARE(header.value("first_frame").toInt(), k * 75 / shards);
            QCOMPARE(header.value("rows").toInt(), (k + 1) * 75 / shards - k * 75 / shards);
            QCOMPARE(tableOf(text).size() - 1, header.value("rows").toInt());
            rows += header.value("rows").toInt();
            files << file;
        }
        QCOMPARE(rows, 75);
        std::reverse(files.begin(), files.end()); // merge orders the shards itself
        const Run merge = run(OOD_INSPECT_BINARY, QStringList{"merge", "--out", folder + "/all.csv"} + files);
        QVERIFY2(merge.exitCode == 0, qPrintable(describe(merge)));
        const QString merged = QString::fromUtf8(readAll(folder + "/all.csv"));
        QCOMPARE(headerOf(merged).value("inputs_sha256"), headerOf(m_single).value("inputs_sha256"));
        QCOMPARE(headerOf(merged).value("profile_sha256"), headerOf(m_single).value("profile_sha256"));
        QVERIFY(!headerOf(merged).contains("shard"));
        compareRows(tableOf(merged), singleRunSorted());
    }

    void argumentOrderDoesNotChangeAShard()
    {
        const Run forward = scoreShard("1/3", path("forward.csv"), inputs());
        QVERIFY2(forward.exitCode == 0, qPrintable(describe(forward)));
        QStringList reversed = inputs();
        std::reverse(reversed.begin(), reversed.end());
        reversed << kAssets + "/frames/id"; // listed twice: scored once
        const Run backward = scoreShard("1/3", path("backward.csv"), reversed);
        QVERIFY2(backward.exitCode == 0, qPrintable(describe(backward)));
        QCOMPARE(readAll(path("backward.csv")), readAll(path("forward.csv")));
    }

    void stoppedShardGoesOnWhereItStopped()
    {
        const Run whole = scoreShard("0/2", path("whole.csv"), inputs());
        QVERIFY2(whole.exitCode == 0, qPrintable(describe(whole)));
        const QByteArray complete = readAll(path("whole.csv"));
        // What a run killed while writing its fifth row leaves: the leading lines, four rows and
        // half a line.
        QList<QByteArray> lines = complete.split('\n');
        int columnRow = 0;
        while (lines[columnRow].startsWith("# "))
            ++columnRow;
        QByteArray partial;
        for (int i = 0; i <= columnRow + 4; ++i)
            partial += lines[i] + '\n';
        partial += lines[columnRow + 5].left(lines[columnRow + 5].size() / 2);
        QVERIFY(writeAll(path("resumed.csv.partial"), partial));

        const Run resumed = scoreShard("0/2", path("resumed.csv"), inputs());
        QVERIFY2(resumed.exitCode == 0, qPrintable(describe(resumed)));
        QVERIFY2(resumed.err.contains("going on after the 4 of 37 frames"), qPrintable(resumed.err));
        QVERIFY(!QFileInfo::exists(path("resumed.csv.partial")));
        const QString text = QString::fromUtf8(readAll(path("resumed.csv")));
        QCOMPARE(headerOf(text), headerOf(QString::fromUtf8(complete)));
        compareRows(tableOf(text), tableOf(QString::fromUtf8(complete)));

        // Started once more, a finished shard is left as it is.
        const Run again = scoreShard("0/2", path("resumed.csv"), inputs());
        QVERIFY2(again.exitCode == 0, qPrintable(describe(again)));
        QVERIFY2(again.err.contains("complete already"), qPrintable(again.err));
        QCOMPARE(readAll(path("resumed.csv")), text.toUtf8());
    }

    void shardOfAnotherJobIsNeverOverwritten()
    {
        const Run first = scoreShard("0/2", path("other.csv"), {kAssets + "/frames/id"});
        QVERIFY2(first.exitCode == 0, qPrintable(describe(first)));
        const QByteArray before = readAll(path("other.csv"));
        const Run second = scoreShard("0/2", path("other.csv"), inputs());
        QCOMPARE(second.exitCode, 1);
        QVERIFY2(second.err.contains("other.csv"), qPrintable(second.err));
        QCOMPARE(readAll(path("other.csv")), before);
    }

    void badShardArgumentsAreRefused_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("K = N") << QStringList{"--shard", "4/4", "--out", "x.csv"} << 1 << "4/4";
        QTest::newRow("not K/N") << QStringList{"--shard", "two", "--out", "x.csv"} << 1 << "two";
        QTest::newRow("no --out") << QStringList{"--shard", "0/4"} << 2 << "--out";
        QTest::newRow("video-every 0") << QStringList{"--video-every", "0"} << 2 << "--video-every";
    }

    void badShardArgumentsAreRefused()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Run r = run(OOD_INSPECT_BINARY, scoreArguments(inputs()) + arguments);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(ShardCommandTest)
#include "shardcommandtest.moc"
