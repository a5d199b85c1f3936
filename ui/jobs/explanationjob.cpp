#include "jobs/explanationjob.h"

#include "base/error.h"
#include "model/backbone.h"
#include "explain/frameexplainer.h"
#include "image/preprocess.h"
#include "session/inspectionsession.h"

#include <QtConcurrent>

#include <torch/torch.h>

#include <cmath>

namespace ood {

struct ExplanationJob::Request
{
    int row = -1;
    quint64 serial = 0;
    /// Set from the GUI thread, read by the explanation's progress callback on the worker.
    std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
    std::shared_ptr<Backbone> backbone;
    std::shared_ptr<const Profile> profile;
    RgbImage frame;
    ExplainOptions options;
};

namespace {

/// Runs in a worker thread on the frame the view already decoded: preprocess, explain. Errors
/// become an "unavailable" entry.
std::shared_ptr<FrameExplanation> explainInBackground(std::shared_ptr<Backbone> backbone,
                                                      std::shared_ptr<const Profile> profile, RgbImage frame,
                                                      ExplainOptions options)
{
    auto result = std::make_shared<FrameExplanation>();
    try {
        if (frame.isNull())
            throw Error("the frame could not be read");
        *result = explainFrame(*backbone, *profile, preprocessImage(frame, profile->model.input), options);
    } catch (const std::exception &e) {
        result->prediction = -1;
        result->unavailable.emplace_back("explanation", e.what());
    }
    return result;
}

} // namespace

ExplanationJob::ExplanationJob(QObject *parent) : QObject(parent)
{
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &ExplanationJob::onFinished);
}

ExplanationJob::~ExplanationJob()
{
    // Closing the window does not wait for a landscape nobody will see.
    cancelRunning();
    m_watcher.waitForFinished();
}

std::vector<int> ExplanationJob::landscapeLevels()
{
    return {5, 11};
}

void ExplanationJob::explain(const InspectionSession &session, const std::vector<FrameRecord> &frames,
                             int row, RgbImage frame, int landscapeGrid)
{
    auto request = std::make_unique<Request>();
    request->row = row;
    request->backbone = session.backbone();
    request->profile = session.profile();
    request->frame = std::move(frame);
    ExplainOptions &options = request->options;
    options.parts = {ExplainPart::Neurons,  ExplainPart::RelevanceCam, ExplainPart::DeviationCam,
                     ExplainPart::GradCam,  ExplainPart::Lrp,          ExplainPart::Landscape,
                     ExplainPart::Densities};
    // A CLIP: its verdict in words, and the heatmap that needs no feature maps.
    if (request->backbone->asClip()) {
        options.parts.push_back(ExplainPart::Labels);
        options.parts.push_back(ExplainPart::Saliency);
    }
    options.landscape.gridSize = landscapeGrid;
    // Coarse grids first: the 5x5 landscape is drawn after 25 images instead of nothing until 441.
    options.landscape.levels = landscapeLevels();
    // The open frames' scores, drawn against the ID validation density.
    for (const auto &[id, values] : session.openScores(frames))
        options.setScores[id] = torch::tensor(values, torch::kFloat64);
    // Verdicts of the enabled detectors only; the scores the run already has are reused.
    options.detectorIds = session.enabledDetectorIds();
    const FrameRecord &record = frames[size_t(row)];
    const QStringList ids = session.detectorIds();
    for (int d = 0; d < ids.size() && size_t(d) < record.scores.size(); ++d)
        if (record.scored && std::isfinite(record.scores[size_t(d)]))
            options.knownScores[ids[d].toStdString()] = record.scores[size_t(d)];
    request->serial = ++m_lastSerial;
    const quint64 serial = request->serial;
    const std::shared_ptr<std::atomic<bool>> cancelled = request->cancelled;
    options.progress = [cancelled](const std::string &, int, int) { return !cancelled->load(); };
    // Runs on the worker: a snapshot goes to the GUI thread, which drops it when the request is no
    // longer the one wanted. The job outlives the worker (its destructor waits), and a call queued
    // to a job that is gone is dropped with it.
    options.partial = [this, serial, row, cancelled](const FrameExplanation &soFar,
                                                     const std::string &stage) {
        if (stage == "done" || cancelled->load())
            return;
        auto snapshot = std::make_shared<const FrameExplanation>(soFar);
        const QString name = QString::fromStdString(stage);
        QMetaObject::invokeMethod(
            this, [this, serial, row, snapshot, name] { onPartial(serial, row, snapshot, name); },
            Qt::QueuedConnection);
    };
    m_busy = true;
    if (m_watcher.isRunning() || m_runningRow >= 0) {
        cancelRunning();                // its result would be dropped: stop it at its next checkpoint
        m_waiting = std::move(request); // started when the running one ends
        return;
    }
    start(std::move(request));
}

void ExplanationJob::cancelRunning()
{
    if (m_runningCancelled)
        m_runningCancelled->store(true);
}

void ExplanationJob::onPartial(quint64 serial, int row, std::shared_ptr<const FrameExplanation> soFar,
                               const QString &stage)
{
    if (serial != m_runningSerial || m_discardRunning || m_waiting)
        return;
    Q_EMIT partiallyExplained(row, std::move(soFar), stage);
}

void ExplanationJob::start(std::unique_ptr<Request> request)
{
    m_runningRow = request->row;
    m_runningSerial = request->serial;
    m_runningCancelled = request->cancelled;
    m_discardRunning = false;
    m_watcher.setFuture(QtConcurrent::run(explainInBackground, std::move(request->backbone),
                                          std::move(request->profile), std::move(request->frame),
                                          std::move(request->options)));
}

void ExplanationJob::onFinished()
{
    const int row = m_runningRow;
    const bool discarded = m_discardRunning;
    m_runningRow = -1;
    m_runningSerial = 0;
    m_runningCancelled.reset();
    if (m_waiting) {
        start(std::move(m_waiting));
        return;
    }
    m_busy = false;
    if (!discarded)
        Q_EMIT explained(row, m_watcher.result());
}

void ExplanationJob::discard()
{
    m_waiting.reset();
    m_discardRunning = true;
    cancelRunning();
    if (m_runningRow < 0)
        m_busy = false;
}

} // namespace ood
