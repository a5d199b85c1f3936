#include "panes/sessionstatusbar.h"

#include "jobs/scoringjob.h"
#include "session/inspectionsession.h"

#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>

#include <algorithm>

namespace ood {

SessionStatusBar::SessionStatusBar(ScoringJob *job, QWidget *parent)
    : QStatusBar(parent), m_status(new QLabel(this)), m_modelIdentity(new QLabel(this)),
      m_eta(new QLabel(this)), m_bar(new QProgressBar(this)), m_cancel(new QPushButton(tr("Cancel"), this))
{
    m_modelIdentity->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_eta->setToolTip(tr("Estimated time until every frame is scored"));
    m_bar->setMaximumWidth(220);
    m_bar->setToolTip(tr("Frames scored so far"));
    m_bar->hide();
    m_cancel->setToolTip(tr("Stop scoring after the current batch; frames scored so far are kept."));
    m_cancel->hide();
    addWidget(m_status, 1);
    addPermanentWidget(m_modelIdentity);
    addPermanentWidget(m_eta);
    addPermanentWidget(m_bar);
    addPermanentWidget(m_cancel);
    connect(m_cancel, &QPushButton::clicked, job, &ScoringJob::cancel);
    connect(job, &ScoringJob::progress, this, [this](int done, int total, double eta) {
        m_bar->setMaximum(std::max(1, total));
        m_bar->setValue(done);
        m_eta->setText(eta >= 0
                           ? tr("%1 of %2 frames, about %3 s left").arg(done).arg(total).arg(eta, 0, 'f', 0)
                           : tr("%1 of %2 frames").arg(done).arg(total));
    });
    connect(job, &ScoringJob::finished, this, [this](int scored, int failed, double seconds) {
        showScoringEnded(failed ? tr("Scored %1 frames in %2 s; %3 could not be read (see the list).")
                                      .arg(scored)
                                      .arg(seconds, 0, 'f', 1)
                                      .arg(failed)
                                : tr("Scored %1 frames in %2 s.").arg(scored).arg(seconds, 0, 'f', 1));
    });
    connect(job, &ScoringJob::cancelled, this, [this] { showScoringEnded(tr("Scoring cancelled.")); });
    connect(job, &ScoringJob::failed, this, [this](const QString &message) {
        showScoringEnded(tr("Scoring failed: %1").arg(message));
        QMessageBox::warning(window(), tr("Scoring failed"), message);
    });
}

void SessionStatusBar::setStatus(const QString &text)
{
    m_status->setText(text);
}

QString SessionStatusBar::status() const
{
    return m_status->text();
}

void SessionStatusBar::showModel(const InspectionSession &session)
{
    m_modelIdentity->setText(tr("Model sha256 %1…").arg(session.modelSha256().left(12)));
    m_modelIdentity->setToolTip(tr("Model %1\nsha256 %2\nProfile %3\nsha256 %4\nComputation: %5")
                                    .arg(session.modelPath(), session.modelSha256(), session.profilePath(),
                                         session.profileSha256(), session.inferenceDescription()));
}

void SessionStatusBar::showScoringStarted()
{
    m_bar->setValue(0);
    m_bar->show();
    m_cancel->show();
}

void SessionStatusBar::showScoringEnded(const QString &message)
{
    m_bar->hide();
    m_cancel->hide();
    m_eta->clear();
    setStatus(message);
    Q_EMIT scoringEnded();
}

} // namespace ood
