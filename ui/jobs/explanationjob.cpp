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
    m_watcher.waitForFinished();
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
    m_busy = true;
    if (m_watcher.isRunning() || m_runningRow >= 0) {
        m_waiting = std::move(request); // started when the running one ends
        return;
    }
    start(std::move(request));
}

void ExplanationJob::start(std::unique_ptr<Request> request)
{
    m_runningRow = request->row;
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
    if (m_runningRow < 0)
        m_busy = false;
}

} // namespace ood
