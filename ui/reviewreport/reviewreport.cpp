#include "reviewreport/reviewreport.h"
#include "reviewreport/reviewreportmodel.h"

#include "pipeline/verdict.h"

#include "base/atomicfile.h"
#include "base/error.h"
#include "base/version.h"
#include "detect/detectorwords.h"
#include "report/intendeduse.h"
#include "review/reviewmark.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <cstdlib>

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
        if (r.scored && r.error.isEmpty() && !r.isFlagged())
            ++c.nothingUnusual;
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

using namespace reviewreport;

namespace {

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

QString frameName(const FrameRecord &r)
{
    return r.displayName.isEmpty() ? QFileInfo(r.path).fileName() : r.displayName;
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

Block paragraph(const QString &text, bool strong = false)
{
    Block b{Block::Paragraph, text, {}, {}};
    b.strong = strong;
    return b;
}

/// The detector in plain words (detect/detectorwords.h); its technical name when it has none.
QString plainName(const ReviewReportDetector &d)
{
    const QString plain = detectorWords(d.id).plainName;
    if (!plain.isEmpty() && plain != d.id)
        return plain;
    return d.displayName.isEmpty() ? d.id : d.displayName;
}

QString technicalName(const ReviewReportDetector &d)
{
    return d.displayName.isEmpty() || d.displayName == d.id
               ? d.id
               : QStringLiteral("%1 (%2)").arg(d.displayName, d.id);
}

} // namespace

namespace reviewreport {

QString predictionName(const ReviewReportData &data, const FrameRecord &r)
{
    if (!r.scored || r.prediction < 0)
        return QString();
    if (r.prediction < data.classNames.size())
        return data.classNames[r.prediction];
    return QCoreApplication::translate("ReviewReport", "class %1").arg(r.prediction);
}

bool exceeds(const ReviewReportDetector &d, double score)
{
    return exceedsThreshold(score, d.threshold);
}

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
        QCoreApplication::translate("ReviewReport", "OOD Inspector %1: which endoscopy frames are unusual "
                                                    "for a classification model. Created %2.")
            .arg(version, timeText(data.created, true));
    model.footer =
        QCoreApplication::translate("ReviewReport", "%1, %2").arg(title, timeText(data.created, true));
    const auto n = [](int v) { return QString::number(v); };

    // The verdict first: what a reader acts on, how it is made, how often it is wrong on normal
    // frames, and what it does not say.
    {
        Section s{QStringLiteral("verdict"), QCoreApplication::translate("ReviewReport", "Verdict"), {}};
        Table t;
        t.widths = {0.45, 0.55};
        auto row = [&t](const QString &label, const QString &value, bool strong = false) {
            t.rows.push_back({cell(label), cell(value, false, strong)});
        };
        const QString ofScored = QCoreApplication::translate("ReviewReport", "%1 of %2 scored frames");
        row(verdictWords(true), ofScored.arg(counts.flagged).arg(counts.scored), true);
        row(verdictWords(false), ofScored.arg(counts.nothingUnusual).arg(counts.scored), true);
        if (counts.failed > 0)
            row(QCoreApplication::translate("ReviewReport", "Could not be scored"), n(counts.failed));
        if (counts.pending > 0)
            row(QCoreApplication::translate("ReviewReport", "Not scored yet"), n(counts.pending));
        row(QCoreApplication::translate("ReviewReport", "Unusual frames not yet reviewed"),
            n(counts.flaggedUnreviewed));
        s.blocks.push_back(Block{Block::TableBlock, {}, t, {}});

        const int enabled = data.enabledDetectors > 0 ? data.enabledDetectors : int(data.detectors.size());
        QString ruleDetector;
        for (const ReviewReportDetector &d : data.detectors)
            if (d.id.toStdString() == data.verdict.detectorId)
                ruleDetector = plainName(d);
        const QString rule = verdictRuleWords(data.verdict, enabled, ruleDetector);
        s.blocks.push_back(paragraph(
            data.verdict.canDecide()
                ? QCoreApplication::translate("ReviewReport", "How the verdict is made: a frame is called "
                                                              "\u201c%1\u201d when %2.")
                      .arg(verdictWords(true), rule)
                : QCoreApplication::translate(
                      "ReviewReport", "How the verdict is made: %2, so no frame is called \u201c%1\u201d.")
                      .arg(verdictWords(true), rule)));
        if (data.verdict.canDecide())
            s.blocks.push_back(paragraph(
                QCoreApplication::translate(
                    "ReviewReport",
                    "False alarms: %1. This was measured on %2 normal frames set aside when the profile "
                    "was made; frames from another hospital or scope may raise more.")
                    .arg(falseAlarmWords(data.verdict.falseAlarmRate))
                    .arg(data.verdict.validationFrames)));
        else
            s.blocks.push_back(paragraph(QCoreApplication::translate("ReviewReport", "False alarms: %1.")
                                             .arg(falseAlarmWords(data.verdict.falseAlarmRate))));
        s.blocks.push_back(
            paragraph(QCoreApplication::translate(
                          "ReviewReport",
                          "\u201c%1\u201d does not mean that a frame is normal: it means only that none "
                          "of the checks found it unusual enough for the model. Every frame still needs "
                          "a clinician's own judgement.")
                          .arg(verdictWords(false))));
        s.blocks.push_back(paragraph(
            QCoreApplication::translate("ReviewReport", "Intended use: %1").arg(intendedUseStatement()),
            true));
        model.sections.push_back(std::move(s));
    }

    // Summary.
    {
        Section s{QStringLiteral("summary"), QCoreApplication::translate("ReviewReport", "Summary"), {}};
        Table t;
        t.widths = {0.32, 0.68};
        auto row = [&t](const QString &label, const QString &value, bool mono = false) {
            t.rows.push_back({cell(label), cell(value, mono)});
        };
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
        row(verdictWords(true), n(counts.flagged));
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

    // The checks: in words first, then their numbers.
    {
        Section s{QStringLiteral("detectors"),
                  QCoreApplication::translate("ReviewReport", "The checks in detail"),
                  {}};
        Table words;
        words.header = {QCoreApplication::translate("ReviewReport", "Check"),
                        QCoreApplication::translate("ReviewReport", "What it looks at"),
                        QCoreApplication::translate("ReviewReport", "Technical name")};
        words.widths = {0.26, 0.52, 0.22};
        for (const ReviewReportDetector &det : data.detectors) {
            const QString description = detectorWords(det.id).description;
            words.rows.push_back({cell(plainName(det)), cell(description.isEmpty() ? kDash : description),
                                  cell(technicalName(det), true)});
        }
        s.blocks.push_back(Block{Block::TableBlock, {}, words, {}});

        Table t;
        t.header = {QCoreApplication::translate("ReviewReport", "Check"),
                    QCoreApplication::translate("ReviewReport", "Threshold"),
                    QCoreApplication::translate("ReviewReport", "Target TPR"),
                    QCoreApplication::translate("ReviewReport", "Above threshold"),
                    QCoreApplication::translate("ReviewReport", "AUROC"),
                    QCoreApplication::translate("ReviewReport", "FPR at 95 % TPR")};
        t.widths = {0.30, 0.14, 0.12, 0.16, 0.12, 0.16};
        t.numeric = {false, true, true, true, true, true};
        for (size_t d = 0; d < data.detectors.size(); ++d) {
            const ReviewReportDetector &det = data.detectors[d];
            int flagged = 0;
            for (const ReviewReportFrame &frame : data.frames)
                if (frame.record.scored && frame.record.error.isEmpty() &&
                    exceeds(det, frame.record.scores[d]))
                    ++flagged;
            t.rows.push_back(
                {cell(plainName(det)), cell(scoreText(det.threshold)), cell(percentText(det.targetTpr)),
                 cell(
                     QCoreApplication::translate("ReviewReport", "%1 of %2").arg(flagged).arg(counts.scored)),
                 cell(percentText(det.auroc)), cell(percentText(det.fpr95))});
        }
        s.blocks.push_back(Block{Block::TableBlock, {}, t, {}});
        s.blocks.push_back(paragraph(QCoreApplication::translate(
            "ReviewReport",
            "For researchers: a check finds a frame unusual when its score exceeds its threshold; each "
            "threshold lets the target share (TPR) of the in-distribution validation frames pass. The "
            "verdict above combines the checks. AUROC and FPR at 95 % TPR are measured on the session's "
            "frames of known in-distribution and out-of-distribution groups; \u2014 when the session has "
            "no such groups.")));
        model.sections.push_back(std::move(s));
    }

    // Flagged frames.
    {
        Section s{QStringLiteral("flagged"),
                  QCoreApplication::translate("ReviewReport", "Frames unusual for this model (%1)")
                      .arg(counts.flagged),
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
                    by << plainName(data.detectors[d]);
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
                {cell(QCoreApplication::translate("ReviewReport", "Verdict")),
                 cell(verdictWords(true), false, true)},
                {cell(QCoreApplication::translate("ReviewReport", "Checks that found it unusual")),
                 cell(QCoreApplication::translate("ReviewReport", "%1 of %2: %3")
                          .arg(r.flaggedBy)
                          .arg(data.detectors.size())
                          .arg(by.join(QStringLiteral(", "))))},
                {cell(QCoreApplication::translate("ReviewReport", "Review mark")),
                 cell(markLabel(r.mark, MarkLabelCase::Lowercase), false, true)},
            };
            if (!frame.words.isEmpty())
                view.details.rows.push_back(
                    {cell(QCoreApplication::translate("ReviewReport", "Resembles")), cell(frame.words)});
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
                    t.header << plainName(det);
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
            s.blocks.push_back(paragraph(
                QCoreApplication::translate("ReviewReport", "No frame is unusual for this model.")));
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
    QString reason;
    if (!tryWriteFileAtomically(path, bytes, reason))
        throw Error(QCoreApplication::translate("ReviewReport", "cannot write %1: %2")
                        .arg(path, reason)
                        .toStdString());
}

} // namespace reviewreport

} // namespace ood
