#pragma once
// The results file of `ood-inspect score` (whole job or one shard) and of `merge`: CSV with a few
// leading "# key: value" lines that say which profile, model and input list produced it.
//
//   # ood-inspect results 1
//   # profile: /data/kvasir.oodprofile
//   # profile_sha256: 3b1f...
//   # model: /data/resnet18.pt
//   # model_sha256: 9ac2...
//   # inputs_sha256: 5d00...          (shardplan.h inputsDigest)
//   # input_frames: 20                (frames of the whole input list)
//   # shard: 1/4                      (shard files only)
//   # first_frame: 5                  (shard files only: index of its first row in the list)
//   # verdict: at least 3 of 11 checks find the frame unusual; ... (the rule behind `unusual`)
//   # rows: 5                         (rows this file must hold to be complete)
//   # missing: shard 3/4, frames 15-19 (a merge written with --allow-partial; one line each)
//   path,frame,prediction,confidence,<detector ids...>,flagged_by,unusual,error
//   ...
//
// The `frame` column is there when the input list holds video frames. `unusual` (1/0, empty for a
// failed frame) is the verdict (pipeline/verdict.h); files written before it lack the column and
// the verdict line, and are read all the same. Tools that read CSV skip
// the leading lines with pandas.read_csv(path, comment='#') or R's read.csv(comment.char='#').

#include "calib/profile.h"
#include "data/samplelist.h"
#include "pipeline/frameresult.h"
#include "results/shardplan.h"

#include <QString>
#include <QStringList>

#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ood {

struct ResultsHeader
{
    int formatVersion = 1; ///< 0 when read from a plain CSV without the leading lines
    QString profilePath;
    QString profileSha256;
    QString modelPath;
    QString modelSha256;
    QString inputsSha256;
    qint64 inputFrames = 0;
    std::optional<ShardId> shard; ///< set in a shard's file
    qint64 firstFrame = 0;        ///< shard files: index of the first row in the canonical list
    qint64 rows = 0;              ///< rows the file holds when complete
    QStringList missing;          ///< partial merges: one entry per missing shard
    QString verdict;              ///< the verdict rule and its false-alarm rate; empty: not given
    QStringList columns;          ///< the CSV header row, split

    /// The "# ..." lines and the column row, each ending in '\n'. Throws ood::Error when a value
    /// holds a line break (it would end its line early).
    QString text() const;
};

/// The CSV columns of a results table: path, frame (when `withFrameColumn`), prediction,
/// confidence, one per detector, flagged_by, unusual, error.
QStringList resultColumns(const std::vector<std::string> &detectorIds, bool withFrameColumn);

/// One row (ending in '\n') for a scored or failed frame: the class name of the prediction, the
/// confidence and the scores with `significantDigits` digits (empty for NaN), the ids of the
/// detectors whose threshold the frame exceeds (pipeline/verdict.h), the verdict (1 when
/// `result.flagged`, else 0; empty for a failed frame), the error. `result.scores`
/// holds one value per entry of `detectorIds`, which must be detectors of `profile`.
QString resultRow(const Sample &frame, bool withFrameColumn, const FrameResult &result,
                  const Profile &profile, const std::vector<std::string> &detectorIds,
                  int significantDigits = 10);

/// One row of a results file as read back.
struct ResultRow
{
    QString path;
    int videoFrame = -1;
    QString prediction; ///< class name; empty when the frame failed
    double confidence = std::nan("");
    std::vector<double> scores; ///< one per ResultsFile::detectorIds, NaN where empty
    QStringList flaggedBy;      ///< detector ids
    int unusual = -1;           ///< the `unusual` column: 1 or 0; -1 when empty or absent
    QString error;
};

struct ResultsFile
{
    ResultsHeader header;
    std::vector<std::string> detectorIds; ///< the score columns, in file order
    std::vector<ResultRow> rows;
};

/// Reads a file written by score (also with --shard) or merge. A plain CSV without the leading
/// lines (an older `score`) is read too, with an empty header apart from its columns. Throws
/// ood::Error naming the file and the line for anything it cannot read (missing path column, a
/// row with the wrong number of fields, a number that does not parse, fewer rows than the header
/// says).
ResultsFile readResultsFile(const QString &path);

/// Reads only the leading lines and the column row. Throws ood::Error like readResultsFile.
ResultsHeader readResultsHeader(const QString &path);

/// Writes one shard's rows as they are scored, so a shard that is stopped (preempted, cancelled,
/// out of time) and started again goes on where it stopped: rows go to "<path>.partial", each
/// batch flushed to the disk before the next is scored; the finished file is renamed to `path`
/// in one step, so `path` either does not exist or is complete.
class ShardWriter
{
  public:
    /// `header` describes the complete file (rows = frames.size()); `frames` are the shard's
    /// frames in order. When "<path>.partial" exists with the same header, its complete rows are
    /// kept (each checked against `frames`, an unfinished last line dropped) and framesDone() says
    /// how many; when `path` exists with the same header and all rows, the shard is done already.
    /// Throws ood::Error naming the file when either file belongs to another job (profile, model,
    /// inputs or shard differ) or holds rows that are not the shard's frames in order: it is
    /// never overwritten then.
    ShardWriter(const QString &path, ResultsHeader header, std::vector<Sample> frames);
    ~ShardWriter();
    ShardWriter(const ShardWriter &) = delete;
    ShardWriter &operator=(const ShardWriter &) = delete;

    size_t framesDone() const;
    bool isFinished() const; ///< the complete file exists
    /// Appends the rows of frames framesDone() .. framesDone() + rows.size() - 1 and flushes them
    /// to the disk (fsync). Throws ood::Error when writing fails.
    void append(const QStringList &rows);
    /// After the last row: renames the partial file to `path`. Throws ood::Error when rows are
    /// missing or the rename fails.
    void finish();

  private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/// What merge found.
struct MergeReport
{
    QStringList refused;    ///< one line per shard file that cannot be used, naming it and why
    QList<ShardId> missing; ///< shards no usable file was given for
    qint64 rowsWritten = 0; ///< 0 when nothing was written
    bool written = false;   ///< the output was written (complete, or partial as allowed)
    QString resubmitShards; ///< the indices to score again, "2,5" (for sbatch --array)
};

/// Merges the shard files of one job into one results file at `outPath` (written atomically,
/// rows in canonical order, the header without shard lines). Checks that every file is a
/// complete shard of the same profile, model, input list and shard count, that every shard is
/// there once and that no frame is missing or repeated. Writes nothing when any check fails,
/// unless `allowPartial`: then the usable shards are written and every missing shard is listed in
/// the header's "missing" lines. Throws ood::Error only when no file can be read at all or the
/// output cannot be written. `progress` is called about every 10,000 rows with the rows read so far;
/// every row is read twice (checked, then copied), so the count ends near twice the rows written.
/// Returning false stops the merge with ood::Cancelled, and nothing is written.
MergeReport mergeShards(const QStringList &shardPaths, const QString &outPath, bool allowPartial,
                        const std::function<bool(qint64 rows)> &progress = {});

} // namespace ood
