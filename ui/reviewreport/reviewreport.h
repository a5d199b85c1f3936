#pragma once
// The review report of an inspection session, for the record: the verdict in words first (how many
// frames are unusual for the model, how the verdict is made, how often it raises a false alarm, and
// what the program is not for), then which model and profile judged the frames (with file hashes, so the
// record can be matched to the exact files), the thresholds, how each detector did when the session had
// labelled groups, and every flagged frame with its thumbnail, heatmap and the reviewer's mark and note.
// Exported as a self-contained HTML page, an A4 PDF, and a CSV of every score. Plain data in, bytes or files
// out; no LibTorch, no widgets.

#include "session/framerecord.h"
#include "session/inspectionsession.h"

#include <QByteArray>
#include <QDateTime>
#include <QImage>
#include <QString>
#include <QStringList>

#include <cmath>
#include <vector>

class QPagedPaintDevice;

namespace ood {

/// What the report says of one detector (threshold, and AUROC/FPR when frames are labelled).
using ReviewReportDetector = DetectorSummary;

/// A frame of the session with the pictures shown for it when it is flagged.
struct ReviewReportFrame
{
    FrameRecord record;
    QImage thumbnail; ///< null: "not available"
    QImage heatmap;   ///< the explanation overlaid on the frame; null: "not available"
    /// A CLIP profile's verdict in words (the ID and other labels the frame matched most); empty
    /// for a classifier.
    QString words;
};

struct ReviewReportCounts
{
    int frames = 0;
    int scored = 0;
    int failed = 0;           ///< could not be scored (FrameRecord::error set)
    int pending = 0;          ///< neither scored nor failed yet
    int flagged = 0;          ///< the verdict "unusual for this model" (FrameRecord::isFlagged)
    int nothingUnusual = 0;   ///< scored, and the verdict is "nothing unusual found"
    int confirmedUnusual = 0; ///< marks over all frames, flagged or not
    int falseAlarm = 0;
    int unsure = 0;
    int flaggedUnreviewed = 0; ///< flagged frames without a mark
};

struct ReviewReportData
{
    QString title;      ///< the session name
    QDateTime created;  ///< when the report was made; shown in UTC and in local time
    QString appVersion; ///< empty: OOD_VERSION_STRING of this build
    QString reviewer;   ///< optional (Settings > Reviewer)

    // The model and the profile that produced the scores.
    QString architecture;
    QString modelPath;
    QString modelSha256;
    QStringList classNames; ///< in label order; FrameRecord::prediction indexes it
    int inputWidth = 0;
    int inputHeight = 0;
    QString profilePath;
    QString profileSha256;

    std::vector<ReviewReportDetector> detectors; ///< in the order of FrameRecord::scores
    /// The rule that made each frame's verdict (FrameRecord::flagged), shown in words with its
    /// false-alarm rate, and how many detectors it counted over (0: all of `detectors`).
    VerdictRule verdict;
    int enabledDetectors = 0;
    std::vector<ReviewReportFrame> frames; ///< every frame of the session, in session order

    /// Computed from `frames`, so the summary cannot disagree with the frame list.
    ReviewReportCounts counts() const;
};

/// A self-contained page (inline CSS, images as data: URIs, no scripts, no external links);
/// every text from the data is escaped. UTF-8. Every export throws ood::Error when a scored frame
/// does not have one score per detector, or when its flaggedBy differs from the number of its
/// scores above the thresholds in `detectors` (a record must not contradict itself).
QByteArray reviewReportHtml(const ReviewReportData &data);

/// One header row, then one row per frame: path, prediction, confidence, one column per detector
/// (named by id), unusual (the verdict: 1, 0, or empty when not scored), flagged_by (detector ids
/// joined by ';'), mark (reviewMarkKey), note, error.
/// RFC 4180: fields with a comma, quote, CR or LF are quoted, quotes doubled; CRLF line ends.
/// Scores and confidences with 17 significant digits so they read back exactly; NaN is empty.
QByteArray scoresCsv(const ReviewReportData &data);

/// Lays the report out on the device's page (margins come from the report, not the device) with
/// "page i of n" at the foot of every page. For QPdfWriter and QPrinter alike. Returns the page count.
int printReviewReport(const ReviewReportData &data, QPagedPaintDevice *device);

/// Page `page` (0-based) of the report as an image at `dpi`, for previews: the same pages as the
/// PDF of writeReviewReportPdf. Throws ood::Error when the page does not exist.
QImage reviewReportPageImage(const ReviewReportData &data, int page, double dpi = 96);

/// The writers save atomically (QSaveFile) and refuse to replace an existing file unless
/// `overwrite` is set: ood::Error "<path> exists". Any write failure is an ood::Error naming the path.
void writeReviewReportHtml(const QString &path, const ReviewReportData &data, bool overwrite);
/// A4 portrait, vector text, images scaled to the column width.
void writeReviewReportPdf(const QString &path, const ReviewReportData &data, bool overwrite);
void writeScoresCsv(const QString &path, const ReviewReportData &data, bool overwrite);

} // namespace ood
