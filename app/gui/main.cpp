// ood-inspector: the desktop application of OOD Inspector.

#include "mainwindow.h"
#include "settings/appsettings.h"
#include "base/version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QTimer>
#include <QTranslator>

#include <torch/torch.h>

#include <algorithm>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("OOD Inspector"));
    QApplication::setApplicationVersion(QStringLiteral(OOD_VERSION_STRING " (git " OOD_GIT_REVISION ")"));
    QApplication::setOrganizationName(QStringLiteral("OOD Inspector"));
    QApplication::setOrganizationDomain(QStringLiteral("ood-inspector.org"));
    QApplication::setDesktopFileName(QStringLiteral("org.oodinspector.OODInspector"));
    QIcon icon;
    for (const char *size : {"16x16", "32x32", "48x48", "64x64", "128x128", "256x256"})
        icon.addFile(
            QStringLiteral(":/icons/%1/apps/org.oodinspector.OODInspector.png").arg(QLatin1String(size)));
    QApplication::setWindowIcon(icon);

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "main", "Explainable out-of-distribution inspection of endoscopy frames."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({"demo", QCoreApplication::translate("main", "Open the bundled demo.")});
    parser.addOption({"profile", QCoreApplication::translate("main", "Open this profile."), "PROFILE"});
    parser.addOption({"model",
                      QCoreApplication::translate("main", "Use this model file instead of the profile's."),
                      "CKPT"});
    parser.addOption(
        {"language", QCoreApplication::translate("main", "User interface language: en or de."), "LANG"});
    parser.addPositionalArgument(
        "paths",
        QCoreApplication::translate("main",
                                    "Images, folders, videos, a profile or a results file (.csv) to open."),
        "[PATH...]");
    parser.process(app);

    const ood::AppSettings settings;
    const QString language = parser.isSet("language")         ? parser.value("language")
                             : !settings.language().isEmpty() ? settings.language()
                                                              : QLocale().name().left(2);
    QTranslator qtTranslator, appTranslator;
    if (language != QLatin1String("en")) {
        if (qtTranslator.load(QLocale(language), "qtbase", "_",
                              QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
            QApplication::installTranslator(&qtTranslator);
        if (appTranslator.load(QLocale(language), "ood-inspector", "_", ":/i18n"))
            QApplication::installTranslator(&appTranslator);
    }
    // What the window shows its user guide in (ood::uiLanguage): the language the interface got.
    app.setProperty("uiLanguage", appTranslator.isEmpty() ? QStringLiteral("en") : language);

    at::set_num_threads(std::clamp(settings.threads(), 1, ood::AppSettings::coreCount()));

    ood::MainWindow window;
    window.show();
    // After show(), so that the window is there while the profile and model load.
    QTimer::singleShot(0, &window, [&] {
        if (parser.isSet("demo"))
            window.openDemo();
        if (parser.isSet("profile"))
            window.openProfile(parser.value("profile"), parser.value("model"));
        // A results file of 'ood-inspect score' or 'merge' opens with its scores, unscored again.
        QStringList frames;
        for (const QString &path : parser.positionalArguments()) {
            if (path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive))
                window.openResults(path);
            else
                frames << path;
        }
        if (!frames.isEmpty())
            window.openFrames(frames);
    });
    return app.exec();
}
