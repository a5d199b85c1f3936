#pragma once
// The reviewer's part: mark the selected frame (confirmed unusual, false alarm, unsure, or clear
// it) with the buttons or the keys 1, 2, 3, 0 (each button shows its key), write a note, and see how many
// flagged frames are reviewed. A mark or note goes to the review store at once (one transaction each) and
// then to the frame model; the window owns both.

#include "review/reviewmark.h"

#include <QGroupBox>
#include <QString>

#include <memory>
#include <vector>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace ood {

class FrameTableModel;
class ReviewStore;
struct FrameRecord;
struct ReviewContext;

class ReviewPanel : public QGroupBox
{
    Q_OBJECT

  public:
    explicit ReviewPanel(FrameTableModel *model, QWidget *parent = nullptr);

    /// Where marks are saved; null: they are kept in the model only.
    void setStore(ReviewStore *store);
    /// Who marks from now on (Settings > Reviewer), stored with every mark; empty: not given.
    void setReviewer(const QString &name) { m_reviewer = name; }
    /// The mark and note of model row `row` (-1: none).
    void showFrame(int row);
    /// How many flagged frames have a mark.
    void showProgress();
    /// Saves the mark of `row` with its current note. False (after telling the user) when the
    /// store refused it; the model is then unchanged.
    bool setMark(int row, ReviewMark mark);
    /// Saves the note of `row` with its current mark. False when the store refused it.
    bool setNote(int row, const QString &note);

    QPlainTextEdit *noteEdit() const { return m_note; }
    QPushButton *markButton(ReviewMark mark) const;
    /// Removes the selected frame's mark (key 0); disabled while the frame has none.
    QPushButton *clearButton() const { return m_clearButton; }

  Q_SIGNALS:
    /// A button or key asked to mark the selected frame.
    void markChosen(ood::ReviewMark mark);
    /// The user changed the note (emitted on every change, so a crash loses at most a keystroke).
    void noteEdited(const QString &note);
    void statusMessage(const QString &text);

  private:
    FrameTableModel *m_model;
    ReviewStore *m_store = nullptr;
    QString m_reviewer;
    QPushButton *m_markButtons[3];
    QPushButton *m_clearButton = nullptr;
    QPlainTextEdit *m_note;
    QLabel *m_progress;
};

/// Opens the review store for the first of `paths` (a folder, or a file's folder), telling the user
/// when the marks are saved elsewhere (read-only folder) or were made with another model, and
/// stamps it with `context`. Null (after a warning) when it cannot be opened.
std::unique_ptr<ReviewStore> openReviewStoreFor(const QStringList &paths, const ReviewContext &context,
                                                QWidget *parent);
/// Gives `records` the marks and notes `store` holds for them.
void applyStoredMarks(const ReviewStore &store, std::vector<FrameRecord> &records);

} // namespace ood
