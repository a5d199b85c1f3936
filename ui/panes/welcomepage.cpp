#include "panes/welcomepage.h"

#include "data/videosource.h"
#include "panes/actionsupport.h"
#include "session/demoassets.h"
#include "settings/appsettings.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QListWidgetItem>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>
#include <QVBoxLayout>

#include <functional>

namespace ood {

WelcomePage::WelcomePage(QWidget *parent) : QWidget(parent), m_recent(new QListWidget(this))
{
    auto make = [this](const char *name, const QString &text, const QKeySequence &shortcut,
                       const QString &tip, std::function<void()> slot) {
        auto *action = new QAction(text, this);
        action->setObjectName(name);
        action->setShortcut(shortcut);
        action->setToolTip(tip);
        action->setStatusTip(tip);
        connect(action, &QAction::triggered, this, std::move(slot));
        addAction(action);
        return action;
    };
    make("openProfile", tr("Open &Profile…"), QKeySequence(tr("Ctrl+Shift+O")),
         tr("Open a profile (.oodprofile) fitted with ood-inspect fit; its model is opened and checked."),
         [this] {
             const QString path = QFileDialog::getOpenFileName(
                 this, tr("Open profile"), {},
                 tr("OOD Inspector profiles (*.oodprofile *.oodbundle);;All files (*)"));
             if (!path.isEmpty())
                 Q_EMIT profileChosen(path);
         });
    make("openImages", tr("Open &Images…"), QKeySequence::Open,
         tr("Add image files to the session and score them."), [this] {
             const QStringList paths = QFileDialog::getOpenFileNames(
                 this, tr("Open images"), {},
                 tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;All files (*)"));
             if (!paths.isEmpty())
                 Q_EMIT framesChosen(paths);
         });
    make("openFolder", tr("Open &Folder…"), QKeySequence(tr("Ctrl+Shift+F")),
         tr("Add every image under a folder (recursively) and score them."), [this] {
             const QString path = QFileDialog::getExistingDirectory(this, tr("Open folder"));
             if (!path.isEmpty())
                 Q_EMIT framesChosen({path});
         });
    make("openVideo", tr("Open &Video…"), QKeySequence(tr("Ctrl+Shift+V")),
         tr("Add a video (every n-th frame, see Settings) to the session and score its frames."), [this] {
             QStringList patterns;
             for (const QString &extension : videoExtensions())
                 patterns << QStringLiteral("*.") + extension;
             const QStringList paths = QFileDialog::getOpenFileNames(
                 this, tr("Open video"), {}, tr("Videos (%1);;All files (*)").arg(patterns.join(' ')));
             if (!paths.isEmpty())
                 Q_EMIT framesChosen(paths);
         });
    make("openDemo", tr("Open the &Demo"), QKeySequence(),
         tr("Open the bundled demo model, profile and frames."), [this] { Q_EMIT demoChosen(); });

    auto *layout = new QVBoxLayout(this);
    layout->addStretch();
    auto *title =
        new QLabel(tr("<h1>OOD Inspector</h1><p>Find the endoscopy frames a classifier should not be "
                      "trusted on, see why, and report.</p>"),
                   this);
    title->setAlignment(Qt::AlignCenter);
    layout->addWidget(title);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    for (const char *name : {"openDemo", "openProfile", "openFolder"}) {
        QAction *action = findChild<QAction *>(name);
        auto *button = new QPushButton(action->text().remove('&').remove(QStringLiteral("…")), this);
        button->setToolTip(action->toolTip());
        button->setMinimumHeight(36);
        connect(button, &QPushButton::clicked, action, &QAction::trigger);
        buttons->addWidget(button);
    }
    buttons->addStretch();
    layout->addLayout(buttons);
    auto *recentTitle = new QLabel(tr("Recent:"), this);
    recentTitle->setAlignment(Qt::AlignCenter);
    layout->addWidget(recentTitle);
    m_recent->setMaximumWidth(600);
    m_recent->setMaximumHeight(160);
    m_recent->setToolTip(tr("Double-click to open again (profiles open with their model)."));
    layout->addWidget(m_recent, 0, Qt::AlignHCenter);
    connect(m_recent, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const QString path = item->data(Qt::UserRole).toString();
        if (path.endsWith(QLatin1String(".oodprofile")) || path.endsWith(QLatin1String(".oodbundle")))
            Q_EMIT profileChosen(path);
        else
            Q_EMIT framesChosen({path});
    });
    auto *hint = new QLabel(tr("You can also drop a profile, images or folders onto this window."), this);
    hint->setAlignment(Qt::AlignCenter);
    layout->addWidget(hint);
    layout->addStretch();
    showRecent();
}

std::optional<ExtractedDemo> WelcomePage::extractDemo()
{
    if (!hasDemoAssets()) {
        QMessageBox::warning(
            window(), tr("No demo"),
            tr("This build carries no demo assets (resources/demo/build-assets.sh makes them)."));
        return std::nullopt;
    }
    const QString target = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/demo";
    try {
        return extractDemoAssets(QString::fromLatin1(kEmbeddedDemoAssets), target);
    } catch (const std::exception &e) {
        QMessageBox::critical(window(), tr("Cannot open the demo"), QString::fromUtf8(e.what()));
        return std::nullopt;
    }
}

void WelcomePage::addRecent(const QString &path)
{
    AppSettings().addRecentFile(path);
    showRecent();
}

void WelcomePage::showRecent()
{
    m_recent->clear();
    for (const QString &path : AppSettings().recentFiles()) {
        auto *item = new QListWidgetItem(QFileInfo(path).fileName() + "  —  " + path, m_recent);
        item->setData(Qt::UserRole, path);
    }
}

} // namespace ood
