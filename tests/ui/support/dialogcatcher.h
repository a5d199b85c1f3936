#pragma once
// For window tests: a modal message box would wait for a click forever.

#include <QApplication>
#include <QMessageBox>
#include <QStringList>
#include <QTimer>

namespace ood::test {

/// Closes every message box the window shows and keeps its title and text, so the test can check
/// (or fail on) them.
class DialogCatcher
{
  public:
    DialogCatcher()
    {
        m_timer.setInterval(50);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            for (QWidget *widget : QApplication::topLevelWidgets())
                if (auto *box = qobject_cast<QMessageBox *>(widget); box && box->isVisible()) {
                    m_seen << QStringLiteral("\"%1\": %2").arg(box->windowTitle(), box->text());
                    box->done(QMessageBox::Ok);
                }
        });
        m_timer.start();
    }
    QStringList seen() const { return m_seen; }

  private:
    QTimer m_timer;
    QStringList m_seen;
};

} // namespace ood::test
