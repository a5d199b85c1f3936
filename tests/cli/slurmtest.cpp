// Slurm support through the real executable: the scripts 'ood-inspect slurm-script' writes, and
// those scripts run on a private single-node Slurm (support/slurmcluster.h): the array scores the
// demo frames and a video in shards and the merge job joins them into exactly what one process
// scores; a task cancelled half-way keeps the merge from running, and resubmit.sh scores just that
// shard again, from where it stopped. Also what merge refuses, through the command line.

#include "support/processrun.h"
#include "support/slurmcluster.h"
#include "support/videoclips.h"

#include <QtTest>

#include <opencv2/core.hpp>

#include <functional>
#include <memory>

using namespace ood::test;

namespace {

const QString kAssets = OOD_SOURCE_DIR "/resources/demo/assets";
const QString kProfile = kAssets + "/demo.oodprofile";
const QString kModel = kAssets + "/model.pt";

// One frame per forward pass on one thread, in the array tasks (--batch 1, --cpus-per-task 1)
// and in the single run they are compared with: the same sums in the same order, so the rows
// must agree to the last digit (another batch size may round differently, see
// shardcommandtest.cpp).
const QStringList kScoreOptions = {"--batch", "1"};

/// The column row, then the rows sorted as text: the same multiset of rows gives the same list.
QStringList sortedTable(const QString &text)
{
    QStringList lines = csvTableLines(text);
    if (lines.isEmpty())
        return lines;
    const QString columns = lines.takeFirst();
    lines.sort();
    lines.prepend(columns);
    return lines;
}

/// Rows a shard's .partial file holds complete: lines ended by '\n' after the leading "# " lines
/// and the column row.
int completeRows(const QString &path)
{
    QByteArray bytes = readAll(path);
    bytes.truncate(bytes.lastIndexOf('\n') + 1);
    const QStringList lines = csvTableLines(QString::fromUtf8(bytes));
    return std::max<int>(0, static_cast<int>(lines.size()) - 1);
}

/// The single-quoted form bash reads back as `text` (' written as '\'').
QString quoted(const QString &text)
{
    QString q = text;
    q.replace("'", "'\\''");
    return "'" + q + "'";
}

bool waitFor(const std::function<bool()> &condition, int timeoutMs, int pollMs = 100)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!condition()) {
        if (deadline.hasExpired())
            return false;
        QThread::msleep(static_cast<unsigned long>(pollMs));
    }
    return true;
}

struct Jobs
{
    QStringList arrays;
    QString merge;
};

Jobs readJobs(const QString &dir)
{
    Jobs jobs;
    for (const QString &line : QString::fromUtf8(readAll(dir + "/jobs.txt")).split('\n')) {
        if (line.startsWith("arrays="))
            jobs.arrays = line.mid(7).split(' ', Qt::SkipEmptyParts);
        if (line.startsWith("merge="))
            jobs.merge = line.mid(6);
    }
    return jobs;
}

/// Every log the jobs wrote, for a failure message.
QString logsOf(const QString &dir)
{
    QString text;
    const QDir logs(dir + "/logs");
    for (const QString &name : logs.entryList({"*.log"}, QDir::Files, QDir::Name))
        text += "--- " + name + "\n" + QString::fromUtf8(readAll(logs.filePath(name))).right(2000) + "\n";
    return text;
}

} // namespace

class SlurmTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_dir;
    std::unique_ptr<SlurmCluster> m_cluster;
    QStringList m_inputs;       ///< the demo frames and a video
    QStringList m_singleTable;  ///< one unsharded run over m_inputs, sortedTable()
    QStringList m_directShards; ///< shard files of m_inputs scored without Slurm, for merge

    QString path(const QString &relative) const { return m_dir.filePath(relative); }

    QStringList scoreArguments(const QStringList &inputs) const
    {
        return QStringList{"score",   "--profile", kProfile, "--model",       kModel,
                           "--quiet", "--threads", "1",      "--video-every", "3"} +
               kScoreOptions + inputs;
    }

    QStringList slurmScriptArguments(const QString &dir, int shards, const QStringList &inputs) const
    {
        return QStringList{"slurm-script",
                           "--profile",
                           kProfile,
                           "--model",
                           kModel,
                           "--shards",
                           QString::number(shards),
                           "--out",
                           dir,
                           "--cpus-per-task",
                           "1",
                           "--video-every",
                           "3"} +
               kScoreOptions + inputs;
    }

    /// The cluster, started on first use; skips the test when it cannot run here.
    SlurmCluster *cluster()
    {
        if (!m_cluster) {
            QElapsedTimer timer;
            timer.start();
            m_cluster = std::make_unique<SlurmCluster>();
            qInfo("private Slurm cluster: %s after %lld ms", m_cluster->isRunning() ? "up" : "not up",
                  static_cast<long long>(timer.elapsed()));
        }
        return m_cluster.get();
    }

    /// True once `job` has left the queue (ended; squeue no longer lists it, or no longer knows it).
    bool jobEnded(const QString &job) const
    {
        const Run queue = m_cluster->run("squeue", {"--noheader", "--array", "--jobs=" + job, "--format=%i"});
        return queue.exitCode != 0 ? queue.err.contains("Invalid job id") : queue.out.trimmed().isEmpty();
    }

    /// The array task ids of `array` still queued or running.
    QStringList queuedTasks(const QString &array) const
    {
        const Run queue =
            m_cluster->run("squeue", {"--noheader", "--array", "--jobs=" + array, "--format=%K"});
        return queue.exitCode == 0 ? queue.out.split('\n', Qt::SkipEmptyParts) : QStringList();
    }

    QString pendingReason(const QString &job) const
    {
        return m_cluster->run("squeue", {"--noheader", "--jobs=" + job, "--format=%r"}).out.trimmed();
    }

    /// Waits for the merge job of `dir` (as jobs.txt names it now) to end; its all.csv then.
    void waitForMerge(const QString &dir, int timeoutMs)
    {
        const QString merge = readJobs(dir).merge;
        QVERIFY2(!merge.isEmpty(), qPrintable(QString::fromUtf8(readAll(dir + "/jobs.txt"))));
        QVERIFY2(waitFor([&] { return jobEnded(merge); }, timeoutMs, 250),
                 qPrintable("merge job " + merge + " did not end\n" +
                            m_cluster->run("squeue", {"--array", "--format=%i %T %r %E"}).out + logsOf(dir)));
        QVERIFY2(QFileInfo::exists(dir + "/all.csv"), qPrintable(logsOf(dir) + m_cluster->logTail()));
    }

  private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo::exists(kProfile))
            QSKIP("no demo assets (resources/demo/build-assets.sh)");
        // 30 frames of drifting stripes, every third scored: a video is split between shards too.
        std::vector<cv::Mat> frames;
        for (int i = 0; i < 30; ++i) {
            cv::Mat frame(40, 48, CV_8UC3);
            for (int y = 0; y < frame.rows; ++y)
                for (int x = 0; x < frame.cols; ++x)
                    frame.at<cv::Vec3b>(y, x) =
                        cv::Vec3b(uchar((x * 5 + i * 11) % 256), uchar((y * 7 + i) % 256),
                                  uchar(((x + y) / 4 % 2) * 200));
            frames.push_back(frame);
        }
        m_inputs = QStringList{kAssets + "/frames"};
        if (writeMjpegVideo(path("clip.avi"), frames, 25))
            m_inputs << path("clip.avi");
        else
            qInfo("OpenCV cannot write an MJPEG AVI here: the shards hold images only");

        const Run single = run(OOD_INSPECT_BINARY, scoreArguments(m_inputs), 300000);
        QVERIFY2(single.exitCode == 0, qPrintable(describe(single)));
        m_singleTable = sortedTable(single.out);
        // The column row, the 60 demo frames and frames 0, 3, ..., 27 of the video.
        QCOMPARE(m_singleTable.size(), 1 + 60 + (m_inputs.size() > 1 ? 10 : 0));
    }

    void cleanupTestCase()
    {
        QElapsedTimer timer;
        timer.start();
        m_cluster.reset();
        qInfo("cluster stopped in %lld ms", static_cast<long long>(timer.elapsed()));
    }

    void scriptsHoldTheJob()
    {
        // A quote and a space in the folder: every path is quoted for bash and for sbatch.
        const QString dir = path("it's here/job");
        const Run r = run(OOD_INSPECT_BINARY, {"slurm-script",
                                               "--profile",
                                               kProfile,
                                               "--model",
                                               kModel,
                                               "--shards",
                                               "4",
                                               "--out",
                                               dir,
                                               "--time",
                                               "0:30:00",
                                               "--cpus-per-task",
                                               "2",
                                               "--mem",
                                               "500M",
                                               "--partition",
                                               "debug",
                                               "--batch",
                                               "8",
                                               "--methods",
                                               "msp,energy",
                                               "--binary",
                                               OOD_INSPECT_BINARY,
                                               kAssets + "/frames"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QVERIFY2(r.out.contains("bash " + quoted(dir + "/submit.sh")), qPrintable(r.out));

        const QString array = QString::fromUtf8(readAll(dir + "/score-array.sbatch"));
        const QStringList arrayLines = array.split('\n');
        const QString log = quoted(dir + "/logs/score-%A_%a.log");
        for (const QString &line :
             {QString("#!/bin/bash"), QString("#SBATCH --array=0-3"), QString("#SBATCH --requeue"),
              "#SBATCH --output=" + log, "#SBATCH --error=" + log, QString("#SBATCH --time=0:30:00"),
              QString("#SBATCH --cpus-per-task=2"), QString("#SBATCH --mem=500M"),
              QString("#SBATCH --partition=debug")})
            QVERIFY2(arrayLines.contains(line), qPrintable(line + "\n---\n" + array));
        QVERIFY2(array.contains("#SBATCH --job-name="), qPrintable(array));
        for (const QString &part :
             {"exec " + quoted(OOD_INSPECT_BINARY) + " score", "--profile " + quoted(kProfile),
              "--model " + quoted(kModel), QString("--shard \"$shard/4\""),
              QString("--threads \"${SLURM_CPUS_PER_TASK:-1}\""), QString("--quiet"),
              "--out " + quoted(dir + "/shards/shard-") + "\"$shard\"" + quoted("-of-4.csv"),
              QString("--batch 8"), "--methods " + quoted("msp,energy"), quoted(kAssets + "/frames")})
            QVERIFY2(array.contains(part), qPrintable(part + "\n---\n" + array));
        QVERIFY(array.contains("SLURM_ARRAY_TASK_ID"));

        const QString merge = QString::fromUtf8(readAll(dir + "/merge.sbatch"));
        QVERIFY2(merge.split('\n').contains("#SBATCH --output=" + quoted(dir + "/logs/merge-%j.log")),
                 qPrintable(merge));
        QVERIFY2(merge.contains(quoted(OOD_INSPECT_BINARY) + " merge --out " + quoted(dir + "/all.csv")),
                 qPrintable(merge));
        for (int k = 0; k < 4; ++k)
            QVERIFY2(merge.contains(quoted(dir + QString("/shards/shard-%1-of-4.csv").arg(k))),
                     qPrintable(merge));
        QVERIFY(!merge.contains("shard-4-of-4"));

        const QString submit = QString::fromUtf8(readAll(dir + "/submit.sh"));
        QVERIFY2(submit.contains("sbatch --parsable \"$dir/score-array.sbatch\""), qPrintable(submit));
        QVERIFY2(submit.contains("sbatch --parsable --dependency=\"afterok:$arrays\" \"$dir/merge.sbatch\""),
                 qPrintable(submit));
        QVERIFY2(submit.contains("dir=" + quoted(dir) + "\n"), qPrintable(submit));
        QVERIFY(submit.contains("jobs.txt"));
        const QString resubmit = QString::fromUtf8(readAll(dir + "/resubmit.sh"));
        QVERIFY2(resubmit.contains("sbatch --parsable --array=\"$list\" \"$dir/score-array.sbatch\""),
                 qPrintable(resubmit));
        QVERIFY(resubmit.contains("scancel \"$merge\""));
        QVERIFY(resubmit.contains("all $shards shards are complete"));
        QVERIFY(resubmit.contains("shards=4\n"));

        const QString readme = QString::fromUtf8(readAll(dir + "/README.txt"));
        for (const QString &part :
             {"bash " + quoted(dir + "/submit.sh"), "bash " + quoted(dir + "/resubmit.sh"),
              dir + "/logs/score-<array job id>_<task>.log", dir + "/logs/merge-<merge job id>.log",
              QString("MaxArraySize")})
            QVERIFY2(readme.contains(part), qPrintable(part + "\n---\n" + readme));

        const QFileDevice::Permissions executable =
            QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther | QFileDevice::ReadOwner;
        for (const char *name : {"score-array.sbatch", "merge.sbatch", "submit.sh", "resubmit.sh"}) {
            QVERIFY2((QFile::permissions(dir + "/" + name) & executable) == executable, name);
            const Run syntax = run("bash", {"-n", dir + "/" + name});
            QVERIFY2(syntax.exitCode == 0, qPrintable(QString(name) + "\n" + describe(syntax)));
        }
        QVERIFY(!(QFile::permissions(dir + "/README.txt") & QFileDevice::ExeOwner));
        QVERIFY(QFileInfo(dir + "/logs").isDir());
        QVERIFY(QFileInfo(dir + "/shards").isDir());
        QVERIFY(!QFileInfo::exists(dir + "/jobs.txt"));
    }

    void badCommandLinesAreRefused_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        const QStringList inputs = {kAssets + "/frames"};
        QTest::newRow("0 shards") << QStringList{"--shards", "0"} + inputs << 2 << "--shards";
        QTest::newRow("100001 shards") << QStringList{"--shards", "100001"} + inputs << 2 << "100001";
        QTest::newRow("shards not a number") << QStringList{"--shards", "four"} + inputs << 2 << "four";
        QTest::newRow("no inputs") << QStringList{"--shards", "4"} << 2 << "--input";
        QTest::newRow("mem with a space")
            << QStringList{"--shards", "4", "--mem", "8 G"} + inputs << 2 << "--mem";
        QTest::newRow("missing input")
            << QStringList{"--shards", "4", "/nonexistent/frames"} << 1 << "/nonexistent/frames";
        QTest::newRow("missing profile")
            << QStringList{"--shards", "4", "--profile", "/nonexistent/p.oodprofile"} + inputs << 1
            << "/nonexistent/p.oodprofile";
        QTest::newRow("percent in the folder")
            << QStringList{"--shards", "4", "--out", path("50%")} + inputs << 2 << "%";
    }

    void badCommandLinesAreRefused()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const QString dir = path("refused");
        // A later --profile/--out wins over these (QCommandLineParser keeps the last value).
        const Run r = run(OOD_INSPECT_BINARY,
                          QStringList{"slurm-script", "--profile", kProfile, "--out", dir} + arguments);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(dir + "/score-array.sbatch"));
        QVERIFY(!QFileInfo::exists(path("50%")));
    }

    void submittedFolderIsNotOverwritten()
    {
        const QString dir = path("submitted");
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(writeAll(dir + "/jobs.txt", "arrays=17\nmerge=18\n"));
        const Run r = run(OOD_INSPECT_BINARY, slurmScriptArguments(dir, 4, {kAssets + "/frames"}));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("jobs.txt") && r.err.contains("resubmit.sh"), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(dir + "/score-array.sbatch"));
    }

    void arrayAndMergeOnSlurmEqualOneRun()
    {
        SlurmCluster *slurm = cluster();
        if (!slurm->isRunning())
            QSKIP(qPrintable(slurm->whyNot()));
        QElapsedTimer timer;
        timer.start();
        const QString dir = path("it's a cluster/run");
        const Run script = run(OOD_INSPECT_BINARY, slurmScriptArguments(dir, 4, m_inputs));
        QVERIFY2(script.exitCode == 0, qPrintable(describe(script)));
        const Run submit = slurm->run("bash", {dir + "/submit.sh"});
        QVERIFY2(submit.exitCode == 0, qPrintable(describe(submit)));
        const Jobs jobs = readJobs(dir);
        QCOMPARE(jobs.arrays.size(), 1);
        QVERIFY2(submit.out.contains("score array job " + jobs.arrays[0]) &&
                     submit.out.contains("merge job " + jobs.merge),
                 qPrintable(submit.out));
        // The merge job waits for the array.
        const QString dependency =
            slurm->run("squeue", {"--noheader", "--jobs=" + jobs.merge, "--format=%E"}).out.trimmed();
        QVERIFY2(dependency.isEmpty() || dependency.startsWith("afterok:" + jobs.arrays[0]),
                 qPrintable(dependency));

        waitForMerge(dir, 180000);
        QCOMPARE(sortedTable(QString::fromUtf8(readAll(dir + "/all.csv"))), m_singleTable);
        for (int k = 0; k < 4; ++k) {
            QVERIFY(QFileInfo::exists(dir + QString("/shards/shard-%1-of-4.csv").arg(k)));
            QVERIFY(QFileInfo::exists(dir + QString("/logs/score-%1_%2.log").arg(jobs.arrays[0]).arg(k)));
        }
        QVERIFY(QFileInfo::exists(dir + "/logs/merge-" + jobs.merge + ".log"));

        // Everything is there: resubmit.sh has nothing to do, and submit.sh refuses to start again.
        const Run again = slurm->run("bash", {dir + "/resubmit.sh"});
        QVERIFY2(again.exitCode == 0 && again.out.contains("all 4 shards are complete") &&
                     again.out.contains("nothing to do"),
                 qPrintable(describe(again)));
        const Run twice = slurm->run("bash", {dir + "/submit.sh"});
        QCOMPARE(twice.exitCode, 1);
        QVERIFY2(twice.err.contains("resubmit.sh"), qPrintable(twice.err));
        QCOMPARE(readJobs(dir).merge, jobs.merge);
        qInfo("4 shards on Slurm and the merge: %lld ms", static_cast<long long>(timer.elapsed()));
    }

    void cancelledTaskIsResubmittedAndGoesOn()
    {
        SlurmCluster *slurm = cluster();
        if (!slurm->isRunning())
            QSKIP(qPrintable(slurm->whyNot()));
        QElapsedTimer timer;
        timer.start();
        // Enough frames that a task scores for a few seconds, one frame at a time.
        const int copies = 3;
        const QString many = path("many");
        QDirIterator it(kAssets + "/frames", {"*.png"}, QDir::Files, QDirIterator::Subdirectories);
        int frames = 0;
        while (it.hasNext()) {
            const QString file = it.next();
            for (int c = 0; c < copies; ++c) {
                const QString copy = QString("%1/c%2/%3")
                                         .arg(many)
                                         .arg(c)
                                         .arg(QDir(kAssets + "/frames").relativeFilePath(file));
                QVERIFY(QDir().mkpath(QFileInfo(copy).path()));
                QVERIFY(QFile::copy(file, copy));
                ++frames;
            }
        }
        const Run single = run(OOD_INSPECT_BINARY, scoreArguments({many}), 300000);
        QVERIFY2(single.exitCode == 0, qPrintable(describe(single)));
        const QStringList expected = sortedTable(single.out);
        QCOMPARE(expected.size(), 1 + frames);

        const QString dir = path("cancel");
        const Run script = run(OOD_INSPECT_BINARY, slurmScriptArguments(dir, 4, {many}));
        QVERIFY2(script.exitCode == 0, qPrintable(describe(script)));
        const Run submit = slurm->run("bash", {dir + "/submit.sh"});
        QVERIFY2(submit.exitCode == 0, qPrintable(describe(submit)));
        const Jobs first = readJobs(dir);
        QCOMPARE(first.arrays.size(), 1);
        const QString array = first.arrays[0];

        // Task 1, caught half-way: some rows written, the shard not finished.
        const int k = 1;
        const QString shard = dir + QString("/shards/shard-%1-of-4.csv").arg(k);
        QVERIFY2(waitFor([&] { return completeRows(shard + ".partial") >= 1 || QFileInfo::exists(shard); },
                         120000, 20),
                 qPrintable(logsOf(dir)));
        QVERIFY2(!QFileInfo::exists(shard),
                 "the shard was complete before it could be cancelled: use more frames");
        const Run cancel = slurm->run("scancel", {QString("%1_%2").arg(array).arg(k)});
        QVERIFY2(cancel.exitCode == 0, qPrintable(describe(cancel)));
        QVERIFY(waitFor([&] { return !queuedTasks(array).contains(QString::number(k)); }, 30000));
        QVERIFY2(!QFileInfo::exists(shard), "the shard was completed before the cancel reached it");
        const int rowsWhenCancelled = completeRows(shard + ".partial");
        const int shardFrames = (k + 1) * frames / 4 - k * frames / 4;
        QVERIFY2(rowsWhenCancelled >= 1 && rowsWhenCancelled < shardFrames,
                 qPrintable(QString("%1 of %2 rows").arg(rowsWhenCancelled).arg(shardFrames)));

        // The other tasks end well; the merge job can never start.
        QVERIFY2(waitFor([&] { return queuedTasks(array).isEmpty(); }, 180000, 250), qPrintable(logsOf(dir)));
        QVERIFY2(
            waitFor([&] { return pendingReason(first.merge) == "DependencyNeverSatisfied"; }, 30000, 250),
            qPrintable(pendingReason(first.merge)));
        for (int other = 0; other < 4; ++other)
            QCOMPARE(QFileInfo::exists(dir + QString("/shards/shard-%1-of-4.csv").arg(other)), other != k);
        QVERIFY(!QFileInfo::exists(dir + "/all.csv"));
        QVERIFY(!QFileInfo::exists(dir + "/logs/merge-" + first.merge + ".log"));

        // As README.txt says.
        const QString command = "bash " + quoted(dir + "/resubmit.sh");
        QVERIFY(QString::fromUtf8(readAll(dir + "/README.txt")).contains(command));
        const Run resubmit = slurm->run("bash", {dir + "/resubmit.sh"});
        QVERIFY2(resubmit.exitCode == 0, qPrintable(describe(resubmit)));
        const Jobs second = readJobs(dir);
        QCOMPARE(second.arrays.size(), 2);
        QCOMPARE(second.arrays[0], array);
        QVERIFY(second.merge != first.merge);
        QVERIFY2(resubmit.out.contains("cancelled merge job " + first.merge) &&
                     resubmit.out.contains(
                         QString("resubmitted shards %1 of 4 as array job %2").arg(k).arg(second.arrays[1])),
                 qPrintable(resubmit.out));
        QVERIFY(waitFor([&] { return jobEnded(first.merge); }, 30000));

        waitForMerge(dir, 180000);
        QCOMPARE(sortedTable(QString::fromUtf8(readAll(dir + "/all.csv"))), expected);
        // The resubmitted task went on after the rows the cancelled one had written.
        const QString log =
            QString::fromUtf8(readAll(dir + QString("/logs/score-%1_%2.log").arg(second.arrays[1]).arg(k)));
        QVERIFY2(log.contains(
                     QString("going on after the %1 of %2 frames").arg(rowsWhenCancelled).arg(shardFrames)),
                 qPrintable(log));
        QVERIFY(!QFileInfo::exists(shard + ".partial"));
        qInfo("%d frames, task %d cancelled after %d of %d rows, resubmitted and merged: %lld ms", frames, k,
              rowsWhenCancelled, shardFrames, static_cast<long long>(timer.elapsed()));
    }

    void mergeRefusesWhatDoesNotBelong_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("named");    ///< what stderr must name
        QTest::addColumn<QString>("resubmit"); ///< the "resubmit shards:" list, empty: no such line needed
        QTest::newRow("shard of another profile") << "profile"
                                                  << "shard-2-other-profile.csv"
                                                  << "2";
        QTest::newRow("truncated shard") << "truncated"
                                         << "shard-1-truncated.csv"
                                         << "1";
        QTest::newRow("missing shard") << "missing"
                                       << "2/4"
                                       << "2";
        QTest::newRow("shard given twice") << "twice"
                                           << "shard-2-again.csv"
                                           << "";
    }

    void mergeRefusesWhatDoesNotBelong()
    {
        QFETCH(QString, kind);
        QFETCH(QString, named);
        QFETCH(QString, resubmit);
        const QString folder = path("direct");
        if (m_directShards.isEmpty()) {
            // Shards scored without Slurm, one process each; together they merge to one run.
            QVERIFY(QDir().mkpath(folder));
            QStringList files;
            for (int k = 0; k < 4; ++k) {
                const QString file = folder + QString("/shard-%1-of-4.csv").arg(k);
                const Run r =
                    run(OOD_INSPECT_BINARY,
                        scoreArguments(m_inputs) << "--shard" << QString("%1/4").arg(k) << "--out" << file,
                        300000);
                QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
                files << file;
            }
            const Run merge =
                run(OOD_INSPECT_BINARY, QStringList{"merge", "--quiet", "--out", path("direct.csv")} + files);
            QVERIFY2(merge.exitCode == 0, qPrintable(describe(merge)));
            QCOMPARE(sortedTable(QString::fromUtf8(readAll(path("direct.csv")))), m_singleTable);
            m_directShards = files;
        }

        QStringList files = m_directShards;
        const QString work = path("refusals/" + kind);
        QVERIFY(QDir().mkpath(work));
        if (kind == "profile") {
            // What a shard scored with another profile says about itself.
            QString text = QString::fromUtf8(readAll(files[2]));
            const QRegularExpression line("^# profile_sha256: [0-9a-f]+$",
                                          QRegularExpression::MultilineOption);
            QVERIFY2(text.contains(line), qPrintable(text.left(500)));
            text.replace(line, "# profile_sha256: " + QString(64, '0'));
            files[2] = work + "/" + named;
            QVERIFY(writeAll(files[2], text.toUtf8()));
        } else if (kind == "truncated") {
            QByteArray bytes = readAll(files[1]);
            bytes.chop(1); // the last '\n'
            bytes.truncate(bytes.lastIndexOf('\n') + 1);
            files[1] = work + "/" + named;
            QVERIFY(writeAll(files[1], bytes));
        } else if (kind == "missing") {
            files.removeAt(2);
        } else if (kind == "twice") {
            files << work + "/" + named;
            QVERIFY(QFile::copy(m_directShards[2], files.last()));
        }
        const QString out = work + "/all.csv";
        const Run merge = run(OOD_INSPECT_BINARY, QStringList{"merge", "--quiet", "--out", out} + files);
        QCOMPARE(merge.exitCode, 1);
        QVERIFY2(merge.err.contains(named), qPrintable(merge.err));
        if (!resubmit.isEmpty())
            QVERIFY2(merge.err.split('\n').contains("resubmit shards: " + resubmit), qPrintable(merge.err));
        QVERIFY(!QFileInfo::exists(out));
    }
};

QTEST_GUILESS_MAIN(SlurmTest)
#include "slurmtest.moc"
