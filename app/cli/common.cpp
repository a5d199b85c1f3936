#include "commands.h"
#include "results/resultsfile.h"

#include "base/error.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <thread>

namespace ood::cli {

void addRunOptions(QCommandLineParser &parser)
{
    parser.addOption({"batch", "Images per forward pass (default 32).", "N", "32"});
    parser.addOption({"threads", "LibTorch compute threads (default: all cores).", "N", "0"});
    parser.addOption({"workers", "Image decoding threads (default: all cores).", "N", "0"});
    parser.addOption({"quiet", "No progress on stderr."});
    parser.addOption({"precision",
                      "Number format of the forward pass: float32 (default) or bf16 (native ResNets, on CPUs "
                      "with AVX512-BF16 or AMX only; faster, scores shift slightly).",
                      "P", "float32"});
    parser.addOption({"forward-path",
                      "How the network runs: frozen (default: a frozen, optimised graph), folded (BatchNorm "
                      "folded, op by op) or eager (the model as trained). Scores agree to about 1e-6; for "
                      "checks and benchmarks.",
                      "PATH", "frozen"});
    const DecodeLimits defaults;
    parser.addOption({"max-pixels",
                      QString("Refuse images whose header declares more pixels than N, before decoding them "
                              "(default %1).")
                          .arg(defaults.maxPixels),
                      "N", QString::number(defaults.maxPixels)});
    parser.addOption({"max-file-mb",
                      QString("Refuse image files larger than N MiB unread (default %1).")
                          .arg(defaults.maxFileBytes / (1024 * 1024)),
                      "N", QString::number(defaults.maxFileBytes / (1024 * 1024))});
}

int wholeNumberOption(const QCommandLineParser &parser, const QString &name, int minimum, int maximum)
{
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok || value < minimum || value > maximum)
        throw Error(QString("--%1 must be a whole number from %2 to %3, got '%4'")
                        .arg(name)
                        .arg(minimum)
                        .arg(maximum)
                        .arg(parser.value(name))
                        .toStdString());
    return value;
}

RunOptions runOptionsFrom(const QCommandLineParser &parser)
{
    RunOptions options;
    options.batchSize = wholeNumberOption(parser, "batch", 1, 1 << 16);
    options.decodeWorkers = wholeNumberOption(parser, "workers", 0, 1 << 16);
    int threads = wholeNumberOption(parser, "threads", 0, 1 << 16);
    if (threads == 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    bool ok = false;
    const qlonglong pixels = parser.value("max-pixels").toLongLong(&ok);
    if (!ok || pixels < 1)
        throw Error(QString("--max-pixels must be a whole number >= 1, got '%1'")
                        .arg(parser.value("max-pixels"))
                        .toStdString());
    const qlonglong megabytes = parser.value("max-file-mb").toLongLong(&ok);
    if (!ok || megabytes < 1 || megabytes > (qlonglong(1) << 40))
        throw Error(QString("--max-file-mb must be a whole number >= 1, got '%1'")
                        .arg(parser.value("max-file-mb"))
                        .toStdString());
    const QString path = parser.value("forward-path");
    if (path == "frozen")
        options.inference.path = ForwardPath::Frozen;
    else if (path == "folded")
        options.inference.path = ForwardPath::Folded;
    else if (path == "eager")
        options.inference.path = ForwardPath::Eager;
    else
        throw Error("--forward-path must be frozen, folded or eager, got '" + path.toStdString() + "'");
    options.inference.precision = precisionFromName(parser.value("precision").toStdString());
    if (options.inference.precision == Precision::BFloat16) {
        if (const std::string refusal = bfloat16Unsupported(); !refusal.empty())
            throw Error("--precision bf16: " + refusal);
    }
    options.limits.maxPixels = pixels;
    options.limits.maxFileBytes = megabytes * 1024 * 1024;
    return options;
}

void warnAboutPrecision(const std::string &mismatch)
{
    if (!mismatch.empty())
        std::fprintf(stderr, "warning: %s\n", mismatch.c_str());
}

QStringList inputsFrom(const QCommandLineParser &parser)
{
    QStringList inputs = parser.values("input");
    inputs += parser.positionalArguments();
    return inputs;
}

void addProfileAndInputOptions(QCommandLineParser &parser, const QString &inputHelp)
{
    parser.addOption({"profile", "Profile written by 'fit'.", "PROFILE"});
    parser.addOption({"model", "Use the model at this path instead of the one the profile names.", "CKPT"});
    parser.addOption({"input", inputHelp, "PATH"});
    parser.addPositionalArgument("inputs", "Images, folders or list files.", "[PATH...]");
}

QString commandHelpText(const QCommandLineParser &parser)
{
    // Qt starts the usage line with the process's argv[0] ("/usr/bin/ood-inspect [options]"),
    // which leaves out the sub-command; main() keeps the sub-command in argv[1].
    QString help = parser.helpText();
    const QStringList processArguments = QCoreApplication::arguments();
    const QString usage = "Usage: ";
    const qsizetype options = help.indexOf(" [options]");
    const qsizetype lineEnd = help.indexOf('\n');
    if (processArguments.size() > 1 && help.startsWith(usage) && options > 0 && options < lineEnd)
        help.replace(usage.size(), options - usage.size(), "ood-inspect " + processArguments[1]);
    return help;
}

int parseCommandLine(QCommandLineParser &parser, const QStringList &arguments, const QString &command,
                     const QStringList &required, bool needsInputs)
{
    if (!parser.parse(arguments))
        return usageError(parser, parser.errorText());
    if (parser.isSet("help")) {
        std::fputs(qPrintable(commandHelpText(parser)), stdout);
        return ExitOk;
    }
    for (const QString &option : required)
        if (!parser.isSet(option))
            return usageError(parser, QString("%1 needs --%2").arg(command, option));
    if (needsInputs && inputsFrom(parser).isEmpty())
        return usageError(parser, QString("%1 needs at least one --input").arg(command));
    return -1;
}

QString scoresCsv(const ScoredImages &scored, const Profile &profile, const QStringList &paths,
                  int significantDigits)
{
    QString text = resultColumns(scored.detectorIds, false).join(',') + '\n';
    const at::Tensor scores = scored.scores.contiguous();
    const auto k = static_cast<int64_t>(scored.detectorIds.size());
    const double *data = scores.data_ptr<double>();
    for (size_t i = 0; i < scored.samples.size(); ++i) {
        FrameResult result;
        result.error = scored.errors[i];
        result.scored = result.error.isEmpty();
        result.prediction = static_cast<int>(scored.predictions[i]);
        result.confidence = scored.confidences[i];
        result.flagged = scored.unusual[i];
        result.scores.assign(data + static_cast<int64_t>(i) * k, data + static_cast<int64_t>(i + 1) * k);
        text += resultRow({paths.at(static_cast<int>(i))}, false, result, profile, scored.detectorIds,
                          significantDigits);
    }
    return text;
}

int usageError(const QCommandLineParser &parser, const QString &message)
{
    const QString help = commandHelpText(parser);
    const QString usageLine = help.left(help.indexOf('\n'));
    const QStringList processArguments = QCoreApplication::arguments();
    const QString command =
        processArguments.size() > 1 ? "ood-inspect " + processArguments[1] : "ood-inspect";
    std::fprintf(stderr, "ood-inspect: %s\n%s\nTry '%s --help'.\n", qPrintable(message),
                 qPrintable(usageLine), qPrintable(command));
    return ExitUsage;
}

} // namespace ood::cli
