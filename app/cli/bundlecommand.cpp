#include "commands.h"

#include "calib/profilebundle.h"

#include <QFileInfo>

#include <cstdio>

namespace ood::cli {

int runBundle(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Write one file that carries a profile and the model it was fitted on, for handing both to a "
        "colleague. Every command and the window open the bundle where they take a profile; it is "
        "unpacked once into the user's cache folder and the model's sha256 is checked.");
    parser.addHelpOption();
    parser.addOption({"profile", "Profile written by 'fit'.", "PROFILE"});
    parser.addOption({"model",
                      "The profile's model, when it is not where the profile says (its sha256 must match).",
                      "CKPT"});
    parser.addOption({"out", "Bundle file to write (e.g. kvasir.oodbundle).", "FILE"});
    if (const int exit = parseCommandLine(parser, arguments, "bundle", {"profile", "out"}); exit >= 0)
        return exit;
    if (!parser.positionalArguments().isEmpty())
        return usageError(parser,
                          "bundle takes no positional arguments: " + parser.positionalArguments().join(' '));

    writeProfileBundle(parser.value("profile"), parser.value("out"), parser.value("model"));
    std::printf("bundle %s: %s and its model, %.1f MB\n", qPrintable(parser.value("out")),
                qPrintable(QFileInfo(parser.value("profile")).fileName()),
                static_cast<double>(QFileInfo(parser.value("out")).size()) / (1024.0 * 1024.0));
    return ExitOk;
}

} // namespace ood::cli
