// ood-inspect demo: the bundled demo (model, profile, sample frames; compiled into the program as
// a Qt resource from resources/demo/assets/) scored by every detector, with an HTML report.

#include "commands.h"

#include "session/demoassets.h"
#include "data/samplelist.h"
#include "base/error.h"
#include "progressprinter.h"
#include "session/inspectionsession.h"
#include "report/demoreport.h"
#include "base/version.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QProcess>

#include <algorithm>
#include <cstdio>

namespace ood::cli {

namespace {

// Where the compiled-in assets live (app/CMakeLists.txt adds them under this prefix).
const QString kEmbeddedAssets = QStringLiteral(":/demo");

const char *kNoAssets =
    "this ood-inspect was built without the demo assets (resources/demo/assets/ was empty when it was "
    "configured). Build them with 'bash resources/demo/build-assets.sh' (see resources/demo/README.md), "
    "then rebuild ood-inspect (cmake --build --preset dev --target ood-inspect), or pass a folder of "
    "assets with --assets DIR";

struct GroupFolder
{
    FrameGroup group;
    const char *folder; ///< under frames/
};
const GroupFolder kGroupFolders[] = {
    {FrameGroup::InDistribution, "id"}, {FrameGroup::NearOod, "near-ood"}, {FrameGroup::FarOod, "far-ood"}};

QByteArray readWhole(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error("cannot read the demo asset " + path.toStdString() + ": " +
                    file.errorString().toStdString());
    return file.readAll();
}

struct DemoFrame
{
    QString relative; ///< e.g. frames/id/Bag/00012.png
    FrameGroup group;
    QByteArray bytes;
};

/// Every image under <assets>/frames/<group>/, sorted by path within each group.
std::vector<DemoFrame> listFrames(const QString &assets)
{
    std::vector<DemoFrame> frames;
    for (const GroupFolder &g : kGroupFolders) {
        const QString root = assets + "/frames/" + g.folder;
        if (!QFileInfo(root).isDir())
            throw Error("the demo assets in " + assets.toStdString() + " have no frames/" + g.folder +
                        " folder");
        QStringList files;
        QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString file = it.next();
            if (hasImageExtension(file))
                files << file;
        }
        if (files.isEmpty())
            throw Error("the demo assets in " + assets.toStdString() + " have no image under frames/" +
                        g.folder);
        files.sort();
        for (const QString &file : files)
            frames.push_back({QDir(assets).relativeFilePath(file), g.group, readWhole(file)});
    }
    return frames;
}

QString modelSummary(const ModelCard &card)
{
    QStringList classes;
    for (const std::string &name : card.classNames)
        classes << QString::fromStdString(name);
    return QString("%1, %2 classes (%3), input %4x%5, sha256 %6")
        .arg(QString::fromStdString(card.architecture))
        .arg(card.numClasses)
        .arg(classes.join(", "))
        .arg(card.input.width)
        .arg(card.input.height)
        .arg(QString::fromStdString(card.sha256).left(16));
}

} // namespace

int runDemo(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Run the bundled demo: a small classifier trained on three Fashion-MNIST classes, its fitted\n"
        "profile, and sample frames (in-distribution, held-out classes as near OOD, foreign images as\n"
        "far OOD). Scores every frame with every detector of the profile and writes report.html,\n"
        "scores.csv and metrics.json to the output folder, plus the model and the profile (usable with\n"
        "'score' and 'evaluate').");
    parser.addHelpOption();
    parser.addOption({"out", "Output folder (default ./ood-inspector-demo).", "DIR", "ood-inspector-demo"});
    parser.addOption({"assets", "Use the demo assets in this folder instead of the built-in ones.", "DIR"});
    parser.addOption({"markdown", "Print the detector table as Markdown (as in docs/results.md)."});
    parser.addOption({"open", "Open the report in the desktop's browser (xdg-open)."});
    addRunOptions(parser);
    if (const int exit = parseCommandLine(parser, arguments, "demo", {}); exit >= 0)
        return exit;
    if (!parser.positionalArguments().isEmpty())
        return usageError(parser, "demo takes no positional arguments");
    const RunOptions options = runOptionsFrom(parser);
    const bool quiet = parser.isSet("quiet");
    const bool markdown = parser.isSet("markdown");

    QString assets = kEmbeddedAssets;
    if (parser.isSet("assets")) {
        assets = QFileInfo(parser.value("assets")).absoluteFilePath();
        if (!QFileInfo(assets).isDir())
            throw Error("the demo assets folder " + assets.toStdString() + " does not exist");
    } else if (!QFileInfo(kEmbeddedAssets + "/model.pt").exists()) {
        throw Error(kNoAssets);
    }
    for (const char *name : {"model.pt", "demo.oodprofile"})
        if (!QFileInfo(assets + "/" + name).isFile())
            throw Error("the demo assets in " + assets.toStdString() + " have no " + name);

    const QString out = QFileInfo(parser.value("out")).absoluteFilePath();
    if (!QDir().mkpath(out))
        throw Error("cannot create the output folder " + out.toStdString());
    if (!quiet)
        std::fprintf(stderr, "extracting the demo to %s\n", qPrintable(out));

    // Not extractDemoAssets: that keeps files of the same size and copies every file, while here
    // the model and profile are always replaced and the frames are written below, from the bytes
    // the report also embeds.
    const QString modelPath = out + "/model.pt";
    writeFileAtomically(modelPath, readWhole(assets + "/model.pt"));
    const QString profilePath = out + "/demo.oodprofile";
    writeFileAtomically(profilePath, readWhole(assets + "/demo.oodprofile"));
    pointDemoProfileAtModel(profilePath, modelPath);
    InspectionSession session;
    session.openProfile(profilePath, {}, options.inference);
    warnAboutPrecision(session.precisionNote().toStdString());
    const Profile &profile = *session.profile();

    // Frames are written out because the decoder reads files, and so the CSV names real files.
    const std::vector<DemoFrame> frames = listFrames(assets);
    std::vector<Sample> samples;
    std::vector<FrameGroup> groups;
    QStringList displayPaths;
    for (const DemoFrame &frame : frames) {
        const QString path = out + "/" + frame.relative;
        QDir().mkpath(QFileInfo(path).absolutePath());
        writeFileAtomically(path, frame.bytes);
        samples.push_back({path, -1});
        groups.push_back(frame.group);
        displayPaths << frame.relative;
    }

    ProgressPrinter printer(quiet);
    const ScoredImages scored = session.score(samples, {}, options, std::ref(printer), "demo");
    printer.finish();

    DemoReport report;
    report.modelSummary = modelSummary(profile.model);
    report.appVersion = QString(OOD_VERSION_STRING " (git " OOD_GIT_REVISION ")");
    report.targetTpr = profile.targetTpr;
    fillDemoReport(report, scored, groups, displayPaths, profile);
    for (size_t i = 0; i < frames.size(); ++i)
        report.frames[i].png = frames[i].bytes;

    const QString html = out + "/report.html";
    writeFileAtomically(out + "/scores.csv", scoresCsv(scored, profile, displayPaths, 17).toUtf8());
    writeFileAtomically(out + "/metrics.json", demoReportJson(report));
    writeFileAtomically(html, demoReportHtml(report).toUtf8());

    for (const DemoFrame &frame : frames) {
        const size_t i = static_cast<size_t>(&frame - frames.data());
        if (!scored.errors[i].isEmpty())
            std::fprintf(stderr, "failed: %s\n", qPrintable(scored.errors[i]));
    }
    std::fputs(qPrintable(markdown ? demoReportMarkdown(report) : demoReportText(report)), stdout);
    // With --markdown, standard output is the table alone (it goes into docs/results.md as is).
    std::fprintf(markdown ? stderr : stdout, "report: %s\n", qPrintable(html));
    std::fflush(stdout);
    if (parser.isSet("open") && !QProcess::startDetached("xdg-open", {html}))
        std::fprintf(stderr, "could not start xdg-open; open %s in a browser\n", qPrintable(html));
    return scored.failedCount() > 0 ? ExitSomeInputsFailed : ExitOk;
}

} // namespace ood::cli
