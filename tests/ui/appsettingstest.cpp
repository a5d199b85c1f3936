// The typed settings read and write the QSettings keys earlier versions wrote, so a user keeps
// their settings; the defaults match the CLI's where both have one.

#include "pipeline/scoringrun.h"
#include "settings/appsettings.h"

#include <QtTest>

using namespace ood;

class AppSettingsTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void init()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("OOD Inspector Tests");
        QCoreApplication::setApplicationName("appsettingstest");
        QSettings().clear();
    }

    void defaults()
    {
        const AppSettings settings;
        QCOMPARE(settings.batchSize(), RunOptions{}.batchSize); // the CLI's batch size
        QCOMPARE(settings.threads(), AppSettings::coreCount());
        QCOMPARE(settings.landscapeGrid(), 21);
        QCOMPARE(settings.videoEvery(), 5);
        QVERIFY(settings.disabledDetectors().isEmpty());
        QVERIFY(settings.language().isEmpty());
        QVERIFY(settings.recentFiles().isEmpty());
        QVERIFY(settings.reviewerName().isEmpty());
        QVERIFY(settings.modelLocation(QString(64, QLatin1Char('a'))).isEmpty());
    }

    void reviewerNameRoundTrips()
    {
        AppSettings settings;
        settings.setReviewerName(QStringLiteral("  Dr. Jürgen O'Neil "));
        QCOMPARE(settings.reviewerName(), QStringLiteral("Dr. Jürgen O'Neil")); // trimmed
        QCOMPARE(QSettings().value("reviewerName").toString(), QStringLiteral("Dr. Jürgen O'Neil"));
        settings.setReviewerName(QStringLiteral("   ")); // blank: not given, no key
        QVERIFY(settings.reviewerName().isEmpty());
        QVERIFY(!QSettings().contains("reviewerName"));
    }

    void modelLocationsAreKeptPerModel()
    {
        const QString first(64, QLatin1Char('a'));
        const QString second = QStringLiteral("0123456789ABCDEF").repeated(4);
        AppSettings settings;
        settings.setModelLocation(first, QStringLiteral("/models/first.pt"));
        settings.setModelLocation(second, QStringLiteral("/elsewhere/second.pt"));
        QCOMPARE(settings.modelLocation(first), QStringLiteral("/models/first.pt"));
        // A digest is a digest in either case.
        QCOMPARE(settings.modelLocation(second.toLower()), QStringLiteral("/elsewhere/second.pt"));
        QCOMPARE(QSettings().value("modelLocations/" + first).toString(), QStringLiteral("/models/first.pt"));
        settings.setModelLocation(first, {}); // forgotten
        QVERIFY(settings.modelLocation(first).isEmpty());
        QVERIFY(!QSettings().contains("modelLocations/" + first));
        QCOMPARE(settings.modelLocation(second), QStringLiteral("/elsewhere/second.pt"));
    }

    void keysAreTheOnesEarlierVersionsWrote()
    {
        {
            QSettings old;
            old.setValue("threads", 3);
            old.setValue("batchSize", 8);
            old.setValue("landscapeSize", 15);
            old.setValue("videoEvery", 2);
            old.setValue("disabledDetectors", QStringList{"odin", "pro_gen"});
            old.setValue("language", "de");
            old.setValue("recent", QStringList{"/a", "/b"});
        }
        AppSettings settings;
        QCOMPARE(settings.threads(), 3);
        QCOMPARE(settings.batchSize(), 8);
        QCOMPARE(settings.landscapeGrid(), 15);
        QCOMPARE(settings.videoEvery(), 2);
        QCOMPARE(settings.disabledDetectors(), (QStringList{"odin", "pro_gen"}));
        QCOMPARE(settings.language(), QString("de"));
        QCOMPARE(settings.recentFiles(), (QStringList{"/a", "/b"}));

        settings.setBatchSize(64);
        settings.setLandscapeGrid(10); // always odd
        settings.setLanguage({});      // the system language: no key
        QCOMPARE(QSettings().value("batchSize").toInt(), 64);
        QCOMPARE(QSettings().value("landscapeSize").toInt(), 11);
        QVERIFY(!QSettings().contains("language"));
    }

    void recentFilesKeepTheNewestEight()
    {
        AppSettings settings;
        for (int i = 0; i < 10; ++i)
            settings.addRecentFile(QString("/f%1").arg(i));
        settings.addRecentFile("/f5"); // opened again: moves to the front, once
        const QStringList recent = settings.recentFiles();
        QCOMPARE(recent.size(), AppSettings::kMaxRecent);
        QCOMPARE(recent.first(), QString("/f5"));
        QCOMPARE(recent.count("/f5"), 1);
        QCOMPARE(recent[1], QString("/f9"));
    }
};

QTEST_GUILESS_MAIN(AppSettingsTest)
#include "appsettingstest.moc"
