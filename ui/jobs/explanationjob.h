#pragma once
// Explaining the selected frame on a worker (QtConcurrent), so the window stays responsive. One
// explanation runs at a time; a request made meanwhile waits for it and replaces any request that
// was waiting, so moving quickly through the list explains only the frame the user stops on.

#include "image/imagedecoder.h"

#include <QFutureWatcher>
#include <QObject>

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
    /// Waits for a running explanation.
    ~ExplanationJob() override;

    /// Explains `frame`, the decoded frame of `frames[row]`, with what the window shows: the
    /// verdicts of the session's enabled detectors (the scores the run already has are reused),
    /// every heatmap, the neurons, a landscape of `landscapeGrid` points per axis and the densities
    /// against the open frames. The job keeps the model and the profile alive while it runs.
    void explain(const InspectionSession &session, const std::vector<FrameRecord> &frames, int row,
                 RgbImage frame, int landscapeGrid);
    /// From explain() until its result has been handed over (or dropped).
    bool isBusy() const { return m_busy; }
    /// Blocks until the running explanation is done (a waiting one starts later, from the event
    /// loop): the profile may then change.
    void waitForFinished() { m_watcher.waitForFinished(); }
    /// Forgets the running and the waiting request (the session changed): nothing is handed over.
    void discard();

  Q_SIGNALS:
    /// The explanation of model row `row`. Errors come as an explanation with prediction -1 and
    /// the reason in `unavailable`.
    void explained(int row, std::shared_ptr<ood::FrameExplanation> explanation);

  private:
    struct Request;
    void start(std::unique_ptr<Request> request);
    void onFinished();

    QFutureWatcher<std::shared_ptr<FrameExplanation>> m_watcher;
    std::unique_ptr<Request> m_waiting;
    int m_runningRow = -1;
    bool m_discardRunning = false;
    bool m_busy = false;
};

} // namespace ood
