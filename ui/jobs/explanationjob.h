#pragma once
// Explaining the selected frame on a worker (QtConcurrent), so the window stays responsive. One
// explanation runs at a time; a request made meanwhile cancels it at its next checkpoint, waits
// for it to stop and replaces any request that was waiting, so moving quickly through the list
// explains only the frame the user stops on. The parts arrive as they are made (verdicts first,
// the landscape coarse to fine), the whole explanation last.

#include "image/imagedecoder.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <vector>

namespace ood {

class InspectionSession;
struct FrameExplanation;
struct FrameRecord;

class ExplanationJob : public QObject
{
    Q_OBJECT

  public:
    explicit ExplanationJob(QObject *parent = nullptr);
    /// Cancels and waits for a running explanation.
    ~ExplanationJob() override;

    /// Explains `frame`, the decoded frame of `frames[row]`, with what the window shows: the
    /// verdicts of the session's enabled detectors (the scores the run already has are reused),
    /// every heatmap, the neurons, a landscape of `landscapeGrid` points per axis (5x5 and 11x11
    /// first where they are sub-grids of it) and the densities against the open frames. The job
    /// keeps the model and the profile alive while it runs.
    void explain(const InspectionSession &session, const std::vector<FrameRecord> &frames, int row,
                 RgbImage frame, int landscapeGrid);
    /// From explain() until its result has been handed over (or dropped).
    bool isBusy() const { return m_busy; }
    /// Blocks until the running explanation is done (a waiting one starts later, from the event
    /// loop): the profile may then change.
    void waitForFinished() { m_watcher.waitForFinished(); }
    /// Forgets the running and the waiting request (the session changed) and cancels the running
    /// one: nothing more is handed over.
    void discard();

    /// The landscape levels explain() asks for before the full grid (LandscapeOptions::levels).
    static std::vector<int> landscapeLevels();

  Q_SIGNALS:
    /// What is made so far of the explanation of model row `row`, on the GUI thread, after each
    /// stage of ExplainOptions::partial ("verdicts", "heatmaps", "landscape NxN", ...; not
    /// "done": explained() brings the whole). Only for the request that runs and is still
    /// wanted: a request replaced by a newer one or discarded sends nothing more.
    void partiallyExplained(int row, std::shared_ptr<const ood::FrameExplanation> soFar,
                            const QString &stage);
    /// The explanation of model row `row`. Errors come as an explanation with prediction -1 and
    /// the reason in `unavailable`.
    void explained(int row, std::shared_ptr<ood::FrameExplanation> explanation);

  private:
    struct Request;
    void start(std::unique_ptr<Request> request);
    void onFinished();
    void onPartial(quint64 serial, int row, std::shared_ptr<const FrameExplanation> soFar,
                   const QString &stage);
    /// The running request stops at its next checkpoint (its result is dropped).
    void cancelRunning();

    QFutureWatcher<std::shared_ptr<FrameExplanation>> m_watcher;
    std::unique_ptr<Request> m_waiting;
    int m_runningRow = -1;
    quint64 m_runningSerial = 0; ///< 0: none; each request gets the next number
    quint64 m_lastSerial = 0;
    std::shared_ptr<std::atomic<bool>> m_runningCancelled;
    bool m_discardRunning = false;
    bool m_busy = false;
};

} // namespace ood
