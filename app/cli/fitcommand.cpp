#include "commands.h"

#include "fit/profilefitter.h"
#include "calib/verdictcalibration.h"
#include "detect/registry.h"
#include "base/error.h"
#include "pipeline/verdict.h"
#include "progressprinter.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ood::cli {

namespace {

QString numberedNames(const QStringList &names)
{
    QStringList numbered;
    for (int i = 0; i < names.size(); ++i)
        numbered << QString("%1 %2").arg(i).arg(names[i]);
    return numbered.join(", ");
}

/// The verdict rule in one line: what it asks for and how often it flags a normal frame.
QString verdictLine(const VerdictRule &rule, const Profile &profile)
{
    const ProfileDetector *single = rule.detectorId.empty() ? nullptr : profile.find(rule.detectorId);
    const QString name =
        single ? QString::fromStdString(single->detector->displayName() + " (" + single->detector->id() + ")")
               : QString();
    return QString("verdict: \"Unusual for this model\" when %1; %2 (%3% of the %4 ID validation frames, "
                   "target %5%)")
        .arg(verdictRuleWords(rule, static_cast<int>(profile.detectors.size()), name),
             falseAlarmWords(rule.falseAlarmRate))
        .arg(100.0 * rule.falseAlarmRate, 0, 'f', 1)
        .arg(rule.validationFrames)
        .arg(100.0 * rule.targetFalseAlarmRate, 0, 'g', 3);
}

/// Share of the scored frames of `scored` that `rule` calls unusual.
double unusualShare(const VerdictRule &rule, const Profile &profile, const ScoredImages &scored)
{
    std::vector<double> thresholds;
    for (const std::string &id : scored.detectorIds)
        thresholds.push_back(profile.find(id)->threshold);
    const at::Tensor scores = scored.scores.contiguous();
    const auto k = static_cast<int64_t>(scored.detectorIds.size());
    const double *data = scores.data_ptr<double>();
    int64_t frames = 0, unusual = 0;
    for (size_t i = 0; i < scored.samples.size(); ++i) {
        if (!scored.errors[i].isEmpty())
            continue;
        const std::vector<double> row(data + static_cast<int64_t>(i) * k,
                                      data + static_cast<int64_t>(i + 1) * k);
        ++frames;
        unusual += isUnusual(rule, scored.detectorIds, row, thresholds) ? 1 : 0;
    }
    return frames > 0 ? static_cast<double>(unusual) / static_cast<double>(frames) : std::nan("");
}

} // namespace

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
         "The class names in the order of the model's outputs, comma-separated. A classifier: its "
         "training folders in the order it was trained with (default: --train's class folders sorted "
         "by name). --arch clip: the ID labels, e.g. \"normal cecum,normal pylorus,normal z-line\".",
         "LIST"});
    parser.addOption({"ood-val",
                      "OOD validation frames (a folder, searched recursively): after fitting, every "
                      "detector's AUROC of the ID validation frames against these, best first, and the "
                      "best one proposed for --verdict.",
                      "DIR"});
    parser.addOption({"verdict",
                      "What decides a frame's verdict: 'agreement' (default: at least k of the "
                      "detectors flag it, k set so that at most 1 - tpr of the ID validation frames are "
                      "flagged) or one detector id (its own threshold decides). See docs/verdict.md.",
                      "DETECTOR", "agreement"});
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
        std::fputs(qPrintable(commandHelpText(parser)), stdout);
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
    if (parser.isSet("ood-val") && !parser.isSet("val"))
        return usageError(parser, "--ood-val needs --val: the AUROC compares ID validation frames with "
                                  "OOD validation frames");

    bool ok = false;
    const int inputSize = parser.value("input-size").toInt(&ok);
    if (!ok || inputSize < 16 || inputSize > 4096)
        return usageError(parser, "--input-size must be between 16 and 4096");
    const double tpr = parser.value("tpr").toDouble(&ok);
    if (!ok || !(tpr > 0 && tpr < 1))
        return usageError(parser, "--tpr must be between 0 and 1");

    FitOptions options;
    options.detectorIds = parseDetectorList(parser.value("methods").toStdString());
    std::string verdictDetector = parser.value("verdict").trimmed().toLower().toStdString();
    if (verdictDetector == "agreement")
        verdictDetector.clear();
    if (!verdictDetector.empty()) {
        const std::vector<std::string> known = detectorIds();
        if (std::find(known.begin(), known.end(), verdictDetector) == known.end())
            return usageError(parser, QString("--verdict must be 'agreement' or a detector id, got '%1' "
                                              "(ids: ood-inspect fit --help)")
                                          .arg(parser.value("verdict")));
        if (!options.detectorIds.empty() && std::find(options.detectorIds.begin(), options.detectorIds.end(),
                                                      verdictDetector) == options.detectorIds.end())
            return usageError(parser, QString("--verdict %1: the detector is not among --methods")
                                          .arg(QString::fromStdString(verdictDetector)));
    }
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
    SampleList train = trainDir.isEmpty() ? SampleList() : scanImageFolder(trainDir);
    SampleList validation;
    if (!valDir.isEmpty()) {
        try {
            validation = scanImageFolder(valDir);
        } catch (const Error &) {
            validation = scanInputs({valDir}); // a flat validation folder is fine too
        }
    }
    QStringList givenClasses;
    for (const QString &name : parser.value("classes").split(',', Qt::SkipEmptyParts))
        if (!name.trimmed().isEmpty())
            givenClasses << name.trimmed();
    if (!zeroShot && parser.isSet("classes")) {
        // A checkpoint trained with another class order than the sorted folder names would
        // otherwise get every prediction under the wrong name.
        const QStringList sorted = train.classNames;
        try {
            train = withClassOrder(train, givenClasses, trainDir);
            validation = withClassOrder(validation, givenClasses, valDir);
        } catch (const Error &e) {
            throw Error(std::string("--classes: ") + e.what());
        }
        if (sorted != givenClasses)
            std::fprintf(stderr,
                         "warning: --classes orders the classes differently from the folder names "
                         "sorted:\n  --classes:      %s\n  folders sorted: %s\n"
                         "the model's output i is named by the i-th name of --classes\n",
                         qPrintable(numberedNames(givenClasses)), qPrintable(numberedNames(sorted)));
    }
    SampleList oodValidation;
    if (parser.isSet("ood-val")) {
        oodValidation = scanInputs({QFileInfo(parser.value("ood-val")).absoluteFilePath()});
        if (oodValidation.samples.empty())
            throw Error("--ood-val " + parser.value("ood-val").toStdString() + " holds no images");
    }
    std::vector<std::string> classNames;
    for (const QString &name : zeroShot ? givenClasses : train.classNames)
        classNames.push_back(name.toStdString());
    if (zeroShot && classNames.empty())
        for (const QString &name : train.classNames)
            classNames.push_back(name.toStdString());
    LoadedModel model = loadModel(parser.value("model").toStdString(), parser.value("arch").toStdString(),
                                  classNames, options.run.inference);
    model.card.precision = options.run.inference.precision;
    if (!zeroShot || parser.isSet("input-size"))
        model.card.input.width = model.card.input.height = inputSize;
    for (const QString &problem : train.problems + validation.problems + oodValidation.problems)
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
    profile.verdictDetector = verdictDetector;
    if (!verdictDetector.empty() && !profile.find(verdictDetector)) {
        const std::string reason = profile.unavailableReason(verdictDetector);
        throw Error("--verdict " + verdictDetector + ": the detector could not be fitted on this model" +
                    (reason.empty() ? std::string() : ": " + reason) + "; no profile written");
    }
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
    QStringList profileClasses;
    for (const std::string &name : profile.model.classNames)
        profileClasses << QString::fromStdString(name);
    std::printf("classes (model output order): %s\n", qPrintable(numberedNames(profileClasses)));
    if (!profile.canFlag())
        return report.failedImages.empty() ? ExitOk : ExitSomeInputsFailed;

    const VerdictRule rule = calibrateVerdict(profile);
    std::printf("%s\n", qPrintable(verdictLine(rule, profile)));
    if (oodValidation.samples.empty()) {
        std::printf("to choose the rule: --verdict DETECTOR lets one detector decide, --ood-val DIR "
                    "compares the detectors on OOD frames (docs/verdict.md)\n");
        return report.failedImages.empty() ? ExitOk : ExitSomeInputsFailed;
    }

    ProgressPrinter oodPrinter(parser.isSet("quiet"));
    const ScoredImages ood = scoreImages(*model.backbone, profile, oodValidation.samples, {}, options.run,
                                         std::ref(oodPrinter), "OOD validation");
    oodPrinter.finish();
    for (size_t i = 0; i < ood.samples.size(); ++i)
        if (!ood.errors[i].isEmpty())
            std::fprintf(stderr, "failed: %s: %s\n", qPrintable(ood.samples[i].path),
                         qPrintable(ood.errors[i]));
    const std::vector<OodValidationResult> results = oodValidationResults(profile, ood);
    std::printf("\nOOD validation: %lld of %zu frames of %s against the %lld ID validation frames\n",
                static_cast<long long>(ood.samples.size() - ood.failedCount()), ood.samples.size(),
                qPrintable(parser.value("ood-val")), static_cast<long long>(profile.validationCount));
    std::printf("%-14s %8s %12s\n", "detector", "AUROC", "OOD flagged");
    for (const OodValidationResult &result : results)
        std::printf("%-14s %8.4f %11.1f%%\n", result.detectorId.c_str(), result.auroc,
                    100.0 * result.oodFlagged);
    std::printf("the verdict flags %.1f%% of the OOD validation frames\n",
                100.0 * unusualShare(rule, profile, ood));
    const OodValidationResult &best = results.front();
    if (best.detectorId == profile.verdictDetector)
        std::printf("best detector on these frames: %s (AUROC %.4f), which decides the verdict already\n",
                    best.detectorId.c_str(), best.auroc);
    else
        std::printf("best detector on these frames: %s (AUROC %.4f); to let it decide alone: --verdict %s\n",
                    best.detectorId.c_str(), best.auroc, best.detectorId.c_str());
    return report.failedImages.empty() && ood.failedCount() == 0 ? ExitOk : ExitSomeInputsFailed;
}

} // namespace ood::cli
