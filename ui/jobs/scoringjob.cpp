#include "jobs/scoringjob.h"

#include "calib/profile.h"
#include "base/error.h"
#include "model/backbone.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QThread>

#include <torch/torch.h>

#include <algorithm>
#include <deque>
#include <limits>
#include <utility>

namespace ood {

namespace {

// How many recent progress points the rate is taken over: enough to smooth one slow batch
// (a decode stall, another program), few enough to follow a change of speed within seconds.
constexpr size_t kRateWindow = 8;

} // namespace

struct ScoringJob::Run
{
    std::shared_ptr<Backbone> backbone;
    std::shared_ptr<const Profile> profile;
    std::vector<Sample> samples;
    RunOptions options;
    std::vector<std::string> detectorIds; ///< empty: every detector of the profile
    std::atomic<bool> cancel{false};

    // Written by the worker only; read on the GUI thread after the worker has ended.
    QString error;
    bool wasCancelled = false;
    int scored = 0;
    int failed = 0;
    double seconds = 0;
};

ScoringJob::ScoringJob(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<FrameResult>();
    qRegisterMetaType<std::vector<FrameResult>>();
}

ScoringJob::~ScoringJob()
{
    if (m_thread) {
        m_run->cancel = true;
        m_thread->wait();
        delete m_thread;
    }
}

bool ScoringJob::start(std::shared_ptr<Backbone> backbone, std::shared_ptr<const Profile> profile,
                       std::vector<Sample> samples, RunOptions options, std::vector<std::string> detectorIds)
{
    if (m_running || m_thread || !backbone || !profile)
        return false;
    auto run = std::make_shared<Run>();
    run->backbone = std::move(backbone);
    run->profile = std::move(profile);
    run->samples = std::move(samples);
    run->options = options;
    run->detectorIds = std::move(detectorIds);
    m_detectorIds = run->detectorIds;
    if (m_detectorIds.empty())
        for (const ProfileDetector &entry : run->profile->detectors)
            m_detectorIds.push_back(entry.detector->id());
    m_run = run;
    m_running = true;
    m_thread = QThread::create([this, run] { work(run); });
    m_thread->setObjectName(QStringLiteral("ood-scoring"));
    m_thread->start();
    return true;
}

void ScoringJob::cancel()
{
    if (m_run)
        m_run->cancel = true;
}

void ScoringJob::wait()
{
    if (m_thread)
        m_thread->wait();
}

void ScoringJob::work(const std::shared_ptr<Run> &run)
{
    QElapsedTimer clock;
    clock.start();
    try {
        const auto onFrames = [&](size_t first, std::vector<FrameResult> results) {
            for (const FrameResult &result : results) {
                run->scored += result.scored ? 1 : 0;
                run->failed += !result.scored && !result.error.isEmpty() ? 1 : 0;
            }
            QMetaObject::invokeMethod(
                this,
                [this, first = static_cast<int>(first), results = std::move(results)]() mutable {
                    Q_EMIT batchScored(first, std::move(results));
                },
                Qt::QueuedConnection);
        };

        std::deque<std::pair<double, size_t>> recent;
        const auto onProgress = [&](const Progress &p) {
            if (run->cancel)
                return false;
            const double now = clock.nsecsElapsed() * 1e-9;
            recent.emplace_back(now, p.done);
            if (recent.size() > kRateWindow)
                recent.pop_front();
            double eta = -1;
            const double span = recent.back().first - recent.front().first;
            const size_t gained = recent.back().second - recent.front().second;
            if (p.done >= p.total)
                eta = 0;
            else if (gained > 0 && span > 0)
                eta = static_cast<double>(p.total - p.done) * span / static_cast<double>(gained);
            QMetaObject::invokeMethod(
                this,
                [this, done = static_cast<int>(p.done), total = static_cast<int>(p.total), eta] {
                    Q_EMIT progress(done, total, eta);
                },
                Qt::QueuedConnection);
            return true;
        };

        scoreFrames(*run->backbone, *run->profile, run->samples, run->detectorIds, run->options, onFrames,
                    onProgress);
    } catch (const Cancelled &) {
        run->wasCancelled = true;
    } catch (const std::exception &e) {
        run->error = QString::fromUtf8(e.what());
        if (run->error.isEmpty())
            run->error = tr("scoring failed for an unknown reason");
    }
    run->seconds = clock.nsecsElapsed() * 1e-9;
    QMetaObject::invokeMethod(
        this, [this, run] { finishRun(run); }, Qt::QueuedConnection);
}

void ScoringJob::finishRun(const std::shared_ptr<Run> &run)
{
    // The worker posted this as its last act, so the join is immediate.
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    m_running = false;
    if (run->wasCancelled)
        Q_EMIT cancelled();
    else if (!run->error.isEmpty())
        Q_EMIT failed(run->error);
    else
        Q_EMIT finished(run->scored, run->failed, run->seconds);
}

} // namespace ood
