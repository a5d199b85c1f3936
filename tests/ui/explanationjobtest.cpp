// The explanation job on the demo model and profile: the parts of the selected frame's explanation
// come to the GUI thread as they are made (verdicts, heatmaps, the landscape coarse to fine) and
// before the whole; a request replaced by a newer one, or discarded, sends nothing more. How soon
// each part arrives is measured by explain-bench (docs/benchmarks.md), not asserted here.

#include "explain/frameexplainer.h"
#include "image/imagedecoder.h"
#include "jobs/explanationjob.h"
#include "session/inspectionsession.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

namespace {

const QString kAssets = QStringLiteral(OOD_SOURCE_DIR "/resources/demo/assets");

/// Every signal of a job as it arrives, with a check that it came on the GUI thread.
struct Recorder
{
    QStringList order; ///< "<row> <stage>" per part, "<row> explained" for the whole
    std::vector<std::shared_ptr<const FrameExplanation>> parts;
    std::shared_ptr<FrameExplanation> whole;
    int explained = 0;
    bool offThread = false;

    explicit Recorder(ExplanationJob &job)
    {
        const auto onGuiThread = [this] { offThread |= QThread::currentThread() != qApp->thread(); };
        QObject::connect(&job, &ExplanationJob::partiallyExplained,
                         [=](int row, std::shared_ptr<const FrameExplanation> soFar, const QString &stage) {
                             onGuiThread();
                             order << QString("%1 %2").arg(row).arg(stage);
                             parts.push_back(std::move(soFar));
                         });
        QObject::connect(&job, &ExplanationJob::explained,
                         [=](int row, std::shared_ptr<FrameExplanation> explanation) {
                             onGuiThread();
                             order << QString("%1 explained").arg(row);
                             whole = std::move(explanation);
                             ++explained;
                         });
    }
};

} // namespace

class ExplanationJobTest : public QObject
{
    Q_OBJECT

  private:
    InspectionSession m_session;
    std::vector<FrameRecord> m_frames;

    RgbImage frameOf(int row) const { return decodeImageFile(m_frames[size_t(row)].path); }

  private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(2);
        if (!QFile::exists(kAssets + "/demo.oodprofile"))
            QSKIP("the demo assets are not built (resources/demo/README.md)");
        m_session.openProfile(kAssets + "/demo.oodprofile", kAssets + "/model.pt");
        m_frames = m_session.framesFor({kAssets + "/frames"});
        QCOMPARE(m_frames.size(), size_t(60));
    }

    void partsComeBeforeTheWhole()
    {
        ExplanationJob job;
        Recorder rec(job);
        job.explain(m_session, m_frames, 3, frameOf(3), 21);
        QVERIFY(job.isBusy());
        QVERIFY(rec.order.isEmpty()); // nothing before the event loop runs
        QTRY_COMPARE_WITH_TIMEOUT(rec.explained, 1, 120000);
        QVERIFY(!job.isBusy());
        QVERIFY(!rec.offThread);
        QCOMPARE(rec.order, QStringList({"3 verdicts", "3 heatmaps", "3 landscape 5x5", "3 landscape 11x11",
                                         "3 landscape 21x21", "3 explained"}));
        const FrameExplanation &whole = *rec.whole;
        QVERIFY(whole.prediction >= 0);

        // The verdicts and densities alone first.
        const FrameExplanation &verdicts = *rec.parts[0];
        QCOMPARE(verdicts.verdicts.size(), whole.verdicts.size());
        QVERIFY(!verdicts.densities.empty());
        QVERIFY(verdicts.heatmaps.empty() && !verdicts.neurons && !verdicts.landscape);
        // Then the heatmaps the viewer shows, the landscape still to come.
        QCOMPARE(rec.parts[1]->heatmaps.size(), whole.heatmaps.size());
        QVERIFY(rec.parts[1]->heatmap("lrp") && !rec.parts[1]->landscape);
        // Coarse landscapes are the whole one's sub-grids: indices 0, 5, ..., 20 and 0, 2, ..., 20.
        const int sizes[] = {5, 11, 21};
        for (int level = 0; level < 3; ++level) {
            const ScoreLandscape &l = *rec.parts[size_t(2 + level)]->landscape;
            const int n = sizes[level], step = 20 / (n - 1);
            QCOMPARE(int(l.coordinates.size()), n);
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n; ++j)
                    QCOMPARE(l.scores[i][j].item<double>(),
                             whole.landscape->scores[i * step][j * step].item<double>());
        }
        // The snapshots are copies: the whole explanation has everything.
        QVERIFY(rec.parts[0]->heatmaps.empty() && whole.landscape && !whole.heatmaps.empty());
    }

    void aGridWithoutLevelsComesWhole()
    {
        // (15 - 1) is divisible by neither 4 nor 10: no coarse level applies.
        ExplanationJob job;
        Recorder rec(job);
        job.explain(m_session, m_frames, 40, frameOf(40), 15);
        QTRY_COMPARE_WITH_TIMEOUT(rec.explained, 1, 120000);
        QCOMPARE(rec.order,
                 QStringList({"40 verdicts", "40 heatmaps", "40 landscape 15x15", "40 explained"}));
    }

    void aNewRequestDropsTheRunningOne()
    {
        // Selecting frame 7 and at once frame 8: the first is cancelled and none of its parts is
        // handed over, even those its worker posted before it stopped.
        ExplanationJob job;
        Recorder rec(job);
        job.explain(m_session, m_frames, 7, frameOf(7), 21);
        job.explain(m_session, m_frames, 8, frameOf(8), 21);
        QTRY_COMPARE_WITH_TIMEOUT(rec.explained, 1, 120000);
        QVERIFY(!job.isBusy());
        QCOMPARE(rec.order, QStringList({"8 verdicts", "8 heatmaps", "8 landscape 5x5", "8 landscape 11x11",
                                         "8 landscape 21x21", "8 explained"}));
        QVERIFY(rec.whole->prediction >= 0);

        // Replaced once its first parts were shown: the rest of frame 9's never come.
        Recorder later(job);
        job.explain(m_session, m_frames, 9, frameOf(9), 41);
        QTRY_VERIFY_WITH_TIMEOUT(!later.order.isEmpty(), 120000);
        const QStringList shown = later.order;
        job.explain(m_session, m_frames, 10, frameOf(10), 5);
        QTRY_VERIFY_WITH_TIMEOUT(!job.isBusy(), 120000);
        QTest::qWait(50);
        QCOMPARE(later.order.filter(QRegularExpression("^9 ")), shown);
        QCOMPARE(later.order.filter(QRegularExpression("^10 ")),
                 QStringList({"10 verdicts", "10 heatmaps", "10 landscape 5x5", "10 explained"}));
    }

    void discardSendsNothingMore()
    {
        ExplanationJob job;
        Recorder rec(job);
        job.explain(m_session, m_frames, 12, frameOf(12), 41);
        QTRY_VERIFY_WITH_TIMEOUT(!rec.order.isEmpty(), 120000);
        const int before = int(rec.order.size());
        job.discard();
        QTRY_VERIFY_WITH_TIMEOUT(!job.isBusy(), 120000);
        QTest::qWait(50);
        QCOMPARE(int(rec.order.size()), before);
        QCOMPARE(rec.explained, 0);
    }
};

QTEST_MAIN(ExplanationJobTest)
#include "explanationjobtest.moc"
