#pragma once
// The frame list of a session as a table: one row per frame, columns for the thumbnail, the
// model's prediction, every detector's score (headed by its plain name), the verdict (with how
// many detectors flag the frame) and the reviewer's mark. Sessions hold
// 10,000+ frames, so data() only formats what is already in memory: thumbnails are asked for
// (thumbnailNeeded) and handed in later (setThumbnail), scores arrive in batches with one
// dataChanged each, and frames are found by review key through a hash.

#include "pipeline/frameresult.h"
#include "session/framerecord.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QImage>
#include <QStringList>

#include <string>
#include <vector>

namespace ood {

class FrameTableModel : public QAbstractTableModel
{
    Q_OBJECT

  public:
    enum Role {
        /// The raw value to sort by: double for numbers (NaN when the frame has none), QString
        /// for text columns, int for the review mark.
        SortRole = Qt::UserRole,
        /// The frame's row in this model (int), the same for every column; survives proxies.
        FrameRowRole,
        /// bool: the row's frame is flagged, or for a detector cell, that detector flags it.
        FlaggedRole,
    };

    /// Fixed columns before the detectors; the ones after them come from flaggedColumn() etc.
    enum FixedColumn {
        ThumbnailColumn = 0,
        NameColumn,
        PredictionColumn,
        ConfidenceColumn,
        FirstDetectorColumn
    };

    explicit FrameTableModel(QObject *parent = nullptr);

    /// The detectors of the session, in the order of FrameRecord::scores. Resets the model
    /// (columns change); frames keep their scores, padded with NaN or cut to the new count.
    /// Throws ood::Error when the three lists differ in length.
    void setDetectors(const std::vector<std::string> &ids, const QStringList &names,
                      const std::vector<double> &thresholds);
    void setClassNames(const QStringList &names);
    /// Which detectors count (one per detector; empty or short: the rest do), for the "k of n"
    /// of the verdict column.
    void setEnabledDetectors(const std::vector<bool> &enabled);
    /// Detectors that count (all unless setEnabledDetectors said otherwise).
    int enabledDetectorCount() const;
    /// Replaces every frame with one model reset. Thumbnails are dropped.
    void setFrames(std::vector<FrameRecord> frames);
    /// Results for rows firstRow .. firstRow + results.size() - 1 with one dataChanged. Results
    /// past the last row are ignored.
    void updateScores(int firstRow, const std::vector<FrameResult> &results);
    void setMark(int row, ReviewMark mark, const QString &note);
    /// Shown in the thumbnail column from now on; pass a null image to forget it.
    void setThumbnail(int row, const QImage &image);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const FrameRecord &frame(int row) const { return m_frames[static_cast<size_t>(row)]; }
    const std::vector<FrameRecord> &frames() const { return m_frames; }
    /// The row of the frame with this FrameRecord::reviewKey(), or -1.
    int rowOfKey(const QString &reviewKey) const;

    int detectorCount() const { return static_cast<int>(m_detectorIds.size()); }
    const std::vector<std::string> &detectorIds() const { return m_detectorIds; }
    double threshold(int detector) const { return m_thresholds[static_cast<size_t>(detector)]; }
    const QStringList &classNames() const { return m_classNames; }

    int detectorColumn(int detector) const { return FirstDetectorColumn + detector; }
    /// The detector shown in this column, or -1.
    int detectorOfColumn(int column) const;
    int flaggedColumn() const { return FirstDetectorColumn + detectorCount(); }
    int markColumn() const { return flaggedColumn() + 1; }
    int noteColumn() const { return flaggedColumn() + 2; }

    /// The score of a frame exceeds the detector's threshold (false while unscored).
    bool isFlaggedBy(int row, int detector) const;
    /// What SortRole gives as a number, without a QVariant: NaN for frames without the value and
    /// for text columns.
    double sortNumber(int row, int column) const;

    /// The name the table shows: FrameRecord::displayName, or the file name when that is empty.
    static QString nameOf(const FrameRecord &frame);
    /// The translated name of a mark as the table shows it.
    static QString markText(ReviewMark mark);
    /// The row tints, for the legend under the list: a frame the verdict calls unusual, and the
    /// cell of a detector whose score is over its threshold.
    static QColor unusualRowColour();
    static QColor flaggingCellColour();
    /// A detector's column header: its plain name (detect/detectorwords.h), or the name given to
    /// setDetectors() for an id without words.
    QString detectorTitle(int detector) const;

  Q_SIGNALS:
    /// A view asked for the thumbnail of a row that has none; emitted once per row (until
    /// setFrames). Connect with a queued connection or decode elsewhere, then call setThumbnail.
    void thumbnailNeeded(int row) const;

  private:
    QVariant displayData(const FrameRecord &frame, int column) const;
    QVariant toolTipData(const FrameRecord &frame, int column) const;
    QString predictionName(int prediction) const;
    QString formatScore(double value) const;

    std::vector<FrameRecord> m_frames;
    QHash<QString, int> m_rowOfKey;
    std::vector<QImage> m_thumbnails;
    mutable std::vector<char> m_thumbnailAsked;
    std::vector<std::string> m_detectorIds;
    QStringList m_detectorNames;
    std::vector<double> m_thresholds;
    std::vector<bool> m_enabled;
    QStringList m_classNames;
};

} // namespace ood
