#include "session/inspectionsession.h"

#include "calib/profilemodel.h"
#include "data/samplelist.h"
#include "data/videosource.h"
#include "error.h"
#include "eval/metrics.h"
#include "model/backbone.h"

#include <QFileInfo>

namespace ood {

void InspectionSession::openProfile(const QString &profilePath, const QString &modelOverride)
{
    auto profile = std::make_shared<Profile>(loadProfile(profilePath));
    LoadedModel model = loadProfileModel(*profile, modelOverride);
    if (!modelOverride.isEmpty())
        profile->model.modelPath = modelOverride.toStdString();
    const std::string digest = sha256OfFile(profilePath.toStdString());
    m_backbone = std::shared_ptr<Backbone>(std::move(model.backbone));
    m_profile = std::move(profile);
    m_profilePath = QFileInfo(profilePath).absoluteFilePath();
    m_profileSha256 = QString::fromStdString(digest);
}

QString InspectionSession::modelPath() const
{
    return m_profile ? QString::fromStdString(m_profile->model.modelPath) : QString();
}

QString InspectionSession::modelSha256() const
{
    return m_profile ? QString::fromStdString(m_profile->model.sha256) : QString();
}

QStringList InspectionSession::detectorIds() const
{
    QStringList ids;
    if (m_profile)
        for (const ProfileDetector &d : m_profile->detectors)
            ids << QString::fromStdString(d.detector->id());
    return ids;
}

QStringList InspectionSession::detectorNames() const
{
    QStringList names;
    if (m_profile)
        for (const ProfileDetector &d : m_profile->detectors)
            names << QString::fromStdString(d.detector->displayName());
    return names;
}

std::vector<double> InspectionSession::thresholds() const
{
    std::vector<double> values;
    if (m_profile)
        for (const ProfileDetector &d : m_profile->detectors)
            values.push_back(d.threshold);
    return values;
}

QStringList InspectionSession::classNames() const
{
    QStringList names;
    if (m_profile)
        for (const std::string &name : m_profile->model.classNames)
            names << QString::fromStdString(name);
    return names;
}

void InspectionSession::setTargetTpr(double tpr)
{
    if (!(tpr > 0 && tpr <= 1))
        throw Error("the share of ID frames to accept must be in (0, 1], got " + std::to_string(tpr));
    if (!m_profile)
        return;
    for (ProfileDetector &d : m_profile->detectors) {
        const at::Tensor s = d.validationScores.to(at::kDouble).contiguous();
        d.threshold =
            thresholdAtTpr(std::vector<double>(s.data_ptr<double>(), s.data_ptr<double>() + s.numel()), tpr);
    }
    m_profile->targetTpr = tpr;
}

double InspectionSession::targetTpr() const
{
    return m_profile ? m_profile->targetTpr : 0.95;
}

FrameTruth InspectionSession::truthFromPath(const QString &path)
{
    const QStringList parts = QFileInfo(path).absolutePath().split('/', Qt::SkipEmptyParts);
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        const QString name = it->toLower();
        if (name == "id" || name == "in-distribution" || name == "test-id")
            return FrameTruth::InDistribution;
        if (name == "ood" || name == "near-ood" || name == "far-ood" || name.endsWith("-ood") ||
            name.endsWith("_ood"))
            return FrameTruth::OutOfDistribution;
    }
    return FrameTruth::Unknown;
}

std::vector<FrameRecord> InspectionSession::framesFor(const QStringList &paths, QStringList *problems,
                                                      int videoEvery) const
{
    const size_t detectors = m_profile ? m_profile->detectors.size() : 0;
    auto recordFor = [detectors](const QString &path) {
        FrameRecord record;
        record.path = path;
        record.displayName = QFileInfo(path).fileName();
        record.truth = truthFromPath(path);
        record.scores.assign(detectors, std::nan(""));
        return record;
    };
    std::vector<FrameRecord> frames;
    // Inputs keep their order: images and folders between videos are listed where they stand.
    QStringList pending;
    auto flushPending = [&] {
        if (pending.isEmpty())
            return;
        const SampleList list = scanInputs(pending);
        if (problems)
            *problems << list.problems;
        for (const Sample &sample : list.samples)
            frames.push_back(recordFor(sample.path));
        pending.clear();
    };
    for (const QString &path : paths) {
        if (!isVideoPath(path) || QFileInfo(path).isDir()) {
            pending << path;
            continue;
        }
        flushPending();
        try {
            const VideoSource video(path);
            const QString name = QFileInfo(path).fileName();
            for (int index : video.sampledFrames(std::max(1, videoEvery))) {
                FrameRecord record = recordFor(QFileInfo(path).absoluteFilePath());
                record.videoFrame = index;
                record.displayName = QStringLiteral("%1 #%2").arg(name).arg(index);
                frames.push_back(std::move(record));
            }
        } catch (const std::exception &e) {
            if (problems)
                *problems << QString::fromUtf8(e.what());
        }
    }
    flushPending();
    return frames;
}

} // namespace ood
