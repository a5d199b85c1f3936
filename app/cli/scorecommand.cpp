#include "commands.h"

#include "data/samplelist.h"
#include "detect/registry.h"
#include "error.h"
#include "progressprinter.h"

#include <QSaveFile>
#include <QTextStream>

#include <torch/torch.h>

#include <cstdio>

namespace ood::cli {

namespace {

QString csvField(const QString &value)
{
    if (!value.contains(QLatin1Char(',')) && !value.contains(QLatin1Char('"')) && !value.contains(QLatin1Char('\n')) &&
        !value.contains(QLatin1Char('\r')))
        return value;
    QString quoted = value;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString number(double value)
{
    return std::isnan(value) ? QString() : QString::number(value, 'g', 10);
}

} // namespace

int runScore(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription("Score images with a fitted profile; one CSV row per image.");
    parser.addHelpOption();
    addProfileAndInputOptions(parser, "Image, folder (recursive) or list file; repeatable. Positional arguments too.");
    parser.addOption({"out", "CSV file to write (default: standard output).", "CSV"});
    parser.addOption({"methods", "Comma-separated detector ids (default: all in the profile).", "LIST"});
    addRunOptions(parser);
    if (const int exit = parseCommandLine(parser, arguments, "score", {"profile"}, true); exit >= 0)
        return exit;
    const QStringList inputs = inputsFrom(parser);

    const RunOptions options = runOptionsFrom(parser);
    const Profile profile = loadProfile(parser.value("profile"));
    std::vector<std::string> ids;
    if (parser.isSet("methods"))
        ids = parseDetectorList(parser.value("methods").toStdString());
    LoadedModel model = loadProfileModel(profile, parser.value("model"));
    const SampleList list = scanInputs(inputs);
    for (const QString &problem : list.problems)
        std::fprintf(stderr, "warning: %s\n", qPrintable(problem));

    // stderr: standard output may be the CSV.
    if (ids.empty())
        for (const auto &[detectorId, reason] : profile.unavailable)
            std::fprintf(stderr, "note: %s is not scored, it is unavailable for this model: %s\n", detectorId.c_str(),
                         reason.c_str());

    ProgressPrinter printer(parser.isSet("quiet"));
    const ScoredImages scored = scoreImages(*model.backbone, profile, list.samples, ids, options, std::ref(printer));
    printer.finish();

    QString text;
    QTextStream out(&text);
    out << "path,prediction,confidence";
    for (const std::string &id : scored.detectorIds)
        out << ',' << QString::fromStdString(id);
    out << ",flagged_by,error\n";
    const at::Tensor scores = scored.scores.contiguous();
    const auto k = static_cast<int64_t>(scored.detectorIds.size());
    const double *data = scores.data_ptr<double>();
    for (size_t i = 0; i < scored.samples.size(); ++i) {
        const bool failed = !scored.errors[i].isEmpty();
        const int64_t prediction = scored.predictions[i];
        out << csvField(scored.samples[i].path) << ','
            << (failed ? QString() : csvField(QString::fromStdString(profile.model.classNames.at(static_cast<size_t>(prediction)))))
            << ',' << number(scored.confidences[i]);
        QStringList flaggedBy;
        for (int64_t d = 0; d < k; ++d) {
            const double s = data[static_cast<int64_t>(i) * k + d];
            out << ',' << number(s);
            if (!failed && s > profile.find(scored.detectorIds[static_cast<size_t>(d)])->threshold)
                flaggedBy << QString::fromStdString(scored.detectorIds[static_cast<size_t>(d)]);
        }
        out << ',' << csvField(flaggedBy.join(';')) << ',' << csvField(scored.errors[i]) << '\n';
    }
    out.flush();

    if (parser.isSet("out")) {
        QSaveFile file(parser.value("out"));
        const QByteArray bytes = text.toUtf8();
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
            throw Error("cannot write " + parser.value("out").toStdString() + ": " + file.errorString().toStdString());
    } else {
        std::fputs(text.toUtf8().constData(), stdout);
    }
    const size_t failed = scored.failedCount();
    if (failed)
        std::fprintf(stderr, "%zu of %zu images could not be scored (see the error column)\n", failed,
                     scored.samples.size());
    // A path that does not exist never becomes a row; it is reported above and counts as a failure.
    return failed || !list.problems.isEmpty() ? ExitSomeInputsFailed : ExitOk;
}

} // namespace ood::cli
