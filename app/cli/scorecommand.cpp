#include "commands.h"

#include "data/samplelist.h"
#include "detect/registry.h"
#include "base/error.h"
#include "progressprinter.h"
#include "session/inspectionsession.h"

#include <torch/torch.h>

#include <cstdio>

namespace ood::cli {

int runScore(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription("Score images with a fitted profile; one CSV row per image.");
    parser.addHelpOption();
    addProfileAndInputOptions(
        parser, "Image, folder (recursive) or list file; repeatable. Positional arguments too.");
    parser.addOption({"out", "CSV file to write (default: standard output).", "CSV"});
    parser.addOption({"methods", "Comma-separated detector ids (default: all in the profile).", "LIST"});
    addRunOptions(parser);
    if (const int exit = parseCommandLine(parser, arguments, "score", {"profile"}, true); exit >= 0)
        return exit;
    const QStringList inputs = inputsFrom(parser);

    const RunOptions options = runOptionsFrom(parser);
    std::vector<std::string> ids;
    if (parser.isSet("methods"))
        ids = parseDetectorList(parser.value("methods").toStdString());
    InspectionSession session;
    session.openProfile(parser.value("profile"), parser.value("model"));
    const Profile &profile = *session.profile();
    const SampleList list = scanInputs(inputs);
    for (const QString &problem : list.problems)
        std::fprintf(stderr, "warning: %s\n", qPrintable(problem));

    // stderr: standard output may be the CSV.
    if (ids.empty())
        for (const auto &[detectorId, reason] : profile.unavailable)
            std::fprintf(stderr, "note: %s is not scored, it is unavailable for this model: %s\n",
                         detectorId.c_str(), reason.c_str());

    if (!profile.canFlag())
        std::fprintf(stderr,
                     "note: this profile was fitted without validation images, so it has no thresholds: "
                     "frames are scored but never flagged (fit again with --val to flag)\n");

    ProgressPrinter printer(parser.isSet("quiet"));
    const ScoredImages scored = session.score(list.samples, ids, options, std::ref(printer));
    printer.finish();

    QStringList paths;
    for (const Sample &sample : scored.samples)
        paths << sample.path;
    const QString text = scoresCsv(scored, profile, paths, 10);

    if (parser.isSet("out")) {
        writeFileAtomically(parser.value("out"), text.toUtf8());
    } else {
        std::fputs(text.toUtf8().constData(), stdout);
    }
    const size_t failed = scored.failedCount();
    if (failed)
        std::fprintf(stderr, "%zu of %zu images could not be scored (see the error column)\n", failed,
                     scored.samples.size());
    // A path that does not exist never becomes a row; it is reported above and counts as a failure.
    return failed || !list.problems.isEmpty() ? ExitSomeInputsFailed : ExitOk;
}

} // namespace ood::cli
