#pragma once
// Scoring a list of frames with a profile on a worker thread, so the window stays responsive:
// results arrive batch by batch while the run goes on. Every signal is emitted on the thread the
// job lives in (the GUI thread), in the order batchScored*, progress* ... then exactly one of
// finished, failed or cancelled. The job never touches widgets.

#include "data/samplelist.h"
#include "pipeline/scoringrun.h"
#include "pipeline/frameresult.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

class QThread;

namespace ood {

class Backbone;
struct Profile;

class ScoringJob : public QObject
{
    Q_OBJECT

  public:
    explicit ScoringJob(QObject *parent = nullptr);
    /// Cancels a running job and waits for its worker to reach the next batch boundary.
    ~ScoringJob() override;

    /// Starts scoring `samples` with the profile's detectors (`detectorIds` empty: all of them,
    /// in the profile's order; otherwise these, in this order). The job keeps the model and the
    /// profile alive until it ends; the caller must not run the same backbone elsewhere while
    /// isRunning(). Returns false (and does nothing) when a run is still going or an argument
    /// is null. Unknown detector ids are reported through failed().
    bool start(std::shared_ptr<Backbone> backbone, std::shared_ptr<const Profile> profile,
               std::vector<Sample> samples, RunOptions options = {},
               std::vector<std::string> detectorIds = {});
    /// Asks the worker to stop; returns at once. It stops after the batch it is working on and
    /// then emits cancelled() (or finished() when that batch was the last).
    void cancel();
    /// True from start() until the final signal has been emitted.
    bool isRunning() const { return m_running; }
    /// Blocks until the worker thread has ended (the final signal may still be queued).
    void wait();

    /// The detector ids of the current or last run, in the order of FrameResult::scores.
    const std::vector<std::string> &detectorIds() const { return m_detectorIds; }

  Q_SIGNALS:
    /// Results for samples firstIndex .. firstIndex + results.size() - 1 (a batch of consecutive
    /// samples, failed files included with their error).
    void batchScored(int firstIndex, std::vector<ood::FrameResult> results);
    /// `etaSeconds` from the rate over the last few batches; negative until it is known.
    void progress(int done, int total, double etaSeconds);
    void finished(int scored, int failed, double seconds);
    /// The run could not go on (model or detector error); results sent so far stay valid.
    void failed(const QString &message);
    void cancelled();

  private:
    struct Run;
    void work(const std::shared_ptr<Run> &run);
    void finishRun(const std::shared_ptr<Run> &run);

    QThread *m_thread = nullptr;
    std::shared_ptr<Run> m_run;
    std::vector<std::string> m_detectorIds;
    bool m_running = false;
};

} // namespace ood
