#include "panes/reviewpanel.h"

#include "models/frametablemodel.h"
#include "panes/actionsupport.h"
#include "review/reviewstore.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace ood {

namespace {

const ReviewMark kMarks[3] = {ReviewMark::ConfirmedUnusual, ReviewMark::FalseAlarm, ReviewMark::Unsure};

/// A message box that does not block: the window goes on while it is shown.
void inform(QWidget *parent, const QString &title, const QString &text)
{
    auto *box = new QMessageBox(QMessageBox::Information, title, text, QMessageBox::Ok, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace

ReviewPanel::ReviewPanel(FrameTableModel *model, QWidget *parent)
    : QGroupBox(tr("Review"), parent), m_model(model), m_note(new QPlainTextEdit(this)),
      m_progress(new QLabel(this))
{
    struct MarkAction
    {
        const char *name;
        ReviewMark mark;
        QString text, tip;
        QKeySequence key;
    };
    const MarkAction markActions[] = {
        {"markUnusual", ReviewMark::ConfirmedUnusual, markLabel(ReviewMark::ConfirmedUnusual),
         tr("Mark the frame: the model should not be trusted on it."), QKeySequence(tr("1"))},
        {"markFalseAlarm", ReviewMark::FalseAlarm, markLabel(ReviewMark::FalseAlarm),
         tr("Mark the frame: ordinary, the detectors were wrong."), QKeySequence(tr("2"))},
        {"markUnsure", ReviewMark::Unsure, markLabel(ReviewMark::Unsure), tr("Mark the frame as unsure."),
         QKeySequence(tr("3"))},
        {"clearMark", ReviewMark::None, tr("Clear Mark"), tr("Remove the frame's review mark."),
         QKeySequence(tr("0"))},
    };
    auto *layout = new QVBoxLayout(this);
    // Two by two, so the buttons keep their key hints in the right-hand column at 1366 px.
    auto *markGrid = new QGridLayout;
    for (int i = 0; i < 4; ++i) {
        const MarkAction &m = markActions[i];
        connect(addPaneAction(this, m.name, m.text, m.key, m.tip), &QAction::triggered, this,
                [this, mark = m.mark] { Q_EMIT markChosen(mark); });
        // The key on the button itself: reviewers go through hundreds of frames, and a key they
        // can see is one they learn.
        const QString key = m.key.toString(QKeySequence::NativeText);
        // Buttons in sentence case like the marks beside them; the menu keeps title case.
        auto *button = new QPushButton(tr("%1 (%2)").arg(i == 3 ? tr("Clear mark") : m.text, key), this);
        button->setToolTip(tr("%1 Key: %2").arg(m.tip, key));
        markGrid->addWidget(button, i / 2, i % 2);
        if (i == 3) {
            m_clearButton = button;
            connect(button, &QPushButton::clicked, this, [this] { Q_EMIT markChosen(ReviewMark::None); });
            break;
        }
        m_markButtons[i] = button;
        m_markButtons[i]->setCheckable(true);
        connect(m_markButtons[i], &QPushButton::clicked, this,
                [this, i](bool checked) { Q_EMIT markChosen(checked ? kMarks[i] : ReviewMark::None); });
    }
    layout->addLayout(markGrid);
    m_clearButton->setEnabled(false); // no frame, no mark
    m_note->setPlaceholderText(tr("Note (saved when you leave the field or pick a mark)"));
    m_note->setMaximumHeight(60);
    m_note->setToolTip(tr("A note for the record; it is saved with the mark."));
    layout->addWidget(m_note);
    layout->addWidget(m_progress);
    connect(m_note, &QPlainTextEdit::textChanged, this, [this] {
        // Saved on every change, so a crash loses at most the keystroke being typed.
        if (m_note->hasFocus())
            Q_EMIT noteEdited(m_note->toPlainText());
    });
}

QPushButton *ReviewPanel::markButton(ReviewMark mark) const
{
    for (int i = 0; i < 3; ++i)
        if (kMarks[i] == mark)
            return m_markButtons[i];
    return nullptr;
}

void ReviewPanel::setStore(ReviewStore *store)
{
    m_store = store;
    if (store)
        m_progress->setToolTip(
            tr("Review marks are saved in %1").arg(QDir::toNativeSeparators(store->path())));
}

void ReviewPanel::showFrame(int row)
{
    const ReviewMark mark = row >= 0 ? m_model->frame(row).mark : ReviewMark::None;
    for (int i = 0; i < 3; ++i)
        m_markButtons[i]->setChecked(kMarks[i] == mark);
    m_clearButton->setEnabled(mark != ReviewMark::None);
    const QSignalBlocker block(m_note);
    m_note->setPlainText(row >= 0 ? m_model->frame(row).note : QString());
}

void ReviewPanel::showProgress()
{
    int flagged = 0, reviewed = 0;
    for (const FrameRecord &f : m_model->frames()) {
        if (f.isFlagged()) {
            ++flagged;
            reviewed += f.mark != ReviewMark::None ? 1 : 0;
        }
    }
    m_progress->setText(tr("%1 of %2 flagged frames reviewed").arg(reviewed).arg(flagged));
}

bool ReviewPanel::setMark(int row, ReviewMark mark)
{
    // The note field saves itself on every change, so the model holds the current note.
    const QString note = m_model->frame(row).note;
    if (m_store) {
        try {
            if (mark == ReviewMark::None && note.isEmpty())
                m_store->clear(m_model->frame(row).reviewKey());
            else
                m_store->setMark(m_model->frame(row).reviewKey(), mark, note, m_reviewer);
        } catch (const std::exception &e) {
            QMessageBox::warning(this, tr("Mark not saved"), QString::fromUtf8(e.what()));
            return false;
        }
    }
    m_model->setMark(row, mark, note);
    showFrame(row);
    showProgress();
    return true;
}

bool ReviewPanel::setNote(int row, const QString &note)
{
    const ReviewMark mark = m_model->frame(row).mark;
    if (m_store) {
        try {
            m_store->setMark(m_model->frame(row).reviewKey(), mark, note, m_reviewer);
        } catch (const std::exception &e) {
            Q_EMIT statusMessage(tr("Note not saved: %1").arg(QString::fromUtf8(e.what())));
            return false;
        }
    }
    m_model->setMark(row, mark, note);
    if (!m_note->hasFocus())
        showFrame(row);
    return true;
}

void applyStoredMarks(const ReviewStore &store, std::vector<FrameRecord> &records)
{
    const QMap<QString, ReviewEntry> marks = store.allMarks();
    for (FrameRecord &record : records) {
        const auto it = marks.find(record.reviewKey());
        if (it != marks.end()) {
            record.mark = it->mark;
            record.note = it->note;
        }
    }
}

std::unique_ptr<ReviewStore> openReviewStoreFor(const QStringList &paths, const ReviewContext &context,
                                                QWidget *parent)
{
    if (paths.isEmpty())
        return nullptr;
    const QString root =
        QFileInfo(paths.first()).isDir() ? paths.first() : QFileInfo(paths.first()).absolutePath();
    try {
        auto store = std::make_unique<ReviewStore>();
        const QString path = ReviewStore::pathFor(root);
        QDir().mkpath(QFileInfo(path).absolutePath());
        store->open(path);
        if (path != ReviewStore::defaultPathFor(root))
            inform(parent, ReviewPanel::tr("Review marks are saved elsewhere"),
                   ReviewPanel::tr("%1 is read-only; review marks are saved in %2.")
                       .arg(QDir::toNativeSeparators(root), QDir::toNativeSeparators(path)));
        const ReviewContext previous = store->context();
        // Marks are decisions about frames; they stay valid when the profile is refitted, but a
        // different model may see the frames differently.
        if (!previous.modelSha256.isEmpty() && previous.modelSha256 != context.modelSha256)
            inform(parent, ReviewPanel::tr("Review marks from another model"),
                   ReviewPanel::tr("The review marks in %1 were made with another model. They are shown, "
                                   "but check them again.")
                       .arg(store->path()));
        store->setContext(context);
        return store;
    } catch (const std::exception &e) {
        QMessageBox::warning(
            parent, ReviewPanel::tr("Review marks are not saved"),
            ReviewPanel::tr("The review database could not be opened, so marks will not be kept: %1")
                .arg(e.what()));
        return nullptr;
    }
}

} // namespace ood
