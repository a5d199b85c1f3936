// Results files: the header and row layout, reading them back, a shard written across a kill and
// a restart, and merging shards with every refusal naming the file it is about.

#include "results/resultsfile.h"
#include "base/progress.h"
#include "detect/registry.h"
#include "support/errors.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace ood;

namespace {

const QString kProfileSha = QString(64, 'a');
const QString kOtherProfileSha = QString(64, 'b');
const double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Three classes whose names need quoting, three detectors: msp and energy with thresholds, vim
/// without one (NaN: never flags).
Profile makeProfile()
{
    Profile profile;
    profile.model.architecture = "resnet18";
    profile.model.sha256 = std::string(64, 'c');
    profile.model.numClasses = 3;
    profile.model.classNames = {"cecum", "polyp, small", "z\"line"};
    profile.validationCount = 12;
    const std::pair<const char *, double> detectors[] = {{"msp", 0.5}, {"energy", -2.0}, {"vim", kNaN}};
    for (const auto &[id, threshold] : detectors) {
        ProfileDetector entry;
        entry.detector = createDetector(id);
        entry.threshold = threshold;
        profile.detectors.push_back(std::move(entry));
    }
    return profile;
}

const std::vector<std::string> kIds = {"msp", "energy", "vim"};

Sample frame(const QString &path, int videoFrame = -1)
{
    Sample sample;
    sample.path = path;
    sample.videoFrame = videoFrame;
    return sample;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

void writeAll(const QString &path, const QByteArray &bytes, QIODevice::OpenMode mode = QIODevice::WriteOnly)
{
    QFile file(path);
    QVERIFY(file.open(mode));
    QCOMPARE(file.write(bytes), bytes.size());
}

/// A job of 20 frames in canonical order (12 images, then 8 frames of a video) split into 4 shards
/// of 5 frames: [0,5), [5,10), [10,15), [15,20).
struct Job
{
    Profile profile = makeProfile();
    std::vector<Sample> frames;
    QString digest;

    explicit Job(int images = 12, int videoFrames = 8)
    {
        for (int i = 0; i < images; ++i)
            frames.push_back(frame(QString("/data/images/img%1.png").arg(i, 5, 10, QLatin1Char('0'))));
        for (int f = 0; f < videoFrames; ++f)
            frames.push_back(frame("/data/videos/run.mp4", 5 * f));
        frames = canonicalFrames(frames);
        digest = inputsDigest(frames);
    }

    FrameResult result(size_t i) const
    {
        FrameResult r;
        r.scored = i != 7;
        r.prediction = static_cast<int>(i % 3);
        r.confidence = 0.5 + static_cast<double>(i) / 100;
        r.scores = {static_cast<double>(i) / 10, -static_cast<double>(i), kNaN};
        if (i == 7)
            r.error = "cannot decode \"img00007.png\"";
        return r;
    }
    QString row(size_t i) const { return resultRow(frames[i], true, result(i), profile, kIds); }

    ResultsHeader header(const std::optional<ShardId> &shard, const QString &profileSha = kProfileSha) const
    {
        ResultsHeader h;
        h.profilePath = "/profiles/kvasir.oodprofile";
        h.profileSha256 = profileSha;
        h.modelPath = "/models/resnet18.pt";
        h.modelSha256 = QString(64, 'c');
        h.inputsSha256 = digest;
        h.inputFrames = static_cast<qint64>(frames.size());
        h.columns = resultColumns(kIds, true);
        if (shard) {
            const FrameRange range = shardRange(frames.size(), *shard);
            h.shard = shard;
            h.firstFrame = static_cast<qint64>(range.first);
            h.rows = static_cast<qint64>(range.count);
        } else {
            h.rows = h.inputFrames;
        }
        return h;
    }

    /// Scores shard `shard` completely into `path`.
    void writeShard(const QString &path, ShardId shard, const QString &profileSha = kProfileSha) const
    {
        const FrameRange range = shardRange(frames.size(), shard);
        const std::vector<Sample> slice(frames.begin() + static_cast<qsizetype>(range.first),
                                        frames.begin() + static_cast<qsizetype>(range.first + range.count));
        ShardWriter writer(path, header(shard, profileSha), slice);
        QStringList rows;
        for (size_t i = range.first; i < range.first + range.count; ++i)
            rows << row(i);
        writer.append(rows);
        writer.finish();
    }

    /// The rows of frames [first, first + count), as score writes them.
    QByteArray rows(size_t first, size_t count) const
    {
        QString text;
        for (size_t i = first; i < first + count; ++i)
            text += row(i);
        return text.toUtf8();
    }
};

} // namespace

class ResultsFileTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void headerTextHasTheDocumentedLayout()
    {
        ResultsHeader h;
        h.profilePath = "/data/kvasir.oodprofile";
        h.profileSha256 = "3b1f";
        h.modelPath = "/data/resnet18.pt";
        h.modelSha256 = "9ac2";
        h.inputsSha256 = "5d00";
        h.inputFrames = 20;
        h.shard = ShardId{1, 4};
        h.firstFrame = 5;
        h.rows = 5;
        h.columns = resultColumns({"msp", "energy"}, true);
        QCOMPARE(h.text(), QString("# ood-inspect results 1\n"
                                   "# profile: /data/kvasir.oodprofile\n"
                                   "# profile_sha256: 3b1f\n"
                                   "# model: /data/resnet18.pt\n"
                                   "# model_sha256: 9ac2\n"
                                   "# inputs_sha256: 5d00\n"
                                   "# input_frames: 20\n"
                                   "# shard: 1/4\n"
                                   "# first_frame: 5\n"
                                   "# rows: 5\n"
                                   "path,frame,prediction,confidence,msp,energy,flagged_by,unusual,error\n"));

        // A partial merge: no shard lines, one line per missing shard.
        h.shard.reset();
        h.firstFrame = 0;
        h.rows = 10;
        h.missing = QStringList{"shard 0/4, frames 0-4", "shard 2/4, frames 10-14"};
        h.columns = resultColumns({"msp"}, false);
        QCOMPARE(h.text(), QString("# ood-inspect results 1\n"
                                   "# profile: /data/kvasir.oodprofile\n"
                                   "# profile_sha256: 3b1f\n"
                                   "# model: /data/resnet18.pt\n"
                                   "# model_sha256: 9ac2\n"
                                   "# inputs_sha256: 5d00\n"
                                   "# input_frames: 20\n"
                                   "# rows: 10\n"
                                   "# missing: shard 0/4, frames 0-4\n"
                                   "# missing: shard 2/4, frames 10-14\n"
                                   "path,prediction,confidence,msp,flagged_by,unusual,error\n"));

        // The verdict's rule, when given, before the row count.
        h.missing.clear();
        h.verdict = "at least 2 of 3 checks find the frame unusual; false-alarm rate 0.05";
        QVERIFY(
            h.text().contains("# input_frames: 20\n"
                              "# verdict: at least 2 of 3 checks find the frame unusual; false-alarm rate "
                              "0.05\n# rows: 10\n"));

        h.profilePath = "/data/two\nlines.oodprofile";
        QVERIFY(test::errorOf([&] { h.text(); }).contains("line break"));
    }

    void headerRoundTrip_data()
    {
        QTest::addColumn<bool>("shard");
        QTest::newRow("shard") << true;
        QTest::newRow("merged") << false;
    }

    void headerRoundTrip()
    {
        QFETCH(bool, shard);
        QTemporaryDir dir;
        ResultsHeader h;
        h.profilePath = QString::fromUtf8("/data/prôfile, \"v2\".oodprofile");
        h.profileSha256 = kProfileSha;
        h.modelPath = "/data/m.pt";
        h.modelSha256 = QString(64, 'c');
        h.inputsSha256 = QString(64, 'd');
        h.inputFrames = 1234567;
        if (shard) {
            h.shard = ShardId{99, 100};
            h.firstFrame = 1222221;
            h.rows = 12346;
        } else {
            h.rows = 1000;
            h.missing = QStringList{"shard 3/4, frames 15-19"};
            h.verdict = QString::fromUtf8("any of 3 checks finds the frame unusual; about 1 in 7 … flagged");
        }
        h.columns = resultColumns({"msp", "knn", "mahalanobis"}, shard);
        const QString path = dir.filePath("results.csv");
        writeAll(path, h.text().toUtf8());
        const ResultsHeader read = readResultsHeader(path);
        QCOMPARE(read.formatVersion, 1);
        QCOMPARE(read.profilePath, h.profilePath);
        QCOMPARE(read.profileSha256, h.profileSha256);
        QCOMPARE(read.modelPath, h.modelPath);
        QCOMPARE(read.modelSha256, h.modelSha256);
        QCOMPARE(read.inputsSha256, h.inputsSha256);
        QCOMPARE(read.inputFrames, h.inputFrames);
        QCOMPARE(read.shard.has_value(), shard);
        if (shard)
            QVERIFY(*read.shard == *h.shard);
        QCOMPARE(read.firstFrame, h.firstFrame);
        QCOMPARE(read.rows, h.rows);
        QCOMPARE(read.missing, h.missing);
        QCOMPARE(read.verdict, h.verdict);
        QCOMPARE(read.columns, h.columns);
    }

    void resultRowMatchesTheScoreTable_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("videoFrame");
        QTest::addColumn<bool>("withFrame");
        QTest::addColumn<int>("prediction");
        QTest::addColumn<double>("confidence");
        QTest::addColumn<QList<double>>("scores");
        QTest::addColumn<QString>("error");
        QTest::addColumn<int>("digits");
        QTest::addColumn<QString>("expected");

        // msp flags above 0.5, energy above -2, vim never (no threshold); strictly above. The
        // `unusual` column is the verdict the row is given (FrameResult::flagged; here only the first
        // row's), empty for a frame that failed.
        QTest::newRow("quoted path and class, two flags")
            << "/data/a,b.png" << -1 << false << 1 << 0.875 << QList<double>{0.75, -1.5, 3.0} << "" << 10
            << "\"/data/a,b.png\",\"polyp, small\",0.875,0.75,-1.5,3,msp;energy,1,\n";
        QTest::newRow("NaN is empty")
            << "plain.png" << -1 << false << 0 << kNaN << QList<double>{kNaN, kNaN, kNaN} << "" << 10
            << "plain.png,cecum,,,,,,0,\n";
        QTest::newRow("equal to the threshold does not flag")
            << "x.png" << -1 << false << 2 << 0.5 << QList<double>{0.5, -2.0, 100.0} << "" << 10
            << "x.png,\"z\"\"line\",0.5,0.5,-2,100,,0,\n";
        // 1/3 = 0.33333333333333331483..., 2/3 = 0.66666666666666662965..., 1e-20 =
        // 9.99999999999999945153...e-21 as doubles.
        QTest::newRow("10 digits") << "p.png" << -1 << false << 0 << 1.0
                                   << QList<double>{1.0 / 3, 2.0 / 3, 1e-20} << "" << 10
                                   << "p.png,cecum,1,0.3333333333,0.6666666667,1e-20,energy,0,\n";
        QTest::newRow("17 digits")
            << "p.png" << -1 << false << 0 << 1.0 << QList<double>{1.0 / 3, 2.0 / 3, 1e-20} << "" << 17
            << "p.png,cecum,1,0.33333333333333331,0.66666666666666663,9.9999999999999995e-21,"
               "energy,0,\n";
        QTest::newRow("failed frame: no prediction, no flags")
            << "x.png" << -1 << false << 1 << kNaN << QList<double>{0.9, kNaN, kNaN}
            << "cannot decode \"x.png\": truncated" << 10
            << "x.png,,,0.9,,,,,\"cannot decode \"\"x.png\"\": truncated\"\n";
        QTest::newRow("video frame") << "/v/run.mp4" << 120 << true << 2 << 0.25
                                     << QList<double>{0.6, -3.0, kNaN} << "" << 10
                                     << "/v/run.mp4,120,\"z\"\"line\",0.25,0.6,-3,,msp,0,\n";
        QTest::newRow("still image in a table with frames")
            << "/v/still.png" << -1 << true << 0 << 0.5 << QList<double>{0.1, -2.5, 1.0} << "" << 10
            << "/v/still.png,,cecum,0.5,0.1,-2.5,1,,0,\n";
        // Quoted, so that readers skipping the "# " lines with pandas' comment='#' keep the row whole.
        QTest::newRow("hash in a path")
            << "/data/case#3/x.png" << -1 << false << 0 << 0.5 << QList<double>{0.1, -2.5, 1.0} << "" << 10
            << "\"/data/case#3/x.png\",cecum,0.5,0.1,-2.5,1,,0,\n";
        QTest::newRow("line break in a path")
            << "a\nb.png" << -1 << false << 0 << 0.5 << QList<double>{0.1, -2.5, 1.0} << "" << 10
            << "\"a\nb.png\",cecum,0.5,0.1,-2.5,1,,0,\n";
    }

    void resultRowMatchesTheScoreTable()
    {
        QFETCH(QString, path);
        QFETCH(int, videoFrame);
        QFETCH(bool, withFrame);
        QFETCH(int, prediction);
        QFETCH(double, confidence);
        QFETCH(QList<double>, scores);
        QFETCH(QString, error);
        QFETCH(int, digits);
        QFETCH(QString, expected);
        FrameResult result;
        result.scored = error.isEmpty();
        result.error = error;
        result.prediction = prediction;
        result.confidence = confidence;
        result.scores.assign(scores.begin(), scores.end());
        result.flagged = QString(QTest::currentDataTag()).contains("two flags");
        QCOMPARE(resultRow(frame(path, videoFrame), withFrame, result, makeProfile(), kIds, digits),
                 expected);
    }

    void resultRowRefusesWhatItCannotWrite()
    {
        const Profile profile = makeProfile();
        FrameResult result;
        result.prediction = 3;
        result.confidence = 0.5;
        result.scores = {0.1, 0.2, 0.3};
        QVERIFY(test::errorOf([&] {
                    resultRow(frame("a.png"), false, result, profile, kIds);
                }).contains("prediction 3"));
        result.prediction = 0;
        QVERIFY(test::errorOf([&] {
                    resultRow(frame("a.png"), false, result, profile, {"msp", "energy", "knn"});
                }).contains("knn"));
        result.scores = {0.1};
        QVERIFY(!test::errorOf([&] { resultRow(frame("a.png"), false, result, profile, kIds); }).isEmpty());
    }

    void readBackWhatWasWritten()
    {
        QTemporaryDir dir;
        const Profile profile = makeProfile();
        const std::vector<Sample> frames = {frame(QString::fromUtf8("/data/ça, \"va\"\nbien.png")),
                                            frame("/data/run.mp4", 0), frame("/data/run.mp4", 25)};
        std::vector<FrameResult> results(3);
        results[0].prediction = 1;
        results[0].confidence = 0.75;
        results[0].scores = {0.625, -1.0, kNaN};
        results[0].flagged = true;
        results[1].prediction = 2;
        results[1].confidence = 1.0 / 3;
        results[1].scores = {std::numeric_limits<double>::infinity(), -3.0, 2.5e-8};
        results[2].error = "cannot decode frame 25, \"broken\"";
        results[2].scores = {kNaN, kNaN, kNaN};
        ResultsHeader h;
        h.profileSha256 = kProfileSha;
        h.modelSha256 = "m";
        h.inputsSha256 = "i";
        h.inputFrames = 3;
        h.rows = 3;
        h.columns = resultColumns(kIds, true);
        QString text = h.text();
        for (size_t i = 0; i < frames.size(); ++i)
            text += resultRow(frames[i], true, results[i], profile, kIds, 17);
        const QString path = dir.filePath("scores.csv");
        writeAll(path, text.toUtf8());

        const ResultsFile file = readResultsFile(path);
        QCOMPARE(file.detectorIds, kIds);
        QCOMPARE(file.rows.size(), size_t(3));
        QCOMPARE(file.rows[0].path, frames[0].path);
        QCOMPARE(file.rows[0].videoFrame, -1);
        QCOMPARE(file.rows[0].prediction, QString("polyp, small"));
        QCOMPARE(file.rows[0].confidence, 0.75);
        QCOMPARE(file.rows[0].scores[0], 0.625);
        QCOMPARE(file.rows[0].scores[1], -1.0);
        QVERIFY(std::isnan(file.rows[0].scores[2]));
        QCOMPARE(file.rows[0].flaggedBy, QStringList({"msp", "energy"}));
        QCOMPARE(file.rows[0].unusual, 1);
        QCOMPARE(file.rows[0].error, QString());
        QCOMPARE(file.rows[1].path, QString("/data/run.mp4"));
        QCOMPARE(file.rows[1].videoFrame, 0);
        QCOMPARE(file.rows[1].prediction, QString("z\"line"));
        QCOMPARE(file.rows[1].confidence, 1.0 / 3); // 17 digits bring a double back exactly
        QVERIFY(std::isinf(file.rows[1].scores[0]) && file.rows[1].scores[0] > 0);
        QCOMPARE(file.rows[1].scores[2], 2.5e-8);
        QCOMPARE(file.rows[1].flaggedBy, QStringList{"msp"}); // -3 is not above energy's -2
        QCOMPARE(file.rows[1].unusual, 0);
        QCOMPARE(file.rows[2].videoFrame, 25);
        QCOMPARE(file.rows[2].prediction, QString());
        QVERIFY(std::isnan(file.rows[2].confidence));
        QVERIFY(file.rows[2].flaggedBy.isEmpty());
        QCOMPARE(file.rows[2].unusual, -1);
        QCOMPARE(file.rows[2].error, results[2].error);
    }

    void readsThePlainTableOfAnOlderScore()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("old.csv");
        writeAll(path, "path,prediction,confidence,msp,flagged_by,error\r\na.png,cecum,0.5,0.75,msp,\r\n");
        const ResultsFile file = readResultsFile(path);
        QCOMPARE(file.header.formatVersion, 0);
        QVERIFY(file.header.profileSha256.isEmpty());
        QCOMPARE(file.header.columns,
                 QStringList({"path", "prediction", "confidence", "msp", "flagged_by", "error"}));
        QCOMPARE(file.rows.size(), size_t(1));
        QCOMPARE(file.rows[0].scores, std::vector<double>{0.75});
        QCOMPARE(file.rows[0].flaggedBy, QStringList{"msp"});
        QCOMPARE(file.rows[0].unusual, -1); // no such column before the verdict
    }

    void readErrorsNameFileAndLine_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("fragment");
        const QByteArray header = "# ood-inspect results 1\n# profile: p\n# profile_sha256: a\n# model: m\n"
                                  "# model_sha256: b\n# inputs_sha256: c\n# input_frames: 3\n# rows: 3\n"
                                  "path,prediction,confidence,msp,flagged_by,error\n";
        const QByteArray row = "a.png,cecum,0.5,0.25,,\n";
        QTest::newRow("truncated") << header + row + row << "truncated: 2 of 3 rows";
        QTest::newRow("more rows") << header + row + row + row + row << "4 rows, but its header says 3";
        QTest::newRow("missing field")
            << header + row + "b.png,cecum,0.5,,\n" + row << "line 11: 5 fields, expected 6";
        QTest::newRow("not a number") << header + row + row + "c.png,cecum,high,0.25,,\n"
                                      << "line 12: the confidence column holds 'high'";
        QTest::newRow("unclosed quote")
            << header + row + "\"b.png,cecum,0.5,0.25,,\n" + row << "line 11: a quoted field is not closed";
        QTest::newRow("stray quote") << header + "a\"b.png,cecum,0.5,0.25,,\n"
                                     << "line 10: a quote inside";
        QByteArray withVerdict = header;
        withVerdict.replace("flagged_by,error", "flagged_by,unusual,error");
        QTest::newRow("unusual not 0 or 1") << withVerdict + "a.png,cecum,0.5,0.25,,yes,\n"
                                            << "line 10: the unusual column holds 'yes', not 0 or 1";
        QTest::newRow("cut short") << header + row + row + "c.png,cec"
                                   << "line 12: the last row has no line break";
        QTest::newRow("newer format")
            << QByteArray("# ood-inspect results 2\n") + row << "line 1: results format 2";
        QTest::newRow("foreign comment") << QByteArray("# written by hand\n") + row << "line 1:";
        QTest::newRow("bad count") << QByteArray(header).replace("# rows: 3", "# rows: three")
                                   << "line 8: 'rows'";
        QTest::newRow("no rows line") << QByteArray(header).replace("# rows: 3\n", "") << "no 'rows' line";
        QTest::newRow("bad shard") << QByteArray(header).replace("# rows: 3",
                                                                 "# shard: 4/4\n# first_frame: 0\n# rows: 3")
                                   << "line 8: shard '4/4'";
        QTest::newRow("no path column")
            << QByteArray("file,prediction,confidence,flagged_by,error\n") << "line 1";
        QTest::newRow("empty") << QByteArray() << "is empty";
    }

    void readErrorsNameFileAndLine()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, fragment);
        QTemporaryDir dir;
        const QString path = dir.filePath("broken.csv");
        writeAll(path, content);
        const QString message = test::errorOf([&] { readResultsFile(path); });
        QVERIFY2(message.startsWith(path), qPrintable(message));
        QVERIFY2(message.contains(fragment), qPrintable(message));
    }

    void shardGoesOnWhereItStopped()
    {
        QTemporaryDir dir;
        const Job job(5, 2); // 7 frames, one shard
        const QString path = dir.filePath("shard.csv");
        const QString partial = path + ".partial";
        const ResultsHeader header = job.header(ShardId{0, 1});
        {
            ShardWriter writer(path, header, job.frames);
            QCOMPARE(writer.framesDone(), size_t(0));
            QVERIFY(!writer.isFinished());
            writer.append({job.row(0), job.row(1)});
            writer.append({job.row(2)});
            QCOMPARE(writer.framesDone(), size_t(3));
            QVERIFY(QFile::exists(partial));
            QVERIFY(!QFile::exists(path));
        }
        // Killed in the middle of writing row 3.
        writeAll(partial, job.row(3).toUtf8().left(12), QIODevice::WriteOnly | QIODevice::Append);
        {
            ShardWriter writer(path, header, job.frames);
            QCOMPARE(writer.framesDone(), size_t(3));
            QCOMPARE(readAll(partial), header.text().toUtf8() + job.rows(0, 3));
            QVERIFY(!test::errorOf([&] { writer.finish(); }).isEmpty()); // 4 rows missing
            writer.append({job.row(3), job.row(4)});
            writer.append({job.row(5), job.row(6)});
            writer.finish();
            QVERIFY(writer.isFinished());
        }
        QVERIFY(!QFile::exists(partial));
        QCOMPARE(readAll(path), header.text().toUtf8() + job.rows(0, 7));
        const ResultsFile file = readResultsFile(path);
        QCOMPARE(file.rows.size(), size_t(7));
        for (size_t i = 0; i < 7; ++i) {
            QCOMPARE(file.rows[i].path, job.frames[i].path);
            QCOMPARE(file.rows[i].videoFrame, job.frames[i].videoFrame);
        }

        // Started again after it finished: nothing to do.
        ShardWriter again(path, header, job.frames);
        QVERIFY(again.isFinished());
        QCOMPARE(again.framesDone(), size_t(7));
        QVERIFY(test::errorOf([&] { again.append({job.row(0)}); }).contains(path));
        again.finish();
        QCOMPARE(readAll(path), header.text().toUtf8() + job.rows(0, 7));
    }

    void shardStartsAfreshFromAHalfWrittenHeader()
    {
        QTemporaryDir dir;
        const Job job(5, 2);
        const QString path = dir.filePath("shard.csv");
        const ResultsHeader header = job.header(ShardId{0, 1});
        writeAll(path + ".partial", header.text().toUtf8().left(40));
        ShardWriter writer(path, header, job.frames);
        QCOMPARE(writer.framesDone(), size_t(0));
        QCOMPARE(readAll(path + ".partial"), header.text().toUtf8());
    }

    void twoRunsOfOneShardDoNotInterleave()
    {
        QTemporaryDir dir;
        const Job job(5, 2);
        const QString path = dir.filePath("shard.csv");
        const ResultsHeader header = job.header(ShardId{0, 1});
        ShardWriter first(path, header, job.frames);
        first.append({job.row(0)});
        const QString message = test::errorOf([&] { ShardWriter(path, header, job.frames); });
        QVERIFY2(message.contains(path + ".partial") && message.contains("another process"),
                 qPrintable(message));
        first.append({job.row(1)});
        QCOMPARE(first.framesDone(), size_t(2));
    }

    void shardOfAnotherJobIsNeverOverwritten()
    {
        QTemporaryDir dir;
        const Job job(5, 2);
        const QString path = dir.filePath("shard.csv");
        const QString partial = path + ".partial";
        const ResultsHeader header = job.header(ShardId{0, 1});
        {
            ShardWriter writer(path, header, job.frames);
            writer.append({job.row(0), job.row(1)});
        }
        const QByteArray before = readAll(partial);
        const ResultsHeader other = job.header(ShardId{0, 1}, kOtherProfileSha);
        QString message = test::errorOf([&] { ShardWriter(path, other, job.frames); });
        QVERIFY2(message.contains(partial) && message.contains("profile sha256 aaaaaaaaaaaa"),
                 qPrintable(message));
        QCOMPARE(readAll(partial), before);

        // The same job, but rows of other frames than these.
        std::vector<Sample> swapped = job.frames;
        std::swap(swapped[0], swapped[1]);
        message = test::errorOf([&] { ShardWriter(path, header, swapped); });
        QVERIFY2(message.contains(partial) && message.contains("other frames"), qPrintable(message));
        QCOMPARE(readAll(partial), before);

        // A row of the wrong frame is refused before it is written.
        {
            ShardWriter writer(path, header, job.frames);
            message = test::errorOf([&] { writer.append({job.row(3)}); });
            QVERIFY2(message.contains(partial) && message.contains("img00003"), qPrintable(message));
            writer.append({job.row(2), job.row(3), job.row(4), job.row(5), job.row(6)});
            writer.finish();
        }
        const QByteArray finished = readAll(path);
        message = test::errorOf([&] { ShardWriter(path, other, job.frames); });
        QVERIFY2(message.startsWith(path + " exists") && message.contains("another job"),
                 qPrintable(message));
        QCOMPARE(readAll(path), finished);
        QVERIFY(!QFile::exists(partial));
    }

    void mergeJoinsTheShardsInOrder()
    {
        QTemporaryDir dir;
        const Job job;
        QStringList paths;
        for (int k : {2, 0, 3, 1}) { // given in any order
            paths << dir.filePath(QString("s%1.csv").arg(k));
            job.writeShard(paths.back(), {k, 4});
        }
        const QString out = dir.filePath("merged.csv");
        const MergeReport report = mergeShards(paths, out, false);
        QVERIFY2(report.refused.isEmpty(), qPrintable(report.refused.join('\n')));
        QVERIFY(report.missing.isEmpty());
        QVERIFY(report.written);
        QCOMPARE(report.rowsWritten, 20);
        QCOMPARE(report.resubmitShards, QString());
        QCOMPARE(readAll(out), job.header(std::nullopt).text().toUtf8() + job.rows(0, 20));
        const ResultsHeader header = readResultsHeader(out);
        QVERIFY(!header.shard);
        QCOMPARE(header.rows, 20);
        QCOMPARE(header.inputFrames, 20);
        QCOMPARE(header.inputsSha256, job.digest);
    }

    void mergeRefusesAShardOfAnotherProfile()
    {
        QTemporaryDir dir;
        const Job job;
        QStringList paths;
        for (int k = 0; k < 4; ++k) {
            paths << dir.filePath(QString("s%1.csv").arg(k));
            job.writeShard(paths.back(), {k, 4}, k == 3 ? kOtherProfileSha : kProfileSha);
        }
        const QString out = dir.filePath("merged.csv");
        const MergeReport report = mergeShards(paths, out, false);
        QCOMPARE(report.refused.size(), 1);
        QVERIFY2(report.refused[0].startsWith(paths[3]) && report.refused[0].contains("bbbbbbbbbbbb") &&
                     report.refused[0].contains("aaaaaaaaaaaa") && report.refused[0].contains(paths[0]),
                 qPrintable(report.refused[0]));
        QCOMPARE(report.missing, QList<ShardId>{ShardId({3, 4})});
        QCOMPARE(report.resubmitShards, QString("3"));
        QVERIFY(!report.written);
        QVERIFY(!QFile::exists(out));
    }

    void mergeRefusesATruncatedShard()
    {
        QTemporaryDir dir;
        const Job job;
        QStringList paths;
        for (int k = 0; k < 4; ++k) {
            paths << dir.filePath(QString("s%1.csv").arg(k));
            job.writeShard(paths.back(), {k, 4});
        }
        // Two of the five rows of shard 1 cut off the finished file.
        writeAll(paths[1], job.header(ShardId{1, 4}).text().toUtf8() + job.rows(5, 3));
        const QString out = dir.filePath("merged.csv");
        const MergeReport report = mergeShards(paths, out, false);
        QCOMPARE(report.refused,
                 QStringList{paths[1] + " is truncated: 3 of 5 rows (score shard 1/4 again)"});
        QCOMPARE(report.resubmitShards, QString("1"));
        QVERIFY(!report.written);
        QVERIFY(!QFile::exists(out));
    }

    void mergeOfMissingShards()
    {
        QTemporaryDir dir;
        const Job job;
        QStringList paths;
        for (int k : {1, 3}) {
            paths << dir.filePath(QString("s%1.csv").arg(k));
            job.writeShard(paths.back(), {k, 4});
        }
        const QString out = dir.filePath("merged.csv");
        MergeReport report = mergeShards(paths, out, false);
        QVERIFY(report.refused.isEmpty());
        QCOMPARE(report.missing, QList<ShardId>({ShardId({0, 4}), ShardId({2, 4})}));
        QCOMPARE(report.resubmitShards, QString("0,2"));
        QVERIFY(!report.written);
        QCOMPARE(report.rowsWritten, 0);
        QVERIFY(!QFile::exists(out));

        report = mergeShards(paths, out, true);
        QVERIFY(report.written);
        QCOMPARE(report.rowsWritten, 10);
        QCOMPARE(report.resubmitShards, QString("0,2"));
        ResultsHeader expected = job.header(std::nullopt);
        expected.rows = 10;
        expected.missing = QStringList{"shard 0/4, frames 0-4", "shard 2/4, frames 10-14"};
        QCOMPARE(readAll(out), expected.text().toUtf8() + job.rows(5, 5) + job.rows(15, 5));
        QCOMPARE(readResultsFile(out).rows.size(), size_t(10));
    }

    void mergeRefusesAShardGivenTwice()
    {
        QTemporaryDir dir;
        const Job job;
        QStringList paths;
        for (int k = 0; k < 4; ++k) {
            paths << dir.filePath(QString("s%1.csv").arg(k));
            job.writeShard(paths.back(), {k, 4});
        }
        const QString copy = dir.filePath("copy of s1.csv");
        QVERIFY(QFile::copy(paths[1], copy));
        paths << copy;
        const QString out = dir.filePath("merged.csv");
        MergeReport report = mergeShards(paths, out, false);
        QCOMPARE(report.refused, QStringList{"shard 1/4 given twice: " + paths[1] + " and " + copy});
        QVERIFY(report.missing.isEmpty());
        QVERIFY(!report.written);
        QVERIFY(!QFile::exists(out));
        // Allowed: the first of the two is used, and nothing is missing.
        report = mergeShards(paths, out, true);
        QVERIFY(report.written);
        QCOMPARE(readAll(out), job.header(std::nullopt).text().toUtf8() + job.rows(0, 20));
    }

    void mergeRefusesUnfinishedAndForeignFiles()
    {
        QTemporaryDir dir;
        const Job job;
        QStringList paths;
        for (int k : {0, 1, 3}) {
            paths << dir.filePath(QString("s%1.csv").arg(k));
            job.writeShard(paths.back(), {k, 4});
        }
        const QString two = dir.filePath("s2.csv");
        {
            const FrameRange range = shardRange(20, {2, 4});
            ShardWriter writer(two, job.header(ShardId{2, 4}),
                               std::vector<Sample>(job.frames.begin() + 10, job.frames.begin() + 15));
            writer.append({job.row(range.first)});
        }
        const QString merged = dir.filePath("earlier-merge.csv");
        writeAll(merged, job.header(std::nullopt).text().toUtf8() + job.rows(0, 20));
        paths << two + ".partial" << merged << dir.filePath("no such file.csv");
        const QString out = dir.filePath("merged.csv");
        const MergeReport report = mergeShards(paths, out, false);
        QCOMPARE(report.refused.size(), 3);
        QVERIFY2(report.refused[0].startsWith(two + ".partial") && report.refused[0].contains("unfinished"),
                 qPrintable(report.refused[0]));
        QVERIFY2(report.refused[1].startsWith(merged) && report.refused[1].contains("not a shard file"),
                 qPrintable(report.refused[1]));
        QVERIFY2(report.refused[2].contains("no such file.csv"), qPrintable(report.refused[2]));
        QCOMPARE(report.resubmitShards, QString("2"));
        QVERIFY(!report.written);

        QVERIFY(
            test::errorOf([&] { mergeShards({dir.filePath("none.csv")}, out, true); }).contains("none.csv"));
    }

    void mergeRefusesRowsOutOfPlace()
    {
        QTemporaryDir dir;
        const Job job;
        QStringList paths;
        for (int k = 0; k < 4; ++k) {
            paths << dir.filePath(QString("s%1.csv").arg(k));
            job.writeShard(paths.back(), {k, 4});
        }
        // Rows 6 and 7 swapped: the row of frame 6, on line 14 (11 lines of header, rows from line
        // 12), comes after that of frame 7.
        writeAll(paths[1], job.header(ShardId{1, 4}).text().toUtf8() + job.rows(5, 1) + job.rows(7, 1) +
                               job.rows(6, 1) + job.rows(8, 2));
        // Shard 2 claims frames 9..13, which is not where shard 2 of 20 frames starts.
        ResultsHeader shifted = job.header(ShardId{2, 4});
        shifted.firstFrame = 9;
        writeAll(paths[2], shifted.text().toUtf8() + job.rows(9, 5));
        const MergeReport report = mergeShards(paths, dir.filePath("merged.csv"), true);
        QCOMPARE(report.refused.size(), 2);
        QVERIFY2(report.refused[0].startsWith(paths[2] + " says first_frame 9") &&
                     report.refused[0].contains("first_frame 10, rows 5"),
                 qPrintable(report.refused[0]));
        QVERIFY2(report.refused[1].startsWith(paths[1] + ": line 14") &&
                     report.refused[1].contains("repeated"),
                 qPrintable(report.refused[1]));
        QCOMPARE(report.resubmitShards, QString("1,2"));
        QVERIFY(report.written);
        QCOMPARE(report.rowsWritten, 10);
    }

    void mergeCanBeCancelled()
    {
        QTemporaryDir dir;
        const Job job(30000, 0);
        QStringList paths;
        for (int k = 0; k < 2; ++k) {
            paths << dir.filePath(QString("s%1.csv").arg(k));
            job.writeShard(paths.back(), {k, 2});
        }
        const QString out = dir.filePath("merged.csv");
        QList<qint64> seen;
        bool cancelled = false;
        try {
            mergeShards(paths, out, false, [&](qint64 rows) {
                seen << rows;
                return rows < 40000; // into the copy: each row is read twice
            });
        } catch (const Cancelled &) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QCOMPARE(seen, QList<qint64>({10000, 20000, 30000, 40000}));
        QVERIFY(!QFile::exists(out));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 2); // no temporary left behind

        const MergeReport report = mergeShards(paths, out, false);
        QCOMPARE(report.rowsWritten, 30000);
        QCOMPARE(readResultsFile(out).rows.size(), size_t(30000));
    }
};

QTEST_GUILESS_MAIN(ResultsFileTest)
#include "resultsfiletest.moc"
