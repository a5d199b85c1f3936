#include "results/resultsfile.h"

#include "base/error.h"
#include "base/progress.h"
#include "pipeline/verdict.h"
#include "report/csv.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSaveFile>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string_view>
#include <type_traits>

namespace ood {

namespace {

constexpr const char *kMagic = "# ood-inspect results ";
constexpr qint64 kProgressEvery = 10000;

std::string str(const QString &text)
{
    return text.toStdString();
}

QString text(const QString &value)
{
    return value;
}
QString text(const char *value)
{
    return QString::fromUtf8(value);
}
template <typename T, std::enable_if_t<std::is_integral_v<T>, int> = 0> QString text(T value)
{
    return QString::number(value);
}

/// QString::arg in one pass: a path holding "%1" or "%20" (URL-encoded names) is not taken for a
/// place marker the way it is by chained arg() calls.
template <typename... Args> QString message(const char *pattern, const Args &...args)
{
    return QString::fromUtf8(pattern).arg(text(args)...);
}

QString number(double value, int significantDigits)
{
    return std::isnan(value) ? QString() : QString::number(value, 'g', significantDigits);
}

QString shortSha(const QString &sha)
{
    return sha.isEmpty() ? QStringLiteral("none") : sha.left(12) + QStringLiteral("…");
}

// ---------------------------------------------------------------------------------------------
// Reading: records, fields, the header.

/// Hands out the lines or CSV records of a device one by one, read in large blocks: merging a
/// million rows must not cost a read call per row. A record ends at a line break outside quotes,
/// so a quoted field may hold line breaks.
class RecordReader
{
  public:
    RecordReader(QFileDevice &device, const QString &name) : device_(device), name_(name) {}

    /// The next byte, or -1 at the end.
    int peek()
    {
        if (pos_ == buffer_.size() && !fill())
            return -1;
        return static_cast<unsigned char>(buffer_.at(pos_));
    }
    /// The next line as it is (header lines are not CSV). The view holds no line break and is valid
    /// until the next call; `terminated` is false for a last line without its line break.
    bool nextLine(std::string_view &line, bool &terminated) { return next(line, terminated, false); }
    /// The next CSV record, the same way.
    bool nextRecord(std::string_view &record, bool &terminated) { return next(record, terminated, true); }
    /// The line the last record began on, from 1.
    qint64 line() const { return recordLine_; }
    /// Bytes up to the end of the last record, its line break included.
    qint64 offset() const { return consumed_; }

  private:
    bool fill()
    {
        if (eof_)
            return false;
        buffer_.remove(0, pos_);
        pos_ = 0;
        const QByteArray block = device_.read(1 << 20);
        if (block.isEmpty()) {
            if (device_.error() != QFileDevice::NoError)
                throw Error("cannot read " + str(name_) + ": " + str(device_.errorString()));
            eof_ = true;
            return false;
        }
        buffer_ += block;
        return true;
    }

    bool next(std::string_view &out, bool &terminated, bool csv)
    {
        recordLine_ = lines_ + 1;
        qsizetype scan = pos_; // how far the record has been searched, from the buffer's start
        bool quoted = false;
        qint64 breaks = 0;
        for (;;) {
            const char *base = buffer_.constData();
            const qsizetype end = buffer_.size();
            while (scan < end) {
                const void *found = std::memchr(base + scan, '\n', static_cast<size_t>(end - scan));
                const qsizetype stop = found ? static_cast<const char *>(found) - base : end;
                if (csv)
                    for (const char *q = base + scan; (q = static_cast<const char *>(std::memchr(
                                                           q, '"', static_cast<size_t>(base + stop - q))));
                         ++q)
                        quoted = !quoted;
                if (!found) {
                    scan = end;
                    break;
                }
                ++breaks;
                if (!quoted) {
                    out = std::string_view(base + pos_, static_cast<size_t>(stop - pos_));
                    consumed_ += stop + 1 - pos_;
                    pos_ = stop + 1;
                    lines_ += breaks;
                    terminated = true;
                    return true;
                }
                scan = stop + 1;
            }
            const qsizetype searched = scan - pos_;
            if (!fill()) {
                if (pos_ == buffer_.size())
                    return false;
                out =
                    std::string_view(buffer_.constData() + pos_, static_cast<size_t>(buffer_.size() - pos_));
                consumed_ += buffer_.size() - pos_;
                pos_ = buffer_.size();
                lines_ += breaks;
                terminated = false;
                return true;
            }
            scan = pos_ + searched; // fill() moved the unread bytes to the front
        }
    }

    QFileDevice &device_;
    QString name_;
    QByteArray buffer_;
    qsizetype pos_ = 0;
    bool eof_ = false;
    qint64 consumed_ = 0;
    qint64 lines_ = 0;
    qint64 recordLine_ = 0;
};

constexpr const char *kNoClosingQuote = "a quoted field has no closing quote";

struct FieldView
{
    std::string_view bytes; ///< without the enclosing quotes; doubled quotes still doubled
    bool quoted = false;
};

/// Splits one record (without its line break) into RFC 4180 fields. Returns what is wrong, or
/// nullptr.
const char *splitRecord(std::string_view record, std::vector<FieldView> &fields)
{
    fields.clear();
    if (!record.empty() && record.back() == '\r') // written on or edited under Windows
        record.remove_suffix(1);
    const char *p = record.data();
    const char *const end = p + record.size();
    for (;;) {
        FieldView field;
        if (p < end && *p == '"') {
            const char *q = p + 1;
            for (;;) {
                q = static_cast<const char *>(std::memchr(q, '"', static_cast<size_t>(end - q)));
                if (!q)
                    return kNoClosingQuote;
                if (q + 1 < end && q[1] == '"') {
                    q += 2;
                    continue;
                }
                break;
            }
            field.bytes = std::string_view(p + 1, static_cast<size_t>(q - p - 1));
            field.quoted = true;
            p = q + 1;
            if (p < end && *p != ',')
                return "text after the closing quote of a field";
        } else {
            const void *comma = std::memchr(p, ',', static_cast<size_t>(end - p));
            const char *stop = comma ? static_cast<const char *>(comma) : end;
            field.bytes = std::string_view(p, static_cast<size_t>(stop - p));
            if (field.bytes.find('"') != std::string_view::npos)
                return "a quote inside a field that is not quoted";
            if (field.bytes.find('\n') != std::string_view::npos)
                return "a line break inside a field that is not quoted";
            p = stop;
        }
        fields.push_back(field);
        if (p == end)
            return nullptr;
        ++p; // the comma
    }
}

QString fieldText(const FieldView &field)
{
    if (!field.quoted || field.bytes.find('"') == std::string_view::npos)
        return QString::fromUtf8(field.bytes.data(), static_cast<qsizetype>(field.bytes.size()));
    QByteArray bytes(field.bytes.data(), static_cast<qsizetype>(field.bytes.size()));
    bytes.replace("\"\"", "\"");
    return QString::fromUtf8(bytes);
}

/// A video frame index; empty for a still image (-1).
bool parseFrame(std::string_view text, int &frame)
{
    frame = -1;
    if (text.empty())
        return true;
    if (text.size() > 9)
        return false;
    int value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
        value = value * 10 + (c - '0');
    }
    frame = value;
    return true;
}

QString frameText(int videoFrame)
{
    return videoFrame < 0 ? QString() : QString::number(videoFrame);
}

/// "'a.png'" or "'clip.mp4' frame 12", for messages about rows.
QString keyText(const QString &path, int videoFrame)
{
    return "'" + path + "'" + (videoFrame < 0 ? QString() : QString(" frame %1").arg(videoFrame));
}

/// Where the columns of a results table are.
struct Layout
{
    bool withFrame = false;
    bool withUnusual = false; ///< the `unusual` column (files of `score` before the verdict lack it)
    std::vector<std::string> detectorIds;
};

/// Returns what is wrong with `columns`, or an empty string.
QString layoutOf(const QStringList &columns, Layout &layout)
{
    const QString expected = "expected the columns path,[frame,]prediction,confidence,<detectors...>,"
                             "flagged_by,[unusual,]error, got '" +
                             columns.join(',') + "'";
    layout = {};
    if (columns.size() < 5 || columns.at(0) != "path")
        return expected;
    layout.withFrame = columns.at(1) == "frame";
    const qsizetype first = layout.withFrame ? 2 : 1;
    layout.withUnusual = columns.size() >= 2 && columns.at(columns.size() - 2) == "unusual";
    const qsizetype trailing = layout.withUnusual ? 3 : 2; // flagged_by,[unusual,]error
    if (columns.size() < first + 2 + trailing || columns.at(first) != "prediction" ||
        columns.at(first + 1) != "confidence" || columns.at(columns.size() - trailing) != "flagged_by" ||
        columns.back() != "error")
        return expected;
    QStringList seen;
    for (qsizetype i = first + 2; i < columns.size() - trailing; ++i) {
        if (columns.at(i).isEmpty() || seen.contains(columns.at(i)))
            return "empty or repeated detector column '" + columns.at(i) + "'";
        seen << columns.at(i);
        layout.detectorIds.push_back(str(columns.at(i)));
    }
    return {};
}

bool parseCount(const QString &text, qint64 &value)
{
    bool ok = false;
    value = text.toLongLong(&ok);
    return ok && value >= 0 && !text.startsWith('+') && text.trimmed() == text;
}

/// A results file opened for reading: its header read and its rows handed out one by one.
class ResultsReader
{
  public:
    /// Reads the header from `device` (at its start). Throws ood::Error naming `name` and the line.
    ResultsReader(QFileDevice &device, const QString &name) : records_(device, name), name_(name)
    {
        readHeader();
    }

    const ResultsHeader &header() const { return header_; }
    const Layout &layout() const { return layout_; }
    bool versioned() const { return versioned_; }
    qint64 line() const { return records_.line(); }
    qint64 offset() const { return records_.offset(); }

    /// The next row: false at the end. A last row without its line break (the file was cut
    /// short) comes with `complete` false and no fields; anything else that is not a row of the
    /// table throws.
    bool nextRow(bool &complete)
    {
        bool terminated = false;
        if (!records_.nextRecord(record_, terminated))
            return false;
        complete = terminated;
        if (!terminated)
            return true;
        if (const char *problem = splitRecord(record_, fields_))
            fail(problem);
        if (fields_.size() != static_cast<size_t>(header_.columns.size()))
            fail(message("%1 fields, expected %2 (%3)", fields_.size(), header_.columns.size(),
                         header_.columns.join(',')));
        path_ = fieldText(fields_[0]);
        if (layout_.withFrame && !parseFrame(fields_[1].bytes, frame_))
            fail("the frame column holds '" + fieldText(fields_[1]) + "', not a frame index");
        if (!layout_.withFrame)
            frame_ = -1;
        return true;
    }
    /// Why the last row came without its line break: empty when the file was merely cut short in
    /// it, else what is wrong in it (a stray quote holds every line after it in one record).
    QString unfinishedProblem() const
    {
        const size_t lineEnd = record_.find('\n');
        std::vector<FieldView> fields;
        const char *problem = splitRecord(record_.substr(0, lineEnd), fields);
        if (problem && std::strcmp(problem, kNoClosingQuote) != 0)
            return QString::fromUtf8(problem);
        if (lineEnd != std::string_view::npos)
            return "a quoted field is not closed before the end of the file";
        return {};
    }
    /// fail() for a last row without its line break.
    [[noreturn]] void failUnfinished() const
    {
        const QString problem = unfinishedProblem();
        fail(problem.isEmpty() ? QStringLiteral("the last row has no line break: the file was cut short")
                               : problem);
    }
    /// The next record as it is, without looking into it (merge copies rows).
    bool nextRaw(std::string_view &record, bool &terminated)
    {
        return records_.nextRecord(record, terminated);
    }

    const std::vector<FieldView> &fields() const { return fields_; }
    const QString &path() const { return path_; }
    int frame() const { return frame_; }

    [[noreturn]] void fail(const QString &what) const
    {
        throw Error(str(message("%1: line %2: %3", name_, records_.line(), what)));
    }

  private:
    void readHeader()
    {
        std::string_view line;
        bool terminated = false;
        if (records_.peek() < 0)
            throw Error(str(name_) + " is empty: not a results file");
        std::map<QString, int> seen;
        while (records_.peek() == '#') {
            records_.nextLine(line, terminated);
            if (!terminated)
                fail("the file ends inside its header");
            QString text = QString::fromUtf8(line.data(), static_cast<qsizetype>(line.size()));
            if (text.endsWith('\r'))
                text.chop(1);
            if (records_.line() == 1) {
                if (!text.startsWith(kMagic))
                    fail("'" + text + "' is not the first line of a results file ('" + kMagic + "1')");
                bool ok = false;
                header_.formatVersion = text.mid(static_cast<qsizetype>(std::strlen(kMagic))).toInt(&ok);
                if (!ok || header_.formatVersion < 1)
                    fail("'" + text + "' is not the first line of a results file ('" + kMagic + "1')");
                if (header_.formatVersion > 1)
                    fail(message("results format %1 was written by a newer version of this program; this "
                                 "one reads format 1",
                                 header_.formatVersion));
                versioned_ = true;
                continue;
            }
            const qsizetype colon = text.indexOf(':');
            if (!text.startsWith("# ") || colon < 0)
                fail("'" + text + "' is not a '# key: value' line");
            const QString key = text.mid(2, colon - 2);
            QString value = text.mid(colon + 1);
            if (value.startsWith(' '))
                value.remove(0, 1);
            if (key != "missing" && seen[key]++)
                fail("'" + key + "' is given twice");
            auto count = [&](qint64 &target) {
                if (!parseCount(value, target))
                    fail("'" + key + "' must be a whole number >= 0, got '" + value + "'");
            };
            if (key == "profile")
                header_.profilePath = value;
            else if (key == "profile_sha256")
                header_.profileSha256 = value;
            else if (key == "model")
                header_.modelPath = value;
            else if (key == "model_sha256")
                header_.modelSha256 = value;
            else if (key == "inputs_sha256")
                header_.inputsSha256 = value;
            else if (key == "input_frames")
                count(header_.inputFrames);
            else if (key == "first_frame")
                count(header_.firstFrame);
            else if (key == "rows")
                count(header_.rows);
            else if (key == "missing")
                header_.missing << value;
            else if (key == "verdict")
                header_.verdict = value;
            else if (key == "shard") {
                try {
                    header_.shard = parseShardId(value);
                } catch (const Error &e) {
                    fail(QString::fromStdString(e.what()));
                }
            }
            // Other keys are left to later versions of format 1, which may add lines.
        }
        if (!versioned_)
            header_.formatVersion = 0;
        if (versioned_) {
            for (const char *key :
                 {"profile_sha256", "model_sha256", "inputs_sha256", "input_frames", "rows"})
                if (!seen.count(key))
                    throw Error(str(message("%1: the header has no '%2' line", name_, key)));
            if (header_.shard.has_value() != (seen.count("first_frame") > 0))
                throw Error(str(name_) + ": a shard's header needs both 'shard' and 'first_frame' lines");
        }
        if (!records_.nextRecord(line, terminated))
            throw Error(str(name_) + ": the file ends before the column row");
        if (!terminated)
            fail("the file ends inside the column row");
        if (const char *problem = splitRecord(line, fields_))
            fail(problem);
        for (const FieldView &field : fields_)
            header_.columns << fieldText(field);
        const QString problem = layoutOf(header_.columns, layout_);
        if (!problem.isEmpty())
            fail(problem);
    }

    RecordReader records_;
    QString name_;
    ResultsHeader header_;
    Layout layout_;
    bool versioned_ = false;
    std::string_view record_;
    std::vector<FieldView> fields_;
    QString path_;
    int frame_ = -1;
};

void openForReading(QFile &file)
{
    if (!file.open(QIODevice::ReadOnly))
        throw Error("cannot read " + str(file.fileName()) + ": " + str(file.errorString()));
}

double parseNumber(const ResultsReader &reader, const FieldView &field, const QString &column)
{
    if (field.bytes.empty())
        return std::nan("");
    bool ok = false;
    const double value =
        QByteArray::fromRawData(field.bytes.data(), static_cast<qsizetype>(field.bytes.size())).toDouble(&ok);
    if (!ok)
        reader.fail("the " + column + " column holds '" + fieldText(field) + "', not a number");
    return value;
}

// ---------------------------------------------------------------------------------------------
// Writing.

/// What makes `found` another job's file than `expected`, or an empty string. The paths of the
/// profile and model are left out: the same files may be mounted elsewhere on another node.
QString headerDifference(const ResultsHeader &found, const ResultsHeader &expected)
{
    auto differs = [](const QString &what, const QString &a, const QString &b) {
        return QString("%1 %2 instead of %3").arg(what, a, b);
    };
    if (found.profileSha256 != expected.profileSha256)
        return differs("profile sha256", shortSha(found.profileSha256), shortSha(expected.profileSha256));
    if (found.modelSha256 != expected.modelSha256)
        return differs("model sha256", shortSha(found.modelSha256), shortSha(expected.modelSha256));
    if (found.inputsSha256 != expected.inputsSha256)
        return differs("inputs sha256", shortSha(found.inputsSha256), shortSha(expected.inputsSha256));
    if (found.inputFrames != expected.inputFrames)
        return differs("input frames", QString::number(found.inputFrames),
                       QString::number(expected.inputFrames));
    if (!(found.shard == expected.shard))
        return differs("shard", found.shard ? found.shard->text() : "none",
                       expected.shard ? expected.shard->text() : "none");
    if (found.firstFrame != expected.firstFrame)
        return differs("first frame", QString::number(found.firstFrame),
                       QString::number(expected.firstFrame));
    if (found.rows != expected.rows)
        return differs("rows", QString::number(found.rows), QString::number(expected.rows));
    if (found.columns != expected.columns)
        return differs("columns", found.columns.join(','), expected.columns.join(','));
    if (found.verdict != expected.verdict)
        return differs("verdict", "'" + found.verdict + "'", "'" + expected.verdict + "'");
    return {};
}

void fsyncOrThrow(QFileDevice &file, const QString &name)
{
    if (!file.flush() || ::fsync(file.handle()) != 0)
        throw Error("cannot write " + str(name) + ": " +
                    (file.error() != QFileDevice::NoError ? str(file.errorString()) : std::strerror(errno)));
}

/// A new or renamed entry survives a crash only once its directory is on the disk too. Best
/// effort: some file systems refuse to sync a directory, and the data itself is safe already.
void fsyncDirectoryOf(const QString &path)
{
    const QByteArray dir = QFile::encodeName(QFileInfo(path).absolutePath());
    const int fd = ::open(dir.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    ::fsync(fd);
    ::close(fd);
}

/// Renames `from` to `to` unless `to` exists, in one step where the file system can.
void renameNoReplace(const QString &from, const QString &to)
{
    const QByteArray a = QFile::encodeName(from), b = QFile::encodeName(to);
    if (::renameat2(AT_FDCWD, a.constData(), AT_FDCWD, b.constData(), RENAME_NOREPLACE) == 0)
        return;
    if (errno == EEXIST)
        throw Error(str(to) +
                    " appeared while this shard was scored (another run of it?); it is not "
                    "overwritten and " +
                    str(from) + " is kept");
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
        throw Error("cannot rename " + str(from) + " to " + str(to) + ": " + std::strerror(errno));
    // A file system without RENAME_NOREPLACE (some network file systems): look, then rename.
    if (QFileInfo::exists(to))
        throw Error(str(to) +
                    " appeared while this shard was scored (another run of it?); it is not "
                    "overwritten and " +
                    str(from) + " is kept");
    if (::rename(a.constData(), b.constData()) != 0)
        throw Error("cannot rename " + str(from) + " to " + str(to) + ": " + std::strerror(errno));
}

} // namespace

// ---------------------------------------------------------------------------------------------

QString ResultsHeader::text() const
{
    auto line = [](const char *key, const QString &value) {
        if (value.contains('\n') || value.contains('\r'))
            throw Error(std::string("cannot write a results header: the ") + key +
                        " holds a line break: " + str(value));
        return QString("# %1: %2\n").arg(QLatin1String(key), value);
    };
    QString text = message("%1%2\n", kMagic, formatVersion);
    text += line("profile", profilePath);
    text += line("profile_sha256", profileSha256);
    text += line("model", modelPath);
    text += line("model_sha256", modelSha256);
    text += line("inputs_sha256", inputsSha256);
    text += line("input_frames", QString::number(inputFrames));
    if (shard) {
        text += line("shard", shard->text());
        text += line("first_frame", QString::number(firstFrame));
    }
    if (!verdict.isEmpty())
        text += line("verdict", verdict);
    text += line("rows", QString::number(rows));
    for (const QString &entry : missing)
        text += line("missing", entry);
    QStringList fields;
    for (const QString &column : columns)
        fields << csvField(column);
    text += fields.join(',') + '\n';
    return text;
}

QStringList resultColumns(const std::vector<std::string> &detectorIds, bool withFrameColumn)
{
    QStringList columns{"path"};
    if (withFrameColumn)
        columns << "frame";
    columns << "prediction"
            << "confidence";
    for (const std::string &id : detectorIds)
        columns << QString::fromStdString(id);
    columns << "flagged_by"
            << "unusual"
            << "error";
    return columns;
}

namespace {
/// csvField, quoted also when the text holds '#': readers told to skip the leading "# " lines
/// (pandas' comment='#', R's comment.char) cut an unquoted line at any '#', but not a quoted one.
QString resultField(const QString &value)
{
    const QString field = csvField(value);
    return field.startsWith(QLatin1Char('"')) || !value.contains(QLatin1Char('#'))
               ? field
               : QLatin1Char('"') + value + QLatin1Char('"');
}
} // namespace

QString resultRow(const Sample &frame, bool withFrameColumn, const FrameResult &result,
                  const Profile &profile, const std::vector<std::string> &detectorIds, int significantDigits)
{
    if (result.scores.size() != detectorIds.size())
        throw Error(
            str(message("a result row for %1 holds %2 scores for %3 detectors",
                        keyText(frame.path, frame.videoFrame), result.scores.size(), detectorIds.size())));
    const bool failed = !result.error.isEmpty();
    QString row = resultField(frame.path);
    if (withFrameColumn)
        row += ',' + frameText(frame.videoFrame);
    row += ',';
    if (!failed) {
        if (result.prediction < 0 ||
            static_cast<size_t>(result.prediction) >= profile.model.classNames.size())
            throw Error(str(message(
                "a result row for %1: prediction %2 is not a class of the profile (%3 classes)",
                keyText(frame.path, frame.videoFrame), result.prediction, profile.model.classNames.size())));
        row += resultField(
            QString::fromStdString(profile.model.classNames[static_cast<size_t>(result.prediction)]));
    }
    row += ',' + number(result.confidence, significantDigits);
    QStringList flaggedBy;
    for (size_t d = 0; d < detectorIds.size(); ++d) {
        const double score = result.scores[d];
        row += ',' + number(score, significantDigits);
        if (failed)
            continue;
        const ProfileDetector *detector = profile.find(detectorIds[d]);
        if (!detector)
            throw Error("a result row: detector '" + detectorIds[d] + "' is not in the profile");
        if (exceedsThreshold(score, detector->threshold))
            flaggedBy << QString::fromStdString(detectorIds[d]);
    }
    row += ',' + csvField(flaggedBy.join(';')) + ',' +
           (failed ? QString() : QString::number(result.flagged ? 1 : 0)) + ',' + resultField(result.error) +
           '\n';
    return row;
}

ResultsHeader readResultsHeader(const QString &path)
{
    QFile file(path);
    openForReading(file);
    return ResultsReader(file, path).header();
}

ResultsFile readResultsFile(const QString &path)
{
    QFile file(path);
    openForReading(file);
    ResultsReader reader(file, path);
    ResultsFile results;
    results.header = reader.header();
    results.detectorIds = reader.layout().detectorIds;
    const QStringList &columns = results.header.columns;
    const size_t first = reader.layout().withFrame ? 2 : 1;
    const size_t detectors = results.detectorIds.size();
    bool complete = false;
    while (reader.nextRow(complete)) {
        if (!complete)
            reader.failUnfinished();
        const std::vector<FieldView> &fields = reader.fields();
        ResultRow row;
        row.path = reader.path();
        row.videoFrame = reader.frame();
        row.prediction = fieldText(fields[first]);
        row.confidence = parseNumber(reader, fields[first + 1], "confidence");
        row.scores.reserve(detectors);
        for (size_t d = 0; d < detectors; ++d)
            row.scores.push_back(parseNumber(reader, fields[first + 2 + d],
                                             columns.at(static_cast<qsizetype>(first + 2 + d))));
        const QString flagged = fieldText(fields[first + 2 + detectors]);
        if (!flagged.isEmpty())
            row.flaggedBy = flagged.split(';');
        if (reader.layout().withUnusual) {
            const QString unusual = fieldText(fields[first + 3 + detectors]);
            if (unusual == "1" || unusual == "0")
                row.unusual = unusual == "1" ? 1 : 0;
            else if (!unusual.isEmpty())
                reader.fail("the unusual column holds '" + unusual + "', not 0 or 1");
        }
        row.error = fieldText(fields[first + (reader.layout().withUnusual ? 4 : 3) + detectors]);
        results.rows.push_back(std::move(row));
    }
    if (reader.versioned()) {
        const auto rows = static_cast<qint64>(results.rows.size());
        if (rows < results.header.rows)
            throw Error(str(message("%1: truncated: %2 of %3 rows", path, rows, results.header.rows)));
        if (rows > results.header.rows)
            throw Error(str(message("%1: %2 rows, but its header says %3", path, rows, results.header.rows)));
    }
    return results;
}

// ---------------------------------------------------------------------------------------------

struct ShardWriter::Impl
{
    QString path, partialPath;
    ResultsHeader header;
    QByteArray headerBytes;
    Layout layout;
    std::vector<Sample> frames;
    QFile file; ///< the partial file, open and locked while rows are written
    size_t done = 0;
    qint64 goodSize = 0; ///< bytes of the partial file up to its last complete row
    bool finished = false;
    bool broken = false; ///< a write failed and the file could not be cut back

    /// Reads the rows of `reader`, each checked against `frames`. Returns how many rows are
    /// complete; `end` gets the offset after the last one. A last row without its line break is
    /// left out when `dropUnfinished`, and is an error otherwise.
    size_t checkRows(ResultsReader &reader, const QString &name, bool dropUnfinished, qint64 &end) const
    {
        size_t count = 0;
        end = reader.offset();
        bool complete = false;
        while (reader.nextRow(complete)) {
            if (!complete) {
                if (dropUnfinished)
                    break;
                reader.failUnfinished();
            }
            if (count == frames.size())
                reader.fail(message("more rows than the %1 frames of this shard", frames.size()));
            const Sample &expected = frames[count];
            if (reader.path() != expected.path || reader.frame() != expected.videoFrame)
                throw Error(
                    str(message("%1: line %2: the row of %3 stands where this shard has %4: the file holds "
                                "other frames than this shard's; it is not overwritten",
                                name, reader.line(), keyText(reader.path(), reader.frame()),
                                keyText(expected.path, expected.videoFrame))));
            ++count;
            end = reader.offset();
        }
        return count;
    }

    /// The finished file exists: it must be this shard's, complete.
    void checkFinished()
    {
        QFile existing(path);
        openForReading(existing);
        ResultsReader reader(existing, path);
        if (!reader.versioned())
            throw Error(str(path) + " exists and is not a results file of this shard (no '" + kMagic +
                        "' header); it is not overwritten");
        const QString difference = headerDifference(reader.header(), header);
        if (!difference.isEmpty())
            throw Error(str(path) + " exists and belongs to another job (" + str(difference) +
                        "); it is not overwritten");
        qint64 end = 0;
        const size_t rows = checkRows(reader, path, false, end);
        if (rows != frames.size())
            throw Error(
                str(message("%1 exists but holds %2 of the %3 rows of this shard; it is not overwritten",
                            path, rows, frames.size())));
    }

    /// Opens and locks the partial file, keeping the rows it holds. False when the file was
    /// renamed under us (another run finished the shard meanwhile): look again.
    bool openPartial()
    {
        file.setFileName(partialPath);
        if (!file.open(QIODevice::ReadWrite))
            throw Error("cannot open " + str(partialPath) + ": " + str(file.errorString()));
        // Two runs of one shard (a requeued Slurm job next to the old one) would interleave rows.
        if (::flock(file.handle(), LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
            file.close();
            throw Error(str(partialPath) +
                        " is being written by another process (another run of this shard?)");
        }
        struct stat opened = {}, named = {};
        if (::fstat(file.handle(), &opened) != 0 ||
            ::stat(QFile::encodeName(partialPath).constData(), &named) != 0 ||
            opened.st_ino != named.st_ino || opened.st_dev != named.st_dev) {
            file.close();
            return false;
        }
        if (QFileInfo::exists(path)) {
            // Another run finished the shard between our look and our open, which made a new, empty
            // partial file: drop it and take the finished one.
            if (file.size() == 0)
                file.remove();
            file.close();
            return false;
        }

        const qint64 size = file.size();
        if (size < headerBytes.size() && file.read(size) == headerBytes.left(size)) {
            // Empty, or cut short while its header was written: nothing of it is worth keeping.
            if (!file.resize(0) || !file.seek(0) || file.write(headerBytes) != headerBytes.size())
                throw Error("cannot write " + str(partialPath) + ": " + str(file.errorString()));
            fsyncOrThrow(file, partialPath);
            fsyncDirectoryOf(partialPath);
            goodSize = headerBytes.size();
            done = 0;
            return true;
        }

        file.seek(0);
        qint64 end = 0;
        size_t rows = 0;
        {
            std::optional<ResultsReader> parsed;
            try {
                parsed.emplace(file, partialPath);
            } catch (const Error &e) {
                throw Error(std::string(e.what()) +
                            "; it is not overwritten: remove it to score the shard from the start");
            }
            ResultsReader &reader = *parsed;
            if (!reader.versioned())
                throw Error(str(partialPath) + " is not a results file of this shard (no '" + kMagic +
                            "' header); it is not overwritten: remove it to score the shard from the start");
            const QString difference = headerDifference(reader.header(), header);
            if (!difference.isEmpty())
                throw Error(str(partialPath) + " belongs to another job (" + str(difference) +
                            "); it is not overwritten: remove it to score the shard from the start");
            rows = checkRows(reader, partialPath, true, end);
        }
        if (end < size && !file.resize(end))
            throw Error("cannot cut the unfinished last row off " + str(partialPath) + ": " +
                        str(file.errorString()));
        if (!file.seek(end))
            throw Error("cannot write " + str(partialPath) + ": " + str(file.errorString()));
        fsyncOrThrow(file, partialPath);
        goodSize = end;
        done = rows;
        return true;
    }
};

ShardWriter::ShardWriter(const QString &path, ResultsHeader header, std::vector<Sample> frames) : d(new Impl)
{
    d->path = path;
    d->partialPath = path + ".partial";
    d->frames = std::move(frames);
    if (header.rows != static_cast<qint64>(d->frames.size()))
        throw Error(str(message("%1: the header says %2 rows for a shard of %3 frames", path, header.rows,
                                d->frames.size())));
    const QString problem = layoutOf(header.columns, d->layout);
    if (!problem.isEmpty())
        throw Error(str(path) + ": " + str(problem));
    if (!d->layout.withFrame)
        for (const Sample &frame : d->frames)
            if (frame.videoFrame >= 0)
                throw Error(str(path) + ": frames of videos need the 'frame' column");
    d->headerBytes = header.text().toUtf8();
    d->header = std::move(header);
    // A run that finds its partial file renamed away under it looks again; a third time would mean
    // a loop of other runs finishing this shard over and over, which does not happen.
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (QFileInfo::exists(d->path)) {
            d->checkFinished();
            d->finished = true;
            d->done = d->frames.size();
            return;
        }
        if (d->openPartial())
            return;
    }
    throw Error(str(d->partialPath) + " keeps being renamed by another process; is this shard run twice?");
}

ShardWriter::~ShardWriter() = default;

size_t ShardWriter::framesDone() const
{
    return d->done;
}

bool ShardWriter::isFinished() const
{
    return d->finished;
}

void ShardWriter::append(const QStringList &rows)
{
    if (d->finished)
        throw Error(str(d->path) + " is finished already; no rows can be added");
    if (d->broken)
        throw Error("cannot write " + str(d->partialPath) + " after an earlier write failed");
    if (d->done + static_cast<size_t>(rows.size()) > d->frames.size())
        throw Error(str(message("%1: %2 rows after %3 exceed the %4 frames of this shard", d->partialPath,
                                rows.size(), d->done, d->frames.size())));
    // Each row is checked before it is written: a row of the wrong frame would be kept on a restart
    // and refused only by merge, when the shard's run is long over.
    QByteArray bytes;
    std::vector<FieldView> fields;
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const QByteArray row = rows.at(i).toUtf8();
        const Sample &expected = d->frames[d->done + static_cast<size_t>(i)];
        auto refuse = [&](const QString &why) {
            throw Error(str(message("%1: row for %2: %3", d->partialPath,
                                    keyText(expected.path, expected.videoFrame), why)));
        };
        if (!row.endsWith('\n'))
            refuse("the row does not end in a line break");
        if (const char *problem =
                splitRecord(std::string_view(row.constData(), static_cast<size_t>(row.size() - 1)), fields))
            refuse(problem);
        if (fields.size() != static_cast<size_t>(d->header.columns.size()))
            refuse(message("%1 fields, expected %2", fields.size(), d->header.columns.size()));
        int frame = -1;
        if (d->layout.withFrame && !parseFrame(fields[1].bytes, frame))
            refuse("the frame column is not a frame index");
        if (fieldText(fields[0]) != expected.path || frame != expected.videoFrame)
            refuse("the row is of " + keyText(fieldText(fields[0]), frame));
        bytes += row;
    }
    if (d->file.write(bytes) != bytes.size() || !d->file.flush() || ::fsync(d->file.handle()) != 0) {
        const std::string reason =
            d->file.error() != QFileDevice::NoError ? str(d->file.errorString()) : std::strerror(errno);
        // Cut back to the last complete row, so that this writer (or a restart) goes on from there.
        d->file.unsetError();
        if (!d->file.resize(d->goodSize) || !d->file.seek(d->goodSize))
            d->broken = true;
        throw Error("cannot write " + str(d->partialPath) + ": " + reason);
    }
    d->goodSize += bytes.size();
    d->done += static_cast<size_t>(rows.size());
}

void ShardWriter::finish()
{
    if (d->finished)
        return;
    if (d->done != d->frames.size())
        throw Error(
            str(message("cannot finish %1: %2 of %3 rows written", d->path, d->done, d->frames.size())));
    fsyncOrThrow(d->file, d->partialPath);
    renameNoReplace(d->partialPath, d->path);
    fsyncDirectoryOf(d->path);
    d->file.close();
    d->finished = true;
}

// ---------------------------------------------------------------------------------------------

namespace {

struct ShardFile
{
    QString path;
    ResultsHeader header;
    bool usable = false;
    qint64 rows = 0;
    Sample firstKey, lastKey; ///< of its first and last rows, when it has rows
};

/// Calls `progress` every kProgressEvery rows; throws ood::Cancelled when it says stop.
class ProgressCounter
{
  public:
    explicit ProgressCounter(const std::function<bool(qint64)> &progress) : progress_(progress) {}
    void row()
    {
        if (++rows_ % kProgressEvery == 0 && progress_ && !progress_(rows_))
            throw Cancelled();
    }

  private:
    const std::function<bool(qint64)> &progress_;
    qint64 rows_ = 0;
};

/// Reads all rows of a shard file: complete, in canonical order, as many as its header says.
/// Returns why it cannot be used, or an empty string.
QString checkShardRows(ShardFile &shard, ProgressCounter &counter)
{
    QFile file(shard.path);
    try {
        openForReading(file);
        ResultsReader reader(file, shard.path);
        bool complete = false;
        qint64 rows = 0;
        Sample previous;
        while (reader.nextRow(complete)) {
            if (!complete) {
                if (!reader.unfinishedProblem().isEmpty())
                    reader.failUnfinished();
                break; // cut short: counted below as truncated
            }
            Sample key{reader.path(), -1, reader.frame()};
            if (rows > 0 && !frameBefore(previous, key))
                reader.fail("the row of " + keyText(key.path, key.videoFrame) +
                            " does not come after the row of " + keyText(previous.path, previous.videoFrame) +
                            " in the canonical order: a frame is repeated or the rows are out of order");
            if (rows == 0)
                shard.firstKey = key;
            previous = std::move(key);
            ++rows;
            counter.row();
        }
        shard.lastKey = previous;
        shard.rows = rows;
        const ShardId id = *shard.header.shard;
        if (rows < shard.header.rows)
            return message("%1 is truncated: %2 of %3 rows (score shard %4 again)", shard.path, rows,
                           shard.header.rows, id.text());
        if (rows > shard.header.rows)
            return message("%1 holds %2 rows, but its header says %3", shard.path, rows, shard.header.rows);
    } catch (const Cancelled &) {
        throw;
    } catch (const Error &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

/// Copies the rows of a checked shard file to `out`, as they are.
void copyRows(const ShardFile &shard, QSaveFile &out, const QString &outPath, ProgressCounter &counter)
{
    QFile file(shard.path);
    openForReading(file);
    ResultsReader reader(file, shard.path);
    QByteArray buffer;
    buffer.reserve((1 << 20) + 4096);
    auto flush = [&] {
        if (out.write(buffer) != buffer.size())
            throw Error("cannot write " + str(outPath) + ": " + str(out.errorString()));
        buffer.clear();
    };
    std::string_view record;
    bool terminated = false;
    qint64 rows = 0;
    while (reader.nextRaw(record, terminated) && terminated) {
        buffer.append(record.data(), static_cast<qsizetype>(record.size()));
        buffer.append('\n');
        if (buffer.size() >= (1 << 20))
            flush();
        ++rows;
        counter.row();
    }
    flush();
    if (rows != shard.rows)
        throw Error(str(
            message("%1 changed while it was merged (%2 rows, %3 before)", shard.path, rows, shard.rows)));
}

} // namespace

MergeReport mergeShards(const QStringList &shardPaths, const QString &outPath, bool allowPartial,
                        const std::function<bool(qint64 rows)> &progress)
{
    if (shardPaths.isEmpty())
        throw Error("merge: no shard files given");
    MergeReport report;
    std::vector<ShardFile> files;
    QStringList unreadable;
    for (const QString &path : shardPaths) {
        ShardFile shard;
        shard.path = path;
        bool versioned = false;
        try {
            QFile file(path);
            openForReading(file);
            ResultsReader reader(file, path);
            shard.header = reader.header();
            versioned = reader.versioned();
        } catch (const Error &e) {
            unreadable << QString::fromStdString(e.what());
            report.refused << unreadable.back();
            continue;
        }
        if (path.endsWith(".partial"))
            report.refused
                << path + " is an unfinished shard (a .partial file): the run scoring it stopped or is "
                          "still going; run that shard again (it goes on where it stopped) and merge "
                          "its finished file";
        else if (!versioned)
            report.refused << path + " has no results header: it is not a shard file of 'score --shard'";
        else if (!shard.header.shard)
            report.refused << path + " is not a shard file (no '# shard:' line): merge takes the files of "
                                     "'score --shard'";
        else {
            shard.usable = true;
            files.push_back(std::move(shard));
        }
    }
    if (unreadable.size() == shardPaths.size())
        throw Error("merge: none of the files can be read:\n" + str(unreadable.join('\n')));
    if (files.empty())
        return report;

    // The job is the one most files belong to (the first such file on a tie): a stray file of
    // another job is refused, not the shards around it.
    auto sameJob = [](const ResultsHeader &a, const ResultsHeader &b) {
        return a.profileSha256 == b.profileSha256 && a.modelSha256 == b.modelSha256 &&
               a.inputsSha256 == b.inputsSha256 && a.inputFrames == b.inputFrames &&
               a.shard->count == b.shard->count && a.columns == b.columns && a.verdict == b.verdict;
    };
    size_t reference = 0, best = 0;
    for (size_t i = 0; i < files.size(); ++i) {
        size_t votes = 0;
        for (const ShardFile &other : files)
            votes += sameJob(files[i].header, other.header);
        if (votes > best) {
            best = votes;
            reference = i;
        }
    }
    const ShardFile &ref = files[reference];
    const ResultsHeader job = ref.header;
    const int shardCount = job.shard->count;
    for (ShardFile &shard : files) {
        const ResultsHeader &h = shard.header;
        auto refuse = [&](const QString &why) {
            report.refused << shard.path + " " + why;
            shard.usable = false;
        };
        if (h.profileSha256 != job.profileSha256)
            refuse(message("was scored with another profile (profile_sha256 %1) than %2 (%3)",
                           shortSha(h.profileSha256), ref.path, shortSha(job.profileSha256)));
        else if (h.modelSha256 != job.modelSha256)
            refuse(message("was scored with another model (model_sha256 %1) than %2 (%3)",
                           shortSha(h.modelSha256), ref.path, shortSha(job.modelSha256)));
        else if (h.inputsSha256 != job.inputsSha256 || h.inputFrames != job.inputFrames)
            refuse(message(
                "was scored on another input list (inputs_sha256 %1, %2 frames) than %3 (%4, %5 frames)",
                shortSha(h.inputsSha256), h.inputFrames, ref.path, shortSha(job.inputsSha256),
                job.inputFrames));
        else if (h.shard->count != shardCount)
            refuse(message("is shard %1, a split into %2 shards; %3 is of a split into %4", h.shard->text(),
                           h.shard->count, ref.path, shardCount));
        else if (h.columns != job.columns)
            refuse(message("has the columns %1; %2 has %3", h.columns.join(','), ref.path,
                           job.columns.join(',')));
        else if (h.verdict != job.verdict)
            refuse(message("was scored with another verdict rule ('%1') than %2 ('%3')", h.verdict, ref.path,
                           job.verdict));
        else {
            const FrameRange range = shardRange(static_cast<size_t>(job.inputFrames), *h.shard);
            if (h.firstFrame != static_cast<qint64>(range.first) ||
                h.rows != static_cast<qint64>(range.count))
                refuse(message(
                    "says first_frame %1 and rows %2, but shard %3 of %4 frames is first_frame %5, rows %6",
                    h.firstFrame, h.rows, h.shard->text(), job.inputFrames, range.first, range.count));
        }
    }

    ProgressCounter counter(progress);
    for (ShardFile &shard : files) {
        if (!shard.usable)
            continue;
        const QString problem = checkShardRows(shard, counter);
        if (!problem.isEmpty()) {
            report.refused << problem;
            shard.usable = false;
        }
    }

    std::vector<const ShardFile *> chosen(static_cast<size_t>(shardCount), nullptr);
    for (const ShardFile &shard : files) {
        if (!shard.usable)
            continue;
        const ShardFile *&slot = chosen[static_cast<size_t>(shard.header.shard->index)];
        if (slot)
            report.refused << message("shard %1 given twice: %2 and %3", shard.header.shard->text(),
                                      slot->path, shard.path);
        else
            slot = &shard;
    }
    // Within each file the rows are in canonical order; across files too, so no frame is repeated.
    const ShardFile *previous = nullptr;
    for (const ShardFile *&shard : chosen) {
        if (!shard || shard->rows == 0)
            continue;
        if (previous && !frameBefore(previous->lastKey, shard->firstKey)) {
            report.refused << message(
                "%1: its first row (%2) does not come after the last row of %3 (%4) in the "
                "canonical order: the shards overlap",
                shard->path, keyText(shard->firstKey.path, shard->firstKey.videoFrame), previous->path,
                keyText(previous->lastKey.path, previous->lastKey.videoFrame));
            shard = nullptr;
            continue;
        }
        previous = shard;
    }

    QStringList resubmit;
    ResultsHeader out = job;
    out.shard.reset();
    out.firstFrame = 0;
    out.rows = 0;
    out.missing.clear();
    bool anyChosen = false;
    for (int index = 0; index < shardCount; ++index) {
        const ShardFile *shard = chosen[static_cast<size_t>(index)];
        if (shard) {
            out.rows += shard->rows;
            anyChosen = true;
            continue;
        }
        const ShardId id{index, shardCount};
        const FrameRange range = shardRange(static_cast<size_t>(job.inputFrames), id);
        report.missing << id;
        resubmit << QString::number(index);
        out.missing << (range.count == 0 ? message("shard %1, no frames", id.text())
                                         : message("shard %1, frames %2-%3", id.text(), range.first,
                                                   range.first + range.count - 1));
    }
    report.resubmitShards = resubmit.join(',');
    const bool problems = !report.refused.isEmpty() || !report.missing.isEmpty();
    if ((problems && !allowPartial) || !anyChosen)
        return report;

    QSaveFile save(outPath);
    if (!save.open(QIODevice::WriteOnly))
        throw Error("cannot write " + str(outPath) + ": " + str(save.errorString()));
    const QByteArray headerBytes = out.text().toUtf8();
    if (save.write(headerBytes) != headerBytes.size())
        throw Error("cannot write " + str(outPath) + ": " + str(save.errorString()));
    for (const ShardFile *shard : chosen)
        if (shard)
            copyRows(*shard, save, outPath, counter);
    if (!save.commit())
        throw Error("cannot write " + str(outPath) + ": " + str(save.errorString()));
    report.rowsWritten = out.rows;
    report.written = true;
    return report;
}

} // namespace ood
