#include "reviewreport/reviewreport.h"
#include "reviewreport/reviewreportmodel.h"

#include "report/html.h"

#include <QBuffer>
#include <QCoreApplication>

namespace ood {

using namespace reviewreport;

namespace {

/// Notes and reasons keep their lines.
QString esc(const QString &text)
{
    return htmlEscape(text, HtmlLineBreaks::Br);
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
                out += (b.strong ? QStringLiteral("<p class=\"strong\">") : QStringLiteral("<p>")) +
                       esc(b.text) + QStringLiteral("</p>\n");
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

} // namespace

QByteArray reviewReportHtml(const ReviewReportData &data)
{
    return modelHtml(buildModel(data)).toUtf8();
}

void writeReviewReportHtml(const QString &path, const ReviewReportData &data, bool overwrite)
{
    checkTarget(path, overwrite);
    saveFile(path, reviewReportHtml(data), overwrite);
}

} // namespace ood
