#include "commands.h"

#include "base/error.h"
#include "results/resultsfile.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>

#include <cstdio>

namespace ood::cli {

namespace {

/// The shard files named on the command line; a folder stands for the .csv files in it, and its
/// unfinished .partial files are named too so that merge can say which shards are still running.
QStringList shardFilesFrom(const QStringList &arguments)
{
    QStringList files;
    for (const QString &argument : arguments) {
        const QFileInfo info(argument);
        if (!info.isDir()) {
            files << argument;
            continue;
        }
        const QDir dir(argument);
        for (const QString &name : dir.entryList({"*.csv", "*.csv.partial"}, QDir::Files, QDir::Name))
            files << dir.filePath(name);
    }
    return files;
}

} // namespace

int runMerge(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Join the shard files of 'ood-inspect score --shard K/N' into one results file. Checks that every "
        "shard "
        "belongs to the same profile, model and input list, that all N are there and complete, and that no "
        "frame "
        "is missing or repeated; names the shards to score again otherwise and writes nothing.");
    parser.addHelpOption();
    parser.addOption({"out", "Results file to write (rows sorted by path, then frame).", "CSV"});
    parser.addOption(
        {"allow-partial",
         "Write the shards that are usable even when some are missing or broken; the missing ones are "
         "listed in the output's '# missing:' lines."});
    parser.addOption({"quiet", "No progress on stderr."});
    parser.addPositionalArgument("shards", "Shard files, or folders holding them.", "SHARD...");
    if (const int exit = parseCommandLine(parser, arguments, "merge", {"out"}); exit >= 0)
        return exit;
    const QStringList files = shardFilesFrom(parser.positionalArguments());
    if (files.isEmpty())
        return usageError(parser, "merge needs the shard files (or their folder)");

    QElapsedTimer timer;
    timer.start();
    const bool quiet = parser.isSet("quiet");
    const MergeReport report =
        mergeShards(files, parser.value("out"), parser.isSet("allow-partial"), [&](qint64 rows) {
            if (!quiet)
                std::fprintf(stderr, "\rmerge: %lld rows", static_cast<long long>(rows));
            return true;
        });
    if (!quiet)
        std::fputs("\r", stderr);
    for (const QString &line : report.refused)
        std::fprintf(stderr, "refused: %s\n", qPrintable(line));
    for (const ShardId &shard : report.missing)
        std::fprintf(stderr, "missing: shard %s\n", qPrintable(shard.text()));
    if (!report.resubmitShards.isEmpty())
        std::fprintf(stderr, "resubmit shards: %s\n", qPrintable(report.resubmitShards));
    if (!report.written) {
        std::fprintf(stderr, "%s\n",
                     report.resubmitShards.isEmpty()
                         ? "nothing written: leave out the refused files above (or use --allow-partial)"
                         : "nothing written: score the shards above again (or use --allow-partial)");
        return ExitFailure;
    }
    std::fprintf(
        stderr, "merged %lld rows from %lld files into %s in %.1f s%s\n",
        static_cast<long long>(report.rowsWritten), static_cast<long long>(files.size()),
        qPrintable(parser.value("out")), timer.elapsed() / 1000.0,
        report.missing.isEmpty() && report.refused.isEmpty() ? "" : " (partial: see the '# missing' lines)");
    return report.missing.isEmpty() && report.refused.isEmpty() ? ExitOk : ExitSomeInputsFailed;
}

} // namespace ood::cli
