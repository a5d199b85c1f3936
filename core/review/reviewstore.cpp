#include "review/reviewstore.h"

#include "base/error.h"
#include "base/version.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QVariant>

#include <atomic>

namespace ood {

namespace {

const QString kFileName = QStringLiteral(".ood-inspector-review.sqlite");

QString sqlText(const QSqlError &error)
{
    const QString database = error.databaseText();
    return database.isEmpty() ? error.text() : database;
}

QString nowUtc()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QDateTime parseUtc(const QString &text)
{
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (time.isValid())
        time = time.toUTC();
    return time;
}

} // namespace

bool ReviewContext::conflictsWith(const ReviewContext &other) const
{
    const auto differ = [](const QString &a, const QString &b) {
        return !a.isEmpty() && !b.isEmpty() && a.compare(b, Qt::CaseInsensitive) != 0;
    };
    return differ(modelSha256, other.modelSha256) || differ(profileSha256, other.profileSha256);
}

QString ReviewStore::defaultPathFor(const QString &sessionRoot)
{
    const QFileInfo info(sessionRoot);
    const QString folder = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
    return QDir(folder).filePath(kFileName);
}

QString ReviewStore::fallbackPathFor(const QString &sessionRoot)
{
    const QFileInfo info(sessionRoot);
    const QString folder = QDir::cleanPath(info.isDir() ? info.absoluteFilePath() : info.absolutePath());
    const QByteArray hash =
        QCryptographicHash::hash(folder.toUtf8(), QCryptographicHash::Sha256).toHex().left(16);
    const QString name =
        QFileInfo(folder).fileName().isEmpty() ? QStringLiteral("root") : QFileInfo(folder).fileName();
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/reviews/") +
           name + QLatin1Char('-') + QString::fromLatin1(hash) + QStringLiteral(".sqlite");
}

QString ReviewStore::pathFor(const QString &sessionRoot)
{
    const QString inFolder = defaultPathFor(sessionRoot);
    if (QFileInfo::exists(inFolder))
        return inFolder;
    const QFileInfo folder(QFileInfo(inFolder).absolutePath());
    const bool writable = folder.isWritable() &&
                          (folder.permissions() &
                           (QFileDevice::WriteOwner | QFileDevice::WriteGroup | QFileDevice::WriteOther));
    return writable ? inFolder : fallbackPathFor(sessionRoot);
}

ReviewStore::ReviewStore() = default;

ReviewStore::ReviewStore(const QString &path)
{
    open(path);
}

ReviewStore::~ReviewStore()
{
    close();
}

namespace {

/// Runs SQL on the store's connection; every failure becomes an ood::Error naming the file.
class Sql
{
  public:
    Sql(const QString &connection, const QString &path)
        : m_db(QSqlDatabase::database(connection, false)), m_path(path)
    {
        if (!m_db.isOpen())
            throw Error(path.toStdString() + ": the review database is not open");
    }

    [[noreturn]] void fail(const QString &what, const QSqlError &error) const
    {
        throw Error(QStringLiteral("%1: %2 failed (%3)").arg(m_path, what, sqlText(error)).toStdString());
    }

    QSqlQuery exec(const QString &sql, const QVariantList &values = {}, const QString &what = {}) const
    {
        QSqlQuery query(m_db);
        query.setForwardOnly(true);
        if (!query.prepare(sql))
            fail(what.isEmpty() ? sql : what, query.lastError());
        for (const QVariant &value : values)
            query.addBindValue(value);
        if (!query.exec())
            fail(what.isEmpty() ? sql : what, query.lastError());
        return query;
    }

    /// The first column of the first row, or an invalid QVariant when there is no row.
    QVariant value(const QString &sql, const QVariantList &values = {}, const QString &what = {}) const
    {
        QSqlQuery query = exec(sql, values, what);
        return query.next() ? query.value(0) : QVariant();
    }

    QSqlQuery prepare(const QString &sql) const
    {
        QSqlQuery query(m_db);
        query.setForwardOnly(true);
        if (!query.prepare(sql))
            fail(sql, query.lastError());
        return query;
    }

    void run(QSqlQuery &query, const QString &what) const
    {
        if (!query.exec())
            fail(what, query.lastError());
    }

    const QString &path() const { return m_path; }
    QString connection() const { return m_db.connectionName(); }

  private:
    QSqlDatabase m_db;
    QString m_path;
};

/// BEGIN IMMEDIATE takes the write lock up front (waiting out other writers through the busy
/// timeout) instead of failing half-way when a reader has to become a writer.
class Transaction
{
  public:
    explicit Transaction(const Sql &sql) : m_sql(sql)
    {
        m_sql.exec(QStringLiteral("BEGIN IMMEDIATE"), {}, QStringLiteral("starting a transaction"));
    }
    ~Transaction()
    {
        // Never throws: it runs while an error is on its way out.
        if (!m_done) {
            QSqlQuery rollback(QSqlDatabase::database(m_sql.connection(), false));
            rollback.exec(QStringLiteral("ROLLBACK"));
        }
    }
    void commit()
    {
        m_sql.exec(QStringLiteral("COMMIT"), {}, QStringLiteral("saving the marks"));
        m_done = true;
    }

  private:
    const Sql &m_sql;
    bool m_done = false;
};

void writeEntry(const Sql &sql, QSqlQuery &upsert, QSqlQuery &remove, const ReviewUpdate &update,
                const QString &time)
{
    if (update.key.isEmpty())
        throw Error(sql.path().toStdString() + ": a review mark needs a frame key, got an empty one");
    if (update.mark == ReviewMark::None && update.note.isEmpty()) {
        remove.bindValue(0, update.key);
        sql.run(remove, QStringLiteral("removing a mark"));
        return;
    }
    upsert.bindValue(0, update.key);
    upsert.bindValue(1, reviewMarkKey(update.mark));
    upsert.bindValue(2, update.note);
    upsert.bindValue(3, time);
    upsert.bindValue(4, update.reviewer);
    sql.run(upsert, QStringLiteral("storing a mark"));
}

const QString kUpsert = QStringLiteral(
    "INSERT OR REPLACE INTO marks(key, mark, note, updated_utc, reviewer) VALUES(?, ?, ?, ?, ?)");
const QString kDelete = QStringLiteral("DELETE FROM marks WHERE key = ?");

} // namespace

void ReviewStore::open(const QString &path)
{
    close();
    const std::string name = path.toStdString();
    if (path.isEmpty())
        throw Error("the review database needs a file name");
    const QFileInfo info(path);
    if (info.isDir())
        throw Error(name + ": is a folder, not a review database");
    const QFileInfo folder(info.absolutePath());
    if (!folder.exists())
        throw Error(name + ": the folder " + folder.absoluteFilePath().toStdString() + " does not exist");
    if (!folder.isDir())
        throw Error(name + ": " + folder.absoluteFilePath().toStdString() + " is not a folder");
    // SQLite needs the folder too: the write-ahead log and its index live next to the file.
    if (!folder.isWritable())
        throw Error(name + ": the folder is read-only; review marks cannot be saved there");
    if (info.exists() && !info.isWritable())
        throw Error(name + ": the file is read-only; review marks cannot be saved to it");
    if (info.exists() && info.size() > 0) {
        // Anything else is refused before SQLite touches it, so a foreign file is never changed.
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            throw Error(name + ": cannot be read (" + file.errorString().toStdString() + ")");
        if (file.read(16) != QByteArray("SQLite format 3", 16))
            throw Error(name + ": not an OOD Inspector review database (not an SQLite file)");
    }
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        throw Error(name + ": the Qt SQLite driver (QSQLITE) is not installed");

    static std::atomic<quint64> counter{0};
    const QString connection = QStringLiteral("ood-review-%1").arg(++counter);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(info.absoluteFilePath());
        // Another window or process on the same folder holds the write lock only for a commit.
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open()) {
            const QString reason = sqlText(db.lastError());
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(connection);
            throw Error(name + ": the review database cannot be opened or created (" + reason.toStdString() +
                        "); can the folder be written?");
        }
    }
    m_connection = connection;
    m_path = info.absoluteFilePath();

    try {
        const Sql sql(m_connection, m_path);
        // The file starts like an SQLite file: failing to read its header or schema means damage.
        int applicationId = 0;
        int objects = 0;
        {
            QSqlQuery query(QSqlDatabase::database(m_connection, false));
            if (!query.exec(QStringLiteral("PRAGMA application_id")) || !query.next())
                throw Error(name + ": the review database is damaged (" +
                            sqlText(query.lastError()).toStdString() + ")");
            applicationId = query.value(0).toInt();
            if (!query.exec(QStringLiteral("SELECT count(*) FROM sqlite_master")) || !query.next())
                throw Error(name + ": the review database is damaged (" +
                            sqlText(query.lastError()).toStdString() + ")");
            objects = query.value(0).toInt();
        }
        const bool fresh = applicationId == 0 && objects == 0;
        if (!fresh && applicationId != kApplicationId)
            throw Error(name +
                        ": not an OOD Inspector review database (an SQLite database of another program)");
        const int version = sql.value(QStringLiteral("PRAGMA user_version")).toInt();
        if (version > kSchemaVersion)
            throw Error(name + ": written by a newer OOD Inspector (review schema " +
                        std::to_string(version) + ", this version reads up to " +
                        std::to_string(kSchemaVersion) + ")");

        if (!fresh) {
            QSqlQuery check =
                sql.exec(QStringLiteral("PRAGMA quick_check"), {}, QStringLiteral("checking the file"));
            QStringList problems;
            while (check.next())
                problems += check.value(0).toString().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
            if (problems != QStringList{QStringLiteral("ok")}) {
                problems.removeIf([](const QString &line) { return line.startsWith(QLatin1String("***")); });
                QString summary = problems.mid(0, 2).join(QStringLiteral("; "));
                if (problems.size() > 2)
                    summary += QStringLiteral("; %1 problems in all").arg(problems.size());
                throw Error(name + ": the review database is damaged (" + summary.toStdString() + ")");
            }
        }

        const QString mode = sql.value(QStringLiteral("PRAGMA journal_mode=WAL"), {},
                                       QStringLiteral("switching to write-ahead logging"))
                                 .toString();
        if (mode.compare(QStringLiteral("wal"), Qt::CaseInsensitive) != 0)
            throw Error(name + ": cannot use write-ahead logging (journal mode stays " + mode.toStdString() +
                        "); is the file or its folder read-only?");
        // In WAL mode FULL syncs the log on every commit: a committed mark survives a power cut.
        sql.exec(QStringLiteral("PRAGMA synchronous=FULL"));

        Transaction transaction(sql); // also proves that the file can be written
        if (fresh) {
            sql.exec(
                QStringLiteral(
                    "CREATE TABLE marks("
                    "key TEXT PRIMARY KEY NOT NULL CHECK(length(key) > 0),"
                    "mark TEXT NOT NULL CHECK(mark IN ('none','confirmed-unusual','false-alarm','unsure')),"
                    "note TEXT NOT NULL DEFAULT '',"
                    "updated_utc TEXT NOT NULL,"
                    "reviewer TEXT NOT NULL DEFAULT '') WITHOUT ROWID"),
                {}, QStringLiteral("creating the marks table"));
            sql.exec(
                QStringLiteral(
                    "CREATE TABLE meta(name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID"),
                {}, QStringLiteral("creating the meta table"));
            const QString insertMeta = QStringLiteral("INSERT INTO meta(name, value) VALUES(?, ?)");
            sql.exec(insertMeta, {QStringLiteral("created_utc"), nowUtc()},
                     QStringLiteral("writing the meta table"));
            sql.exec(insertMeta,
                     {QStringLiteral("created_by"),
                      QStringLiteral("OOD Inspector " OOD_VERSION_STRING " (" OOD_GIT_REVISION ")")},
                     QStringLiteral("writing the meta table"));
            // PRAGMAs cannot take bound parameters; both values are our own constants.
            sql.exec(QStringLiteral("PRAGMA application_id=%1").arg(kApplicationId));
            sql.exec(QStringLiteral("PRAGMA user_version=%1").arg(kSchemaVersion));
        } else {
            for (const QString &table : {QStringLiteral("marks"), QStringLiteral("meta")})
                if (sql.value(QStringLiteral(
                                  "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"),
                              {table})
                        .toInt() != 1)
                    throw Error(name + ": the review database is damaged (table " + table.toStdString() +
                                " is missing)");
        }
        transaction.commit();
    } catch (...) {
        close();
        throw;
    }
}

void ReviewStore::close()
{
    if (m_connection.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close(); // the last connection checkpoints the log into the file and removes it
    }
    QSqlDatabase::removeDatabase(m_connection);
    m_connection.clear();
    m_path.clear();
}

bool ReviewStore::isOpen() const
{
    return !m_connection.isEmpty();
}

QString ReviewStore::path() const
{
    return m_path;
}

void ReviewStore::setMark(const QString &key, ReviewMark mark, const QString &note, const QString &reviewer)
{
    setMarks({ReviewUpdate{key, mark, note, reviewer}});
}

void ReviewStore::setMarks(const std::vector<ReviewUpdate> &updates)
{
    const Sql sql(m_connection, m_path);
    if (updates.empty())
        return;
    Transaction transaction(sql);
    QSqlQuery upsert = sql.prepare(kUpsert);
    QSqlQuery remove = sql.prepare(kDelete);
    const QString time = nowUtc();
    for (const ReviewUpdate &update : updates)
        writeEntry(sql, upsert, remove, update, time);
    upsert.finish();
    remove.finish();
    transaction.commit();
}

std::optional<ReviewEntry> ReviewStore::mark(const QString &key) const
{
    const Sql sql(m_connection, m_path);
    QSqlQuery query =
        sql.exec(QStringLiteral("SELECT mark, note, updated_utc, reviewer FROM marks WHERE key = ?"), {key},
                 QStringLiteral("reading a mark"));
    if (!query.next())
        return std::nullopt;
    return ReviewEntry{reviewMarkFromKey(query.value(0).toString()), query.value(1).toString(),
                       parseUtc(query.value(2).toString()), query.value(3).toString()};
}

QMap<QString, ReviewEntry> ReviewStore::allMarks() const
{
    const Sql sql(m_connection, m_path);
    QSqlQuery query = sql.exec(QStringLiteral("SELECT key, mark, note, updated_utc, reviewer FROM marks"), {},
                               QStringLiteral("reading the marks"));
    QMap<QString, ReviewEntry> marks;
    while (query.next())
        marks.insert(query.value(0).toString(),
                     ReviewEntry{reviewMarkFromKey(query.value(1).toString()), query.value(2).toString(),
                                 parseUtc(query.value(3).toString()), query.value(4).toString()});
    return marks;
}

void ReviewStore::clear(const QString &key)
{
    const Sql sql(m_connection, m_path);
    Transaction transaction(sql);
    sql.exec(kDelete, {key}, QStringLiteral("removing a mark"));
    transaction.commit();
}

std::map<ReviewMark, int> ReviewStore::counts() const
{
    const Sql sql(m_connection, m_path);
    std::map<ReviewMark, int> counts{{ReviewMark::None, 0},
                                     {ReviewMark::ConfirmedUnusual, 0},
                                     {ReviewMark::FalseAlarm, 0},
                                     {ReviewMark::Unsure, 0}};
    QSqlQuery query = sql.exec(QStringLiteral("SELECT mark, count(*) FROM marks GROUP BY mark"), {},
                               QStringLiteral("counting the marks"));
    while (query.next())
        counts[reviewMarkFromKey(query.value(0).toString())] += query.value(1).toInt();
    return counts;
}

void ReviewStore::setContext(const ReviewContext &context)
{
    const Sql sql(m_connection, m_path);
    Transaction transaction(sql);
    const QString upsert = QStringLiteral("INSERT OR REPLACE INTO meta(name, value) VALUES(?, ?)");
    const QString what = QStringLiteral("storing the review context");
    sql.exec(upsert, {QStringLiteral("context_model_sha256"), context.modelSha256}, what);
    sql.exec(upsert, {QStringLiteral("context_profile_path"), context.profilePath}, what);
    sql.exec(upsert, {QStringLiteral("context_profile_sha256"), context.profileSha256}, what);
    sql.exec(upsert, {QStringLiteral("context_utc"), nowUtc()}, what);
    transaction.commit();
}

ReviewContext ReviewStore::context() const
{
    const Sql sql(m_connection, m_path);
    QSqlQuery query = sql.exec(QStringLiteral("SELECT name, value FROM meta"), {},
                               QStringLiteral("reading the review context"));
    ReviewContext context;
    while (query.next()) {
        const QString name = query.value(0).toString();
        const QString value = query.value(1).toString();
        if (name == QLatin1String("context_model_sha256"))
            context.modelSha256 = value;
        else if (name == QLatin1String("context_profile_path"))
            context.profilePath = value;
        else if (name == QLatin1String("context_profile_sha256"))
            context.profileSha256 = value;
        else if (name == QLatin1String("context_utc"))
            context.recordedUtc = parseUtc(value);
    }
    return context;
}

QString ReviewStore::journalMode() const
{
    const Sql sql(m_connection, m_path);
    return sql.value(QStringLiteral("PRAGMA journal_mode")).toString();
}

} // namespace ood
