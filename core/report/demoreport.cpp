#include "report/demoreport.h"

#include "base/error.h"
#include "report/html.h"
#include "pipeline/verdict.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ood {

const char *frameGroupKey(FrameGroup group)
{
    switch (group) {
    case FrameGroup::InDistribution:
        return "id";
    case FrameGroup::NearOod:
        return "near_ood";
    case FrameGroup::FarOod:
        return "far_ood";
    }
    return "";
}

const char *frameGroupLabel(FrameGroup group)
{
    switch (group) {
    case FrameGroup::InDistribution:
        return "in-distribution";
    case FrameGroup::NearOod:
        return "near OOD";
    case FrameGroup::FarOod:
        return "far OOD";
    }
    return "";
}

std::array<int, kFrameGroupCount> DemoReport::unusualCounts() const
{
    std::array<int, kFrameGroupCount> counts{};
    for (const ReportFrame &frame : frames)
        if (frame.error.isEmpty() && frame.unusual)
            ++counts[static_cast<size_t>(frame.group)];
    return counts;
}

std::array<int, kFrameGroupCount> DemoReport::scoredCounts() const
{
    std::array<int, kFrameGroupCount> counts{};
    for (const ReportFrame &frame : frames)
        if (frame.error.isEmpty())
            ++counts[static_cast<size_t>(frame.group)];
    return counts;
}

void fillDemoReport(DemoReport &report, const ScoredImages &scored, const std::vector<FrameGroup> &groups,
                    const QStringList &displayPaths, const Profile &profile)
{
    const size_t n = scored.samples.size();
    if (groups.size() != n || static_cast<size_t>(displayPaths.size()) != n)
        throw Error("fillDemoReport: one group and one display path per frame are needed");
    const auto k = static_cast<int64_t>(scored.detectorIds.size());
    const at::Tensor scores = scored.scores.defined() ? scored.scores.contiguous() : at::Tensor();
    const double *data = k > 0 && n > 0 ? scores.data_ptr<double>() : nullptr;

    report.frames.clear();
    report.frames.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        ReportFrame frame;
        frame.path = displayPaths[static_cast<int>(i)];
        frame.group = groups[i];
        frame.error = scored.errors[i];
        if (frame.error.isEmpty()) {
            frame.prediction = QString::fromStdString(
                profile.model.classNames.at(static_cast<size_t>(scored.predictions[i])));
            frame.confidence = scored.confidences[i];
            frame.unusual = i < scored.unusual.size() && scored.unusual[i];
            for (int64_t d = 0; d < k; ++d) {
                const std::string &id = scored.detectorIds[static_cast<size_t>(d)];
                if (exceedsThreshold(data[static_cast<int64_t>(i) * k + d], profile.find(id)->threshold))
                    frame.flaggedBy.push_back(id);
            }
        }
        report.frames.push_back(std::move(frame));
    }
    const auto counts = report.scoredCounts();
    for (int g = 0; g < kFrameGroupCount; ++g)
        if (counts[static_cast<size_t>(g)] == 0)
            throw Error(std::string("the demo has no scored ") + frameGroupLabel(static_cast<FrameGroup>(g)) +
                        " frame");

    report.methods.clear();
    for (int64_t d = 0; d < k; ++d) {
        ReportMethod method;
        method.id = scored.detectorIds[static_cast<size_t>(d)];
        method.threshold = profile.find(method.id)->threshold;
        std::array<std::vector<double>, kFrameGroupCount> byGroup;
        for (size_t i = 0; i < n; ++i) {
            if (!scored.errors[i].isEmpty())
                continue;
            const double s = data[static_cast<int64_t>(i) * k + d];
            byGroup[static_cast<size_t>(groups[i])].push_back(s);
            if (exceedsThreshold(s, method.threshold))
                ++method.flagged[static_cast<size_t>(groups[i])];
        }
        method.nearOod = evaluateScores(byGroup[0], byGroup[1]);
        method.farOod = evaluateScores(byGroup[0], byGroup[2]);
        report.methods.push_back(method);
    }
    report.unavailable = profile.unavailable;
    report.verdict = scored.verdict;
    report.verdictDetectors = static_cast<int>(k);
    const ProfileDetector *single =
        scored.verdict.detectorId.empty() ? nullptr : profile.find(scored.verdict.detectorId);
    report.verdictRule =
        verdictRuleWords(scored.verdict, report.verdictDetectors,
                         single ? QString::fromStdString(single->detector->displayName()) : QString());
}

namespace {

QString esc(const std::string &text)
{
    return htmlEscape(QString::fromStdString(text));
}

QString percent(double fraction)
{
    return QString::number(100.0 * fraction, 'f', 2);
}

/// Index of the best value per column (highest AUROC, lowest FPR), for highlighting.
size_t bestIndex(const std::vector<ReportMethod> &methods, double (*value)(const ReportMethod &),
                 bool higherIsBetter)
{
    size_t best = 0;
    for (size_t i = 1; i < methods.size(); ++i) {
        const double a = value(methods[i]), b = value(methods[best]);
        if (higherIsBetter ? a > b : a < b)
            best = i;
    }
    return best;
}

const char *kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ccc; }
.meta { color: #555; margin: 0.2em 0; }
table { border-collapse: collapse; margin: 0.8em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; vertical-align: middle; }
th { background: #f0f0f0; }
td.text, th.text { text-align: left; }
td.best { font-weight: bold; background: #e6f4ea; }
img.thumb { width: 56px; height: 56px; image-rendering: pixelated; border: 1px solid #999; }
.group-id { color: #1a7f37; } .group-near_ood { color: #9a6700; } .group-far_ood { color: #cf222e; }
.tags span { display: inline-block; background: #eef; border-radius: 3px; padding: 0 0.3em; margin: 0.1em; font-size: 0.9em; }
.gallery { display: flex; flex-wrap: wrap; gap: 0.4em; }
.gallery figure { margin: 0; text-align: center; font-size: 0.75em; }
.error { color: #cf222e; }
)";

QString thumbnail(const ReportFrame &frame)
{
    if (frame.png.isEmpty())
        return QString();
    return QString("<img class=\"thumb\" alt=\"%1\" src=\"data:image/png;base64,%2\">")
        .arg(htmlEscape(frame.path), QString::fromLatin1(frame.png.toBase64()));
}

QString groupCell(FrameGroup group)
{
    return QString("<td class=\"text group-%1\">%2</td>")
        .arg(QLatin1String(frameGroupKey(group)), QLatin1String(frameGroupLabel(group)));
}

} // namespace

QString demoReportHtml(const DemoReport &report)
{
    const auto counts = report.scoredCounts();
    QString html;
    html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
            htmlEscape(report.title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
    html += "<h1>" + htmlEscape(report.title) + "</h1>\n";
    html += "<p class=\"meta\">Model: " + htmlEscape(report.modelSummary) + "</p>\n";
    html += QString("<p class=\"meta\">Frames: %1 in-distribution, %2 near OOD, %3 far OOD. "
                    "ood-inspect %4.</p>\n")
                .arg(counts[0])
                .arg(counts[1])
                .arg(counts[2])
                .arg(htmlEscape(report.appVersion));
    const auto unusual = report.unusualCounts();
    html += "<h2>Verdict</h2>\n";
    html += QString("<p class=\"verdict\"><strong>%1:</strong> %2 of %3 in-distribution frames, %4 of %5 "
                    "near-OOD frames, %6 of %7 far-OOD frames.</p>\n")
                .arg(htmlEscape(verdictWords(true)))
                .arg(unusual[0])
                .arg(counts[0])
                .arg(unusual[1])
                .arg(counts[1])
                .arg(unusual[2])
                .arg(counts[2]);
    html += QString("<p>A frame is called unusual when %1. On the %2 in-distribution validation frames the "
                    "profile was fitted on, this rule flags %3: %4. A frame that is not flagged is not "
                    "thereby normal: the checks only compare it with the frames the model was fitted "
                    "on.</p>\n")
                .arg(htmlEscape(report.verdictRule))
                .arg(report.verdict.validationFrames)
                .arg(std::isnan(report.verdict.falseAlarmRate) ? QString("nothing")
                                                               : percent(report.verdict.falseAlarmRate) + "%")
                .arg(htmlEscape(falseAlarmWords(report.verdict.falseAlarmRate)));
    html +=
        QString("<p>Every detector gives each frame a score; higher means more likely out of distribution. "
                "A detector flags a frame when its score exceeds the detector's threshold, which accepts "
                "%1% of the in-distribution validation frames the profile was fitted on. AUROC: "
                "probability that an OOD frame scores higher than an in-distribution frame (50% is "
                "chance). FPR@95: share of OOD frames accepted when 95% of the in-distribution frames "
                "are accepted (NERO's definition; lower is better).</p>\n")
            .arg(QString::number(100.0 * report.targetTpr, 'g', 4));

    html += "<h2>Detectors</h2>\n<table>\n<tr><th class=\"text\" rowspan=\"2\">detector</th>"
            "<th colspan=\"2\">near OOD</th><th colspan=\"2\">far OOD</th>"
            "<th colspan=\"3\">frames flagged</th><th rowspan=\"2\">threshold</th></tr>\n"
            "<tr><th>AUROC %</th><th>FPR@95 %</th><th>AUROC %</th><th>FPR@95 %</th>"
            "<th>ID</th><th>near</th><th>far</th></tr>\n";
    const auto &m = report.methods;
    const size_t bestNearAuroc = bestIndex(
        m, [](const ReportMethod &r) { return r.nearOod.auroc; }, true);
    const size_t bestNearFpr = bestIndex(
        m, [](const ReportMethod &r) { return r.nearOod.fpr95; }, false);
    const size_t bestFarAuroc = bestIndex(
        m, [](const ReportMethod &r) { return r.farOod.auroc; }, true);
    const size_t bestFarFpr = bestIndex(
        m, [](const ReportMethod &r) { return r.farOod.fpr95; }, false);
    auto cell = [](const QString &text, bool best) {
        return QString(best ? "<td class=\"best\">%1</td>" : "<td>%1</td>").arg(text);
    };
    for (size_t i = 0; i < m.size(); ++i) {
        const ReportMethod &r = m[i];
        html += "<tr><td class=\"text\">" + esc(r.id) + "</td>" +
                cell(percent(r.nearOod.auroc), i == bestNearAuroc) +
                cell(percent(r.nearOod.fpr95), i == bestNearFpr) +
                cell(percent(r.farOod.auroc), i == bestFarAuroc) +
                cell(percent(r.farOod.fpr95), i == bestFarFpr) +
                QString("<td>%1/%2</td><td>%3/%4</td><td>%5/%6</td>")
                    .arg(r.flagged[0])
                    .arg(counts[0])
                    .arg(r.flagged[1])
                    .arg(counts[1])
                    .arg(r.flagged[2])
                    .arg(counts[2]) +
                "<td>" + htmlEscape(QString::number(r.threshold, 'g', 6)) + "</td></tr>\n";
    }
    html += "</table>\n";

    if (!report.unavailable.empty()) {
        html += "<h2>Detectors unavailable for this model</h2>\n<table>\n"
                "<tr><th class=\"text\">detector</th><th class=\"text\">reason</th></tr>\n";
        for (const auto &[id, reason] : report.unavailable)
            html += "<tr><td class=\"text\">" + esc(id) + "</td><td class=\"text\">" + esc(reason) +
                    "</td></tr>\n";
        html += "</table>\n";
    }

    // The verdict decides the lists; most-flagged first, so the frames the detectors agree on lead.
    std::vector<const ReportFrame *> flagged, unflagged, failed;
    for (const ReportFrame &frame : report.frames)
        (!frame.error.isEmpty() ? failed : frame.unusual ? flagged : unflagged).push_back(&frame);
    std::stable_sort(flagged.begin(), flagged.end(), [](const ReportFrame *a, const ReportFrame *b) {
        return a->flaggedBy.size() > b->flaggedBy.size();
    });

    html += QString("<h2 id=\"flagged\">Frames unusual for this model (%1)</h2>\n").arg(flagged.size());
    if (flagged.empty()) {
        html += "<p>No frame was called unusual.</p>\n";
    } else {
        html += "<table>\n<tr><th>frame</th><th class=\"text\">file</th><th class=\"text\">group</th>"
                "<th class=\"text\">prediction</th><th>confidence</th><th>detectors</th>"
                "<th class=\"text\">flagged by</th></tr>\n";
        for (const ReportFrame *frame : flagged) {
            QString tags;
            for (const std::string &id : frame->flaggedBy)
                tags += "<span>" + esc(id) + "</span>";
            html += "<tr><td>" + thumbnail(*frame) + "</td><td class=\"text\">" + htmlEscape(frame->path) +
                    "</td>" + groupCell(frame->group) + "<td class=\"text\">" +
                    htmlEscape(frame->prediction) + "</td><td>" + QString::number(frame->confidence, 'f', 3) +
                    QString("</td><td>%1/%2</td>").arg(frame->flaggedBy.size()).arg(m.size()) +
                    "<td class=\"text tags\">" + tags + "</td></tr>\n";
        }
        html += "</table>\n";
    }

    html += QString("<h2>Frames with nothing unusual found (%1)</h2>\n<div class=\"gallery\">\n")
                .arg(unflagged.size());
    for (const ReportFrame *frame : unflagged)
        html += "<figure>" + thumbnail(*frame) +
                QString("<figcaption class=\"group-%1\">").arg(QLatin1String(frameGroupKey(frame->group))) +
                htmlEscape(frame->prediction) + "</figcaption></figure>\n";
    html += "</div>\n";

    if (!failed.empty()) {
        html += QString("<h2>Frames that could not be scored (%1)</h2>\n<table>\n").arg(failed.size());
        for (const ReportFrame *frame : failed)
            html += "<tr><td class=\"text\">" + htmlEscape(frame->path) + "</td><td class=\"text error\">" +
                    htmlEscape(frame->error) + "</td></tr>\n";
        html += "</table>\n";
    }
    html += "</body>\n</html>\n";
    return html;
}

QString demoReportMarkdown(const DemoReport &report)
{
    const auto counts = report.scoredCounts();
    QString md = "| Detector | Near OOD AUROC | Near OOD FPR@95 | Far OOD AUROC | Far OOD FPR@95 |\n"
                 "|---|---:|---:|---:|---:|\n";
    for (const ReportMethod &r : report.methods)
        md += QString("| %1 | %2 | %3 | %4 | %5 |\n")
                  .arg(QString::fromStdString(r.id), percent(r.nearOod.auroc), percent(r.nearOod.fpr95),
                       percent(r.farOod.auroc), percent(r.farOod.fpr95));
    md += QString("\n%1 in-distribution, %2 near-OOD and %3 far-OOD frames; AUROC and FPR@95TPR in %.\n")
              .arg(counts[0])
              .arg(counts[1])
              .arg(counts[2]);
    const auto unusual = report.unusualCounts();
    md += QString("Verdict (%1; %2): unusual %3/%4 ID, %5/%6 near-OOD, %7/%8 far-OOD frames.\n")
              .arg(report.verdictRule, falseAlarmWords(report.verdict.falseAlarmRate))
              .arg(unusual[0])
              .arg(counts[0])
              .arg(unusual[1])
              .arg(counts[1])
              .arg(unusual[2])
              .arg(counts[2]);
    if (!report.unavailable.empty()) {
        QStringList parts;
        for (const auto &[id, reason] : report.unavailable)
            parts << QString("%1 (%2)").arg(QString::fromStdString(id), QString::fromStdString(reason));
        md += "Unavailable for this model: " + parts.join("; ") + ".\n";
    }
    return md;
}

QString demoReportText(const DemoReport &report)
{
    const auto counts = report.scoredCounts();
    const auto unusual = report.unusualCounts();
    QString text = QString("%1: %2 of %3 ID frames, %4 of %5 near OOD, %6 of %7 far OOD\n")
                       .arg(verdictWords(true))
                       .arg(unusual[0])
                       .arg(counts[0])
                       .arg(unusual[1])
                       .arg(counts[1])
                       .arg(unusual[2])
                       .arg(counts[2]);
    text +=
        QString("rule: %1; %2\n\n").arg(report.verdictRule, falseAlarmWords(report.verdict.falseAlarmRate));
    text += QString("ID %1 frames, near OOD %2, far OOD %3\n").arg(counts[0]).arg(counts[1]).arg(counts[2]);
    text += QString("%1 %2 %3 %4 %5 %6\n")
                .arg(QString("method"), -14)
                .arg(QString("near AUROC"), 11)
                .arg(QString("near FPR@95"), 12)
                .arg(QString("far AUROC"), 10)
                .arg(QString("far FPR@95"), 11)
                .arg(QString("flagged ID/near/far"), 20);
    for (const ReportMethod &r : report.methods)
        text += QString("%1 %2 %3 %4 %5 %6\n")
                    .arg(QString::fromStdString(r.id), -14)
                    .arg(percent(r.nearOod.auroc), 11)
                    .arg(percent(r.nearOod.fpr95), 12)
                    .arg(percent(r.farOod.auroc), 10)
                    .arg(percent(r.farOod.fpr95), 11)
                    .arg(QString("%1/%2/%3").arg(r.flagged[0]).arg(r.flagged[1]).arg(r.flagged[2]), 20);
    for (const auto &[id, reason] : report.unavailable)
        text += QString("%1 unavailable (%2)\n")
                    .arg(QString::fromStdString(id), -14)
                    .arg(QString::fromStdString(reason));
    return text;
}

QByteArray demoReportJson(const DemoReport &report)
{
    const auto counts = report.scoredCounts();
    QJsonObject frames;
    QJsonObject nearOod, farOod, flagged, unavailable;
    for (int g = 0; g < kFrameGroupCount; ++g)
        frames[QLatin1String(frameGroupKey(static_cast<FrameGroup>(g)))] = counts[static_cast<size_t>(g)];
    auto metrics = [](const OodMetrics &m) {
        return QJsonObject{
            {"auroc", m.auroc}, {"fpr95", m.fpr95}, {"aupr_in", m.auprIn}, {"aupr_out", m.auprOut}};
    };
    for (const ReportMethod &r : report.methods) {
        const QString id = QString::fromStdString(r.id);
        nearOod[id] = metrics(r.nearOod);
        farOod[id] = metrics(r.farOod);
        flagged[id] = QJsonObject{{"threshold", r.threshold},
                                  {"id", r.flagged[0]},
                                  {"near_ood", r.flagged[1]},
                                  {"far_ood", r.flagged[2]}};
    }
    for (const auto &[id, reason] : report.unavailable)
        unavailable[QString::fromStdString(id)] = QString::fromStdString(reason);
    const auto unusual = report.unusualCounts();
    QJsonObject unusualByGroup;
    for (int g = 0; g < kFrameGroupCount; ++g)
        unusualByGroup[QLatin1String(frameGroupKey(static_cast<FrameGroup>(g)))] =
            unusual[static_cast<size_t>(g)];
    const QJsonObject verdict{{"rule", report.verdictRule},
                              {"detector", QString::fromStdString(report.verdict.detectorId)},
                              {"min_flags", report.verdict.minFlags},
                              {"detectors", report.verdictDetectors},
                              // JSON has no NaN: null when the profile has no validation frames.
                              {"false_alarm_rate", std::isnan(report.verdict.falseAlarmRate)
                                                       ? QJsonValue()
                                                       : QJsonValue(report.verdict.falseAlarmRate)},
                              {"validation_frames", report.verdict.validationFrames},
                              {"unusual", unusualByGroup}};
    const QJsonObject root{{"frames", frames},           {"near_ood", nearOod},
                           {"far_ood", farOod},          {"flagged", flagged},
                           {"unavailable", unavailable}, {"target_tpr", report.targetTpr},
                           {"verdict", verdict}};
    return QJsonDocument(root).toJson();
}

} // namespace ood
