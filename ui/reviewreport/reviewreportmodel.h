#pragma once
// The content of the review report, built once from the data (reviewreport.cpp) and rendered by
// the HTML writer (reviewreporthtml.cpp) and the printed pages (reviewreportpages.cpp), so that
// the two can never say different things; and what every writer shares: the check that the data
// does not contradict itself, the flag rule, and saving files. Internal to ui/report.

#include "reviewreport/reviewreport.h"

#include <QByteArray>
#include <QImage>
#include <QString>
#include <QStringList>

#include <vector>

namespace ood::reviewreport {

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
    bool strong = false; ///< a paragraph that must not be overlooked (the intended use)
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

/// The class name of a scored frame's prediction ("class <n>" beyond the class names); empty
/// when the frame is not scored.
QString predictionName(const ReviewReportData &data, const FrameRecord &r);

/// Whether `score` is above the detector's threshold; NaN never is.
bool exceeds(const ReviewReportDetector &d, double score);

/// A scored frame must carry one score per detector, and its flag count must be the one the
/// thresholds in the report give: a record that contradicts its own thresholds is refused.
void validate(const ReviewReportData &data);

/// validate, then the whole content of the report.
ReportModel buildModel(const ReviewReportData &data);

/// Before any work: a name, not a folder, and no existing file unless the caller allows replacing it.
void checkTarget(const QString &path, bool overwrite);

/// checkTarget, then the whole file or nothing; a failure is an ood::Error naming the path.
void saveFile(const QString &path, const QByteArray &bytes, bool overwrite);

} // namespace ood::reviewreport
