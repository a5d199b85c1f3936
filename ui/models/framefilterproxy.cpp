#include "models/framefilterproxy.h"

#include "models/frametablemodel.h"

#include <algorithm>
#include <cmath>

namespace ood {

FrameFilterProxy::FrameFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(FrameTableModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void FrameFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    m_frames = qobject_cast<FrameTableModel *>(model);
    QSortFilterProxyModel::setSourceModel(model);
}

void FrameFilterProxy::setFlaggedOnly(bool on)
{
    if (on == m_flaggedOnly)
        return;
    m_flaggedOnly = on;
    invalidateRowsFilter();
}

void FrameFilterProxy::setPredictedClass(int classIndex)
{
    classIndex = std::max(-1, classIndex);
    if (classIndex == m_predictedClass)
        return;
    m_predictedClass = classIndex;
    invalidateRowsFilter();
}

void FrameFilterProxy::setMarkFilter(std::optional<ReviewMark> mark)
{
    if (mark == m_mark)
        return;
    m_mark = mark;
    invalidateRowsFilter();
}

void FrameFilterProxy::setFlaggingDetector(int detector)
{
    detector = std::max(-1, detector);
    if (detector == m_detector)
        return;
    m_detector = detector;
    invalidateRowsFilter();
}

void FrameFilterProxy::setNameFilter(const QString &text)
{
    if (text == m_name)
        return;
    m_name = text;
    invalidateRowsFilter();
}

void FrameFilterProxy::clearFilters()
{
    m_flaggedOnly = false;
    m_predictedClass = -1;
    m_mark.reset();
    m_detector = -1;
    m_name.clear();
    invalidateRowsFilter();
}

int FrameFilterProxy::frameRow(int proxyRow) const
{
    const QModelIndex source = mapToSource(index(proxyRow, 0));
    return source.isValid() ? source.row() : -1;
}

bool FrameFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_frames || sourceParent.isValid())
        return true;
    const FrameRecord &frame = m_frames->frame(sourceRow);
    if (m_flaggedOnly && !frame.isFlagged())
        return false;
    if (m_predictedClass >= 0 && (!frame.scored || frame.prediction != m_predictedClass))
        return false;
    if (m_mark && frame.mark != *m_mark)
        return false;
    if (m_detector >= 0 && !m_frames->isFlaggedBy(sourceRow, m_detector))
        return false;
    if (!m_name.isEmpty()) {
        if (!FrameTableModel::nameOf(frame).contains(m_name, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

bool FrameFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (!m_frames)
        return QSortFilterProxyModel::lessThan(left, right);
    // Qt sorts descending by asking lessThan(right, left), so a missing value has to be the
    // largest when ascending and the smallest when descending to end up last either way.
    const bool missingIsLess = sortOrder() == Qt::DescendingOrder;
    const int column = left.column();
    if (column == FrameTableModel::NameColumn) {
        // Frames of one video go in frame order ("#9" before "#10"), not in text order.
        const FrameRecord &a = m_frames->frame(left.row());
        const FrameRecord &b = m_frames->frame(right.row());
        if (a.videoFrame >= 0 && b.videoFrame >= 0 && a.path == b.path)
            return a.videoFrame < b.videoFrame;
    }
    if (column == FrameTableModel::NameColumn || column == m_frames->noteColumn()) {
        const auto text = [&](int row) {
            const FrameRecord &frame = m_frames->frame(row);
            return column == FrameTableModel::NameColumn ? FrameTableModel::nameOf(frame) : frame.note;
        };
        const QString a = text(left.row());
        const QString b = text(right.row());
        if (a.isEmpty() || b.isEmpty())
            return a.isEmpty() == b.isEmpty() ? false : (a.isEmpty() ? missingIsLess : !missingIsLess);
        return QString::compare(a, b, sortCaseSensitivity()) < 0;
    }
    const double a = m_frames->sortNumber(left.row(), column);
    const double b = m_frames->sortNumber(right.row(), column);
    const bool aMissing = std::isnan(a), bMissing = std::isnan(b);
    if (aMissing || bMissing)
        return aMissing == bMissing ? false : (aMissing ? missingIsLess : !missingIsLess);
    return a < b;
}

} // namespace ood
