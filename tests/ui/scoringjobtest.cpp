// The background scoring job on the demo model and profile: the signals come on the GUI thread
// in order and in the right numbers, the results equal a direct scoreImages call, a broken file
// becomes an error row without stopping the run, cancel() stops it early, a model error ends it
// with failed(), and the GUI thread's event loop keeps ticking while it runs. How long cancel()
// and the destructor take and the longest event-loop gap are measured by ui-bench
// (docs/benchmarks.md), not asserted here: wall-clock limits fail on a loaded machine.

#include "calib/profile.h"
#include "data/samplelist.h"
#include "model/modelloader.h"
#include "models/frametablemodel.h"
#include "pipeline/scoringrun.h"
#include "jobs/scoringjob.h"

#include <QDirIterator>
#include <QFile>
#include <QTimer>
#include <QtTest>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

using namespace ood;

namespace {

const QString kAssets = QStringLiteral(OOD_SOURCE_DIR "/resources/demo/assets");

bool close(double a, double b)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    return std::abs(a - b) <= 1e-6 * std::max(1.0, std::abs(b));
}

/// Every signal of a job as it arrives, with a check that it came on the GUI thread.
struct Recorder
{
    QStringList order;
    std::vector<std::pair<int, std::vector<FrameResult>>> batches;
    std::vector<std::tuple<int, int, double>> progress;
    int scored = -1, failed = -1;
    QString failure;
    int ends = 0;
    bool offThread = false;

    explicit Recorder(ScoringJob &job)
    {
        const auto onGuiThread = [this] { offThread |= QThread::currentThread() != qApp->thread(); };
        QObject::connect(&job, &ScoringJob::batchScored, [=](int first, std::vector<FrameResult> results) {
            onGuiThread();
            order << "batch";
            batches.emplace_back(first, std::move(results));
        });
        QObject::connect(&job, &ScoringJob::progress, [=](int done, int total, double eta) {
            onGuiThread();
            order << "progress";
            progress.emplace_back(done, total, eta);
        });
        QObject::connect(&job, &ScoringJob::finished, [=](int s, int f, double) {
            onGuiThread();
            order << "finished";
            scored = s;
            failed = f;
            ++ends;
        });
        QObject::connect(&job, &ScoringJob::failed, [=](const QString &message) {
            onGuiThread();
            order << "failed";
            failure = message;
            ++ends;
        });
        QObject::connect(&job, &ScoringJob::cancelled, [=] {
            onGuiThread();
            order << "cancelled";
            ++ends;
        });
    }

    /// Results in sample order, from the batches.
    std::vector<FrameResult> all() const
    {
        std::vector<FrameResult> results;
        for (const auto &[first, batch] : batches) {
            if (static_cast<size_t>(first) != results.size())
                return {};
            results.insert(results.end(), batch.begin(), batch.end());
        }
        return results;
    }
};

} // namespace

class ScoringJobTest : public QObject
{
    Q_OBJECT

  private:
    std::shared_ptr<Backbone> m_backbone;
    std::shared_ptr<const Profile> m_profile;
    std::vector<Sample> m_samples;
    ScoredImages m_reference;
    QTemporaryDir m_dir;

    RunOptions options(int batchSize) const
    {
        RunOptions o;
        o.batchSize = batchSize;
        o.decodeWorkers = 1;
        return o;
    }

    /// The demo frames `times` over, for runs long enough to cancel or to time.
    std::vector<Sample> repeated(int times) const
    {
        std::vector<Sample> samples;
        for (int t = 0; t < times; ++t)
            samples.insert(samples.end(), m_samples.begin(), m_samples.end());
        return samples;
    }

    /// `reference` from scoreImages on the same samples with the same batch size, so that the
    /// batches hold the same images (float32 convolutions differ in the last digits otherwise).
    void compareToReference(const FrameResult &result, const ScoredImages &reference, size_t referenceRow)
    {
        QVERIFY(result.scored);
        QVERIFY(result.error.isEmpty());
        QVERIFY(reference.errors[referenceRow].isEmpty());
        QCOMPARE(result.prediction, static_cast<int>(reference.predictions[referenceRow]));
        QVERIFY(close(result.confidence, reference.confidences[referenceRow]));
        const auto k = static_cast<size_t>(reference.scores.size(1));
        QCOMPARE(result.scores.size(), k);
        int flagged = 0;
        for (size_t d = 0; d < k; ++d) {
            const double expected =
                reference.scores[static_cast<int64_t>(referenceRow)][static_cast<int64_t>(d)].item<double>();
            QVERIFY2(close(result.scores[d], expected), qPrintable(QString("row %1 detector %2: %3 vs %4")
                                                                       .arg(referenceRow)
                                                                       .arg(d)
                                                                       .arg(result.scores[d])
                                                                       .arg(expected)));
            flagged += expected > m_profile->detectors[d].threshold ? 1 : 0;
        }
        QCOMPARE(result.flaggedBy, flagged);
    }

  private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(2);
        if (!QFile::exists(kAssets + "/demo.oodprofile"))
            QSKIP("the demo assets are not built (resources/demo/README.md)");
        auto profile = std::make_shared<Profile>(loadProfile(kAssets + "/demo.oodprofile"));
        LoadedModel model = loadModel((kAssets + "/model.pt").toStdString(), profile->model.architecture);
        m_backbone = std::move(model.backbone);
        m_profile = profile;
        QDirIterator it(kAssets + "/frames", {"*.png"}, QDir::Files, QDirIterator::Subdirectories);
        QStringList files;
        while (it.hasNext())
            files << it.next();
        files.sort();
        for (const QString &file : files)
            m_samples.push_back({file, -1});
        QCOMPARE(m_samples.size(), size_t(60));
        QVERIFY(m_profile->detectors.size() >= 2);
        m_reference = scoreImages(*m_backbone, *m_profile, m_samples, {}, options(16));
        QCOMPARE(m_reference.failedCount(), size_t(0));
    }

    void resultsEqualDirectScoring()
    {
        ScoringJob job;
        Recorder rec(job);
        QVERIFY(job.start(m_backbone, m_profile, m_samples, options(16)));
        QVERIFY(job.isRunning());
        // A second run while one goes on is refused.
        QVERIFY(!job.start(m_backbone, m_profile, m_samples, options(16)));
        QTRY_COMPARE_WITH_TIMEOUT(rec.ends, 1, 120000);
        QVERIFY(!job.isRunning());
        QVERIFY(!rec.offThread);

        // 60 frames in batches of 16: 4 batches, a progress before the first and after each.
        QCOMPARE(rec.order, QStringList({"progress", "batch", "progress", "batch", "progress", "batch",
                                         "progress", "batch", "progress", "finished"}));
        QCOMPARE(rec.scored, 60);
        QCOMPARE(rec.failed, 0);
        QList<int> firsts, sizes;
        for (const auto &[first, batch] : rec.batches)
            firsts << first, sizes << static_cast<int>(batch.size());
        QCOMPARE(firsts, QList<int>({0, 16, 32, 48}));
        QCOMPARE(sizes, QList<int>({16, 16, 16, 12}));
        QList<int> done;
        for (const auto &[d, total, eta] : rec.progress) {
            done << d;
            QCOMPARE(total, 60);
        }
        QCOMPARE(done, QList<int>({0, 16, 32, 48, 60}));
        QVERIFY(std::get<2>(rec.progress.front()) < 0); // nothing to estimate from yet
        QVERIFY(std::get<2>(rec.progress[1]) >= 0);
        QCOMPARE(std::get<2>(rec.progress.back()), 0.0);

        QCOMPARE(job.detectorIds(), m_reference.detectorIds);
        const std::vector<FrameResult> results = rec.all();
        QCOMPARE(results.size(), m_samples.size());
        for (size_t i = 0; i < results.size(); ++i) {
            compareToReference(results[i], m_reference, i);
            if (QTest::currentTestFailed())
                return;
        }
    }

    void brokenFileBecomesAnErrorRow()
    {
        const QString broken = m_dir.filePath("broken.png");
        {
            QFile file(broken);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("this is not a PNG file");
        }
        const QString missing = m_dir.filePath("missing.png");
        std::vector<Sample> samples = {m_samples[0], m_samples[1],  {broken, -1}, m_samples[2],
                                       m_samples[3], {missing, -1}, m_samples[4]};
        const ScoredImages reference = scoreImages(*m_backbone, *m_profile, samples, {}, options(3));
        QCOMPARE(reference.failedCount(), size_t(2));
        ScoringJob job;
        Recorder rec(job);
        QVERIFY(job.start(m_backbone, m_profile, samples, options(3)));
        QTRY_COMPARE_WITH_TIMEOUT(rec.ends, 1, 120000);
        QCOMPARE(rec.order.last(), QString("finished"));
        QCOMPARE(rec.scored, 5);
        QCOMPARE(rec.failed, 2);
        const std::vector<FrameResult> results = rec.all();
        QCOMPARE(results.size(), samples.size());
        for (size_t i = 0; i < samples.size(); ++i) {
            if (!reference.errors[i].isEmpty()) {
                QVERIFY(!results[i].scored);
                QCOMPARE(results[i].error, reference.errors[i]);
                QVERIFY2(results[i].error.contains(QFileInfo(samples[i].path).fileName()),
                         qPrintable(results[i].error));
                QCOMPARE(results[i].flaggedBy, 0);
                QVERIFY(std::all_of(results[i].scores.begin(), results[i].scores.end(),
                                    [](double s) { return std::isnan(s); }));
            } else {
                compareToReference(results[i], reference, i);
            }
        }
        QVERIFY(!results[2].scored && !results[5].scored);
    }

    void cancelStopsEarly()
    {
        const std::vector<Sample> samples = repeated(10); // 600 frames, 75 batches of 8
        ScoringJob job;
        Recorder rec(job);
        bool cancelled = false;
        QObject::connect(&job, &ScoringJob::batchScored, [&] {
            if (cancelled)
                return;
            job.cancel();
            cancelled = true;
        });
        QVERIFY(job.start(m_backbone, m_profile, samples, options(8)));
        QTRY_COMPARE_WITH_TIMEOUT(rec.ends, 1, 120000);
        QCOMPARE(rec.order.last(), QString("cancelled"));
        QVERIFY(!rec.order.contains("finished"));
        qInfo("%zu of 75 batches arrived", rec.batches.size());
        QVERIFY(cancelled);
        // The worker may have finished a batch or two while the first was on its way here.
        QVERIFY2(rec.batches.size() <= 4, qPrintable(QString::number(rec.batches.size())));
        QVERIFY(!job.isRunning());
        // The job can run again after a cancel.
        Recorder again(job);
        QVERIFY(job.start(m_backbone, m_profile, {m_samples.begin(), m_samples.begin() + 2}, options(8)));
        QTRY_COMPARE_WITH_TIMEOUT(again.ends, 1, 120000);
        QCOMPARE(again.order.last(), QString("finished"));
    }

    void destroyingARunningJobStopsIt()
    {
        // A destructor that deadlocks with its worker fails this test by the timeout; how long it
        // takes is measured by ui-bench.
        ScoringJob job;
        QVERIFY(job.start(m_backbone, m_profile, repeated(10), options(8)));
        QTest::qWait(50);
        QVERIFY(job.isRunning());
    }

    void unknownDetectorFails()
    {
        ScoringJob job;
        Recorder rec(job);
        QVERIFY(job.start(m_backbone, m_profile, m_samples, options(16), {"no-such-detector"}));
        QTRY_COMPARE_WITH_TIMEOUT(rec.ends, 1, 60000);
        QCOMPARE(rec.order, QStringList({"failed"}));
        QVERIFY2(rec.failure.contains("no-such-detector"), qPrintable(rec.failure));
        QVERIFY(!job.start(nullptr, m_profile, m_samples, options(16)));
    }

    void eventLoopStaysResponsive()
    {
        const std::vector<Sample> samples = repeated(10);
        FrameTableModel model;
        QStringList names;
        std::vector<double> thresholds;
        for (const ProfileDetector &entry : m_profile->detectors) {
            names << QString::fromStdString(entry.detector->displayName());
            thresholds.push_back(entry.threshold);
        }
        model.setDetectors(m_reference.detectorIds, names, thresholds);
        std::vector<FrameRecord> frames(samples.size());
        for (size_t i = 0; i < samples.size(); ++i) {
            frames[i].path = samples[i].path;
            frames[i].displayName = QFileInfo(samples[i].path).fileName();
        }
        model.setFrames(std::move(frames));

        ScoringJob job;
        Recorder rec(job);
        QObject::connect(&job, &ScoringJob::batchScored, &model, &FrameTableModel::updateScores);
        int ticks = 0;
        QTimer timer;
        timer.setInterval(10);
        QObject::connect(&timer, &QTimer::timeout, [&] { ++ticks; });
        QVERIFY(job.start(m_backbone, m_profile, samples, options(32)));
        timer.start();
        QTRY_COMPARE_WITH_TIMEOUT(rec.ends, 1, 300000);
        timer.stop();
        QCOMPARE(rec.order.last(), QString("finished"));
        QCOMPARE(rec.scored, 600);
        int scoredRows = 0;
        for (const FrameRecord &frame : model.frames())
            scoredRows += frame.scored ? 1 : 0;
        QCOMPARE(scoredRows, 600);
        // Scoring on the GUI thread would deliver every result before the first tick.
        QVERIFY2(ticks > 0, "the GUI timer never fired while the job ran");
    }
};

QTEST_MAIN(ScoringJobTest)
#include "scoringjobtest.moc"
