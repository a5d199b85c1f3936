#pragma once
// Sorting and filtering of the frame list. Filters combine (a frame must pass every one that is
// set) and read the frame records directly, so refiltering 10,000 frames is one cheap pass.
// Sorting uses the raw values (FrameTableModel::SortRole); frames without a value (unscored,
// failed, empty text) come last in both orders.

#include "review/reviewmark.h"

#include <QSortFilterProxyModel>
#include <QString>

#include <optional>

namespace ood {

class FrameTableModel;

class FrameFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT

  public:
    explicit FrameFilterProxy(QObject *parent = nullptr);

    /// Must be a FrameTableModel (anything else: every row passes, default sorting).
    void setSourceModel(QAbstractItemModel *model) override;
    FrameTableModel *frameModel() const { return m_frames; }

    /// Only frames the verdict calls unusual (FrameResult::isFlagged).
    void setFlaggedOnly(bool on);
    bool flaggedOnly() const { return m_flaggedOnly; }
    /// Only frames predicted as this class index; -1 for any.
    void setPredictedClass(int classIndex);
    int predictedClass() const { return m_predictedClass; }
    /// Only frames with this review mark (ReviewMark::None: not reviewed yet); nullopt for any.
    void setMarkFilter(std::optional<ReviewMark> mark);
    std::optional<ReviewMark> markFilter() const { return m_mark; }
    /// Only frames this detector (index into the model's detectors) flags; -1 for any. An index
    /// the model does not have matches no frame.
    void setFlaggingDetector(int detector);
    int flaggingDetector() const { return m_detector; }
    /// Only frames whose name contains this text, ignoring case; empty for any.
    void setNameFilter(const QString &text);
    QString nameFilter() const { return m_name; }
    /// Every filter off.
    void clearFilters();

    /// The source row of a proxy row, or -1.
    int frameRow(int proxyRow) const;

  protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

  private:
    FrameTableModel *m_frames = nullptr;
    bool m_flaggedOnly = false;
    int m_predictedClass = -1;
    std::optional<ReviewMark> m_mark;
    int m_detector = -1;
    QString m_name;
};

} // namespace ood
