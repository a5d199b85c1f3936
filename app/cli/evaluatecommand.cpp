#include "commands.h"

#include "data/samplelist.h"
#include "detect/registry.h"
#include "base/error.h"
#include "eval/metrics.h"
#include "progressprinter.h"
#include "session/inspectionsession.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <torch/torch.h>

#include <cstdio>

namespace ood::cli {

namespace {

/// One OOD test set: a name for the table and the JSON, and the folders it pools.
struct OodSet
{
    QString name;
    QStringList folders;
};

/// Name of the one set that unnamed --ood folders pool into.
const QString kUnnamedSet = "ood";

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

QString percent(double fraction)
{
    return QString::number(100.0 * fraction, 'f', 2);
}

/// The --ood values as sets: all `NAME=DIR` (one set per name, in the order first given) or all
/// plain folders (pooled into one set, "ood"). Returns the message of a usage error, or an empty
/// string. A value counts as named when the text before its first '=' is a plain name (letters,
/// digits, '_', '-'), so a folder whose name holds '=' is given as ./near=x.
QString oodSetsFrom(const QStringList &values, std::vector<OodSet> &sets, bool &named)
{
    static const QRegularExpression namePattern("^[A-Za-z0-9_-]+$");
    int namedCount = 0;
    for (const QString &value : values) {
        const qsizetype eq = value.indexOf('=');
        const QString name = eq > 0 ? value.left(eq) : QString();
        if (name.isEmpty() || !namePattern.match(name).hasMatch()) {
            if (sets.empty())
                sets.push_back({kUnnamedSet, {}});
            sets.front().folders << value;
            continue;
        }
        ++namedCount;
        const QString folder = value.mid(eq + 1);
        if (folder.isEmpty())
            return QString("--ood %1 names no folder (write --ood %2=DIR)").arg(value, name);
        for (const OodSet &set : sets)
            if (set.name == name)
                return QString("--ood: the set name '%1' is given twice; each named set takes one folder "
                               "and a name of its own")
                    .arg(name);
        sets.push_back({name, {folder}});
    }
    named = namedCount > 0;
    if (named && namedCount != values.size())
        return "--ood: name every OOD set (--ood near=DIR --ood far=DIR) or none (the folders are then "
               "pooled into one set), not some";
    return {};
}

/// The first of `paths` that does not exist, with the option that named it; empty when all do.
QString missingPath(const QString &option, const QStringList &paths)
{
    for (const QString &path : paths)
        if (!QFileInfo::exists(path))
            return QString("--%1 %2: does not exist").arg(option, path);
    return {};
}

} // namespace

int runEvaluate(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Evaluate every detector of a profile on ID and OOD test images:\n"
        "AUROC, FPR@95TPR (NERO's definition), AUPR-In, AUPR-Out.\n"
        "Named OOD sets (--ood near=DIR --ood far=DIR) are kept apart: one table with an AUROC and\n"
        "FPR@95 column per set, as in the NERO paper. Use an ID test folder that was not the\n"
        "validation folder of 'fit' (it set the thresholds).");
    parser.addHelpOption();
    parser.addOption({"profile", "Profile written by 'fit'.", "PROFILE"});
    parser.addOption({"model", "Use the model at this path instead of the one the profile names.", "CKPT"});
    parser.addOption({"id", "In-distribution test images (folder, recursive; repeatable).", "DIR"});
    parser.addOption(
        {"ood",
         "Out-of-distribution test images: NAME=DIR, one named set per option (e.g. near=DIR, "
         "far=DIR), or DIR (folder, recursive; repeated unnamed folders are pooled into one set).",
         "[NAME=]DIR"});
    parser.addOption(
        {"json",
         "Also write the metrics as JSON (fractions in [0,1]): {\"<set>\": {\"<detector>\": ...}} "
         "for named sets, {\"<detector>\": ...} for unnamed folders.",
         "FILE"});
    parser.addOption({"markdown", "Print the table as Markdown: an AUROC and an FPR@95 column per OOD set."});
    parser.addOption({"methods", "Comma-separated detector ids (default: all in the profile).", "LIST"});
    addRunOptions(parser);
    if (const int exit = parseCommandLine(parser, arguments, "evaluate", {"profile", "id", "ood"}); exit >= 0)
        return exit;
    std::vector<OodSet> sets;
    bool named = false;
    if (const QString problem = oodSetsFrom(parser.values("ood"), sets, named); !problem.isEmpty())
        return usageError(parser, problem);
    for (const QString &problem : {missingPath("id", parser.values("id")), missingPath("ood", [&] {
                                       QStringList all;
                                       for (const OodSet &set : sets)
                                           all += set.folders;
                                       return all;
                                   }())})
        if (!problem.isEmpty())
            return usageError(parser, problem);

    const RunOptions options = runOptionsFrom(parser);
    std::vector<std::string> ids;
    if (parser.isSet("methods"))
        ids = parseDetectorList(parser.value("methods").toStdString());
    InspectionSession session;
    session.openProfile(parser.value("profile"), parser.value("model"), options.inference);
    warnAboutPrecision(session.precisionNote().toStdString());
    const Profile &profile = *session.profile();
    const SampleList idList = scanInputs(parser.values("id"));
    std::vector<SampleList> oodLists;
    bool listProblems = !idList.problems.isEmpty();
    for (const QString &problem : idList.problems)
        std::fprintf(stderr, "warning: %s\n", qPrintable(problem));
    if (idList.samples.empty())
        throw Error("evaluate needs at least one ID image; --id " +
                    parser.values("id").join(", ").toStdString() + " holds none");
    for (const OodSet &set : sets) {
        oodLists.push_back(scanInputs(set.folders));
        for (const QString &problem : oodLists.back().problems)
            std::fprintf(stderr, "warning: %s\n", qPrintable(problem));
        listProblems = listProblems || !oodLists.back().problems.isEmpty();
        if (oodLists.back().samples.empty())
            throw Error(QString("evaluate needs at least one OOD image per set; %1 (%2) holds none")
                            .arg(named ? "set '" + set.name + "'" : QString("--ood"), set.folders.join(", "))
                            .toStdString());
    }

    ProgressPrinter printer(parser.isSet("quiet"));
    const ScoredImages id = session.score(idList.samples, ids, options, std::ref(printer), "id");
    std::vector<ScoredImages> ood;
    for (size_t s = 0; s < sets.size(); ++s)
        ood.push_back(
            session.score(oodLists[s].samples, ids, options, std::ref(printer), sets[s].name.toStdString()));
    printer.finish();
    reportFailures(id);
    size_t failed = id.failedCount();
    for (const ScoredImages &scored : ood) {
        reportFailures(scored);
        failed += scored.failedCount();
    }

    // metrics[d][s]: detector d on set s against the ID images.
    std::vector<std::vector<OodMetrics>> metrics(id.detectorIds.size());
    for (size_t d = 0; d < id.detectorIds.size(); ++d) {
        const std::vector<double> idScores = column(id, d);
        for (const ScoredImages &scored : ood)
            metrics[d].push_back(evaluateScores(idScores, column(scored, d)));
    }
    auto metricsJson = [](const OodMetrics &m) {
        return QJsonObject{
            {"auroc", m.auroc}, {"fpr95", m.fpr95}, {"aupr_in", m.auprIn}, {"aupr_out", m.auprOut}};
    };
    auto scoredCount = [](const ScoredImages &scored) {
        return scored.samples.size() - scored.failedCount();
    };

    QJsonObject json;
    if (parser.isSet("markdown")) {
        // Standard output is the table and its one-line legend alone, to paste into a document.
        QString header = "| Detector |";
        QString rule = "|---|";
        for (const OodSet &set : sets) {
            header += QString(" %1 AUROC | %1 FPR@95 |").arg(set.name);
            rule += "---:|---:|";
        }
        QString md = header + "\n" + rule + "\n";
        for (size_t d = 0; d < id.detectorIds.size(); ++d) {
            md += "| " + QString::fromStdString(id.detectorIds[d]) + " |";
            for (const OodMetrics &m : metrics[d])
                md += QString(" %1 | %2 |").arg(percent(m.auroc), percent(m.fpr95));
            md += "\n";
        }
        QStringList counts;
        for (size_t s = 0; s < sets.size(); ++s)
            counts << QString("%1 %2").arg(scoredCount(ood[s])).arg(sets[s].name);
        md += QString("\n%1 in-distribution images; OOD: %2. AUROC and FPR@95TPR in %.\n")
                  .arg(scoredCount(id))
                  .arg(counts.join(", "));
        if (ids.empty() && !profile.unavailable.empty()) {
            QStringList parts;
            for (const auto &[detectorId, reason] : profile.unavailable)
                parts << QString("%1 (%2)").arg(QString::fromStdString(detectorId),
                                                QString::fromStdString(reason));
            md += "Unavailable for this model: " + parts.join("; ") + ".\n";
        }
        std::fputs(qPrintable(md), stdout);
    } else if (sets.size() == 1) {
        std::printf("ID %zu images, OOD %zu images\n", scoredCount(id), scoredCount(ood.front()));
        std::printf("%-14s %8s %8s %8s %8s\n", "method", "AUROC", "FPR@95", "AUPR-In", "AUPR-Out");
        for (size_t d = 0; d < id.detectorIds.size(); ++d) {
            const OodMetrics &m = metrics[d].front();
            std::printf("%-14s %8.2f %8.2f %8.2f %8.2f\n", id.detectorIds[d].c_str(), 100 * m.auroc,
                        100 * m.fpr95, 100 * m.auprIn, 100 * m.auprOut);
        }
    } else {
        QStringList counts;
        for (size_t s = 0; s < sets.size(); ++s)
            counts << QString("%1 %2").arg(sets[s].name).arg(scoredCount(ood[s]));
        std::printf("ID %zu images; OOD %s images\n", scoredCount(id), qPrintable(counts.join(", ")));
        QString header = QString("%1").arg("method", -14);
        for (const OodSet &set : sets)
            header += QString(" %1 %2").arg(set.name + " AUROC", 14).arg(set.name + " FPR@95", 14);
        std::printf("%s\n", qPrintable(header));
        for (size_t d = 0; d < id.detectorIds.size(); ++d) {
            QString line = QString("%1").arg(QString::fromStdString(id.detectorIds[d]), -14);
            for (const OodMetrics &m : metrics[d])
                line += QString(" %1 %2").arg(percent(m.auroc), 14).arg(percent(m.fpr95), 14);
            std::printf("%s\n", qPrintable(line));
        }
        std::printf("AUROC and FPR@95TPR in %%; AUPR-In and AUPR-Out are in the --json file.\n");
    }
    // Asked-for detectors that could not run on this model were left out at fit time; an explicit
    // --methods naming one has already failed in scoreImages with the reason.
    if (ids.empty() && !parser.isSet("markdown"))
        for (const auto &[detectorId, reason] : profile.unavailable)
            std::printf("%-14s %8s  (%s)\n", detectorId.c_str(), "unavailable", reason.c_str());

    for (size_t d = 0; d < id.detectorIds.size(); ++d) {
        const QString detector = QString::fromStdString(id.detectorIds[d]);
        if (!named) {
            json[detector] = metricsJson(metrics[d].front());
            continue;
        }
        for (size_t s = 0; s < sets.size(); ++s) {
            QJsonObject set = json[sets[s].name].toObject();
            set[detector] = metricsJson(metrics[d][s]);
            json[sets[s].name] = set;
        }
    }
    if (parser.isSet("json"))
        writeFileAtomically(parser.value("json"), QJsonDocument(json).toJson());
    return failed > 0 || listProblems ? ExitSomeInputsFailed : ExitOk;
}

} // namespace ood::cli
