#include "commands.h"

#include "base/error.h"
#include "data/samplelist.h"
#include "detect/registry.h"
#include "pipeline/verdict.h"
#include "progressprinter.h"
#include "results/resultsfile.h"
#include "results/shardplan.h"
#include "session/inspectionsession.h"

#include <QFileInfo>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

namespace ood::cli {

namespace {

bool holdsVideoFrames(const std::vector<Sample> &frames)
{
    return std::any_of(frames.begin(), frames.end(), [](const Sample &s) { return s.videoFrame >= 0; });
}

/// The verdict rule of a run in words, as the summary and the file's header give it.
QString ruleWords(const Profile &profile, const VerdictRule &rule, size_t detectors)
{
    const ProfileDetector *single = rule.detectorId.empty() ? nullptr : profile.find(rule.detectorId);
    return verdictRuleWords(rule, static_cast<int>(detectors),
                            single ? QString::fromStdString(single->detector->displayName()) : QString());
}

/// The "# verdict:" line: the rule, and its false-alarm rate as a number and in words.
QString verdictHeader(const Profile &profile, const VerdictRule &rule, size_t detectors)
{
    QString text = ruleWords(profile, rule, detectors);
    if (rule.canDecide())
        text += QString("; false-alarm rate %1 (%2 of %3 ID validation frames: %4)")
                    .arg(rule.falseAlarmRate, 0, 'g', 4)
                    .arg(std::llround(rule.falseAlarmRate * rule.validationFrames))
                    .arg(rule.validationFrames)
                    .arg(falseAlarmWords(rule.falseAlarmRate));
    return text;
}

/// "12 of 40 frames unusual for this model (rule: ..., about 1 in 20 normal frames is flagged)"
QString verdictSummary(const Profile &profile, const VerdictRule &rule, size_t detectors, size_t unusual,
                       size_t scored)
{
    return QString("%1 of %2 frames unusual for this model (rule: %3, %4)")
        .arg(unusual)
        .arg(scored)
        .arg(ruleWords(profile, rule, detectors), falseAlarmWords(rule.falseAlarmRate));
}

ResultsHeader headerFor(const InspectionSession &session, const std::vector<Sample> &canonical,
                        const std::vector<std::string> &detectorIds, bool withFrameColumn)
{
    ResultsHeader header;
    header.verdict =
        verdictHeader(*session.profile(), runVerdict(*session.profile(), detectorIds), detectorIds.size());
    header.profilePath = QFileInfo(session.profilePath()).absoluteFilePath();
    header.profileSha256 = session.profileSha256();
    header.modelPath = QFileInfo(session.modelPath()).absoluteFilePath();
    header.modelSha256 = session.modelSha256();
    header.inputsSha256 = inputsDigest(canonical);
    header.inputFrames = static_cast<qint64>(canonical.size());
    header.columns = resultColumns(detectorIds, withFrameColumn);
    return header;
}

/// The detector ids a run scores: those asked for, or every available detector of the profile.
std::vector<std::string> runDetectorIds(const Profile &profile, const std::vector<std::string> &asked)
{
    std::vector<std::string> ids;
    for (const ProfileDetector *detector : selectDetectors(profile, asked))
        ids.push_back(detector->detector->id());
    return ids;
}

/// Scores one shard into `outPath`, going on from the rows a stopped run of the same shard wrote.
int scoreShard(const InspectionSession &session, const ShardId &shard, const std::vector<Sample> &canonical,
               const std::vector<std::string> &detectorIds, const RunOptions &options, const QString &outPath,
               bool quiet)
{
    const Profile &profile = *session.profile();
    const FrameRange range = shardRange(canonical.size(), shard);
    const std::vector<Sample> frames(canonical.begin() + static_cast<std::ptrdiff_t>(range.first),
                                     canonical.begin() +
                                         static_cast<std::ptrdiff_t>(range.first + range.count));
    const bool withFrameColumn = holdsVideoFrames(canonical);
    ResultsHeader header = headerFor(session, canonical, detectorIds, withFrameColumn);
    header.shard = shard;
    header.firstFrame = static_cast<qint64>(range.first);
    header.rows = static_cast<qint64>(range.count);

    ShardWriter writer(outPath, header, frames);
    if (writer.isFinished()) {
        std::fprintf(stderr, "shard %s is complete already: %s (%zu frames)\n", qPrintable(shard.text()),
                     qPrintable(outPath), frames.size());
        return ExitOk;
    }
    const size_t done = writer.framesDone();
    if (done > 0)
        std::fprintf(stderr, "shard %s: going on after the %zu of %zu frames a previous run wrote\n",
                     qPrintable(shard.text()), done, frames.size());
    else if (!quiet)
        std::fprintf(stderr, "shard %s: frames %zu-%zu of %zu\n", qPrintable(shard.text()), range.first,
                     range.first + range.count - (range.count ? 1 : 0), canonical.size());
    const std::vector<Sample> remaining(frames.begin() + static_cast<std::ptrdiff_t>(done), frames.end());

    size_t failed = 0, unusual = 0;
    // Batches may finish out of order; rows go to the file strictly in order.
    std::map<size_t, QStringList> waiting;
    size_t nextRow = 0;
    const FramesCallback onFrames = [&](size_t first, std::vector<FrameResult> results) {
        QStringList rows;
        for (size_t i = 0; i < results.size(); ++i) {
            failed += results[i].error.isEmpty() ? 0 : 1;
            unusual += results[i].scored && results[i].flagged ? 1 : 0;
            rows << resultRow(remaining[first + i], withFrameColumn, results[i], profile, detectorIds);
        }
        waiting[first] = rows;
        while (!waiting.empty() && waiting.begin()->first == nextRow) {
            const QStringList ready = std::move(waiting.begin()->second);
            waiting.erase(waiting.begin());
            writer.append(ready);
            nextRow += static_cast<size_t>(ready.size());
        }
    };
    ProgressPrinter printer(quiet);
    if (!remaining.empty())
        scoreFrames(*session.backbone(), profile, remaining, detectorIds, options, onFrames,
                    std::ref(printer));
    printer.finish();
    writer.finish();
    std::fprintf(
        stderr, "shard %s written: %s (%zu frames, %zu of the %zu scored now unusual%s)\n",
        qPrintable(shard.text()), qPrintable(outPath), frames.size(), unusual, remaining.size() - failed,
        failed ? qPrintable(QString(", %1 could not be read: see the error column").arg(failed)) : "");
    // A frame that cannot be read is a row with its error, so the shard is complete: exit 0, or a
    // scheduler would hold back the merge of a whole archive for one broken file.
    return ExitOk;
}

} // namespace

int runScore(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription("Score images and video frames with a fitted profile; one CSV row per "
                                     "frame, after a few '# key: value' "
                                     "lines that name the profile, the model and the input list.");
    parser.addHelpOption();
    addProfileAndInputOptions(
        parser, "Image, video, folder (recursive, images only) or list file; repeatable. Positional "
                "arguments too.");
    parser.addOption({"out", "CSV file to write (default: standard output; required with --shard).", "CSV"});
    parser.addOption({"methods", "Comma-separated detector ids (default: all in the profile).", "LIST"});
    parser.addOption(
        {"video-every", "Score every N-th frame of a video (default 1: every frame).", "N", "1"});
    parser.addOption(
        {"shard",
         "Score only shard K of N (0-based) of the input list, for a cluster's array jobs: the frames "
         "are sorted by path and frame and split into N ranges. Rows are written to CSV.partial as "
         "they are scored; run the same command again after a stop and it goes on where it "
         "stopped. Join the shards with 'ood-inspect merge'.",
         "K/N"});
    addRunOptions(parser);
    if (const int exit = parseCommandLine(parser, arguments, "score", {"profile"}, true); exit >= 0)
        return exit;
    const QStringList inputs = inputsFrom(parser);
    std::optional<ShardId> shard;
    if (parser.isSet("shard")) {
        shard = parseShardId(parser.value("shard"));
        if (!parser.isSet("out"))
            return usageError(parser, "score --shard needs --out (the shard's CSV file)");
    }
    bool everyOk = false;
    const int videoEvery = parser.value("video-every").toInt(&everyOk);
    if (!everyOk || videoEvery < 1)
        return usageError(parser, "--video-every must be a whole number >= 1, got '" +
                                      parser.value("video-every") + "'");

    const RunOptions options = runOptionsFrom(parser);
    std::vector<std::string> askedIds;
    if (parser.isSet("methods"))
        askedIds = parseDetectorList(parser.value("methods").toStdString());
    InspectionSession session;
    session.openProfile(parser.value("profile"), parser.value("model"), options.inference);
    warnAboutPrecision(session.precisionNote().toStdString());
    const Profile &profile = *session.profile();
    const std::vector<std::string> ids = runDetectorIds(profile, askedIds);
    const SampleList list = scanInputsWithVideos(inputs, videoEvery);
    for (const QString &problem : list.problems)
        std::fprintf(stderr, "warning: %s\n", qPrintable(problem));

    // stderr: standard output may be the CSV.
    if (askedIds.empty() && !shard)
        for (const auto &[detectorId, reason] : profile.unavailable)
            std::fprintf(stderr, "note: %s is not scored, it is unavailable for this model: %s\n",
                         detectorId.c_str(), reason.c_str());

    if (!profile.canFlag())
        std::fprintf(stderr,
                     "note: this profile was fitted without validation images, so it has no thresholds: "
                     "frames are scored but never flagged (fit again with --val to flag)\n");

    size_t repeats = 0;
    const std::vector<Sample> canonical = canonicalFrames(list.samples, &repeats);
    if (shard) {
        if (repeats)
            std::fprintf(stderr, "note: %zu frames were listed more than once; each is scored once\n",
                         repeats);
        // A path that is missing is missing for every shard alike; the shards stay one partition.
        return scoreShard(session, *shard, canonical, ids, options, parser.value("out"),
                          parser.isSet("quiet"));
    }

    ProgressPrinter printer(parser.isSet("quiet"));
    const bool withFrameColumn = holdsVideoFrames(list.samples);
    ResultsHeader header = headerFor(session, canonical, ids, withFrameColumn);
    header.rows = static_cast<qint64>(list.samples.size());
    std::vector<QString> rows(list.samples.size());
    size_t failed = 0, unusual = 0;
    const FramesCallback onFrames = [&](size_t first, std::vector<FrameResult> results) {
        for (size_t i = 0; i < results.size(); ++i) {
            failed += results[i].error.isEmpty() ? 0 : 1;
            unusual += results[i].scored && results[i].flagged ? 1 : 0;
            rows[first + i] = resultRow(list.samples[first + i], withFrameColumn, results[i], profile, ids);
        }
    };
    scoreFrames(*session.backbone(), profile, list.samples, ids, options, onFrames, std::ref(printer));
    printer.finish();

    QString text = header.text();
    for (const QString &row : rows)
        text += row;
    if (parser.isSet("out")) {
        writeFileAtomically(parser.value("out"), text.toUtf8());
    } else {
        std::fputs(text.toUtf8().constData(), stdout);
    }
    if (profile.canFlag())
        std::fprintf(stderr, "%s\n",
                     qPrintable(verdictSummary(profile, runVerdict(profile, ids), ids.size(), unusual,
                                               list.samples.size() - failed)));
    if (failed)
        std::fprintf(stderr, "%zu of %zu images could not be scored (see the error column)\n", failed,
                     list.samples.size());
    // A path that does not exist never becomes a row; it is reported above and counts as a failure.
    return failed || !list.problems.isEmpty() ? ExitSomeInputsFailed : ExitOk;
}

} // namespace ood::cli
