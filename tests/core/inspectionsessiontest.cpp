// The inspection session in core: the one flag rule, the threshold policy, enabled detectors, and
// what the session derives over the open frames (ROC, a video's timeline, report summaries,
// densities), on the committed demo profile and on frame records built by hand.

#include "calib/profile.h"
#include "calib/thresholdpolicy.h"
#include "data/samplelist.h"
#include "base/error.h"
#include "pipeline/scoringrun.h"
#include "pipeline/verdict.h"
#include "results/resultsfile.h"
#include "session/inspectionsession.h"

#include <QtTest>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace ood;

namespace {

const QString kAssets = OOD_SOURCE_DIR "/resources/demo/assets";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

FrameRecord frame(FrameTruth truth, std::vector<double> scores,
                  const QString &path = QStringLiteral("/x.png"), int videoFrame = -1)
{
    FrameRecord record;
    record.path = path;
    record.videoFrame = videoFrame;
    record.truth = truth;
    record.scored = true;
    record.prediction = 0;
    record.confidence = 0.5;
    record.scores = std::move(scores);
    return record;
}

/// Writes `text` to `path`; false when it cannot.
bool writeText(const QString &path, const QString &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text.toUtf8()) >= 0;
}

/// The message of the ood::Error `call` throws; empty when it throws none.
template <typename Call> QString errorOf(Call call)
{
    try {
        call();
    } catch (const Error &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

std::vector<double> validationScoresOf(const ProfileDetector &d)
{
    const at::Tensor s = d.validationScores.to(at::kDouble).contiguous();
    return std::vector<double>(s.data_ptr<double>(), s.data_ptr<double>() + s.numel());
}

} // namespace

class InspectionSessionTest : public QObject
{
    Q_OBJECT

  private:
    InspectionSession m_session;

  private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo::exists(kAssets + "/demo.oodprofile"))
            QSKIP("no demo assets (resources/demo/build-assets.sh)");
        at::set_num_threads(2);
        m_session.openProfile(kAssets + "/demo.oodprofile", kAssets + "/model.pt");
        QVERIFY(m_session.isOpen());
        QVERIFY(m_session.detectorIds().size() >= 3);
    }

    void init()
    {
        m_session.setDisabledDetectors({});
        m_session.setTargetTpr(0.95);
    }

    void flagRule_data()
    {
        QTest::addColumn<double>("score");
        QTest::addColumn<double>("threshold");
        QTest::addColumn<bool>("flagged");
        QTest::newRow("above") << 1.5 << 1.0 << true;
        QTest::newRow("equal is not above") << 1.0 << 1.0 << false;
        QTest::newRow("below") << -3.0 << -2.0 << false;
        QTest::newRow("negative above") << -1.0 << -2.0 << true;
        QTest::newRow("not scored") << kNaN << -1e300 << false;
        QTest::newRow("infinite") << std::numeric_limits<double>::infinity() << 1e300 << true;
    }

    void flagRule()
    {
        QFETCH(double, score);
        QFETCH(double, threshold);
        QFETCH(bool, flagged);
        QCOMPARE(exceedsThreshold(score, threshold), flagged);
    }

    void countFlagsHonoursEnabledDetectors()
    {
        const std::vector<double> scores = {2, 0, kNaN, 5};
        const std::vector<double> thresholds = {1, 1, 1, 1};
        QCOMPARE(countFlags(scores, thresholds), 2);
        QCOMPARE(countFlags(scores, thresholds, {true, true, true, false}), 1);
        QCOMPARE(countFlags(scores, thresholds, {false}), 1); // past `enabled`: counts
    }

    void thresholdPolicyAcceptsTheShare_data()
    {
        QTest::addColumn<double>("tpr");
        QTest::newRow("0.95") << 0.95;
        QTest::newRow("0.8") << 0.8;
        QTest::newRow("0.5") << 0.5;
        QTest::newRow("all") << 1.0;
    }

    void thresholdPolicyAcceptsTheShare()
    {
        QFETCH(double, tpr);
        m_session.setTargetTpr(tpr);
        QCOMPARE(m_session.targetTpr(), tpr);
        const std::vector<double> thresholds = m_session.thresholds();
        const Profile &profile = *m_session.profile();
        for (size_t d = 0; d < profile.detectors.size(); ++d) {
            // By hand: the threshold is the sorted validation score at floor(tpr * n) (the last
            // one for tpr = 1), so at least that share of the validation frames is not flagged.
            std::vector<double> v = validationScoresOf(profile.detectors[d]);
            std::sort(v.begin(), v.end());
            const size_t index = std::min(v.size() - 1, size_t(std::floor(tpr * double(v.size()))));
            QCOMPARE(thresholds[d], v[index]);
            const auto accepted = std::count_if(
                v.begin(), v.end(), [&](double s) { return !exceedsThreshold(s, thresholds[d]); });
            QVERIFY(double(accepted) >= std::floor(tpr * double(v.size())));
        }
    }

    void thresholdPolicyRefusesAShareOutsideTheRange()
    {
        const std::vector<double> before = m_session.thresholds();
        QVERIFY_THROWS_EXCEPTION(Error, m_session.setTargetTpr(0));
        QVERIFY_THROWS_EXCEPTION(Error, m_session.setTargetTpr(1.5));
        QCOMPARE(m_session.thresholds(), before);
    }

    void disabledDetectorsAreLeftOutAndMappedBack()
    {
        const QStringList ids = m_session.detectorIds();
        QVERIFY(!m_session.setDisabledDetectors({ids[0], QStringLiteral("no-such-detector")}));
        QVERIFY(!m_session.isDetectorEnabled(0));
        QVERIFY(m_session.isDetectorEnabled(1));
        const std::vector<std::string> enabled = m_session.enabledDetectorIds();
        QCOMPARE(int(enabled.size()), ids.size() - 1);
        QCOMPARE(QString::fromStdString(enabled.front()), ids[1]);

        // A run over the enabled detectors: every score far above its threshold.
        const std::vector<double> thresholds = m_session.thresholds();
        FrameResult run;
        run.scored = true;
        std::vector<int> runDetectors;
        for (int d = 1; d < ids.size(); ++d) {
            run.scores.push_back(thresholds[size_t(d)] + 1);
            runDetectors.push_back(d);
        }
        const FrameResult widened = m_session.sessionResult(run, runDetectors);
        QCOMPARE(int(widened.scores.size()), ids.size());
        QVERIFY(std::isnan(widened.scores[0]));
        QCOMPARE(widened.scores[1], thresholds[1] + 1);
        QCOMPARE(widened.flaggedBy, ids.size() - 1);

        // Switching the first on again asks for scoring; every one off means all on.
        QVERIFY(m_session.setDisabledDetectors({}));
        QVERIFY(!m_session.setDisabledDetectors(ids));
        QCOMPARE(int(m_session.enabledDetectorIds().size()), ids.size());
    }

    void recountDropsDisabledScores()
    {
        const QStringList ids = m_session.detectorIds();
        const std::vector<double> thresholds = m_session.thresholds();
        FrameResult result;
        result.scored = true;
        for (double t : thresholds)
            result.scores.push_back(t + 1);
        m_session.setDisabledDetectors({ids[1], ids[2]});
        m_session.recount(result);
        QVERIFY(std::isnan(result.scores[1]) && std::isnan(result.scores[2]));
        QCOMPARE(result.flaggedBy, ids.size() - 2);
        result.scored = false; // a frame not scored is never flagged
        m_session.recount(result);
        QCOMPARE(result.flaggedBy, 0);
    }

    void rocAndSummariesOnLabelledFrames()
    {
        const int k = m_session.detectorIds().size();
        auto scores = [k](double first) {
            std::vector<double> s(size_t(k), 0.0);
            s[0] = first;
            return s;
        };
        // Detector 0: ID {0.1, 0.4}, OOD {0.35, 0.8}; by hand 3 of 4 (OOD, ID) pairs are ordered
        // the right way: AUROC 0.75.
        std::vector<FrameRecord> frames = {
            frame(FrameTruth::InDistribution, scores(0.1)), frame(FrameTruth::InDistribution, scores(0.4)),
            frame(FrameTruth::OutOfDistribution, scores(0.35)),
            frame(FrameTruth::OutOfDistribution, scores(0.8)), frame(FrameTruth::Unknown, scores(100))};
        const SessionRoc roc = m_session.roc(frames, m_session.detectorIds()[0]);
        QVERIFY(roc.available());
        QCOMPARE(roc.idFrames, 2);
        QCOMPARE(roc.oodFrames, 2);
        QCOMPARE(roc.highlighted, 0);
        QCOMPARE(int(roc.curves.size()), k);
        QCOMPARE(roc.curves[0].auroc, 0.75);
        QCOMPARE(roc.curves[1].auroc, 0.5); // all ties

        const std::vector<DetectorSummary> summaries = m_session.detectorSummaries(frames);
        QCOMPARE(int(summaries.size()), k);
        QCOMPARE(summaries[0].auroc, 0.75);
        // FPR at 95 % TPR: the ID threshold is the larger ID score 0.4; one of two OOD is at or below.
        QCOMPARE(summaries[0].fpr95, 0.5);
        QCOMPARE(summaries[0].threshold, m_session.thresholds()[0]);

        m_session.setDisabledDetectors({m_session.detectorIds()[0]});
        const SessionRoc without = m_session.roc(frames, m_session.detectorIds()[0]);
        QCOMPARE(int(without.curves.size()), k - 1);
        QCOMPARE(without.highlighted, -1);

        frames.pop_back();
        frames.erase(frames.begin() + 2, frames.end());
        QVERIFY(!m_session.roc(frames, {}).available());
        QVERIFY(std::isnan(m_session.detectorSummaries(frames)[0].auroc));
    }

    void timelineFollowsOneVideo()
    {
        const int k = m_session.detectorIds().size();
        const double t = m_session.thresholds()[0];
        // The bands show each frame's verdict as the session set it, not one detector's flag: frame
        // 0 is called unusual below the threshold, frame 10 not above it.
        auto video = [&](const QString &path, int index, double score, bool unusual) {
            std::vector<double> s(size_t(k), kNaN);
            s[0] = score;
            FrameRecord r = frame(FrameTruth::Unknown, s, path, index);
            r.flaggedBy = countFlags(r.scores, m_session.thresholds());
            r.flagged = unusual;
            return r;
        };
        const std::vector<FrameRecord> frames = {
            video("/a.mp4", 10, t + 1, false), video("/b.mp4", 0, t + 5, true),
            video("/a.mp4", 0, t - 1, true), frame(FrameTruth::Unknown, {}), video("/a.mp4", 5, kNaN, false)};
        const TimelineData line = m_session.timeline(frames, 0, m_session.detectorIds()[0]);
        QCOMPARE(line.videoName, QStringLiteral("a.mp4"));
        QCOMPARE(line.frames, (std::vector<int>{0, 5, 10}));
        QCOMPARE(line.scores[0], t - 1);
        QVERIFY(std::isnan(line.scores[1]));
        QCOMPARE(line.flagged, (std::vector<bool>{true, false, false}));
        QCOMPARE(line.currentFrame, 10);
        QCOMPARE(line.threshold, t);
        QCOMPARE(line.fps, 0.0); // not a readable video: the axis counts frames
        QVERIFY(m_session.timeline(frames, 3, {}).frames.empty());
    }

    void openScoresKeepFiniteValues()
    {
        const int k = m_session.detectorIds().size();
        std::vector<FrameRecord> frames;
        for (double v : {1.0, kNaN, 3.0}) {
            frames.push_back(frame(FrameTruth::Unknown, std::vector<double>(size_t(k), v)));
        }
        frames.back().scored = false;
        frames.push_back(frame(FrameTruth::Unknown, std::vector<double>(size_t(k), 7.0)));
        const auto open = m_session.openScores(frames);
        QCOMPARE(int(open.size()), k);
        QCOMPARE(open.at(m_session.detectorIds()[0].toStdString()), (std::vector<double>{1.0, 7.0}));
    }

    void scoringFlagsByTheRule()
    {
        const SampleList list = scanInputs({kAssets + "/frames/id", kAssets + "/frames/far-ood"});
        QVERIFY(list.samples.size() >= 10);
        RunOptions options;
        options.batchSize = 7;
        // Detectors of every kind (logits, features, nearest neighbours, input gradients).
        const std::vector<std::string> ids = {"msp", "energy", "mahalanobis", "knn", "nero", "odin"};
        const ScoredImages scored = m_session.score(list.samples, ids, options);
        std::vector<double> thresholds;
        for (const std::string &id : ids)
            thresholds.push_back(m_session.profile()->find(id)->threshold);
        const auto k = static_cast<int64_t>(scored.detectorIds.size());
        QCOMPARE(k, int64_t(ids.size()));
        int flaggedFrames = 0;
        for (size_t i = 0; i < list.samples.size(); ++i) {
            QVERIFY(scored.errors[i].isEmpty());
            int byHand = 0;
            for (int64_t d = 0; d < k; ++d)
                byHand += scored.scores[int64_t(i)][d].item<double>() > thresholds[size_t(d)] ? 1 : 0;
            QCOMPARE(scored.flaggedBy[i], byHand);
            flaggedFrames += byHand > 0 ? 1 : 0;
        }
        QVERIFY(flaggedFrames > 0);

        // The same numbers through the batch-by-batch path the window's job uses.
        std::vector<FrameResult> frames(list.samples.size());
        scoreFrames(*m_session.backbone(), *m_session.profile(), list.samples, ids, options,
                    [&](size_t first, std::vector<FrameResult> results) {
                        for (size_t j = 0; j < results.size(); ++j)
                            frames[first + j] = results[j];
                    });
        for (size_t i = 0; i < frames.size(); ++i) {
            QCOMPARE(frames[i].flaggedBy, scored.flaggedBy[i]);
            for (int64_t d = 0; d < k; ++d)
                QCOMPARE(frames[i].scores[size_t(d)], scored.scores[int64_t(i)][d].item<double>());
        }
    }

    void resultsFileReadsBackAsScored()
    {
        QTemporaryDir dir;
        // Frames of the demo and one file that is no image, so one row carries an error.
        SampleList list = scanInputs({kAssets + "/frames/id", kAssets + "/frames/far-ood"});
        QVERIFY(list.samples.size() >= 10);
        const QString broken = dir.filePath("broken.png");
        QVERIFY(writeText(broken, "not a picture"));
        list.samples.push_back({broken, -1, -1});
        // Some of the profile's detectors, so the others must come back as NaN.
        const std::vector<std::string> ids = {"msp", "energy", "mahalanobis", "knn"};
        RunOptions options;
        options.batchSize = 8;
        std::vector<FrameResult> scored(list.samples.size());
        scoreFrames(*m_session.backbone(), *m_session.profile(), list.samples, ids, options,
                    [&](size_t first, std::vector<FrameResult> results) {
                        for (size_t j = 0; j < results.size(); ++j)
                            scored[first + j] = results[j];
                    });
        QVERIFY(!scored.back().error.isEmpty());

        ResultsHeader header;
        header.profilePath = m_session.profilePath();
        header.profileSha256 = m_session.profileSha256();
        header.modelPath = m_session.modelPath();
        header.modelSha256 = m_session.modelSha256();
        header.inputFrames = header.rows = qint64(list.samples.size());
        header.columns = resultColumns(ids, false);
        QString text = header.text();
        for (size_t i = 0; i < list.samples.size(); ++i)
            text += resultRow(list.samples[i], false, scored[i], *m_session.profile(), ids);
        const QString path = dir.filePath("results.csv");
        QVERIFY(writeText(path, text));

        // With every detector enabled, those the file lacks are named once.
        QStringList problems;
        m_session.framesFromResults(readResultsFile(path), &problems);
        QCOMPARE(problems.size(), 1);
        const int all = m_session.detectorIds().size();
        QVERIFY2(problems[0].contains(
                     QString("no scores of %1 of the %2 enabled detectors").arg(all - 4).arg(all)),
                 qPrintable(problems[0]));
        // With only the file's detectors enabled, the verdict is the file's own rule.
        QStringList others;
        for (const QString &id : m_session.detectorIds())
            if (std::find(ids.begin(), ids.end(), id.toStdString()) == ids.end())
                others << id;
        m_session.setDisabledDetectors(others);
        problems.clear();
        const std::vector<FrameRecord> frames = m_session.framesFromResults(readResultsFile(path), &problems);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
        QCOMPARE(frames.size(), list.samples.size());
        const QStringList sessionIds = m_session.detectorIds();
        int flagged = 0;
        for (size_t i = 0; i < frames.size(); ++i) {
            const FrameRecord &f = frames[i];
            QCOMPARE(f.path, list.samples[i].path);
            QCOMPARE(f.displayName, QFileInfo(list.samples[i].path).fileName());
            QCOMPARE(f.truth, InspectionSession::truthFromPath(list.samples[i].path));
            QCOMPARE(f.scored, scored[i].error.isEmpty());
            QCOMPARE(f.error.isEmpty(), scored[i].error.isEmpty());
            QCOMPARE(f.prediction, scored[i].prediction);
            QCOMPARE(f.flaggedBy, scored[i].flaggedBy);
            QCOMPARE(f.isFlagged(), scored[i].flagged);
            flagged += f.flaggedBy > 0 ? 1 : 0;
            QCOMPARE(int(f.scores.size()), sessionIds.size());
            for (int d = 0; d < sessionIds.size(); ++d) {
                const auto column = std::find(ids.begin(), ids.end(), sessionIds[d].toStdString());
                const double score = f.scores[size_t(d)];
                if (column == ids.end() || !f.scored) {
                    QVERIFY2(std::isnan(score), qPrintable(sessionIds[d]));
                    continue;
                }
                // Written with 10 significant digits.
                const double expected = scored[i].scores[size_t(column - ids.begin())];
                QVERIFY2(std::abs(score - expected) <= 1e-9 * std::abs(expected), qPrintable(sessionIds[d]));
            }
            if (f.scored)
                QVERIFY(std::abs(f.confidence - scored[i].confidence) <= 1e-9 * scored[i].confidence);
        }
        QVERIFY(flagged > 0);

        // Scored under another profile: refused, naming both profiles' sha256.
        ResultsHeader other = header;
        other.profileSha256 = QString(64, QLatin1Char('c'));
        other.rows = 1;
        QVERIFY(writeText(path, other.text() +
                                    resultRow(list.samples[0], false, scored[0], *m_session.profile(), ids)));
        const ResultsFile otherFile = readResultsFile(path);
        const QString message = errorOf([&] { m_session.framesFromResults(otherFile); });
        QVERIFY2(message.contains("another profile") && message.contains(QString(12, QLatin1Char('c'))) &&
                     message.contains(m_session.profileSha256().left(12)) &&
                     !message.contains(m_session.profileSha256().left(13)),
                 qPrintable(message));
        // Another model under the same profile: refused too.
        other = header;
        other.rows = 1;
        other.modelSha256 = QString(64, QLatin1Char('d'));
        QVERIFY(writeText(path, other.text() +
                                    resultRow(list.samples[0], false, scored[0], *m_session.profile(), ids)));
        const QString modelMessage = errorOf([&] { m_session.framesFromResults(readResultsFile(path)); });
        QVERIFY2(modelMessage.contains("another model") &&
                     modelMessage.contains(QString(12, QLatin1Char('d'))),
                 qPrintable(modelMessage));
        // A plain CSV of an older score says nothing of its profile: refused.
        QVERIFY(writeText(path, resultColumns(ids, false).join(',') + '\n' +
                                    resultRow(list.samples[0], false, scored[0], *m_session.profile(), ids)));
        const QString plainMessage = errorOf([&] { m_session.framesFromResults(readResultsFile(path)); });
        QVERIFY2(plainMessage.contains("profile_sha256") && plainMessage.contains("score the frames again"),
                 qPrintable(plainMessage));
    }

    void resultsColumnsAndClassesAreMatchedByName()
    {
        QTemporaryDir dir;
        const QStringList ids = m_session.detectorIds();
        const QStringList classes = m_session.classNames();
        const int msp = ids.indexOf("msp"), energy = ids.indexOf("energy");
        QVERIFY(msp >= 0 && energy >= 0 && classes.size() >= 2);
        const double mspLimit = m_session.thresholds()[size_t(msp)];
        const double energyLimit = m_session.thresholds()[size_t(energy)];
        ResultsHeader header;
        header.profilePath = m_session.profilePath();
        header.profileSha256 = m_session.profileSha256();
        header.modelPath = m_session.modelPath();
        header.modelSha256 = m_session.modelSha256();
        header.inputFrames = header.rows = 3;
        header.missing = QStringList{"shard 3/4, frames 15-19"};
        // Columns in another order than the profile's, and one the profile does not have.
        header.columns =
            QStringList{"path", "frame",      "prediction", "confidence", "energy", "no-such-detector",
                        "msp",  "flagged_by", "error"};
        // Scores 1 above or below the thresholds, written with 17 digits so nothing rounds.
        auto number = [](double v) { return QString::number(v, 'g', 17); };
        const QString text = header.text() +
                             QStringLiteral("/v/id/clip.mp4,12,%1,0.75,%2,5,%3,energy,\n")
                                 .arg(classes[1], number(energyLimit + 1), number(mspLimit - 1)) +
                             QStringLiteral("/v/id/clip.mp4,13,no-such-class,0.5,%1,5,%2,,\n")
                                 .arg(number(energyLimit - 1), number(mspLimit + 1)) +
                             QStringLiteral("/v/ood/b.png,,,,,,,,cannot decode\n");
        const QString path = dir.filePath("results.csv");
        QVERIFY(writeText(path, text));

        QStringList problems;
        const std::vector<FrameRecord> frames = m_session.framesFromResults(readResultsFile(path), &problems);
        QCOMPARE(frames.size(), size_t(3));
        QCOMPARE(frames[0].displayName, QString("clip.mp4 #12"));
        QCOMPARE(frames[0].videoFrame, 12);
        QCOMPARE(frames[0].truth, FrameTruth::InDistribution);
        QVERIFY(frames[0].scored);
        QCOMPARE(frames[0].prediction, 1);
        QCOMPARE(frames[0].confidence, 0.75);
        QCOMPARE(frames[0].scores[size_t(energy)], energyLimit + 1);
        QCOMPARE(frames[0].scores[size_t(msp)], mspLimit - 1);
        for (int d = 0; d < ids.size(); ++d)
            if (d != msp && d != energy)
                QVERIFY(std::isnan(frames[0].scores[size_t(d)]));
        QCOMPARE(frames[0].flaggedBy, 1); // energy, by hand
        QCOMPARE(frames[1].prediction, -1);
        QCOMPARE(frames[1].flaggedBy, 1); // msp, though the file says none
        QCOMPARE(frames[2].displayName, QString("b.png"));
        QCOMPARE(frames[2].truth, FrameTruth::OutOfDistribution);
        QVERIFY(!frames[2].scored);
        QCOMPARE(frames[2].error, QString("cannot decode"));
        QCOMPARE(frames[2].flaggedBy, 0);

        // One line each: the missing shard, the unknown column, the detectors without a column (the
        // verdict cannot count them), the unknown class, the flags.
        QCOMPARE(problems.size(), 5);
        QVERIFY2(problems[0].contains("shard 3/4, frames 15-19"), qPrintable(problems[0]));
        QVERIFY2(problems[1].contains("no-such-detector"), qPrintable(problems[1]));
        QVERIFY2(problems[2].contains(
                     QString("no scores of %1 of the %2 enabled").arg(ids.size() - 2).arg(ids.size())),
                 qPrintable(problems[2]));
        QVERIFY2(problems[3].contains("no-such-class"), qPrintable(problems[3]));
        QVERIFY2(problems[4].startsWith("1 of 3 rows") && problems[4].contains("clip.mp4 #13"),
                 qPrintable(problems[4]));

        // A detector switched off in the session counts for no flag.
        m_session.setDisabledDetectors({"energy"});
        const std::vector<FrameRecord> without = m_session.framesFromResults(readResultsFile(path));
        QCOMPARE(without[0].flaggedBy, 0);
        QVERIFY(std::isnan(without[0].scores[size_t(energy)]));
    }

    void verdictFollowsThresholdsAndEnabledDetectors()
    {
        // Counted here from the profile's validation scores: flags per frame, then the smallest k
        // whose share of frames with k or more flags is at most 1 - TPR.
        auto expected = [&](const std::vector<bool> &enabled, double tpr, int &k, double &rate) {
            const Profile &profile = *m_session.profile();
            std::vector<int> flags;
            for (size_t d = 0; d < profile.detectors.size(); ++d) {
                const std::vector<double> v = validationScoresOf(profile.detectors[d]);
                flags.resize(v.size());
                for (size_t i = 0; i < v.size(); ++i)
                    flags[i] += enabled[d] && v[i] > profile.detectors[d].threshold ? 1 : 0;
            }
            const int n = int(std::count(enabled.begin(), enabled.end(), true));
            for (k = 1; k <= n; ++k) {
                rate = double(std::count_if(flags.begin(), flags.end(), [&](int f) { return f >= k; })) /
                       double(flags.size());
                if (rate <= 1 - tpr + 1e-9)
                    return;
            }
            k = n;
            rate = double(std::count_if(flags.begin(), flags.end(), [&](int f) { return f >= n; })) /
                   double(flags.size());
        };
        const int n = m_session.detectorIds().size();
        int k = 0;
        double rate = 0;
        expected(std::vector<bool>(size_t(n), true), 0.95, k, rate);
        QVERIFY(m_session.verdict().canDecide());
        QCOMPARE(m_session.verdict().minFlags, k);
        QCOMPARE(m_session.verdict().falseAlarmRate, rate);

        m_session.setTargetTpr(0.8);
        expected(std::vector<bool>(size_t(n), true), 0.8, k, rate);
        QCOMPARE(m_session.verdict().minFlags, k);
        QCOMPARE(m_session.verdict().falseAlarmRate, rate);

        // Only the first two detectors on.
        m_session.setDisabledDetectors(m_session.detectorIds().mid(2));
        std::vector<bool> firstTwo(size_t(n), false);
        firstTwo[0] = firstTwo[1] = true;
        expected(firstTwo, 0.8, k, rate);
        QCOMPARE(m_session.verdict().minFlags, k);
        QCOMPARE(m_session.verdict().falseAlarmRate, rate);

        // recount() makes the verdict: every enabled detector over its threshold, or none.
        FrameResult result;
        result.scored = true;
        for (double t : m_session.thresholds())
            result.scores.push_back(t + 1);
        m_session.recount(result);
        QCOMPARE(result.flaggedBy, 2);
        QVERIFY(result.isFlagged());
        result.scores.assign(size_t(n), kNaN);
        m_session.recount(result);
        QVERIFY(!result.isFlagged());
    }

    void unknownDetectorIsNamed()
    {
        const SampleList list = scanInputs({kAssets + "/frames/id"});
        const std::string message = [&] {
            try {
                m_session.score(list.samples, {"no-such-detector"}, {});
            } catch (const Error &e) {
                return std::string(e.what());
            }
            return std::string();
        }();
        QVERIFY2(message.find("no-such-detector") != std::string::npos, message.c_str());
    }
};

QTEST_GUILESS_MAIN(InspectionSessionTest)
#include "inspectionsessiontest.moc"
