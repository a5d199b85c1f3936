#include "models/frametablemodel.h"

#include "detect/detectorwords.h"
#include "pipeline/verdict.h"

#include "base/error.h"

#include <QBrush>
#include <QColor>
#include <QFileInfo>
#include <QFont>
#include <QLocale>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ood {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QColor flaggingCellForeground()
{
    return QColor(140, 20, 0);
}
QColor errorForeground()
{
    return QColor(170, 0, 0);
}

} // namespace

FrameTableModel::FrameTableModel(QObject *parent) : QAbstractTableModel(parent) {}

// Light enough that selection and text stay readable on the default palettes.
QColor FrameTableModel::unusualRowColour()
{
    return QColor(255, 240, 219);
}

QColor FrameTableModel::flaggingCellColour()
{
    return QColor(255, 204, 153);
}

QString FrameTableModel::detectorTitle(int detector) const
{
    const DetectorWords words =
        detectorWords(QString::fromStdString(m_detectorIds[static_cast<size_t>(detector)]));
    return words.description.isEmpty() ? m_detectorNames[detector] : words.plainName;
}

void FrameTableModel::setEnabledDetectors(const std::vector<bool> &enabled)
{
    m_enabled = enabled;
    if (!m_frames.empty())
        Q_EMIT dataChanged(index(0, flaggedColumn()), index(rowCount() - 1, flaggedColumn()));
}

int FrameTableModel::enabledDetectorCount() const
{
    int count = 0;
    for (int d = 0; d < detectorCount(); ++d)
        count += size_t(d) >= m_enabled.size() || m_enabled[size_t(d)] ? 1 : 0;
    return count;
}

void FrameTableModel::setDetectors(const std::vector<std::string> &ids, const QStringList &names,
                                   const std::vector<double> &thresholds)
{
    if (static_cast<size_t>(names.size()) != ids.size() || thresholds.size() != ids.size())
        throw Error("frame table: " + std::to_string(ids.size()) + " detector ids but " +
                    std::to_string(names.size()) + " names and " + std::to_string(thresholds.size()) +
                    " thresholds");
    beginResetModel();
    m_detectorIds = ids;
    m_detectorNames = names;
    m_thresholds = thresholds;
    for (FrameRecord &frame : m_frames)
        frame.scores.resize(ids.size(), kNaN);
    endResetModel();
}

void FrameTableModel::setClassNames(const QStringList &names)
{
    m_classNames = names;
    if (!m_frames.empty())
        Q_EMIT dataChanged(index(0, PredictionColumn), index(rowCount() - 1, PredictionColumn));
}

void FrameTableModel::setFrames(std::vector<FrameRecord> frames)
{
    beginResetModel();
    m_frames = std::move(frames);
    m_rowOfKey.clear();
    m_rowOfKey.reserve(static_cast<qsizetype>(m_frames.size()));
    for (size_t row = 0; row < m_frames.size(); ++row) {
        m_frames[row].scores.resize(m_detectorIds.size(), kNaN);
        m_rowOfKey.insert(m_frames[row].reviewKey(), static_cast<int>(row));
    }
    m_thumbnails.assign(m_frames.size(), QImage());
    m_thumbnailAsked.assign(m_frames.size(), 0);
    endResetModel();
}

void FrameTableModel::updateScores(int firstRow, const std::vector<FrameResult> &results)
{
    if (firstRow < 0 || firstRow >= rowCount() || results.empty())
        return;
    const int last = std::min(rowCount() - 1, firstRow + static_cast<int>(results.size()) - 1);
    for (int row = firstRow; row <= last; ++row) {
        FrameRecord &frame = m_frames[static_cast<size_t>(row)];
        frame.setResult(results[static_cast<size_t>(row - firstRow)]);
        frame.scores.resize(m_detectorIds.size(), kNaN);
    }
    // Whole rows: the flagged background spans every column.
    Q_EMIT dataChanged(index(firstRow, 0), index(last, columnCount() - 1));
}

void FrameTableModel::setMark(int row, ReviewMark mark, const QString &note)
{
    if (row < 0 || row >= rowCount())
        return;
    FrameRecord &frame = m_frames[static_cast<size_t>(row)];
    frame.mark = mark;
    frame.note = note;
    Q_EMIT dataChanged(index(row, markColumn()), index(row, noteColumn()));
}

void FrameTableModel::setThumbnail(int row, const QImage &image)
{
    if (row < 0 || row >= rowCount())
        return;
    m_thumbnails[static_cast<size_t>(row)] = image;
    const QModelIndex cell = index(row, ThumbnailColumn);
    Q_EMIT dataChanged(cell, cell, {Qt::DecorationRole});
}

int FrameTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_frames.size());
}

int FrameTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : noteColumn() + 1;
}

int FrameTableModel::rowOfKey(const QString &reviewKey) const
{
    return m_rowOfKey.value(reviewKey, -1);
}

int FrameTableModel::detectorOfColumn(int column) const
{
    const int detector = column - FirstDetectorColumn;
    return detector >= 0 && detector < detectorCount() ? detector : -1;
}

bool FrameTableModel::isFlaggedBy(int row, int detector) const
{
    if (row < 0 || row >= rowCount() || detector < 0 || detector >= detectorCount())
        return false;
    const FrameRecord &frame = m_frames[static_cast<size_t>(row)];
    const double score = frame.scores[static_cast<size_t>(detector)];
    return frame.scored && exceedsThreshold(score, m_thresholds[static_cast<size_t>(detector)]);
}

double FrameTableModel::sortNumber(int row, int column) const
{
    const FrameRecord &frame = m_frames[static_cast<size_t>(row)];
    if (column == ThumbnailColumn)
        return row;
    if (column == markColumn())
        return static_cast<double>(frame.mark);
    if (!frame.scored)
        return kNaN;
    if (column == PredictionColumn)
        return frame.prediction >= 0 ? frame.prediction : kNaN;
    if (column == ConfidenceColumn)
        return frame.confidence;
    if (column == flaggedColumn())
        // The verdict first, then how many detectors agree: unusual frames sort together.
        return (frame.isFlagged() ? detectorCount() + 1 : 0) + frame.flaggedBy;
    if (const int detector = detectorOfColumn(column); detector >= 0)
        return frame.scores[static_cast<size_t>(detector)];
    return kNaN;
}

QString FrameTableModel::nameOf(const FrameRecord &frame)
{
    return frame.displayName.isEmpty() ? QFileInfo(frame.path).fileName() : frame.displayName;
}

QString FrameTableModel::markText(ReviewMark mark)
{
    switch (mark) {
    case ReviewMark::ConfirmedUnusual:
        return tr("Confirmed unusual");
    case ReviewMark::FalseAlarm:
        return tr("False alarm");
    case ReviewMark::Unsure:
        return tr("Unsure");
    case ReviewMark::None:
        break;
    }
    return tr("Not reviewed");
}

QString FrameTableModel::predictionName(int prediction) const
{
    if (prediction < 0)
        return {};
    if (prediction < m_classNames.size())
        return m_classNames[prediction];
    return tr("class %1").arg(prediction);
}

QString FrameTableModel::formatScore(double value) const
{
    if (!std::isfinite(value))
        return std::isnan(value) ? QString() : QLocale().toString(value);
    return QLocale().toString(value, 'g', 4);
}

QVariant FrameTableModel::displayData(const FrameRecord &frame, int column) const
{
    if (column == ThumbnailColumn)
        return {};
    if (column == NameColumn)
        return nameOf(frame);
    if (column == markColumn())
        return frame.mark == ReviewMark::None ? QString() : markText(frame.mark);
    if (column == noteColumn())
        return frame.note;
    if (!frame.scored) {
        if (column == PredictionColumn && !frame.error.isEmpty())
            return tr("error");
        return {};
    }
    if (column == PredictionColumn)
        return predictionName(frame.prediction);
    if (column == ConfidenceColumn)
        return std::isnan(frame.confidence)
                   ? QString()
                   : QLocale().toString(frame.confidence * 100.0, 'f', 1) + QStringLiteral(" %");
    if (column == flaggedColumn())
        return frame.isFlagged() ? tr("Unusual, %1 of %2").arg(frame.flaggedBy).arg(enabledDetectorCount())
                                 : tr("%1 of %2").arg(frame.flaggedBy).arg(enabledDetectorCount());
    if (const int detector = detectorOfColumn(column); detector >= 0)
        return formatScore(frame.scores[static_cast<size_t>(detector)]);
    return {};
}

QVariant FrameTableModel::toolTipData(const FrameRecord &frame, int column) const
{
    if (!frame.error.isEmpty() && (column == NameColumn || column == PredictionColumn))
        return tr("Could not be scored: %1").arg(frame.error);
    if (column == NameColumn || column == ThumbnailColumn)
        return frame.videoFrame < 0 ? frame.path : tr("%1, frame %2").arg(frame.path).arg(frame.videoFrame);
    if (column == markColumn())
        return markText(frame.mark);
    if (column == noteColumn())
        return frame.note;
    if (!frame.scored)
        return tr("Not scored yet");
    if (column == ConfidenceColumn)
        return tr("How sure the model is of its prediction (its highest class probability)");
    if (column == flaggedColumn())
        return frame.isFlagged()
                   ? tr("Unusual for this model: the verdict calls the frame unusual. %1 of %2 detectors "
                        "find it unusual on their own.")
                         .arg(frame.flaggedBy)
                         .arg(enabledDetectorCount())
                   : tr("The verdict found nothing unusual (%1 of %2 detectors find the frame "
                        "unusual on their own). This does not mean the frame is normal.")
                         .arg(frame.flaggedBy)
                         .arg(enabledDetectorCount());
    if (const int detector = detectorOfColumn(column); detector >= 0) {
        const double score = frame.scores[static_cast<size_t>(detector)];
        const QString threshold = formatScore(m_thresholds[static_cast<size_t>(detector)]);
        const QString name = detectorTitle(detector);
        if (std::isnan(score))
            return tr("%1 gave no score").arg(name);
        return score > m_thresholds[static_cast<size_t>(detector)]
                   ? tr("%1 finds the frame unusual: score %2 > threshold %3")
                         .arg(name, formatScore(score), threshold)
                   : tr("%1 finds nothing unusual: score %2 \u2264 threshold %3")
                         .arg(name, formatScore(score), threshold);
    }
    return {};
}

QVariant FrameTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const int column = index.column();
    const FrameRecord &frame = m_frames[static_cast<size_t>(row)];
    switch (role) {
    case Qt::DisplayRole:
        return displayData(frame, column);
    case Qt::DecorationRole: {
        if (column != ThumbnailColumn)
            return {};
        const QImage &image = m_thumbnails[static_cast<size_t>(row)];
        if (!image.isNull())
            return image;
        if (!m_thumbnailAsked[static_cast<size_t>(row)]) {
            m_thumbnailAsked[static_cast<size_t>(row)] = 1;
            Q_EMIT thumbnailNeeded(row);
        }
        return {};
    }
    case Qt::ToolTipRole:
        return toolTipData(frame, column);
    case Qt::TextAlignmentRole:
        if (column == ConfidenceColumn || column == flaggedColumn() || detectorOfColumn(column) >= 0)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (!frame.error.isEmpty() && (column == NameColumn || column == PredictionColumn))
            return QBrush(errorForeground());
        if (isFlaggedBy(row, detectorOfColumn(column)))
            return QBrush(flaggingCellForeground());
        return {};
    case Qt::BackgroundRole:
        if (isFlaggedBy(row, detectorOfColumn(column)))
            return QBrush(flaggingCellColour());
        if (frame.isFlagged())
            return QBrush(unusualRowColour());
        return {};
    case Qt::FontRole:
        if (column == flaggedColumn() && frame.isFlagged()) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case SortRole:
        if (column == NameColumn)
            return displayData(frame, column);
        if (column == noteColumn())
            return frame.note;
        return sortNumber(row, column);
    case FrameRowRole:
        return row;
    case FlaggedRole:
        if (const int detector = detectorOfColumn(column); detector >= 0)
            return isFlaggedBy(row, detector);
        return frame.isFlagged();
    default:
        return {};
    }
}

QVariant FrameTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        if (section == ThumbnailColumn)
            return QString();
        if (section == NameColumn)
            return tr("Frame");
        if (section == PredictionColumn)
            return tr("Prediction");
        if (section == ConfidenceColumn)
            return tr("Confidence");
        if (section == flaggedColumn())
            return tr("Verdict");
        if (section == markColumn())
            return tr("Review");
        if (section == noteColumn())
            return tr("Note");
        return detectorTitle(detectorOfColumn(section));
    }
    if (role == Qt::ToolTipRole) {
        if (section == ThumbnailColumn)
            return tr("Thumbnail of the frame");
        if (section == NameColumn)
            return tr("File name, and the frame number for video frames");
        if (section == PredictionColumn)
            return tr("The class the model predicts");
        if (section == ConfidenceColumn)
            return tr("How sure the model is of its prediction (its highest class probability)");
        if (section == flaggedColumn())
            return tr(
                "\"Unusual\" when the profile's rule calls the frame unusual for this model; then how "
                "many of the detectors find it unusual on their own (k of n). Without \"Unusual\" nothing "
                "unusual was found, which does not mean the frame is normal.");
        if (section == markColumn())
            return tr("What the reviewer decided");
        if (section == noteColumn())
            return tr("The reviewer's note");
        const int detector = detectorOfColumn(section);
        const QString id = QString::fromStdString(m_detectorIds[static_cast<size_t>(detector)]);
        const QString technical =
            tr("%1 (id %2): finds a frame unusual when its score is above %3.")
                .arg(m_detectorNames[detector], id, formatScore(m_thresholds[static_cast<size_t>(detector)]));
        const QString description = detectorWords(id).description;
        return description.isEmpty() ? technical : description + QLatin1Char('\n') + technical;
    }
    return QAbstractTableModel::headerData(section, orientation, role);
}

} // namespace ood
