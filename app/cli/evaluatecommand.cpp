#include "commands.h"

#include "data/samplelist.h"
#include "detect/registry.h"
#include "base/error.h"
#include "eval/metrics.h"
#include "progressprinter.h"
#include "session/inspectionsession.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <torch/torch.h>

#include <cstdio>

namespace ood::cli {

namespace {

std::vector<double> column(const ScoredImages &scored, size_t detector)
{
    std::vector<double> values;
    const at::Tensor scores = scored.scores.contiguous();
    const auto k = static_cast<int64_t>(scored.detectorIds.size());
    const double *data = scores.data_ptr<double>();
    for (size_t i = 0; i < scored.samples.size(); ++i)
        if (scored.errors[i].isEmpty())
            values.push_back(data[static_cast<int64_t>(i) * k + static_cast<int64_t>(detector)]);
    return values;
}

void reportFailures(const ScoredImages &scored)
{
    for (size_t i = 0; i < scored.samples.size(); ++i)
        if (!scored.errors[i].isEmpty())
            std::fprintf(stderr, "failed: %s\n", qPrintable(scored.errors[i]));
}

} // namespace

int runEvaluate(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription("Evaluate every detector of a profile on ID and OOD test images:\n"
                                     "AUROC, FPR@95TPR (NERO's definition), AUPR-In, AUPR-Out.");
    parser.addHelpOption();
    parser.addOption({"profile", "Profile written by 'fit'.", "PROFILE"});
    parser.addOption({"model", "Use the model at this path instead of the one the profile names.", "CKPT"});
    parser.addOption({"id", "In-distribution test images (folder, recursive; repeatable).", "DIR"});
    parser.addOption({"ood", "Out-of-distribution test images (folder, recursive; repeatable).", "DIR"});
    parser.addOption({"json", "Also write the metrics as JSON (fractions in [0,1]).", "FILE"});
    parser.addOption({"methods", "Comma-separated detector ids (default: all in the profile).", "LIST"});
    addRunOptions(parser);
    if (const int exit = parseCommandLine(parser, arguments, "evaluate", {"profile", "id", "ood"}); exit >= 0)
        return exit;

    const RunOptions options = runOptionsFrom(parser);
    std::vector<std::string> ids;
    if (parser.isSet("methods"))
        ids = parseDetectorList(parser.value("methods").toStdString());
    InspectionSession session;
    session.openProfile(parser.value("profile"), parser.value("model"), options.inference);
    warnAboutPrecision(session.precisionNote().toStdString());
    const Profile &profile = *session.profile();
    const SampleList idList = scanInputs(parser.values("id"));
    const SampleList oodList = scanInputs(parser.values("ood"));
    for (const QString &problem : idList.problems + oodList.problems)
        std::fprintf(stderr, "warning: %s\n", qPrintable(problem));
    if (idList.samples.empty() || oodList.samples.empty())
        throw Error("evaluate needs at least one ID and one OOD image");

    ProgressPrinter printer(parser.isSet("quiet"));
    const ScoredImages id = session.score(idList.samples, ids, options, std::ref(printer), "id");
    const ScoredImages ood = session.score(oodList.samples, ids, options, std::ref(printer), "ood");
    printer.finish();
    reportFailures(id);
    reportFailures(ood);

    QJsonObject json;
    std::printf("ID %zu images, OOD %zu images\n", id.samples.size() - id.failedCount(),
                ood.samples.size() - ood.failedCount());
    std::printf("%-14s %8s %8s %8s %8s\n", "method", "AUROC", "FPR@95", "AUPR-In", "AUPR-Out");
    for (size_t d = 0; d < id.detectorIds.size(); ++d) {
        const OodMetrics m = evaluateScores(column(id, d), column(ood, d));
        std::printf("%-14s %8.2f %8.2f %8.2f %8.2f\n", id.detectorIds[d].c_str(), 100 * m.auroc,
                    100 * m.fpr95, 100 * m.auprIn, 100 * m.auprOut);
        json[QString::fromStdString(id.detectorIds[d])] = QJsonObject{
            {"auroc", m.auroc}, {"fpr95", m.fpr95}, {"aupr_in", m.auprIn}, {"aupr_out", m.auprOut}};
    }
    // Asked-for detectors that could not run on this model were left out at fit time; an explicit
    // --methods naming one has already failed in scoreImages with the reason.
    if (ids.empty())
        for (const auto &[detectorId, reason] : profile.unavailable)
            std::printf("%-14s %8s  (%s)\n", detectorId.c_str(), "unavailable", reason.c_str());
    if (parser.isSet("json"))
        writeFileAtomically(parser.value("json"), QJsonDocument(json).toJson());
    const bool someFailed =
        id.failedCount() + ood.failedCount() > 0 || !idList.problems.isEmpty() || !oodList.problems.isEmpty();
    return someFailed ? ExitSomeInputsFailed : ExitOk;
}

} // namespace ood::cli
