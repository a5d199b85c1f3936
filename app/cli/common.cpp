#include "commands.h"

#include "error.h"

#include <QFileInfo>

#include <torch/torch.h>

#include <cstdio>
#include <thread>

namespace ood::cli {

void addRunOptions(QCommandLineParser &parser)
{
    parser.addOption({"batch", "Images per forward pass (default 32).", "N", "32"});
    parser.addOption({"threads", "LibTorch compute threads (default: all cores).", "N", "0"});
    parser.addOption({"workers", "Image decoding threads (default: all cores).", "N", "0"});
    parser.addOption({"quiet", "No progress on stderr."});
}

namespace {
int positiveInt(const QCommandLineParser &parser, const QString &name, int minimum)
{
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok || value < minimum || value > 1 << 16)
        throw Error(QString("--%1 must be a whole number >= %2, got '%3'")
                        .arg(name).arg(minimum).arg(parser.value(name)).toStdString());
    return value;
}
} // namespace

RunOptions runOptionsFrom(const QCommandLineParser &parser)
{
    RunOptions options;
    options.batchSize = positiveInt(parser, "batch", 1);
    options.decodeWorkers = positiveInt(parser, "workers", 0);
    int threads = positiveInt(parser, "threads", 0);
    if (threads == 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    return options;
}

LoadedModel loadProfileModel(const Profile &profile, const QString &overridePath)
{
    const QString path = overridePath.isEmpty() ? QString::fromStdString(profile.model.modelPath) : overridePath;
    if (!QFileInfo::exists(path))
        throw Error("the profile's model " + path.toStdString() +
                    " does not exist; pass its new location with --model");
    const std::string digest = sha256OfFile(path.toStdString());
    if (digest != profile.model.sha256)
        throw Error("model " + path.toStdString() + " does not match the profile (sha256 " + digest +
                    ", the profile was fitted on " + profile.model.sha256 + ")");
    LoadedModel model = loadModel(path.toStdString(), profile.model.architecture);
    if (model.card.numClasses != profile.model.numClasses || model.card.featureDim != profile.model.featureDim)
        throw Error("model " + path.toStdString() + " has a different shape than the profile expects");
    model.card.classNames = profile.model.classNames;
    model.card.input = profile.model.input;
    return model;
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

int parseCommandLine(QCommandLineParser &parser, const QStringList &arguments, const QString &command,
                     const QStringList &required, bool needsInputs)
{
    if (!parser.parse(arguments))
        return usageError(parser, parser.errorText());
    if (parser.isSet("help")) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return ExitOk;
    }
    for (const QString &option : required)
        if (!parser.isSet(option))
            return usageError(parser, QString("%1 needs --%2").arg(command, option));
    if (needsInputs && inputsFrom(parser).isEmpty())
        return usageError(parser, QString("%1 needs at least one --input").arg(command));
    return -1;
}

int usageError(const QCommandLineParser &parser, const QString &message)
{
    (void)parser;
    std::fprintf(stderr, "ood-inspect: %s\nTry --help.\n", qPrintable(message));
    return ExitUsage;
}

} // namespace ood::cli
