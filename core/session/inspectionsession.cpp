#include "session/inspectionsession.h"

#include "calib/profilemodel.h"
#include "calib/thresholdpolicy.h"
#include "calib/verdictcalibration.h"
#include "data/samplelist.h"
#include "data/videosource.h"
#include "base/error.h"
#include "eval/metrics.h"
#include "model/backbone.h"
#include "pipeline/verdict.h"
#include "results/resultsfile.h"

#include <QFileInfo>
#include <QMap>

#include <algorithm>
#include <limits>

namespace ood {

void InspectionSession::openProfile(const QString &profilePath, const QString &modelOverride,
                                    const InferenceOptions &inference)
{
    auto profile = std::make_shared<Profile>(loadProfile(profilePath));
    LoadedModel model = loadProfileModel(*profile, modelOverride, inference);
    if (!modelOverride.isEmpty())
        profile->model.modelPath = modelOverride.toStdString();
    const std::string digest = sha256OfFile(profilePath.toStdString());
    m_backbone = std::shared_ptr<Backbone>(std::move(model.backbone));
    m_profile = std::move(profile);
    m_profilePath = QFileInfo(profilePath).absoluteFilePath();
    m_profileSha256 = QString::fromStdString(digest);
    m_precisionNote = QString::fromStdString(precisionMismatch(*m_profile, inference.precision));
    m_enabled.clear();
    m_verdict = calibrateVerdict(*m_profile);
}

void InspectionSession::setInference(const InferenceOptions &inference)
{
    if (!m_profile)
        return;
    LoadedModel model = loadProfileModel(*m_profile, modelPath(), inference);
    m_backbone = std::shared_ptr<Backbone>(std::move(model.backbone));
    m_precisionNote = QString::fromStdString(precisionMismatch(*m_profile, inference.precision));
}

QString InspectionSession::inferenceDescription() const
{
    return m_backbone ? QString::fromStdString(m_backbone->inferenceDescription()) : QString();
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
    if (m_profile) {
        applyThresholdPolicy(*m_profile, tpr);
        m_verdict = calibrateVerdict(*m_profile, enabledDetectors());
    } else if (!(tpr > 0 && tpr <= 1))
        throw Error("the share of ID frames to accept must be in (0, 1], got " + std::to_string(tpr));
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
    const SampleList list = scanInputsWithVideos(paths, std::max(1, videoEvery));
    if (problems)
        *problems << list.problems;
    std::vector<FrameRecord> frames;
    frames.reserve(list.samples.size());
    for (const Sample &sample : list.samples) {
        FrameRecord record = recordFor(sample.path);
        if (sample.videoFrame >= 0) {
            record.videoFrame = sample.videoFrame;
            record.displayName = QStringLiteral("%1 #%2").arg(record.displayName).arg(sample.videoFrame);
        }
        frames.push_back(std::move(record));
    }
    return frames;
}

namespace {

/// The first 12 hex digits: enough to tell two files apart in a message.
QString shortDigest(const QString &sha256)
{
    return sha256.left(12);
}

bool sameDigest(const QString &a, const QString &b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

} // namespace

std::vector<FrameRecord> InspectionSession::framesFromResults(const ResultsFile &file,
                                                              QStringList *problems) const
{
    const ResultsHeader &header = file.header;
    if (header.profileSha256.isEmpty() || header.modelSha256.isEmpty())
        throw Error("the results do not say which profile and model scored them (no \"# profile_sha256\" "
                    "and \"# model_sha256\" lines: a CSV of an older ood-inspect score?), so they cannot be "
                    "checked against the open profile; score the frames again");
    if (!m_profile)
        throw Error("no profile is open to show the results with; open " + header.profilePath.toStdString());
    if (!sameDigest(header.profileSha256, m_profileSha256))
        throw Error(QStringLiteral("the results were scored with another profile, %1 (sha256 %2…), not the "
                                   "open %3 (sha256 %4…); open that profile, or score the frames again")
                        .arg(header.profilePath, shortDigest(header.profileSha256), m_profilePath,
                             shortDigest(m_profileSha256))
                        .toStdString());
    if (!sameDigest(header.modelSha256, modelSha256()))
        throw Error(
            QStringLiteral("the results were scored with another model, %1 (sha256 %2…), not the open "
                           "profile's %3 (sha256 %4…); open the profile of that model, or score the "
                           "frames again")
                .arg(header.modelPath, shortDigest(header.modelSha256), modelPath(),
                     shortDigest(modelSha256()))
                .toStdString());

    QStringList found;
    for (const QString &missing : header.missing)
        found << QStringLiteral("the results are incomplete, missing %1").arg(missing);
    const QStringList ids = detectorIds();
    std::vector<int> detectorOfColumn;
    for (const std::string &id : file.detectorIds) {
        detectorOfColumn.push_back(ids.indexOf(QString::fromStdString(id)));
        if (detectorOfColumn.back() < 0)
            found << QStringLiteral("score column \"%1\" is not a detector of the open profile; its scores "
                                    "are left out")
                         .arg(QString::fromStdString(id));
    }
    // An enabled detector the file has no column for never flags, so the verdict here can call
    // fewer frames unusual than the rule the file was scored with; say so once, not per row.
    QStringList notInFile;
    for (int d = 0; d < ids.size(); ++d)
        if (isDetectorEnabled(d) &&
            std::find(detectorOfColumn.begin(), detectorOfColumn.end(), d) == detectorOfColumn.end())
            notInFile << ids[d];
    if (!notInFile.isEmpty())
        found << QStringLiteral(
                     "the results hold no scores of %1 of the %2 enabled detectors (%3); the verdict "
                     "counts them as not flagging: switch them off to see the verdict of the "
                     "detectors the file holds")
                     .arg(notInFile.size())
                     .arg(enabledDetectorIds().size())
                     .arg(notInFile.join(", "));
    const QStringList classes = classNames();
    const std::vector<double> limits = thresholds();
    QMap<QString, int> unknownClasses; // name -> rows
    int flagsDiffer = 0;
    QString firstDiffering;
    int verdictsDiffer = 0;
    QString firstVerdictDiffering;

    std::vector<FrameRecord> frames;
    frames.reserve(file.rows.size());
    for (const ResultRow &row : file.rows) {
        FrameRecord record;
        record.path = row.path;
        record.videoFrame = row.videoFrame;
        record.displayName = QFileInfo(row.path).fileName();
        if (row.videoFrame >= 0)
            record.displayName = QStringLiteral("%1 #%2").arg(record.displayName).arg(row.videoFrame);
        record.truth = truthFromPath(row.path);
        record.error = row.error;
        record.scored = row.error.isEmpty();
        if (!row.prediction.isEmpty()) {
            record.prediction = classes.indexOf(row.prediction);
            if (record.prediction < 0)
                ++unknownClasses[row.prediction];
        }
        record.confidence = row.confidence;
        record.scores.assign(static_cast<size_t>(ids.size()), std::numeric_limits<double>::quiet_NaN());
        for (size_t c = 0; c < detectorOfColumn.size() && c < row.scores.size(); ++c)
            if (detectorOfColumn[c] >= 0)
                record.scores[size_t(detectorOfColumn[c])] = row.scores[c];

        if (record.scored) {
            // The file's flags were counted over all of its detectors, before any was switched off.
            QStringList now;
            for (int d = 0; d < ids.size(); ++d)
                if (exceedsThreshold(record.scores[size_t(d)], limits[size_t(d)]))
                    now << ids[d];
            QStringList given;
            for (const QString &id : row.flaggedBy)
                if (ids.contains(id))
                    given << id;
            now.sort();
            given.sort();
            if (now != given && flagsDiffer++ == 0)
                firstDiffering = QStringLiteral("%1: the file says %2, the thresholds now %3")
                                     .arg(record.displayName, given.isEmpty() ? "none" : given.join(", "),
                                          now.isEmpty() ? "none" : now.join(", "));
        }
        recount(record);
        // Files of `score` before the verdict have no `unusual` column (row.unusual < 0).
        if (record.scored && notInFile.isEmpty() && row.unusual >= 0 &&
            (row.unusual == 1) != record.flagged && verdictsDiffer++ == 0)
            firstVerdictDiffering = QStringLiteral("%1: the file says %2, the rule now %3")
                                        .arg(record.displayName, row.unusual ? "unusual" : "not unusual",
                                             record.flagged ? "unusual" : "not unusual");
        frames.push_back(std::move(record));
    }
    for (auto it = unknownClasses.cbegin(); it != unknownClasses.cend(); ++it)
        found << QStringLiteral("prediction \"%1\" (%2 rows) is not a class of the open profile's model; "
                                "those frames show no prediction")
                     .arg(it.key())
                     .arg(it.value());
    if (flagsDiffer > 0)
        found << QStringLiteral(
                     "%1 of %2 rows are flagged by other detectors than the file says (first: %3); "
                     "the flags shown follow the thresholds now in use")
                     .arg(flagsDiffer)
                     .arg(frames.size())
                     .arg(firstDiffering);
    if (verdictsDiffer > 0)
        found << QStringLiteral("%1 of %2 rows get another verdict than the file says (first: %3); the "
                                "verdicts shown follow the rule now in use")
                     .arg(verdictsDiffer)
                     .arg(frames.size())
                     .arg(firstVerdictDiffering);
    if (problems)
        *problems << found;
    return frames;
}

ScoredImages InspectionSession::score(const std::vector<Sample> &samples,
                                      const std::vector<std::string> &detectorIds, const RunOptions &options,
                                      const ProgressCallback &progress, const std::string &stage) const
{
    if (!m_profile)
        throw Error("no profile is open");
    return scoreImages(*m_backbone, *m_profile, samples, detectorIds, options, progress, stage);
}

bool InspectionSession::setDisabledDetectors(const QStringList &disabled)
{
    const QStringList ids = detectorIds();
    std::vector<bool> enabled(static_cast<size_t>(ids.size()), true);
    for (int d = 0; d < ids.size(); ++d)
        enabled[size_t(d)] = !disabled.contains(ids[d]);
    if (std::none_of(enabled.begin(), enabled.end(), [](bool e) { return e; }))
        enabled.assign(enabled.size(), true);
    bool newlyEnabled = false;
    for (size_t d = 0; d < enabled.size(); ++d)
        newlyEnabled |= enabled[d] && !isDetectorEnabled(int(d));
    m_enabled = std::move(enabled);
    if (m_profile)
        m_verdict = calibrateVerdict(*m_profile, enabledDetectors());
    return newlyEnabled;
}

bool InspectionSession::isDetectorEnabled(int detector) const
{
    return detector >= 0 &&
           (static_cast<size_t>(detector) >= m_enabled.size() || m_enabled[size_t(detector)]);
}

std::vector<bool> InspectionSession::enabledDetectors() const
{
    std::vector<bool> enabled(m_profile ? m_profile->detectors.size() : 0);
    for (size_t d = 0; d < enabled.size(); ++d)
        enabled[d] = isDetectorEnabled(int(d));
    return enabled;
}

std::vector<std::string> InspectionSession::enabledDetectorIds() const
{
    std::vector<std::string> ids;
    if (m_profile)
        for (size_t d = 0; d < m_profile->detectors.size(); ++d)
            if (isDetectorEnabled(int(d)))
                ids.push_back(m_profile->detectors[d].detector->id());
    return ids;
}

FrameResult InspectionSession::sessionResult(const FrameResult &runResult,
                                             const std::vector<int> &runDetectors) const
{
    FrameResult result = runResult;
    result.scores.assign(m_profile ? m_profile->detectors.size() : 0,
                         std::numeric_limits<double>::quiet_NaN());
    for (size_t j = 0; j < runResult.scores.size() && j < runDetectors.size(); ++j)
        if (runDetectors[j] >= 0 && size_t(runDetectors[j]) < result.scores.size())
            result.scores[size_t(runDetectors[j])] = runResult.scores[j];
    recount(result);
    return result;
}

void InspectionSession::recount(FrameResult &result) const
{
    for (size_t d = 0; d < result.scores.size(); ++d)
        if (!isDetectorEnabled(static_cast<int>(d)))
            result.scores[d] = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> limits = thresholds();
    result.flaggedBy = result.scored ? countFlags(result.scores, limits) : 0;
    std::vector<std::string> ids;
    if (m_profile)
        for (const ProfileDetector &d : m_profile->detectors)
            ids.push_back(d.detector->id());
    result.flagged = result.scored && isUnusual(m_verdict, ids, result.scores, limits, enabledDetectors());
}

namespace {

/// The finite scores of detector `d` over the scored frames of each truth.
void scoresByTruth(const std::vector<FrameRecord> &frames, size_t d, std::vector<double> &id,
                   std::vector<double> &ood)
{
    for (const FrameRecord &f : frames) {
        const double score = d < f.scores.size() ? f.scores[d] : std::nan("");
        if (!f.scored || !std::isfinite(score))
            continue;
        if (f.truth == FrameTruth::InDistribution)
            id.push_back(score);
        else if (f.truth == FrameTruth::OutOfDistribution)
            ood.push_back(score);
    }
}

} // namespace

SessionRoc InspectionSession::roc(const std::vector<FrameRecord> &frames, const QString &highlightedId) const
{
    SessionRoc out;
    for (const FrameRecord &f : frames) {
        out.idFrames += f.truth == FrameTruth::InDistribution ? 1 : 0;
        out.oodFrames += f.truth == FrameTruth::OutOfDistribution ? 1 : 0;
    }
    if (!out.available())
        return out;
    const QStringList ids = detectorIds();
    const QStringList names = detectorNames();
    for (int d = 0; d < ids.size(); ++d) {
        if (!isDetectorEnabled(d))
            continue;
        std::vector<double> id, ood;
        scoresByTruth(frames, size_t(d), id, ood);
        if (id.empty() || ood.empty())
            continue;
        if (ids[d] == highlightedId)
            out.highlighted = static_cast<int>(out.curves.size());
        out.curves.push_back({names[d], rocCurve(id, ood), auroc(id, ood)});
    }
    return out;
}

TimelineData InspectionSession::timeline(const std::vector<FrameRecord> &frames, size_t row,
                                         const QString &detectorId) const
{
    TimelineData data;
    if (row >= frames.size() || frames[row].videoFrame < 0)
        return data;
    const FrameRecord &current = frames[row];
    const int detector = detectorIds().indexOf(detectorId);
    const int d = detector >= 0 && isDetectorEnabled(detector) ? detector : 0;
    std::vector<std::pair<int, size_t>> rows; // (frame, row) of this video
    for (size_t r = 0; r < frames.size(); ++r)
        if (frames[r].videoFrame >= 0 && frames[r].path == current.path)
            rows.emplace_back(frames[r].videoFrame, r);
    std::sort(rows.begin(), rows.end());
    data.videoName = QFileInfo(current.path).fileName();
    data.detectorName = detectorNames().value(d);
    const std::vector<double> limits = thresholds();
    data.threshold = size_t(d) < limits.size() ? limits[size_t(d)] : 0;
    data.currentFrame = current.videoFrame;
    for (const auto &[frame, r] : rows) {
        const FrameRecord &f = frames[r];
        data.frames.push_back(frame);
        data.scores.push_back(f.scored && size_t(d) < f.scores.size() ? f.scores[size_t(d)] : std::nan(""));
        data.flagged.push_back(f.isFlagged());
    }
    auto fps = m_videoFps.find(current.path);
    if (fps == m_videoFps.end()) {
        double rate = 0; // unknown: the axis counts frames then
        try {
            rate = VideoSource(current.path).fps();
        } catch (const std::exception &) {
        }
        fps = m_videoFps.emplace(current.path, rate).first;
    }
    data.fps = fps->second;
    return data;
}

std::vector<DetectorSummary>
InspectionSession::detectorSummaries(const std::vector<FrameRecord> &frames) const
{
    std::vector<DetectorSummary> summaries;
    if (!m_profile)
        return summaries;
    for (size_t d = 0; d < m_profile->detectors.size(); ++d) {
        const ProfileDetector &entry = m_profile->detectors[d];
        DetectorSummary summary;
        summary.id = QString::fromStdString(entry.detector->id());
        summary.displayName = QString::fromStdString(entry.detector->displayName());
        summary.threshold = entry.threshold;
        summary.targetTpr = m_profile->targetTpr;
        // With ID/OOD folders among the open frames, the report can say how well each detector did.
        std::vector<double> id, ood;
        for (const FrameRecord &f : frames) {
            if (!f.scored || d >= f.scores.size())
                continue;
            if (f.truth == FrameTruth::InDistribution)
                id.push_back(f.scores[d]);
            else if (f.truth == FrameTruth::OutOfDistribution)
                ood.push_back(f.scores[d]);
        }
        if (!id.empty() && !ood.empty()) {
            summary.auroc = auroc(id, ood);
            summary.fpr95 = fpr95Nero(id, ood);
        }
        summaries.push_back(summary);
    }
    return summaries;
}

std::map<std::string, std::vector<double>>
InspectionSession::openScores(const std::vector<FrameRecord> &frames) const
{
    std::map<std::string, std::vector<double>> out;
    const QStringList ids = detectorIds();
    for (int d = 0; d < ids.size(); ++d) {
        std::vector<double> values;
        for (const FrameRecord &f : frames)
            if (f.scored && static_cast<size_t>(d) < f.scores.size() && std::isfinite(f.scores[size_t(d)]))
                values.push_back(f.scores[size_t(d)]);
        if (values.size() >= 2)
            out[ids[d].toStdString()] = std::move(values);
    }
    return out;
}

} // namespace ood
