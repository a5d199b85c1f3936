#include "commands.h"

#include "base/error.h"
#include "explain/explanationfiles.h"
#include "explain/frameexplainer.h"
#include "explain/heatmaprender.h"
#include "image/imagedecoder.h"
#include "image/preprocess.h"

#include <QDir>
#include <QFileInfo>

#include <cstdio>

namespace ood::cli {

namespace {

double numberOption(const QCommandLineParser &parser, const QString &name, double minimum, double maximum)
{
    bool ok = false;
    const double value = parser.value(name).toDouble(&ok);
    if (!ok || !(value >= minimum && value <= maximum))
        throw Error(QString("--%1 must be a number in [%2, %3], got '%4'")
                        .arg(name)
                        .arg(minimum)
                        .arg(maximum)
                        .arg(parser.value(name))
                        .toStdString());
    return value;
}

LrpComposite compositeFromName(const QString &name)
{
    if (name == "epsilon-gamma-box")
        return LrpComposite::EpsilonGammaBox;
    if (name == "epsilon-plus-flat")
        return LrpComposite::EpsilonPlusFlat;
    if (name == "epsilon-plus")
        return LrpComposite::EpsilonPlus;
    throw Error("--lrp-composite must be epsilon-gamma-box, epsilon-plus-flat or epsilon-plus, got '" +
                name.toStdString() + "'");
}

} // namespace

int runExplain(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription("Explain why one frame looks unfamiliar: heatmaps (PNG overlays and raw "
                                     "float TIFFs), neuron relevance "
                                     "(relevance.csv), faithfulness curves, the score landscape (CSV and "
                                     "PNG), each detector's ID validation "
                                     "density with the frame marked, and summary.json.");
    parser.addHelpOption();
    addProfileAndInputOptions(parser, "The image to explain (one).");
    parser.addOption({"out", "Directory to write into (created when missing).", "DIR"});
    parser.addOption(
        {"methods",
         "Comma-separated parts (default: all): neurons, relevance-cam, deviation-cam, grad-cam, lrp, "
         "faithfulness, landscape, densities, labels (CLIP), saliency.",
         "LIST"});
    parser.addOption({"landscape-detector", "Detector of the score landscape (default: msp).", "ID"});
    parser.addOption({"landscape-size", "Grid points per axis, odd (default 21).", "N", "21"});
    parser.addOption(
        {"landscape-radius",
         "Half-width of the grid in normalised input units (default 0.004 for sign directions, 0.05 "
         "for filter-normalised ones).",
         "R", "0"});
    parser.addOption({"landscape-directions", "sign (L-infinity units, default) or filter.", "KIND", "sign"});
    parser.addOption(
        {"seed", "Seed of the landscape directions and the random pixel order (default 0).", "N", "0"});
    parser.addOption({"lrp-composite", "epsilon-gamma-box (default), epsilon-plus-flat or epsilon-plus.",
                      "NAME", "epsilon-gamma-box"});
    parser.addOption(
        {"faithfulness-steps", "Points of the deletion/insertion curves minus one (default 10).", "N", "10"});
    parser.addOption({"opacity", "Opacity of the heatmap overlays, 0..1 (default 0.6).", "A", "0.6"});
    addRunOptions(parser);
    if (const int exit = parseCommandLine(parser, arguments, "explain", {"profile", "out"}, true); exit >= 0)
        return exit;
    const QStringList inputs = inputsFrom(parser);
    if (inputs.size() != 1)
        return usageError(parser, QString("explain takes exactly one image, got %1").arg(inputs.size()));

    const RunOptions run = runOptionsFrom(parser);
    ExplainOptions options;
    if (parser.isSet("methods")) {
        options.parts.clear();
        for (const QString &name : parser.value("methods").split(',', Qt::SkipEmptyParts))
            options.parts.push_back(explainPartFromName(name.trimmed().toStdString()));
    }
    options.landscapeDetector = parser.value("landscape-detector").toStdString();
    options.landscape.gridSize = static_cast<int>(numberOption(parser, "landscape-size", 3, 201));
    if (options.landscape.gridSize % 2 == 0)
        throw Error("--landscape-size must be odd, so that the grid's centre is the frame itself (got " +
                    std::to_string(options.landscape.gridSize) + ")");
    options.landscape.radius = numberOption(parser, "landscape-radius", 0, 1e3);
    const QString directions = parser.value("landscape-directions");
    if (directions == "filter")
        options.landscape.directions = LandscapeDirections::FilterNormalised;
    else if (directions != "sign")
        throw Error("--landscape-directions must be sign or filter, got '" + directions.toStdString() + "'");
    const auto seed = static_cast<uint64_t>(numberOption(parser, "seed", 0, 9.0e15));
    options.landscape.seed = options.faithfulness.seed = seed;
    options.landscape.batchSize = options.faithfulness.batchSize = run.batchSize;
    options.lrpComposite = compositeFromName(parser.value("lrp-composite"));
    options.faithfulness.steps = static_cast<int>(numberOption(parser, "faithfulness-steps", 1, 1000));
    const double opacity = numberOption(parser, "opacity", 0, 1);
    const bool quiet = parser.isSet("quiet");
    options.progress = [quiet, last = std::string()](const std::string &stage, int done, int total) mutable {
        if (!quiet && stage != last) {
            std::fprintf(stderr, "%s...\n", stage.c_str());
            last = stage;
        }
        (void)done;
        (void)total;
        return true;
    };

    const Profile profile = loadProfile(parser.value("profile"));
    LoadedModel model = loadProfileModel(profile, parser.value("model"), run.inference);
    warnAboutPrecision(precisionMismatch(profile, run.inference.precision));
    if (!parser.isSet("methods"))
        options.parts = explainPartsFor(*model.backbone);
    const QString framePath = inputs.first();
    const RgbImage frame = decodeImageFile(framePath, run.limits);
    const at::Tensor input = preprocessImage(frame, profile.model.input);
    const FrameExplanation explanation = explainFrame(*model.backbone, profile, input, options);

    const QString outDir = parser.value("out");
    if (!QDir().mkpath(outDir))
        throw Error("cannot create the directory " + outDir.toStdString());
    const QDir dir(outDir);
    std::map<std::string, QString> files;
    auto write = [&](const std::string &what, const QString &name, const QByteArray &bytes) {
        writeFileAtomically(dir.filePath(name), bytes);
        files[what] = name;
    };
    for (const Heatmap &map : explanation.heatmaps) {
        const QString base = "heatmap-" + QString::fromStdString(map.method);
        write(map.method + " overlay", base + ".png",
              encodePng(overlayHeatmap(frame, map, opacity, naturalRange(map), naturalColourMap(map))));
        write(map.method + " values", base + ".tiff", encodeFloatTiff(map.values));
    }
    if (explanation.neurons)
        write("neuron relevance", "relevance.csv", relevanceCsv(*explanation.neurons));
    if (explanation.faithfulness)
        write("faithfulness", "faithfulness.csv", faithfulnessCsv(*explanation.faithfulness));
    if (explanation.landscape) {
        write("landscape", "landscape.csv", landscapeCsv(*explanation.landscape));
        write("landscape picture", "landscape.png", encodePng(landscapePicture(*explanation.landscape)));
    }
    if (!explanation.densities.empty())
        write("densities", "densities.csv", densitiesCsv(explanation.densities));
    if (explanation.labels)
        write("matched labels", "labels.csv", labelsCsv(*explanation.labels));
    files["summary"] = "summary.json";
    writeFileAtomically(
        dir.filePath("summary.json"),
        explanationJson(explanation, profile, QFileInfo(framePath).absoluteFilePath(), files));

    if (!quiet) {
        const std::string predicted =
            explanation.prediction >= 0 &&
                    static_cast<size_t>(explanation.prediction) < profile.model.classNames.size()
                ? profile.model.classNames[static_cast<size_t>(explanation.prediction)]
                : std::to_string(explanation.prediction);
        std::fprintf(stderr, "%s: predicted %s, flagged by %d of %zu detectors\n", qPrintable(framePath),
                     predicted.c_str(), explanation.flaggedCount(), explanation.verdicts.size());
        if (explanation.labels) {
            std::fprintf(stderr, "closest ID labels:");
            for (const LabelMatch &m : explanation.labels->idLabels)
                std::fprintf(stderr, " %s (%.3f)", m.label.c_str(), m.cosine);
            std::fprintf(stderr, "\nclosest negative labels:");
            for (size_t i = 0; i < explanation.labels->negativeLabels.size() && i < 5; ++i)
                std::fprintf(stderr, " %s (%.3f)", explanation.labels->negativeLabels[i].label.c_str(),
                             explanation.labels->negativeLabels[i].cosine);
            std::fprintf(stderr, "\n");
        }
        for (const auto &[part, reason] : explanation.unavailable)
            std::fprintf(stderr, "note: %s not made: %s\n", part.c_str(), reason.c_str());
        double total = 0;
        for (const auto &entry : explanation.seconds)
            total += entry.second;
        // Per stage: seconds and the images it sent through the model (forward, and with input
        // gradients), so a slow stage is seen to be slow per image or for its number of images.
        for (size_t i = 0; i < explanation.seconds.size(); ++i) {
            const int64_t forward =
                i < explanation.forwardImages.size() ? explanation.forwardImages[i].second : 0;
            const int64_t gradient =
                i < explanation.gradientImages.size() ? explanation.gradientImages[i].second : 0;
            std::fprintf(stderr, "  %-14s %8.2f s %6lld forward %6lld gradient images\n",
                         explanation.seconds[i].first.c_str(), explanation.seconds[i].second,
                         static_cast<long long>(forward), static_cast<long long>(gradient));
        }
        std::fprintf(stderr, "wrote %zu files to %s in %.2f s\n", files.size(), qPrintable(outDir), total);
    }
    return ExitOk;
}

} // namespace ood::cli
