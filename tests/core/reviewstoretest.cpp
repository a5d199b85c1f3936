// The review database: marks survive closing, reopening and a SIGKILL in the middle of writing;
// keys with quotes, newlines and undecodable bytes come back unchanged; foreign, damaged and
// unwritable files are refused with an error naming them.

#include "base/error.h"
#include "review/reviewstore.h"

#include <QtTest>

#include <QStandardPaths>

#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

using namespace ood;

namespace {

const char *kChildEnv = "OOD_REVIEWSTORE_CHILD_DB";
constexpr int kBatch = 20;

QString singleKey(int i)
{
    return QStringLiteral("/frames/child \"%1\"\n'x'.png").arg(i);
}
QString batchKey(int i, int j)
{
    return QStringLiteral("/frames/video %1.mp4#%2").arg(i).arg(j);
}
ReviewMark markFor(int i)
{
    return static_cast<ReviewMark>(1 + i % 3);
}
QString noteFor(int i)
{
    return QStringLiteral("note %1\nsecond line").arg(i);
}

/// The writer the kill test runs in a child process: each iteration commits either one mark or a
/// batch of kBatch marks, then prints its number. It never returns; the parent kills it.
[[noreturn]] void runChildWriter(const QString &path)
{
    int status = 0;
    try {
        ReviewStore store(path);
        for (int i = 0; i < 100000; ++i) {
            if (i % 2 == 0) {
                store.setMark(singleKey(i), markFor(i), noteFor(i), QStringLiteral("child"));
            } else {
                std::vector<ReviewUpdate> batch;
                for (int j = 0; j < kBatch; ++j)
                    batch.push_back({batchKey(i, j), markFor(i), noteFor(i), QStringLiteral("child")});
                store.setMarks(batch);
            }
            std::printf("%d\n", i);
            std::fflush(stdout);
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "child: %s\n", e.what());
        status = 1;
    }
    std::_Exit(status);
}

void writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

QByteArray readBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// Runs SQL on a file through a connection of our own, as another program would.
void rawSql(const QString &path, const QStringList &statements)
{
    const QString name = QStringLiteral("raw-") + path;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        for (const QString &statement : statements)
            QVERIFY2(query.exec(statement), qPrintable(statement));
        query.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

/// Opening must throw an ood::Error that names the file and contains `fragment`.
void expectRefused(const QString &path, const QString &fragment)
{
    try {
        ReviewStore store(path);
        QFAIL(qPrintable("no error for " + path));
    } catch (const Error &e) {
        qInfo("%s", e.what());
        QVERIFY2(QString::fromUtf8(e.what()).contains(fragment), e.what());
        QVERIFY2(QString::fromUtf8(e.what()).contains(QFileInfo(path).fileName()), e.what());
    }
}

} // namespace

class ReviewStoreTest : public QObject
{
    Q_OBJECT

  public:
    ReviewStoreTest()
    {
        // QTEST_GUILESS_MAIN builds the application before the test object, so the kill test can
        // re-launch this executable as the writer without a helper program.
        if (qEnvironmentVariableIsSet(kChildEnv))
            runChildWriter(qEnvironmentVariable(kChildEnv));
    }

  private:
    QTemporaryDir m_dir;
    QString file(const QString &name) const { return m_dir.filePath(name); }

  private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void defaultPath()
    {
        const QString folder = m_dir.path();
        const QString expected = QDir(folder).filePath(QStringLiteral(".ood-inspector-review.sqlite"));
        QCOMPARE(ReviewStore::defaultPathFor(folder), expected);
        writeBytes(file(QStringLiteral("single.png")), "x");
        QCOMPARE(ReviewStore::defaultPathFor(file(QStringLiteral("single.png"))), expected);
    }

    void readOnlyFolderFallsBackToTheUserFolder()
    {
        QStandardPaths::setTestModeEnabled(true);
        const QString folder = file(QStringLiteral("read-only"));
        QVERIFY(QDir().mkpath(folder));
        // A writable folder keeps its marks next to the frames.
        QCOMPARE(ReviewStore::pathFor(folder), ReviewStore::defaultPathFor(folder));
        QVERIFY(QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::ExeOwner |
                                                  QFileDevice::ReadGroup | QFileDevice::ExeGroup |
                                                  QFileDevice::ReadOther | QFileDevice::ExeOther));
        const QString fallback = ReviewStore::pathFor(folder);
        QFile::setPermissions(folder,
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QCOMPARE(fallback, ReviewStore::fallbackPathFor(folder));
        QVERIFY(fallback.startsWith(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                                    "/reviews/"));
        QVERIFY(QFileInfo(fallback).fileName().startsWith(QStringLiteral("read-only-")));
        // The same folder always maps to the same file; another folder of the same name does not.
        QCOMPARE(ReviewStore::fallbackPathFor(folder + "/"), fallback);
        const QString twin = file(QStringLiteral("elsewhere/read-only"));
        QVERIFY(QDir().mkpath(twin));
        QVERIFY(ReviewStore::fallbackPathFor(twin) != fallback);
        // An existing database in the folder is used even when the folder turns read-only later.
        {
            QVERIFY(QDir().mkpath(folder));
            ReviewStore store(ReviewStore::defaultPathFor(folder));
            store.setMark(QStringLiteral("/a.png"), ReviewMark::Unsure, QString());
        }
        QCOMPARE(ReviewStore::pathFor(folder), ReviewStore::defaultPathFor(folder));
    }

    void writeAndReopen()
    {
        const QString path = file(QStringLiteral("reopen.sqlite"));
        // What a file name with invalid UTF-8 bytes becomes in Qt, plus quotes, newlines, SQL.
        const QString undecodable = QFile::decodeName(QByteArray("/data/\xff\xfe name.png"));
        const QMap<QString, ReviewEntry> wanted{
            {undecodable,
             {ReviewMark::ConfirmedUnusual,
              QStringLiteral("blurry \u00e9\u4e2d"),
              {},
              QStringLiteral("dr. o'hara")}},
            {QStringLiteral("/data/it's \"quoted\"\nand newline.jpg"),
             {ReviewMark::FalseAlarm, QStringLiteral("line 1\nline 2"), {}, {}}},
            {QStringLiteral("/data/x'); DROP TABLE marks; --.png"), {ReviewMark::Unsure, {}, {}, {}}},
            {QStringLiteral("/data/video \U0001F600.mp4#123"),
             {ReviewMark::ConfirmedUnusual, QStringLiteral("bubble"), {}, {}}},
        };
        const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
        {
            ReviewStore store(path);
            QVERIFY(store.isOpen());
            QCOMPARE(store.path(), QFileInfo(path).absoluteFilePath());
            QCOMPARE(store.journalMode(), QStringLiteral("wal"));
            for (auto it = wanted.begin(); it != wanted.end(); ++it)
                store.setMark(it.key(), it->mark, it->note, it->reviewer);
        }
        const QDateTime after = QDateTime::currentDateTimeUtc().addMSecs(1);

        ReviewStore store(path);
        QCOMPARE(store.journalMode(), QStringLiteral("wal"));
        const QMap<QString, ReviewEntry> stored = store.allMarks();
        QCOMPARE(stored.keys(), wanted.keys());
        for (auto it = wanted.begin(); it != wanted.end(); ++it) {
            const ReviewEntry &entry = stored[it.key()];
            QCOMPARE(entry.mark, it->mark);
            QCOMPARE(entry.note, it->note);
            QCOMPARE(entry.reviewer, it->reviewer);
            QVERIFY(entry.updatedUtc.isValid());
            QCOMPARE(entry.updatedUtc.timeSpec(), Qt::UTC);
            QVERIFY(entry.updatedUtc >= before && entry.updatedUtc <= after);
            const std::optional<ReviewEntry> single = store.mark(it.key());
            QVERIFY(single.has_value());
            QCOMPARE(single->note, it->note);
        }
        QVERIFY(!store.mark(QStringLiteral("/data/never marked.png")).has_value());
        // The store names its connections and leaves Qt's default connection alone.
        QVERIFY(!QSqlDatabase::contains(QLatin1String(QSqlDatabase::defaultConnection)));
    }

    void updateAndClear()
    {
        ReviewStore store(file(QStringLiteral("update.sqlite")));
        const QString key = QStringLiteral("/data/a.png");
        store.setMark(key, ReviewMark::Unsure, QStringLiteral("first look"));
        const QDateTime first = store.mark(key)->updatedUtc;
        QTest::qWait(5);
        store.setMark(key, ReviewMark::ConfirmedUnusual, QStringLiteral("second look"), QStringLiteral("r2"));
        ReviewEntry entry = *store.mark(key);
        QCOMPARE(entry.mark, ReviewMark::ConfirmedUnusual);
        QCOMPARE(entry.note, QStringLiteral("second look"));
        QCOMPARE(entry.reviewer, QStringLiteral("r2"));
        QVERIFY(entry.updatedUtc > first);
        QCOMPARE(store.allMarks().size(), 1);

        // A note without a decision is kept; no decision and no note removes the entry.
        store.setMark(key, ReviewMark::None, QStringLiteral("only a note"));
        QCOMPARE(store.mark(key)->mark, ReviewMark::None);
        QCOMPARE(store.counts()[ReviewMark::None], 1);
        store.setMark(key, ReviewMark::None, QString());
        QVERIFY(!store.mark(key).has_value());

        store.setMark(key, ReviewMark::FalseAlarm, {});
        store.clear(key);
        QVERIFY(!store.mark(key).has_value());
        store.clear(QStringLiteral("/data/not there.png")); // nothing to do, no error
        QVERIFY_THROWS_EXCEPTION(Error, store.setMark(QString(), ReviewMark::Unsure, {}));

        // A batch is stored whole or not at all: the empty key fails it after two good entries.
        const std::vector<ReviewUpdate> broken{{QStringLiteral("/b/1.png"), ReviewMark::Unsure, {}, {}},
                                               {QStringLiteral("/b/2.png"), ReviewMark::Unsure, {}, {}},
                                               {QString(), ReviewMark::Unsure, {}, {}}};
        QVERIFY_THROWS_EXCEPTION(Error, store.setMarks(broken));
        QVERIFY(store.allMarks().isEmpty());
        store.setMark(QStringLiteral("/b/3.png"), ReviewMark::Unsure, {}); // still usable
        QCOMPARE(store.allMarks().size(), 1);
    }

    void counts()
    {
        ReviewStore store(file(QStringLiteral("counts.sqlite")));
        const std::map<ReviewMark, int> none = store.counts();
        QCOMPARE(none.size(), size_t(4));
        for (const auto &[mark, count] : none)
            QCOMPARE(count, 0);
        store.setMarks({{QStringLiteral("a"), ReviewMark::ConfirmedUnusual, {}, {}},
                        {QStringLiteral("b"), ReviewMark::ConfirmedUnusual, {}, {}},
                        {QStringLiteral("c"), ReviewMark::FalseAlarm, {}, {}},
                        {QStringLiteral("d"), ReviewMark::None, QStringLiteral("n"), {}},
                        {QStringLiteral("a"), ReviewMark::Unsure, {}, {}}}); // the later change wins
        const std::map<ReviewMark, int> c = store.counts();
        QCOMPARE(c.at(ReviewMark::ConfirmedUnusual), 1);
        QCOMPARE(c.at(ReviewMark::FalseAlarm), 1);
        QCOMPARE(c.at(ReviewMark::Unsure), 1);
        QCOMPARE(c.at(ReviewMark::None), 1);
    }

    void manyMarks()
    {
        const QString path = file(QStringLiteral("many.sqlite"));
        constexpr int n = 10000;
        std::vector<ReviewUpdate> updates;
        for (int i = 0; i < n; ++i)
            updates.push_back({QStringLiteral("/data/folder %1/frame_%2.png").arg(i % 17).arg(i),
                               markFor(i),
                               i % 5 == 0 ? noteFor(i) : QString(),
                               {}});
        // How long these writes and the reopening take is measured by data-bench
        // (docs/benchmarks.md).
        {
            ReviewStore store(path);
            store.setMarks(updates);
            constexpr int singles = 100;
            for (int i = 0; i < singles; ++i)
                store.setMark(QStringLiteral("/single/%1.png").arg(i), ReviewMark::Unsure, {});
        }
        ReviewStore store(path);
        const QMap<QString, ReviewEntry> all = store.allMarks();
        QCOMPARE(all.size(), n + 100);
        for (int i : {0, 1, 4999, 9999}) {
            const ReviewEntry &entry = all[updates[size_t(i)].key];
            QCOMPARE(entry.mark, markFor(i));
            QCOMPARE(entry.note, updates[size_t(i)].note);
        }
        const std::map<ReviewMark, int> c = store.counts();
        QCOMPARE(c.at(ReviewMark::ConfirmedUnusual), 3334); // i % 3 == 0: 0, 3, ..., 9999
        QCOMPARE(c.at(ReviewMark::FalseAlarm), 3333);
        QCOMPARE(c.at(ReviewMark::Unsure), 3333 + 100);
    }

    void twoStoresAtOnce()
    {
        ReviewStore a(file(QStringLiteral("two-a.sqlite")));
        ReviewStore b(file(QStringLiteral("two-b.sqlite")));
        for (int i = 0; i < 10; ++i) {
            a.setMark(QStringLiteral("/a/%1").arg(i), ReviewMark::FalseAlarm, {});
            b.setMark(QStringLiteral("/b/%1").arg(i), ReviewMark::Unsure, {});
        }
        QCOMPARE(a.allMarks().size(), 10);
        QCOMPARE(b.allMarks().size(), 10);
        QVERIFY(a.allMarks().firstKey().startsWith(QStringLiteral("/a/")));
        QVERIFY(b.allMarks().firstKey().startsWith(QStringLiteral("/b/")));

        // Two windows on the same folder see each other's marks.
        ReviewStore sameAsA(file(QStringLiteral("two-a.sqlite")));
        a.setMark(QStringLiteral("/a/new"), ReviewMark::ConfirmedUnusual, QStringLiteral("from a"));
        QCOMPARE(sameAsA.mark(QStringLiteral("/a/new"))->note, QStringLiteral("from a"));
        sameAsA.clear(QStringLiteral("/a/0"));
        QVERIFY(!a.mark(QStringLiteral("/a/0")).has_value());
    }

    void context()
    {
        const QString path = file(QStringLiteral("context.sqlite"));
        {
            ReviewStore store(path);
            QVERIFY(store.context().isEmpty());
            store.setContext({QStringLiteral("abc123"),
                              QStringLiteral("/p/demo.oodprofile"),
                              QStringLiteral("def456"),
                              {}});
        }
        ReviewStore store(path);
        const ReviewContext c = store.context();
        QCOMPARE(c.modelSha256, QStringLiteral("abc123"));
        QCOMPARE(c.profilePath, QStringLiteral("/p/demo.oodprofile"));
        QCOMPARE(c.profileSha256, QStringLiteral("def456"));
        QVERIFY(c.recordedUtc.isValid());
        QVERIFY(qAbs(c.recordedUtc.secsTo(QDateTime::currentDateTimeUtc())) < 60);

        QVERIFY(!c.conflictsWith(
            {QStringLiteral("ABC123"), QStringLiteral("/moved.oodprofile"), QStringLiteral("def456"), {}}));
        QVERIFY(c.conflictsWith({QStringLiteral("other"), {}, {}, {}}));
        QVERIFY(c.conflictsWith({{}, {}, QStringLiteral("other"), {}}));
        QVERIFY(!c.conflictsWith({}));
    }

    void refusesForeignFiles_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("text") << "text"
                              << "not an OOD Inspector review database";
        QTest::newRow("binary") << "binary"
                                << "not an OOD Inspector review database";
        QTest::newRow("other-sqlite") << "other-sqlite"
                                      << "another program";
        QTest::newRow("newer-schema") << "newer-schema"
                                      << "newer";
        QTest::newRow("folder") << "folder"
                                << "is a folder";
    }

    void refusesForeignFiles()
    {
        QFETCH(QString, kind);
        QFETCH(QString, fragment);
        const QString path = file(QStringLiteral("foreign-%1.sqlite").arg(kind));
        if (kind == QLatin1String("text")) {
            writeBytes(path, QByteArray("frame,score\n").repeated(200));
        } else if (kind == QLatin1String("binary")) {
            QByteArray bytes(8192, '\0');
            for (int i = 0; i < bytes.size(); ++i)
                bytes[i] = char((i * 7919 + 13) % 251);
            writeBytes(path, bytes);
        } else if (kind == QLatin1String("other-sqlite")) {
            rawSql(path, {QStringLiteral("CREATE TABLE patients(id INTEGER PRIMARY KEY, name TEXT)"),
                          QStringLiteral("INSERT INTO patients(name) VALUES('x')")});
        } else if (kind == QLatin1String("newer-schema")) {
            {
                ReviewStore store(path);
            }
            rawSql(path, {QStringLiteral("PRAGMA user_version=%1").arg(ReviewStore::kSchemaVersion + 1)});
        } else {
            QVERIFY(QDir(m_dir.path()).mkpath(path));
        }
        const QByteArray original = readBytes(path);
        expectRefused(path, fragment);
        QCOMPARE(readBytes(path), original); // looked at, never changed
        QVERIFY(!QFileInfo::exists(path + QStringLiteral("-wal")));
    }

    void refusesDamagedFiles_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("half") << "half"
                              << "damaged";
        QTest::newRow("header-only") << "header-only"
                                     << "damaged";
        QTest::newRow("tiny") << "tiny"
                              << "not an SQLite file"; // not even the SQLite signature left
        QTest::newRow("scribbled") << "scribbled"
                                   << "damaged";
    }

    void refusesDamagedFiles()
    {
        QFETCH(QString, damage);
        QFETCH(QString, fragment);
        const QString path = file(QStringLiteral("damaged-%1.sqlite").arg(damage));
        {
            ReviewStore store(path);
            std::vector<ReviewUpdate> updates;
            for (int i = 0; i < 3000; ++i)
                updates.push_back({QStringLiteral("/data/%1.png").arg(i), markFor(i), noteFor(i), {}});
            store.setMarks(updates);
        }
        QVERIFY(!QFileInfo::exists(path + QStringLiteral("-wal"))); // checkpointed on close
        QByteArray bytes = readBytes(path);
        QVERIFY(bytes.size() > 64 * 1024);
        if (damage == QLatin1String("half"))
            bytes.truncate(bytes.size() / 2);
        else if (damage == QLatin1String("header-only"))
            bytes.truncate(100);
        else if (damage == QLatin1String("tiny"))
            bytes.truncate(10);
        else
            for (int i = 4096; i < bytes.size() - 4096; i += 3)
                bytes[i] = char(i % 256);
        writeBytes(path, bytes);
        try {
            ReviewStore store(path);
            QFAIL("a damaged database was opened");
        } catch (const Error &e) {
            qInfo("%s", e.what());
            QVERIFY2(QString::fromUtf8(e.what()).contains(QFileInfo(path).fileName()), e.what());
            QVERIFY2(QString::fromUtf8(e.what()).contains(fragment), e.what());
        }
    }

    void refusesUnwritableLocations()
    {
        writeBytes(file(QStringLiteral("plain-file")), "x");
        expectRefused(file(QStringLiteral("no such folder/review.sqlite")), QStringLiteral("does not exist"));
        // /proc refuses new files even to root.
        expectRefused(QStringLiteral("/proc/ood-inspector-review-test.sqlite"),
                      QStringLiteral("ood-inspector-review-test"));
        expectRefused(file(QStringLiteral("plain-file/review.sqlite")), QStringLiteral("is not a folder"));
    }

    void refusesReadOnlyFiles()
    {
        if (geteuid() == 0)
            QSKIP("running as root: file permissions do not stop writing");
        const QString folder = file(QStringLiteral("read-only"));
        QVERIFY(QDir().mkpath(folder));
        {
            ReviewStore store(folder + QStringLiteral("/review.sqlite"));
        }
        QVERIFY(QFile::setPermissions(folder + QStringLiteral("/review.sqlite"), QFileDevice::ReadOwner));
        expectRefused(folder + QStringLiteral("/review.sqlite"), QStringLiteral("read-only"));
        QVERIFY(QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
        expectRefused(folder + QStringLiteral("/new.sqlite"), QStringLiteral("read-only"));
        QVERIFY(QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                  QFileDevice::ExeOwner));
    }

    void survivesKill()
    {
        const QString path = file(QStringLiteral("killed.sqlite"));
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QString::fromLatin1(kChildEnv), path);
        child.setProcessEnvironment(env);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY2(child.waitForStarted(), qPrintable(child.errorString()));

        QByteArray out;
        QElapsedTimer timer;
        timer.start();
        while (out.count('\n') < 300 && timer.elapsed() < 30000 && child.state() == QProcess::Running) {
            child.waitForReadyRead(1000);
            out += child.readAllStandardOutput();
        }
        QVERIFY2(child.state() == QProcess::Running,
                 qPrintable(QString::fromLocal8Bit(child.readAllStandardError())));
        child.kill(); // SIGKILL: no destructor, no checkpoint, possibly in the middle of a commit
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        out += child.readAllStandardOutput();

        // Only complete lines were reported; a half-printed number was not.
        out.truncate(out.lastIndexOf('\n') + 1);
        std::vector<int> reported;
        for (const QByteArray &line : out.split('\n'))
            if (!line.isEmpty())
                reported.push_back(line.toInt());
        QVERIFY(reported.size() >= 300);
        for (size_t i = 0; i < reported.size(); ++i)
            QCOMPARE(reported[i], int(i));
        const int last = reported.back();

        ReviewStore store(path); // recovers from the write-ahead log the child left behind
        QCOMPARE(store.journalMode(), QStringLiteral("wal"));
        const QMap<QString, ReviewEntry> all = store.allMarks();
        int highest = -1;
        for (int i = 0; i <= last + 1; ++i) {
            int present = 0;
            if (i % 2 == 0) {
                present = all.contains(singleKey(i)) ? 1 : 0;
            } else {
                for (int j = 0; j < kBatch; ++j)
                    present += all.contains(batchKey(i, j)) ? 1 : 0;
                QVERIFY2(present == 0 || present == kBatch, "a batch was stored in part");
                present = present ? 1 : 0;
            }
            if (i <= last)
                QVERIFY2(
                    present,
                    qPrintable(QStringLiteral("iteration %1 was reported committed but is missing").arg(i)));
            if (present)
                highest = i;
        }
        // At most the iteration killed between its commit and its print is there unreported.
        const int expectedCount = (highest / 2 + 1) + ((highest + 1) / 2) * kBatch;
        QCOMPARE(all.size(), expectedCount);
        const ReviewEntry &entry = all[singleKey(last - last % 2)];
        QCOMPARE(entry.mark, markFor(last - last % 2));
        QCOMPARE(entry.note, noteFor(last - last % 2));
        QCOMPARE(entry.reviewer, QStringLiteral("child"));
        qInfo("child killed after %d reported commits (%lld ms); %lld marks recovered", last + 1,
              timer.elapsed(), qlonglong(all.size()));
    }
};

QTEST_GUILESS_MAIN(ReviewStoreTest)
#include "reviewstoretest.moc"
