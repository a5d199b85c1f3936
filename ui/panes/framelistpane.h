#pragma once
// The list of the session's frames with its filters (flagged, predicted class, review state,
// flagging detector, name), a legend of its row tints, and J/K to move. Thumbnails are decoded on the thread
// pool when the view first asks for them. The window owns the frame model; the pane sorts and filters it.

#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace ood {

class FrameFilterProxy;
class FrameTableModel;

class FrameListPane : public QWidget
{
    Q_OBJECT

  public:
    explicit FrameListPane(FrameTableModel *model, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    FrameFilterProxy *proxy() const { return m_proxy; }

    /// The class and detector filters offer these classes and the enabled detectors (one flag
    /// per detector name); what was picked stays picked while it is offered.
    void setChoices(const QStringList &classNames, const QStringList &detectorNames,
                    const std::vector<bool> &enabled);
    /// What the row tints mean (the line under the list), as plain text.
    QString legendText() const;
    /// Score columns of detectors that are not enabled are hidden, and the verdict column counts
    /// the enabled ones.
    void showDetectorColumns(const std::vector<bool> &enabled);
    /// The selected frame's row in the model, or -1.
    int currentSourceRow() const;
    /// Selects the frame of this model row; false when the filters hide it.
    bool selectSourceRow(int sourceRow);
    /// Selects the first listed frame when none is selected.
    void selectFirstIfNone();
    void moveSelection(int delta);

  Q_SIGNALS:
    /// Another frame was selected (its model row).
    void currentFrameChanged(int sourceRow);

  private:
    void loadThumbnail(int row);

    FrameTableModel *m_model;
    FrameFilterProxy *m_proxy;
    QTableView *m_view;
    QCheckBox *m_flaggedOnly;
    QLineEdit *m_nameFilter;
    QComboBox *m_classFilter;
    QComboBox *m_markFilter;
    QComboBox *m_detectorFilter;
    QLabel *m_legend;
};

} // namespace ood
