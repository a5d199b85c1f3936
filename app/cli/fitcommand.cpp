#include "commands.h"

#include "fit/profilefitter.h"
#include "detect/registry.h"
#include "base/error.h"
#include "progressprinter.h"

#include <QDir>
#include <QFileInfo>

#include <cstdio>

namespace ood::cli {

int runFit(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Fit a profile: statistics of every detector on the ID training folder (ImageFolder layout:\n"
        "train/<class>/*.jpg), then ID validation score distributions and thresholds.");
    parser.addHelpOption();
    parser.addOption(
        {"model", "Checkpoint (torchvision state_dict, whole pickled model) or TorchScript file.", "CKPT"});
    parser.addOption({"arch", "resnet18 | resnet34 | resnet50 | torchscript | clip (default resnet18).",
                      "ARCH", "resnet18"});
    parser.addOption(
        {"train", "ID training folder, one sub-folder per class (optional with --arch clip).", "DIR"});
    parser.addOption(
        {"val",
         "ID validation folder (same classes, or flat). With --arch clip optional, but without it "
         "there are no thresholds: frames are scored, never flagged.",
         "DIR"});
    parser.addOption(
        {"classes",
         "--arch clip: the ID labels, comma-separated, e.g. \"normal cecum,normal pylorus,normal "
         "z-line\" (default: the class folders of --train).",
         "LIST"});
    parser.addOption({"negatives",
                      "neglabel/negrefine: a ready list of negative nouns, one per line (e.g. NegRefine's "
                      "neg_labels_noun.txt), instead of mining WordNet.",
                      "FILE"});
    parser.addOption(
        {"negative-adjectives", "The same for adjectives (e.g. NegRefine's neg_labels_adj.txt).", "FILE"});
    parser.addOption(
        {"wordnet", "WordNet database to mine negative labels from (default /usr/share/wordnet).", "DIR"});
    parser.addOption({"no-wordnet-filter",
                      "negrefine: keep proper nouns, taxonomic names and subcategories of the ID labels "
                      "(skip the WordNet filter that stands in for NegRefine's LLM)."});
    parser.addOption({"out", "Profile file to write.", "PROFILE"});
    parser.addOption({"methods", "Comma-separated detector ids, or 'all' (default).", "LIST", "all"});
    parser.addOption({"input-size", "Network input side in pixels (default 224).", "N", "224"});
    parser.addOption({"set",
                      "Detector setting, e.g. pro_msp_t.temperature=1 or knn.k=100 (repeatable; "
                      "names in docs/detectors.md).",
                      "ID.NAME=VALUE"});
    parser.addOption(
        {"tpr", "Share of ID validation frames each threshold accepts (default 0.95).", "T", "0.95"});
    addRunOptions(parser);
    if (!parser.parse(arguments))
        return usageError(parser, parser.errorText());
    if (parser.isSet("help")) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        std::printf("\nDetectors: %s\n",
                    [] {
                        std::string ids;
                        for (const auto &id : detectorIds())
                            ids += id + " ";
                        return ids;
                    }()
                        .c_str());
        return ExitOk;
    }
    const bool zeroShot = parser.value("arch").trimmed().toLower() == "clip";
    for (const char *required : {"model", "train", "val", "out"}) {
        if (zeroShot && (QString(required) == "train" || QString(required) == "val"))
            continue;
        if (!parser.isSet(required))
            return usageError(parser, QString("fit needs --%1").arg(required));
    }
    if (zeroShot && !parser.isSet("classes") && !parser.isSet("train"))
        return usageError(parser, "fit --arch clip needs the ID labels: --classes \"a,b,c\" or --train DIR");
    if (!zeroShot && parser.isSet("classes"))
        return usageError(parser,
                          "--classes is for --arch clip; a classifier's classes are its training folders");

    bool ok = false;
    const int inputSize = parser.value("input-size").toInt(&ok);
    if (!ok || inputSize < 16 || inputSize > 4096)
        return usageError(parser, "--input-size must be between 16 and 4096");
    const double tpr = parser.value("tpr").toDouble(&ok);
    if (!ok || !(tpr > 0 && tpr < 1))
        return usageError(parser, "--tpr must be between 0 and 1");

    FitOptions options;
    options.detectorIds = parseDetectorList(parser.value("methods").toStdString());
    options.run = runOptionsFrom(parser);
    options.targetTpr = tpr;
    for (const QString &assignment : parser.values("set")) {
        const int dot = assignment.indexOf('.'), equals = assignment.indexOf('=');
        bool isNumber = false;
        const double value = equals > 0 ? assignment.mid(equals + 1).toDouble(&isNumber) : 0;
        if (dot <= 0 || equals <= dot + 1 || !isNumber)
            return usageError(parser, QString("--set needs ID.NAME=NUMBER, got '%1'").arg(assignment));
        options.settings[assignment.left(dot).trimmed().toLower().toStdString()]
                        [assignment.mid(dot + 1, equals - dot - 1).trimmed().toStdString()] = value;
    }

    options.negatives.nounListFile = parser.value("negatives").toStdString();
    options.negatives.adjectiveListFile = parser.value("negative-adjectives").toStdString();
    if (parser.isSet("wordnet"))
        options.negatives.wordNetDir = parser.value("wordnet").toStdString();
    options.negatives.wordNetFilter = !parser.isSet("no-wordnet-filter");

    const QString trainDir =
        parser.isSet("train") ? QFileInfo(parser.value("train")).absoluteFilePath() : QString();
    const QString valDir =
        parser.isSet("val") ? QFileInfo(parser.value("val")).absoluteFilePath() : QString();
    const SampleList train = trainDir.isEmpty() ? SampleList() : scanImageFolder(trainDir);
    SampleList validation;
    if (!valDir.isEmpty()) {
        try {
            validation = scanImageFolder(valDir);
        } catch (const Error &) {
            validation = scanInputs({valDir}); // a flat validation folder is fine too
        }
    }
    std::vector<std::string> classNames;
    if (parser.isSet("classes")) {
        for (const QString &name : parser.value("classes").split(',', Qt::SkipEmptyParts))
            if (!name.trimmed().isEmpty())
                classNames.push_back(name.trimmed().toStdString());
    } else {
        for (const QString &name : train.classNames)
            classNames.push_back(name.toStdString());
    }
    LoadedModel model = loadModel(parser.value("model").toStdString(), parser.value("arch").toStdString(),
                                  classNames, options.run.inference);
    model.card.precision = options.run.inference.precision;
    if (!zeroShot || parser.isSet("input-size"))
        model.card.input.width = model.card.input.height = inputSize;
    for (const QString &problem : train.problems + validation.problems)
        std::fprintf(stderr, "warning: %s\n", qPrintable(problem));

    ProgressPrinter printer(parser.isSet("quiet"));
    FitReport report;
    Profile profile = fitProfile(model, train, validation, options, std::ref(printer), &report);
    printer.finish();
    if (!profile.canFlag())
        std::printf("note: no validation images (--val), so no thresholds: this profile scores frames but "
                    "flags none\n");
    profile.trainPath = trainDir.toStdString();
    profile.validationPath = valDir.toStdString();
    profile.model.modelPath = QFileInfo(parser.value("model")).absoluteFilePath().toStdString();
    saveProfile(profile, parser.value("out"));

    for (const auto &[path, reason] : report.failedImages)
        std::fprintf(stderr, "failed: %s: %s\n", qPrintable(path), qPrintable(reason));
    std::printf("profile %s: %lld training and %lld validation images, %zu detectors\n",
                qPrintable(parser.value("out")), static_cast<long long>(profile.trainCount),
                static_cast<long long>(profile.validationCount), profile.detectors.size());
    std::printf("%-14s %14s\n", "detector", "threshold");
    for (const ProfileDetector &d : profile.detectors)
        std::printf("%-14s %14.6g\n", d.detector->id().c_str(), d.threshold);
    for (const auto &[id, reason] : profile.unavailable)
        std::printf("%-14s %14s  (%s)\n", id.c_str(), "unavailable", reason.c_str());
    return report.failedImages.empty() ? ExitOk : ExitSomeInputsFailed;
}

} // namespace ood::cli
