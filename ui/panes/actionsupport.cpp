#include "panes/actionsupport.h"

#include <QAction>
#include <QWidget>

namespace ood {

QAction *addPaneAction(QWidget *owner, const char *name, const QString &text, const QKeySequence &key,
                       const QString &tip)
{
    auto *action = new QAction(text, owner);
    action->setObjectName(QLatin1String(name));
    action->setShortcut(key);
    action->setToolTip(tip);
    action->setStatusTip(tip);
    owner->addAction(action);
    return action;
}

} // namespace ood
