#pragma once
// What the panes' actions share: an action named for tests and menus, with its key and a tooltip
// that is also its status tip, added to its owner so the key works while the owner is shown.

#include <QKeySequence>
#include <QString>

class QAction;
class QWidget;

namespace ood {

QAction *addPaneAction(QWidget *owner, const char *name, const QString &text, const QKeySequence &key,
                       const QString &tip);

} // namespace ood
