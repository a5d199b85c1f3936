#pragma once
// The sub-commands of ood-inspect. Each returns the process exit code (see exitcodes below).

#include "base/atomicfile.h" // writeFileAtomically, used by every command
#include "calib/profile.h"
#include "calib/profilemodel.h"
#include "model/modelloader.h"
#include "pipeline/scoringrun.h"

#include <QCommandLineParser>
#include <QStringList>

namespace ood::cli {

enum ExitCode {
    ExitOk = 0,
    ExitFailure = 1,          ///< the job could not be done (bad model, profile, folder, ...)
    ExitUsage = 2,            ///< wrong command line
    ExitSomeInputsFailed = 3, ///< the job was done, but some images could not be read
};

int runFit(const QStringList &arguments);
int runScore(const QStringList &arguments);
int runEvaluate(const QStringList &arguments);
int runBench(const QStringList &arguments);
int runDemo(const QStringList &arguments);
int runExplain(const QStringList &arguments);
int runMerge(const QStringList &arguments);
int runSlurmScript(const QStringList &arguments);
int runBundle(const QStringList &arguments);

// Shared by the commands.
void addRunOptions(QCommandLineParser &parser);
/// Parses --batch/--workers/--threads and applies --threads. Throws ood::Error on bad values.
RunOptions runOptionsFrom(const QCommandLineParser &parser);
/// The value of option `name` as an integer in [minimum, maximum]. Throws ood::Error quoting it.
int wholeNumberOption(const QCommandLineParser &parser, const QString &name, int minimum, int maximum);
/// Prints "warning: <mismatch>" on stderr unless it is empty (precisionMismatch).
void warnAboutPrecision(const std::string &mismatch);
/// Positional arguments plus every --input value.
QStringList inputsFrom(const QCommandLineParser &parser);
/// Prints the error of a parser and the help hint; returns ExitUsage.
int usageError(const QCommandLineParser &parser, const QString &message);
/// --profile, --model and the images to work on (--input, repeatable, and positional paths).
void addProfileAndInputOptions(QCommandLineParser &parser, const QString &inputHelp);
/// Parses and handles --help and the required options. Returns the exit code to end with, or
/// -1 when the command should go on. `needsInputs`: at least one --input or positional path.
int parseCommandLine(QCommandLineParser &parser, const QStringList &arguments, const QString &command,
                     const QStringList &required, bool needsInputs = false);
/// parser.helpText() with the usage line naming the sub-command ("Usage: ood-inspect fit [options]").
QString commandHelpText(const QCommandLineParser &parser);
/// The CSV of 'score': `path,prediction,confidence,<one column per detector>,flagged_by,error`, one
/// row per image; `paths[i]` is written for image i, scores with `significantDigits` digits.
QString scoresCsv(const ScoredImages &scored, const Profile &profile, const QStringList &paths,
                  int significantDigits);

} // namespace ood::cli
