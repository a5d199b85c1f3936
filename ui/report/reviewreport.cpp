#include "report/reviewreport.h"
#include "report/csv.h"

#include "error.h"
#include "review/reviewmark.h"
#include "version.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFileInfo>
#include <QFont>
#include <QFontDatabase>
#include <QPageLayout>
#include <QPageSize>
#include <QPagedPaintDevice>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextLayout>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <memory>

namespace ood {

ReviewReportCounts ReviewReportData::counts() const
{
    ReviewReportCounts c;
    for (const ReviewReportFrame &frame : frames) {
        const FrameRecord &r = frame.record;
        ++c.frames;
        if (!r.error.isEmpty())
            ++c.failed;
        else if (r.scored)
            ++c.scored;
        else
            ++c.pending;
        if (r.isFlagged()) {
            ++c.flagged;
            if (r.mark == ReviewMark::None)
                ++c.flaggedUnreviewed;
        }
        switch (r.mark) {
        case ReviewMark::ConfirmedUnusual:
            ++c.confirmedUnusual;
            break;
        case ReviewMark::FalseAlarm:
            ++c.falseAlarm;
            break;
        case ReviewMark::Unsure:
            ++c.unsure;
            break;
        case ReviewMark::None:
            break;
        }
    }
    return c;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Content: one model of the report that both the HTML page and the printed pages render, so the
// two can never say different things.

struct Cell
{
    QString text;
    bool mono = false;   ///< hashes, paths, ids: fixed width, may break anywhere
    bool strong = false; ///< e.g. a score above its threshold
};

struct Table
{
    QStringList header;         ///< empty: a label/value table whose first column is the label
    std::vector<double> widths; ///< share of the text width per column, summing to 1
    std::vector<bool> numeric;  ///< right-aligned columns
    std::vector<std::vector<Cell>> rows;
};

struct FrameView
{
    QString heading;
    QString name;              ///< for the images' alternative text
    QImage thumbnail, heatmap; ///< already flattened and reduced (preparedImage)
    Table details;
    QString note;
    std::vector<Table> scores; ///< detectors across, a few per table
};

struct Block
{
    enum Kind { Paragraph, TableBlock, Frame } kind = Paragraph;
    QString text;
    Table table;
    FrameView frame;
};

struct Section
{
    QString id; ///< HTML anchor; stable, not translated
    QString heading;
    std::vector<Block> blocks;
};

struct ReportModel
{
    QString title;
    QString subtitle;
    QString footer; ///< printed at the foot of every page before "page i of n"
    std::vector<Section> sections;
};

const QString kDash = QStringLiteral("\u2014");

QString scoreText(double value)
{
    return std::isnan(value) ? kDash : QString::number(value, 'g', 6);
}

QString percentText(double fraction)
{
    return std::isnan(fraction)
               ? kDash
               : QCoreApplication::translate("ReviewReport", "%1 %").arg(fraction * 100.0, 0, 'f', 1);
}

QString markLabel(ReviewMark mark)
{
    switch (mark) {
    case ReviewMark::ConfirmedUnusual:
        return QCoreApplication::translate("ReviewReport", "confirmed unusual");
    case ReviewMark::FalseAlarm:
        return QCoreApplication::translate("ReviewReport", "false alarm");
    case ReviewMark::Unsure:
        return QCoreApplication::translate("ReviewReport", "unsure");
    case ReviewMark::None:
        break;
    }
    return QCoreApplication::translate("ReviewReport", "not reviewed");
}

QString frameName(const FrameRecord &r)
{
    return r.displayName.isEmpty() ? QFileInfo(r.path).fileName() : r.displayName;
}

QString predictionName(const ReviewReportData &data, const FrameRecord &r)
{
    if (!r.scored || r.prediction < 0)
        return QString();
    if (r.prediction < data.classNames.size())
        return data.classNames[r.prediction];
    return QCoreApplication::translate("ReviewReport", "class %1").arg(r.prediction);
}

QString timeText(const QDateTime &t, bool utc)
{
    if (!t.isValid())
        return kDash;
    if (utc)
        return QCoreApplication::translate("ReviewReport", "%1 UTC")
            .arg(t.toUTC().toString("yyyy-MM-dd HH:mm:ss"));
    const QDateTime local = t.toLocalTime();
    const int offset = local.offsetFromUtc();
    const QString sign = offset < 0 ? QStringLiteral("-") : QStringLiteral("+");
    const int minutes = std::abs(offset) / 60;
    return QCoreApplication::translate("ReviewReport", "%1 (UTC%2%3:%4)")
        .arg(local.toString("yyyy-MM-dd HH:mm:ss"), sign)
        .arg(minutes / 60, 2, 10, QLatin1Char('0'))
        .arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

bool exceeds(const ReviewReportDetector &d, double score)
{
    return !std::isnan(score) && score > d.threshold;
}

/// A scored frame must carry one score per detector, and its flag count must be the one the
/// thresholds in the report give: a record that contradicts its own thresholds is refused.
void validate(const ReviewReportData &data)
{
    const size_t k = data.detectors.size();
    for (const ReviewReportFrame &frame : data.frames) {
        const FrameRecord &r = frame.record;
        if (!r.scored || !r.error.isEmpty())
            continue;
        if (r.scores.size() != k)
            throw Error(QCoreApplication::translate("ReviewReport", "frame %1 has %2 scores for %3 detectors")
                            .arg(frameName(r), QString::number(r.scores.size()), QString::number(k))
                            .toStdString());
        int above = 0;
        for (size_t d = 0; d < k; ++d)
            above += exceeds(data.detectors[d], r.scores[d]) ? 1 : 0;
        if (above != r.flaggedBy)
            throw Error(QCoreApplication::translate(
                            "ReviewReport", "frame %1 is flagged by %2 detectors, but %3 of its scores "
                                            "exceed the thresholds of the report")
                            .arg(frameName(r), QString::number(r.flaggedBy), QString::number(above))
                            .toStdString());
    }
}

/// The pictures are shown on white paper: flatten any transparency onto white, and cap the size
/// (about 140 dpi at the printed width, 1.5 pixels per CSS pixel on screen) so that hundreds of
/// flagged frames stay a file that mail and record systems accept.
QImage preparedImage(const QImage &source)
{
    if (source.isNull())
        return QImage();
    QImage image = source;
    if (image.width() > 480 || image.height() > 360)
        image = image.scaled(480, 360, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    QImage flat(image.size(), QImage::Format_RGB32);
    flat.fill(Qt::white);
    QPainter painter(&flat);
    painter.drawImage(0, 0, image);
    painter.end();
    return flat;
}

Cell cell(const QString &text, bool mono = false, bool strong = false)
{
    return Cell{text, mono, strong};
}

ReportModel buildModel(const ReviewReportData &data)
{
    validate(data);
    const ReviewReportCounts counts = data.counts();
    const QString version = data.appVersion.isEmpty() ? QStringLiteral(OOD_VERSION_STRING) : data.appVersion;
    const QString title =
        data.title.isEmpty() ? QCoreApplication::translate("ReviewReport", "untitled session") : data.title;

    ReportModel model;
    model.title = QCoreApplication::translate("ReviewReport", "Review report: %1").arg(title);
    model.subtitle =
        QCoreApplication::translate("ReviewReport", "OOD Inspector %1, out-of-distribution detection on "
                                                    "endoscopy frames. Created %2.")
            .arg(version, timeText(data.created, true));
    model.footer =
        QCoreApplication::translate("ReviewReport", "%1, %2").arg(title, timeText(data.created, true));

    // Summary.
    {
        Section s{QStringLiteral("summary"), QCoreApplication::translate("ReviewReport", "Summary"), {}};
        Table t;
        t.widths = {0.32, 0.68};
        auto row = [&t](const QString &label, const QString &value, bool mono = false) {
            t.rows.push_back({cell(label), cell(value, mono)});
        };
        const auto n = [](int v) { return QString::number(v); };
        row(QCoreApplication::translate("ReviewReport", "Session"), title);
        row(QCoreApplication::translate("ReviewReport", "Created (UTC)"), timeText(data.created, true));
        row(QCoreApplication::translate("ReviewReport", "Created (local time)"),
            timeText(data.created, false));
        row(QCoreApplication::translate("ReviewReport", "Reviewer"),
            data.reviewer.isEmpty() ? QCoreApplication::translate("ReviewReport", "not given")
                                    : data.reviewer);
        row(QCoreApplication::translate("ReviewReport", "Application"),
            QCoreApplication::translate("ReviewReport", "OOD Inspector %1").arg(version));
        row(QCoreApplication::translate("ReviewReport", "Frames"), n(counts.frames));
        row(QCoreApplication::translate("ReviewReport", "Scored"), n(counts.scored));
        row(QCoreApplication::translate("ReviewReport", "Could not be scored"), n(counts.failed));
        if (counts.pending > 0)
            row(QCoreApplication::translate("ReviewReport", "Not scored yet"), n(counts.pending));
        row(QCoreApplication::translate("ReviewReport", "Flagged"), n(counts.flagged));
        row(QCoreApplication::translate("ReviewReport", "Flagged, not reviewed"),
            n(counts.flaggedUnreviewed));
        row(QCoreApplication::translate("ReviewReport", "Marked confirmed unusual"),
            n(counts.confirmedUnusual));
        row(QCoreApplication::translate("ReviewReport", "Marked false alarm"), n(counts.falseAlarm));
        row(QCoreApplication::translate("ReviewReport", "Marked unsure"), n(counts.unsure));
        s.blocks.push_back(Block{Block::TableBlock, {}, t, {}});
        model.sections.push_back(std::move(s));
    }

    // Model and profile.
    {
        Section s{
            QStringLiteral("model"), QCoreApplication::translate("ReviewReport", "Model and profile"), {}};
        Table t;
        t.widths = {0.32, 0.68};
        auto row = [&t](const QString &label, const QString &value, bool mono = false) {
            t.rows.push_back({cell(label), cell(value.isEmpty() ? kDash : value, mono)});
        };
        row(QCoreApplication::translate("ReviewReport", "Architecture"), data.architecture);
        row(QCoreApplication::translate("ReviewReport", "Model file"), data.modelPath, true);
        row(QCoreApplication::translate("ReviewReport", "Model SHA-256"), data.modelSha256, true);
        row(QCoreApplication::translate("ReviewReport", "Classes (%1)").arg(data.classNames.size()),
            data.classNames.join(QStringLiteral(", ")));
        row(QCoreApplication::translate("ReviewReport", "Input size"),
            data.inputWidth > 0 && data.inputHeight > 0
                ? QCoreApplication::translate("ReviewReport", "%1 \u00d7 %2 pixels")
                      .arg(data.inputWidth)
                      .arg(data.inputHeight)
                : QString());
        row(QCoreApplication::translate("ReviewReport", "Profile file"), data.profilePath, true);
        row(QCoreApplication::translate("ReviewReport", "Profile SHA-256"), data.profileSha256, true);
        s.blocks.push_back(Block{Block::TableBlock, {}, t, {}});
        model.sections.push_back(std::move(s));
    }

    // Detectors.
    {
        Section s{QStringLiteral("detectors"),
                  QCoreApplication::translate("ReviewReport", "Detectors and thresholds"),
                  {}};
        Table t;
        t.header = {QCoreApplication::translate("ReviewReport", "Detector"),
                    QCoreApplication::translate("ReviewReport", "Id"),
                    QCoreApplication::translate("ReviewReport", "Threshold"),
                    QCoreApplication::translate("ReviewReport", "Target TPR"),
                    QCoreApplication::translate("ReviewReport", "Flagged"),
                    QCoreApplication::translate("ReviewReport", "AUROC"),
                    QCoreApplication::translate("ReviewReport", "FPR at 95 % TPR")};
        t.widths = {0.21, 0.14, 0.13, 0.11, 0.15, 0.11, 0.15};
        t.numeric = {false, false, true, true, true, true, true};
        for (size_t d = 0; d < data.detectors.size(); ++d) {
            const ReviewReportDetector &det = data.detectors[d];
            int flagged = 0;
            for (const ReviewReportFrame &frame : data.frames)
                if (frame.record.scored && frame.record.error.isEmpty() &&
                    exceeds(det, frame.record.scores[d]))
                    ++flagged;
            t.rows.push_back(
                {cell(det.displayName.isEmpty() ? det.id : det.displayName), cell(det.id, true),
                 cell(scoreText(det.threshold)), cell(percentText(det.targetTpr)),
                 cell(
                     QCoreApplication::translate("ReviewReport", "%1 of %2").arg(flagged).arg(counts.scored)),
                 cell(percentText(det.auroc)), cell(percentText(det.fpr95))});
        }
        s.blocks.push_back(Block{Block::TableBlock, {}, t, {}});
        s.blocks.push_back(
            Block{Block::Paragraph,
                  QCoreApplication::translate(
                      "ReviewReport",
                      "A frame is flagged when a detector's score exceeds its threshold; each threshold "
                      "accepts the target share (TPR) of the in-distribution validation frames. AUROC and "
                      "FPR at 95 % TPR are measured on the session's frames of known in-distribution and "
                      "out-of-distribution groups; \u2014 when the session has no such groups."),
                  {},
                  {}});
        model.sections.push_back(std::move(s));
    }

    // Flagged frames.
    {
        Section s{QStringLiteral("flagged"),
                  QCoreApplication::translate("ReviewReport", "Flagged frames (%1)").arg(counts.flagged),
                  {}};
        int index = 0;
        for (const ReviewReportFrame &frame : data.frames) {
            const FrameRecord &r = frame.record;
            if (!r.isFlagged())
                continue;
            ++index;
            FrameView view;
            view.name = frameName(r);
            view.heading = QCoreApplication::translate("ReviewReport", "%1. %2").arg(index).arg(view.name);
            view.thumbnail = preparedImage(frame.thumbnail);
            view.heatmap = preparedImage(frame.heatmap);

            QStringList by;
            for (size_t d = 0; d < data.detectors.size(); ++d)
                if (d < r.scores.size() && exceeds(data.detectors[d], r.scores[d]))
                    by << (data.detectors[d].displayName.isEmpty() ? data.detectors[d].id
                                                                   : data.detectors[d].displayName);
            QString file = r.path;
            if (r.videoFrame >= 0)
                file = QCoreApplication::translate("ReviewReport", "%1, frame %2")
                           .arg(r.path, QString::number(r.videoFrame));
            const QString prediction = predictionName(data, r);
            view.details.widths = {0.25, 0.75};
            view.details.rows = {
                {cell(QCoreApplication::translate("ReviewReport", "File")), cell(file, true)},
                {cell(QCoreApplication::translate("ReviewReport", "Prediction")),
                 cell(prediction.isEmpty() ? kDash
                                           : QCoreApplication::translate("ReviewReport", "%1 (confidence %2)")
                                                 .arg(prediction, percentText(r.confidence)))},
                {cell(QCoreApplication::translate("ReviewReport", "Flagged by")),
                 cell(QCoreApplication::translate("ReviewReport", "%1 of %2: %3")
                          .arg(r.flaggedBy)
                          .arg(data.detectors.size())
                          .arg(by.join(QStringLiteral(", "))))},
                {cell(QCoreApplication::translate("ReviewReport", "Review mark")),
                 cell(markLabel(r.mark), false, true)},
            };
            view.note = r.note.isEmpty()
                            ? QCoreApplication::translate("ReviewReport", "Note: none.")
                            : QCoreApplication::translate("ReviewReport", "Note: %1").arg(r.note);
            // Detectors across, score and threshold down: a frame stays short however many
            // detectors there are; scores above their threshold in bold.
            constexpr size_t kPerTable = 6;
            for (size_t first = 0; first < data.detectors.size(); first += kPerTable) {
                const size_t last = std::min(first + kPerTable, data.detectors.size());
                Table t;
                t.header << QString();
                t.widths = {0.16};
                t.numeric = {false};
                std::vector<Cell> scoreRow{cell(QCoreApplication::translate("ReviewReport", "Score"))};
                std::vector<Cell> thresholdRow{
                    cell(QCoreApplication::translate("ReviewReport", "Threshold"))};
                for (size_t d = first; d < last; ++d) {
                    const ReviewReportDetector &det = data.detectors[d];
                    const double score = d < r.scores.size() ? r.scores[d] : std::nan("");
                    t.header << (det.displayName.isEmpty() ? det.id : det.displayName);
                    t.widths.push_back(0.84 / kPerTable);
                    t.numeric.push_back(true);
                    scoreRow.push_back(cell(scoreText(score), false, exceeds(det, score)));
                    thresholdRow.push_back(cell(scoreText(det.threshold)));
                }
                t.rows = {scoreRow, thresholdRow};
                view.scores.push_back(std::move(t));
            }
            Block b;
            b.kind = Block::Frame;
            b.frame = std::move(view);
            s.blocks.push_back(std::move(b));
        }
        if (index == 0)
            s.blocks.push_back(Block{Block::Paragraph,
                                     QCoreApplication::translate("ReviewReport", "No frame was flagged."),
                                     {},
                                     {}});
        model.sections.push_back(std::move(s));
    }

    // Frames that could not be scored: part of the record, so that no frame silently vanishes.
    if (counts.failed > 0) {
        Section s{QStringLiteral("failed"),
                  QCoreApplication::translate("ReviewReport", "Frames that could not be scored (%1)")
                      .arg(counts.failed),
                  {}};
        Table t;
        t.header = {QCoreApplication::translate("ReviewReport", "Frame"),
                    QCoreApplication::translate("ReviewReport", "Reason")};
        t.widths = {0.4, 0.6};
        for (const ReviewReportFrame &frame : data.frames)
            if (!frame.record.error.isEmpty())
                t.rows.push_back({cell(frame.record.reviewKey(), true), cell(frame.record.error)});
        s.blocks.push_back(Block{Block::TableBlock, {}, t, {}});
        model.sections.push_back(std::move(s));
    }
    model.sections.push_back(Section{
        QStringLiteral("scores"),
        QCoreApplication::translate("ReviewReport", "All scores"),
        {Block{Block::Paragraph,
               QCoreApplication::translate(
                   "ReviewReport", "The scores of all %n frame(s) are in the CSV export of this session.",
                   nullptr, counts.frames),
               {},
               {}}}});
    return model;
}

// ---------------------------------------------------------------------------------------------
// HTML

QString esc(const QString &text)
{
    QString out = text.toHtmlEscaped();
    out.replace(QLatin1Char('\''), QLatin1String("&#39;"));
    out.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    out.replace(QLatin1Char('\n'), QLatin1String("<br>"));
    return out;
}

QString dataUri(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    // JPEG keeps hundreds of frames small; PNG when the JPEG plugin is missing.
    if (image.save(&buffer, "JPEG", 90))
        return QStringLiteral("data:image/jpeg;base64,") + QString::fromLatin1(bytes.toBase64());
    bytes.clear();
    buffer.seek(0);
    image.save(&buffer, "PNG");
    return QStringLiteral("data:image/png;base64,") + QString::fromLatin1(bytes.toBase64());
}

void htmlTable(QString &out, const Table &t)
{
    const bool labelled = t.header.isEmpty();
    out += labelled ? QStringLiteral("<table class=\"kv\">\n") : QStringLiteral("<table>\n<thead><tr>");
    if (!labelled) {
        for (int c = 0; c < t.header.size(); ++c) {
            const bool num = static_cast<size_t>(c) < t.numeric.size() && t.numeric[static_cast<size_t>(c)];
            out += num ? QStringLiteral("<th class=\"num\">") : QStringLiteral("<th>");
            out += esc(t.header[c]) + QStringLiteral("</th>");
        }
        out += QStringLiteral("</tr></thead>\n<tbody>\n");
    }
    for (const auto &row : t.rows) {
        out += QStringLiteral("<tr>");
        for (size_t c = 0; c < row.size(); ++c) {
            const Cell &x = row[c];
            const bool head = labelled && c == 0;
            QStringList classes;
            if (x.mono)
                classes << QStringLiteral("mono");
            if (x.strong)
                classes << QStringLiteral("strong");
            if (c < t.numeric.size() && t.numeric[c])
                classes << QStringLiteral("num");
            out += head ? QStringLiteral("<th") : QStringLiteral("<td");
            if (!classes.isEmpty())
                out += QStringLiteral(" class=\"") + classes.join(QLatin1Char(' ')) + QLatin1Char('"');
            out +=
                QLatin1Char('>') + esc(x.text) + (head ? QStringLiteral("</th>") : QStringLiteral("</td>"));
        }
        out += QStringLiteral("</tr>\n");
    }
    out += labelled ? QStringLiteral("</table>\n") : QStringLiteral("</tbody>\n</table>\n");
}

void htmlFigure(QString &out, const QImage &image, const QString &caption, const QString &alt,
                const QString &missing)
{
    out += QStringLiteral("<figure>");
    if (image.isNull()) {
        out += QStringLiteral("<div class=\"na\">") + esc(missing) + QStringLiteral("</div>");
    } else {
        // Shown at most 320 x 240 CSS pixels; the image itself has up to 1.5 times that for print.
        const QSize shown = image.size().scaled(QSize(320, 240), Qt::KeepAspectRatio);
        out += QStringLiteral("<img src=\"%1\" width=\"%2\" height=\"%3\" alt=\"%4\">")
                   .arg(dataUri(image))
                   .arg(shown.width())
                   .arg(shown.height())
                   .arg(esc(alt));
    }
    out += QStringLiteral("<figcaption>") + esc(caption) + QStringLiteral("</figcaption></figure>");
}

QString modelHtml(const ReportModel &model)
{
    QString out;
    out += QStringLiteral("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>") +
           esc(model.title) +
           QStringLiteral(
               "</title>\n<style>\n"
               "@page { size: A4; margin: 15mm; }\n"
               "body { font-family: sans-serif; font-size: 10pt; color: #111; max-width: 60em; margin: 1em "
               "auto; padding: 0 1em; }\n"
               "h1 { font-size: 16pt; margin-bottom: 0.2em; }\n"
               "h2 { font-size: 13pt; margin-top: 1.6em; border-bottom: 1px solid #999; }\n"
               "h3 { font-size: 11pt; margin: 0.4em 0; }\n"
               ".sub { color: #444; margin-top: 0; }\n"
               "table { border-collapse: collapse; margin: 0.5em 0; width: 100%; }\n"
               "th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }\n"
               "thead th { background: #e8e8e8; }\n"
               "table.kv th { background: #f4f4f4; width: 30%; font-weight: normal; }\n"
               ".num { text-align: right; }\n"
               ".mono { font-family: monospace; word-break: break-all; }\n"
               ".strong { font-weight: bold; }\n"
               ".frame { border-top: 2px solid #666; margin-top: 1.2em; padding-top: 0.3em; break-inside: "
               "avoid; page-break-inside: avoid; }\n"
               ".images { display: flex; gap: 1em; flex-wrap: wrap; }\n"
               "figure { margin: 0.3em 0; }\n"
               "figcaption { font-size: 9pt; color: #444; text-align: center; }\n"
               ".na { width: 320px; height: 120px; border: 1px dashed #999; color: #666; display: flex; "
               "align-items: center; justify-content: center; }\n"
               ".foot { margin-top: 2em; color: #666; font-size: 8pt; }\n"
               "</style>\n</head>\n<body>\n");
    out += QStringLiteral("<h1>") + esc(model.title) + QStringLiteral("</h1>\n<p class=\"sub\">") +
           esc(model.subtitle) + QStringLiteral("</p>\n");
    for (const Section &s : model.sections) {
        out += QStringLiteral("<section id=\"%1\">\n<h2>").arg(s.id) + esc(s.heading) +
               QStringLiteral("</h2>\n");
        for (const Block &b : s.blocks) {
            switch (b.kind) {
            case Block::Paragraph:
                out += QStringLiteral("<p>") + esc(b.text) + QStringLiteral("</p>\n");
                break;
            case Block::TableBlock:
                htmlTable(out, b.table);
                break;
            case Block::Frame: {
                const FrameView &f = b.frame;
                out += QStringLiteral("<div class=\"frame\">\n<h3>") + esc(f.heading) +
                       QStringLiteral("</h3>\n<div class=\"images\">");
                htmlFigure(out, f.thumbnail, QCoreApplication::translate("ReviewReport", "Frame"),
                           QCoreApplication::translate("ReviewReport", "Frame %1").arg(f.name),
                           QCoreApplication::translate("ReviewReport", "Thumbnail not available"));
                htmlFigure(out, f.heatmap, QCoreApplication::translate("ReviewReport", "Heatmap"),
                           QCoreApplication::translate("ReviewReport", "Heatmap of %1").arg(f.name),
                           QCoreApplication::translate("ReviewReport", "Heatmap not available"));
                out += QStringLiteral("</div>\n");
                htmlTable(out, f.details);
                out += QStringLiteral("<p class=\"note\">") + esc(f.note) + QStringLiteral("</p>\n");
                for (const Table &t : f.scores)
                    htmlTable(out, t);
                out += QStringLiteral("</div>\n");
                break;
            }
            }
        }
        out += QStringLiteral("</section>\n");
    }
    out +=
        QStringLiteral("<p class=\"foot\">") + esc(model.footer) + QStringLiteral("</p>\n</body>\n</html>\n");
    return out;
}

// ---------------------------------------------------------------------------------------------
// Printed pages. Laid out in units of 1/720 inch (a tenth of a point) whatever the device, with
// pixel-sized unhinted fonts, so that the PDF, a printer and a preview image break the pages at
// the same places. Content is a list of items of known height; a page break falls between items,
// never inside one, and an item marked keepWithNext moves to the next page with its successor.

constexpr double kUnitsPerInch = 720.0;
constexpr double kMargin = 15.0 / 25.4 * kUnitsPerInch;
constexpr double kFooterHeight = 220.0;
constexpr double kPad = 24.0;
const QColor kBorder(0xbb, 0xbb, 0xbb);

struct Fonts
{
    QFont body, bold, mono, small, h1, h2, h3;
    Fonts()
    {
        auto make = [](QFont f, int size, bool boldFace) {
            f.setPixelSize(size);
            f.setBold(boldFace);
            f.setHintingPreference(QFont::PreferNoHinting);
            return f;
        };
        const QFont sans = QFontDatabase::systemFont(QFontDatabase::GeneralFont);
        const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        body = make(sans, 88, false);
        bold = make(sans, 88, true);
        mono = make(fixed, 80, false);
        small = make(sans, 76, false);
        h1 = make(sans, 170, true);
        h2 = make(sans, 128, true);
        h3 = make(sans, 104, true);
    }
};

struct Item
{
    double height = 0;
    double spaceBefore = 0;
    bool keepWithNext = false;
    int header = -1; ///< the table header to repeat when this row opens a page
    std::function<void(QPainter &, QPointF)> draw;
};

using Layout = std::shared_ptr<QTextLayout>;

Layout layoutText(QString text, const QFont &font, double width, Qt::Alignment align, double *height)
{
    text.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    text.replace(QLatin1Char('\n'), QChar::LineSeparator);
    auto layout = std::make_shared<QTextLayout>(text, font);
    QTextOption option(align);
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    option.setUseDesignMetrics(true);
    layout->setTextOption(option);
    layout->beginLayout();
    double y = 0;
    for (;;) {
        QTextLine line = layout->createLine();
        if (!line.isValid())
            break;
        line.setLineWidth(width);
        line.setPosition(QPointF(0, y));
        y += line.height();
    }
    layout->endLayout();
    *height = y;
    return layout;
}

class ItemBuilder
{
  public:
    ItemBuilder(double width) : width_(width) {}

    std::vector<Item> items;

    /// One item per line, so long paragraphs (a reviewer's note) flow across pages.
    void paragraph(const QString &text, const QFont &font, double spaceBefore, bool keepWithNext = false,
                   const QColor &color = Qt::black, bool rule = false)
    {
        double h = 0;
        Layout layout = layoutText(text, font, width_, Qt::AlignLeft, &h);
        const double width = width_;
        for (int i = 0; i < layout->lineCount(); ++i) {
            const QTextLine line = layout->lineAt(i);
            Item item;
            item.height = line.height();
            item.spaceBefore = i == 0 ? spaceBefore : 0;
            item.keepWithNext = keepWithNext || i + 1 < std::min(layout->lineCount(), 2);
            const bool drawRule = rule && i == 0;
            item.draw = [layout, i, color, drawRule, width](QPainter &p, QPointF at) {
                if (drawRule) {
                    p.setPen(QPen(QColor(0x66, 0x66, 0x66), 12));
                    p.drawLine(QPointF(at.x(), at.y() - 40), QPointF(at.x() + width, at.y() - 40));
                }
                p.setPen(color);
                const QTextLine l = layout->lineAt(i);
                l.draw(&p, at - QPointF(0, l.y()));
            };
            items.push_back(std::move(item));
        }
    }

    void table(const Table &t, const Fonts &fonts, double spaceBefore)
    {
        const bool labelled = t.header.isEmpty();
        std::vector<double> cols;
        for (double w : t.widths)
            cols.push_back(w * width_);
        int header = -1;
        if (!labelled) {
            std::vector<Cell> cells;
            for (const QString &h : t.header)
                cells.push_back(Cell{h, false, true});
            header = static_cast<int>(items.size());
            row(cells, cols, t.numeric, fonts, QColor(0xe8, 0xe8, 0xe8), false, spaceBefore, -1);
            items.back().keepWithNext = true;
        }
        for (size_t r = 0; r < t.rows.size(); ++r)
            row(t.rows[r], cols, t.numeric, fonts, QColor(), labelled, r == 0 && labelled ? spaceBefore : 0,
                header);
    }

    void images(const FrameView &f, const Fonts &fonts)
    {
        const double gap = 140;
        const double boxW = (width_ - gap) / 2;
        double boxH = 0;
        for (const QImage *img : {&f.thumbnail, &f.heatmap})
            if (!img->isNull())
                boxH = std::max(boxH, std::min(boxW * img->height() / img->width(), boxW * 0.58));
        if (boxH == 0)
            boxH = 500;
        double capH = 0;
        const Layout capA = layoutText(QCoreApplication::translate("ReviewReport", "Frame"), fonts.small,
                                       boxW, Qt::AlignHCenter, &capH);
        const Layout capB = layoutText(QCoreApplication::translate("ReviewReport", "Heatmap"), fonts.small,
                                       boxW, Qt::AlignHCenter, &capH);
        double naH = 0;
        const Layout naA = layoutText(QCoreApplication::translate("ReviewReport", "Thumbnail not available"),
                                      fonts.body, boxW - 2 * kPad, Qt::AlignHCenter, &naH);
        const Layout naB = layoutText(QCoreApplication::translate("ReviewReport", "Heatmap not available"),
                                      fonts.body, boxW - 2 * kPad, Qt::AlignHCenter, &naH);
        Item item;
        item.height = boxH + 30 + capH;
        item.spaceBefore = 60;
        item.keepWithNext = true;
        const QImage a = f.thumbnail, b = f.heatmap;
        item.draw = [=](QPainter &p, QPointF at) {
            const QImage *imgs[2] = {&a, &b};
            const Layout caps[2] = {capA, capB};
            const Layout missing[2] = {naA, naB};
            for (int k = 0; k < 2; ++k) {
                const QRectF box(at.x() + k * (boxW + gap), at.y(), boxW, boxH);
                if (imgs[k]->isNull()) {
                    p.setPen(QPen(QColor(0x99, 0x99, 0x99), 6, Qt::DashLine));
                    p.setBrush(Qt::NoBrush);
                    p.drawRect(box);
                    p.setPen(QColor(0x66, 0x66, 0x66));
                    missing[k]->draw(&p, QPointF(box.x() + kPad, box.center().y() - naH / 2));
                } else {
                    const QSizeF fit = QSizeF(imgs[k]->size()).scaled(box.size(), Qt::KeepAspectRatio);
                    const QRectF target(box.x() + (boxW - fit.width()) / 2,
                                        box.y() + (boxH - fit.height()) / 2, fit.width(), fit.height());
                    p.drawImage(target, *imgs[k]);
                }
                p.setPen(QColor(0x44, 0x44, 0x44));
                caps[k]->draw(&p, QPointF(box.x(), box.bottom() + 30));
            }
        };
        items.push_back(std::move(item));
    }

  private:
    void row(const std::vector<Cell> &cells, const std::vector<double> &cols,
             const std::vector<bool> &numeric, const Fonts &fonts, const QColor &fill, bool labelled,
             double spaceBefore, int header)
    {
        std::vector<Layout> layouts;
        double height = 0;
        for (size_t c = 0; c < cells.size() && c < cols.size(); ++c) {
            const Cell &x = cells[c];
            const QFont &font = x.mono ? fonts.mono : (x.strong ? fonts.bold : fonts.body);
            const Qt::Alignment align = c < numeric.size() && numeric[c] ? Qt::AlignRight : Qt::AlignLeft;
            double h = 0;
            layouts.push_back(layoutText(x.text, font, cols[c] - 2 * kPad, align, &h));
            height = std::max(height, h + 2 * kPad);
        }
        Item item;
        item.height = height;
        item.spaceBefore = spaceBefore;
        item.header = header;
        item.draw = [layouts, cols, fill, labelled, height](QPainter &p, QPointF at) {
            double x = at.x();
            for (size_t c = 0; c < layouts.size(); ++c) {
                const QRectF box(x, at.y(), cols[c], height);
                QColor background = fill;
                if (labelled && c == 0)
                    background = QColor(0xf4, 0xf4, 0xf4);
                if (background.isValid())
                    p.fillRect(box, background);
                p.setPen(QPen(kBorder, 5));
                p.setBrush(Qt::NoBrush);
                p.drawRect(box);
                p.setPen(Qt::black);
                layouts[c]->draw(&p, QPointF(x + kPad, at.y() + kPad));
                x += cols[c];
            }
        };
        items.push_back(std::move(item));
    }

    double width_;
};

struct Placement
{
    int item;
    double y;
};

struct PageGeometry
{
    double width, height; ///< the whole page in layout units
    double textWidth() const { return width - 2 * kMargin; }
    double bodyHeight() const { return height - 2 * kMargin - kFooterHeight; }
};

struct PagedReport
{
    ReportModel model;
    Fonts fonts;
    std::vector<Item> items;
    std::vector<std::vector<Placement>> pages;
};

void paginate(PagedReport &report, double bodyHeight)
{
    const std::vector<Item> &items = report.items;
    auto &pages = report.pages;
    pages.assign(1, {});
    double y = 0;
    for (size_t i = 0; i < items.size(); ++i) {
        const Item &it = items[i];
        double chain = it.height;
        for (size_t j = i; j + 1 < items.size() && items[j].keepWithNext; ++j)
            chain += items[j + 1].spaceBefore + items[j + 1].height;
        // A chain longer than a page starts on a fresh page and runs over; it cannot do better.
        chain = std::min(chain, bodyHeight);
        double before = y > 0 ? it.spaceBefore : 0;
        if (y > 0 && y + before + chain > bodyHeight) {
            pages.emplace_back();
            y = 0;
            before = 0;
            if (it.header >= 0 && static_cast<size_t>(it.header) != i) {
                pages.back().push_back({it.header, 0});
                y = items[static_cast<size_t>(it.header)].height;
            }
        }
        y += before;
        pages.back().push_back({static_cast<int>(i), y});
        y += it.height;
    }
}

std::unique_ptr<PagedReport> layOut(const ReviewReportData &data, const PageGeometry &page)
{
    auto report = std::make_unique<PagedReport>();
    report->model = buildModel(data);
    const Fonts &f = report->fonts;
    ItemBuilder b(page.textWidth());
    b.paragraph(report->model.title, f.h1, 0, true);
    b.paragraph(report->model.subtitle, f.body, 40, false, QColor(0x44, 0x44, 0x44));
    for (const Section &s : report->model.sections) {
        b.paragraph(s.heading, f.h2, 260, true);
        for (const Block &block : s.blocks) {
            switch (block.kind) {
            case Block::Paragraph:
                b.paragraph(block.text, f.body, 80);
                break;
            case Block::TableBlock:
                b.table(block.table, f, 80);
                break;
            case Block::Frame: {
                const size_t first = b.items.size();
                b.paragraph(block.frame.heading, f.h3, 260, true, Qt::black, true);
                b.images(block.frame, f);
                b.table(block.frame.details, f, 60);
                b.paragraph(block.frame.note, f.body, 50);
                for (const Table &t : block.frame.scores)
                    b.table(t, f, 60);
                // A frame stays on one page when it fits on one: pictures, mark and scores read together.
                for (size_t i = first; i + 1 < b.items.size(); ++i)
                    b.items[i].keepWithNext = true;
                break;
            }
            }
        }
    }
    report->items = std::move(b.items);
    paginate(*report, page.bodyHeight());
    return report;
}

void paintPage(QPainter &p, const PagedReport &report, const PageGeometry &page, int index)
{
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.setRenderHint(QPainter::TextAntialiasing);
    p.save();
    p.setClipRect(QRectF(0, 0, page.width, page.height - kMargin - kFooterHeight + 40));
    for (const Placement &placed : report.pages[static_cast<size_t>(index)])
        report.items[static_cast<size_t>(placed.item)].draw(p, QPointF(kMargin, kMargin + placed.y));
    p.restore();

    const double top = page.height - kMargin - kFooterHeight + 80;
    p.setPen(QPen(kBorder, 5));
    p.drawLine(QPointF(kMargin, top), QPointF(page.width - kMargin, top));
    double h = 0;
    const double half = page.textWidth() / 2;
    const Layout left = layoutText(report.model.footer, report.fonts.small, half * 1.5, Qt::AlignLeft, &h);
    const Layout right = layoutText(
        QCoreApplication::translate("ReviewReport", "page %1 of %2").arg(index + 1).arg(report.pages.size()),
        report.fonts.small, half * 0.5, Qt::AlignRight, &h);
    p.setPen(QColor(0x55, 0x55, 0x55));
    left->draw(&p, QPointF(kMargin, top + 30));
    right->draw(&p, QPointF(kMargin + half * 1.5, top + 30));
}

PageGeometry a4()
{
    const QSizeF mm = QPageSize(QPageSize::A4).size(QPageSize::Millimeter);
    return PageGeometry{std::round(mm.width() / 25.4 * kUnitsPerInch),
                        std::round(mm.height() / 25.4 * kUnitsPerInch)};
}

// ---------------------------------------------------------------------------------------------
// Files

/// Before any work: a name, not a folder, and no existing file unless the caller allows replacing it.
void checkTarget(const QString &path, bool overwrite)
{
    if (path.isEmpty())
        throw Error(QCoreApplication::translate("ReviewReport", "no file name given").toStdString());
    const QFileInfo info(path);
    if (info.isDir())
        throw Error(QCoreApplication::translate("ReviewReport", "%1 is a folder").arg(path).toStdString());
    if (info.exists() && !overwrite)
        throw Error(QCoreApplication::translate("ReviewReport",
                                                "%1 exists; choose another name or allow replacing it")
                        .arg(path)
                        .toStdString());
}

void saveFile(const QString &path, const QByteArray &bytes, bool overwrite)
{
    checkTarget(path, overwrite);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        throw Error(QCoreApplication::translate("ReviewReport", "cannot write %1: %2")
                        .arg(path, file.errorString())
                        .toStdString());
}

QString csvNumber(double value)
{
    return std::isnan(value) ? QString() : QString::number(value, 'g', 17);
}

} // namespace

QByteArray reviewReportHtml(const ReviewReportData &data)
{
    return modelHtml(buildModel(data)).toUtf8();
}

QByteArray scoresCsv(const ReviewReportData &data)
{
    validate(data);
    QString text;
    QTextStream out(&text);
    // Column names are keys for programs reading the file, not prose: not translated.
    out << "path,frame,prediction,confidence";
    for (const ReviewReportDetector &d : data.detectors)
        out << ',' << csvField(d.id);
    out << ",flagged_by,mark,note,error\r\n";
    for (const ReviewReportFrame &frame : data.frames) {
        const FrameRecord &r = frame.record;
        const bool scored = r.scored && r.error.isEmpty();
        out << csvField(r.path) << ',' << (r.videoFrame >= 0 ? QString::number(r.videoFrame) : QString())
            << ',' << csvField(predictionName(data, r)) << ','
            << (scored ? csvNumber(r.confidence) : QString());
        QStringList by;
        for (size_t d = 0; d < data.detectors.size(); ++d) {
            const double score = scored && d < r.scores.size() ? r.scores[d] : std::nan("");
            out << ',' << csvNumber(score);
            if (exceeds(data.detectors[d], score))
                by << data.detectors[d].id;
        }
        out << ',' << csvField(by.join(QLatin1Char(';'))) << ',' << reviewMarkKey(r.mark) << ','
            << csvField(r.note) << ',' << csvField(r.error) << "\r\n";
    }
    out.flush();
    return text.toUtf8();
}

int printReviewReport(const ReviewReportData &data, QPagedPaintDevice *device)
{
    if (!device)
        throw Error(
            QCoreApplication::translate("ReviewReport", "no device to print the report on").toStdString());
    const double sx = device->logicalDpiX() / kUnitsPerInch, sy = device->logicalDpiY() / kUnitsPerInch;
    const PageGeometry page{std::round(device->width() / sx), std::round(device->height() / sy)};
    if (page.bodyHeight() < 1000 || page.textWidth() < 2000)
        throw Error(QCoreApplication::translate("ReviewReport", "the page is too small for the report")
                        .toStdString());
    const std::unique_ptr<PagedReport> report = layOut(data, page);
    QPainter painter;
    if (!painter.begin(device))
        throw Error(QCoreApplication::translate("ReviewReport", "cannot print the report on this device")
                        .toStdString());
    const int pages = static_cast<int>(report->pages.size());
    for (int i = 0; i < pages; ++i) {
        if (i > 0 && !device->newPage())
            throw Error(QCoreApplication::translate("ReviewReport", "cannot start page %1 of the report")
                            .arg(i + 1)
                            .toStdString());
        painter.save();
        painter.scale(sx, sy);
        paintPage(painter, *report, page, i);
        painter.restore();
    }
    if (!painter.end())
        throw Error(
            QCoreApplication::translate("ReviewReport", "cannot finish printing the report").toStdString());
    return pages;
}

QImage reviewReportPageImage(const ReviewReportData &data, int page, double dpi)
{
    if (!(dpi >= 10 && dpi <= 1200))
        throw Error(QCoreApplication::translate("ReviewReport", "a preview needs 10 to 1200 dpi, not %1")
                        .arg(dpi)
                        .toStdString());
    const PageGeometry geometry = a4();
    const std::unique_ptr<PagedReport> report = layOut(data, geometry);
    if (page < 0 || static_cast<size_t>(page) >= report->pages.size())
        throw Error(QCoreApplication::translate("ReviewReport", "the report has no page %1; it has %2")
                        .arg(page + 1)
                        .arg(report->pages.size())
                        .toStdString());
    const double scale = dpi / kUnitsPerInch;
    QImage image(qRound(geometry.width * scale), qRound(geometry.height * scale), QImage::Format_RGB32);
    image.setDotsPerMeterX(qRound(dpi / 0.0254));
    image.setDotsPerMeterY(qRound(dpi / 0.0254));
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.scale(scale, scale);
    paintPage(painter, *report, geometry, page);
    painter.end();
    return image;
}

void writeReviewReportHtml(const QString &path, const ReviewReportData &data, bool overwrite)
{
    checkTarget(path, overwrite);
    saveFile(path, reviewReportHtml(data), overwrite);
}

void writeReviewReportPdf(const QString &path, const ReviewReportData &data, bool overwrite)
{
    checkTarget(path, overwrite);
    // Rendered into memory first, so a report that fails half-way leaves no file behind.
    QByteArray bytes;
    {
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        QPdfWriter writer(&buffer);
        writer.setPageLayout(
            QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(0, 0, 0, 0)));
        writer.setResolution(static_cast<int>(kUnitsPerInch));
        writer.setTitle(data.title);
        writer.setCreator(QStringLiteral("OOD Inspector ") +
                          (data.appVersion.isEmpty() ? QStringLiteral(OOD_VERSION_STRING) : data.appVersion));
        printReviewReport(data, &writer);
    }
    saveFile(path, bytes, overwrite);
}

void writeScoresCsv(const QString &path, const ReviewReportData &data, bool overwrite)
{
    saveFile(path, scoresCsv(data), overwrite);
}

} // namespace ood
