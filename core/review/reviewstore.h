#pragma once
// The review database: what reviewers decided about flagged frames, kept in an SQLite file next
// to the session so that a crash or a power cut loses no decision, and reopening the folder
// brings every mark back.
//
// Schema (PRAGMA application_id = kApplicationId, PRAGMA user_version = kSchemaVersion):
//   marks(key TEXT PRIMARY KEY, mark TEXT, note TEXT, updated_utc TEXT, reviewer TEXT)
//   meta(name TEXT PRIMARY KEY, value TEXT)   -- created_utc, app_version, the review context
// The database runs in WAL mode with synchronous=FULL, and every change is committed (and the
// log synced) before the call that made it returns.

#include "review/reviewmark.h"

#include <QDateTime>
#include <QMap>
#include <QString>

#include <map>
#include <optional>
#include <vector>

namespace ood {

/// One reviewer decision as stored.
struct ReviewEntry
{
    ReviewMark mark = ReviewMark::None;
    QString note;
    QDateTime updatedUtc; ///< when the entry was last written (UTC, millisecond resolution)
    QString reviewer;     ///< who wrote it; empty when not given
};

/// One change for ReviewStore::setMarks.
struct ReviewUpdate
{
    QString key; ///< FrameRecord::reviewKey()
    ReviewMark mark = ReviewMark::None;
    QString note;
    QString reviewer;
};

/// The model and profile the marks were made under, so that a later session can tell when it
/// looks at marks that another model's flags led to. Empty fields mean "not known".
struct ReviewContext
{
    QString modelSha256; ///< ModelCard::sha256
    QString profilePath;
    QString profileSha256; ///< digest of the profile file
    QDateTime recordedUtc; ///< when setContext wrote it (filled in by the store)

    bool isEmpty() const { return modelSha256.isEmpty() && profilePath.isEmpty() && profileSha256.isEmpty(); }
    /// True when a digest known on both sides differs (paths are not compared: files move).
    bool conflictsWith(const ReviewContext &other) const;
};

/// A review database file. Use one instance from one thread (Qt SQL connections are per thread);
/// several instances, on the same or different files, may be open at once.
/// Every failure throws ood::Error with a message naming the file.
class ReviewStore
{
  public:
    static constexpr int kSchemaVersion = 1;
    /// "OODR": marks the file as ours in the SQLite header.
    static constexpr int kApplicationId = 0x4F4F4452;

    /// Where the marks of a session live: `<folder>/.ood-inspector-review.sqlite`, where folder is
    /// `sessionRoot` itself when it is a folder, and the folder holding it when it is a file (a
    /// single image or video). Keys are absolute paths, so marks made from a single file and from
    /// its folder share one database without clashing.
    static QString defaultPathFor(const QString &sessionRoot);
    /// Where the marks of a session whose folder cannot be written (a read-only share, a DVD, a
    /// folder without write permission) live instead: `<per-user data folder>/reviews/<name>-<hash
    /// of the folder's absolute path>.sqlite`, the same file whenever the same folder is opened.
    static QString fallbackPathFor(const QString &sessionRoot);
    /// defaultPathFor(sessionRoot) when that file exists or its folder is writable (by its
    /// permission bits, so that running as root does not write into a folder marked read-only),
    /// else fallbackPathFor(sessionRoot).
    static QString pathFor(const QString &sessionRoot);

    ReviewStore();
    /// Same as ReviewStore() followed by open(path).
    explicit ReviewStore(const QString &path);
    ~ReviewStore();
    ReviewStore(const ReviewStore &) = delete;
    ReviewStore &operator=(const ReviewStore &) = delete;

    /// Opens the database, creating it (and its schema) when the file is missing or empty.
    /// Refuses, with ood::Error: a folder that does not exist or cannot be written, a read-only
    /// file, a file that is not an SQLite database, an SQLite database that is not ours, one of a
    /// newer schema version, and a corrupt or truncated file. Closes any database open before.
    void open(const QString &path);
    void close();
    bool isOpen() const;
    QString path() const;

    /// Stores the decision for `key` (replacing any earlier one) and returns once it is durable.
    /// ReviewMark::None with an empty note removes the entry; None with a note keeps the note.
    /// `key` must not be empty. Keys are stored exactly as given (bound parameters only).
    void setMark(const QString &key, ReviewMark mark, const QString &note, const QString &reviewer = {});
    /// Like setMark for many keys in one transaction: all are stored or none.
    void setMarks(const std::vector<ReviewUpdate> &updates);
    /// The entry for `key`, or nothing when the frame has no entry.
    std::optional<ReviewEntry> mark(const QString &key) const;
    QMap<QString, ReviewEntry> allMarks() const;
    /// Removes the entry for `key` (nothing happens when there is none).
    void clear(const QString &key);
    /// Number of entries per mark, every mark present (None counts note-only entries).
    std::map<ReviewMark, int> counts() const;

    /// Records the model/profile the following marks are made under (replaces the previous one).
    void setContext(const ReviewContext &context);
    /// The recorded context; empty when none was recorded.
    ReviewContext context() const;

    /// SQLite's journal mode of the open database ("wal").
    QString journalMode() const;

  private:
    QString m_connection;
    QString m_path;
};

} // namespace ood
