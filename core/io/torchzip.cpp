#include "io/torchzip.h"

#include "base/error.h"

#include <QByteArray>
#include <QFile>

#include <caffe2/serialize/inline_container.h>
#include <caffe2/serialize/versions.h>
#include <zlib.h>

#include <algorithm>

namespace ood {

namespace {

/// Little-endian fields of a zip file, read at absolute offsets; false past the end.
class ZipFile
{
  public:
    explicit ZipFile(QFile &file) : m_file(file) {}
    bool read(qint64 offset, qint64 count, QByteArray &out)
    {
        if (offset < 0 || count < 0 || offset > m_file.size() || count > m_file.size() - offset ||
            !m_file.seek(offset))
            return false;
        out = m_file.read(count);
        return out.size() == count;
    }
    static uint64_t field(const QByteArray &b, int offset, int bytes)
    {
        uint64_t v = 0;
        for (int i = bytes - 1; i >= 0; --i)
            v = (v << 8) | static_cast<uint8_t>(b.at(offset + i));
        return v;
    }

  private:
    QFile &m_file;
};

/// The zip facts PyTorchStreamReader's constructor insists on (a readable zip directory, at
/// least one entry, entries in one top folder, a version record holding a supported number),
/// checked on our side first: when LibTorch 1.13 finds them wrong it throws from its constructor
/// and leaks the opened zip state (150 to 1000 bytes each time; found by fuzz_checkpoint_load).
void precheckZip(const std::string &path, const std::string &label)
{
    const auto damaged = [&] {
        return Error(label + " " + path + " is damaged (its zip directory cannot be read)");
    };
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        throw Error(label + " " + path + " cannot be read: " + file.errorString().toStdString());
    ZipFile zip(file);
    const qint64 size = file.size();
    // End of central directory: 22 bytes plus a comment of up to 65535 bytes, at the very end.
    const qint64 tailSize = std::min<qint64>(size, 22 + 65535);
    QByteArray tail;
    if (!zip.read(size - tailSize, tailSize, tail))
        throw Error(label + " " + path + " cannot be read");
    const int end = tail.lastIndexOf(QByteArray("PK\x05\x06", 4));
    if (end < 0 || end + 22 > tail.size())
        throw Error(label + " " + path + " is truncated or not a zip archive (no zip directory at its end)");
    uint64_t entries = ZipFile::field(tail, end + 10, 2);
    uint64_t directorySize = ZipFile::field(tail, end + 12, 4);
    uint64_t directory = ZipFile::field(tail, end + 16, 4);
    // ZIP64 (PyTorch always writes it): a locator just before the end record points at the
    // record whose values count, as miniz (LibTorch's zip reader) takes them whenever it is there.
    QByteArray locator, record;
    const qint64 locatorAt = size - tailSize + end - 20;
    if (locatorAt >= 56 && zip.read(locatorAt, 20, locator) &&
        locator.startsWith(QByteArray("PK\x06\x07", 4))) {
        const uint64_t recordAt = ZipFile::field(locator, 8, 8);
        if (recordAt > static_cast<uint64_t>(size - 56))
            throw damaged();
        if (zip.read(static_cast<qint64>(recordAt), 56, record) &&
            record.startsWith(QByteArray("PK\x06\x06", 4))) {
            entries = ZipFile::field(record, 32, 8);
            directorySize = ZipFile::field(record, 40, 8);
            directory = ZipFile::field(record, 48, 8);
        }
    }
    if (entries == 0)
        throw Error(label + " " + path + " is an empty zip archive, not a PyTorch file");
    QByteArray central;
    if (directorySize > static_cast<uint64_t>(size) || directory > static_cast<uint64_t>(size) ||
        !zip.read(static_cast<qint64>(directory), static_cast<qint64>(directorySize), central))
        throw damaged();
    std::string archive;
    bool versionFound = false;
    int position = 0;
    for (uint64_t e = 0; e < entries; ++e) {
        if (position + 46 > central.size() ||
            !central.mid(position, 4).startsWith(QByteArray("PK\x01\x02", 4)))
            throw damaged();
        const int nameLength = static_cast<int>(ZipFile::field(central, position + 28, 2));
        const int skip = nameLength + static_cast<int>(ZipFile::field(central, position + 30, 2)) +
                         static_cast<int>(ZipFile::field(central, position + 32, 2));
        if (position + 46 + skip > central.size())
            throw damaged();
        const std::string name = central.mid(position + 46, nameLength).toStdString();
        if (e == 0) {
            const size_t slash = name.find('/');
            if (slash == std::string::npos)
                throw Error(label + " " + path +
                            " is a zip archive but not a PyTorch file (its entries are not in "
                            "one folder)");
            archive = name.substr(0, slash + 1);
        }
        if (name == archive + "version" || name == archive + ".data/version") {
            versionFound = true;
            // Read as LibTorch will: stored (PyTorch's own files) or deflated (re-zipped by a tool),
            // the only two methods its zip reader knows.
            const uint64_t method = ZipFile::field(central, position + 10, 2);
            const uint64_t packed = ZipFile::field(central, position + 20, 4);
            const uint64_t length = ZipFile::field(central, position + 24, 4);
            QByteArray local, data, text;
            const auto localAt = static_cast<qint64>(ZipFile::field(central, position + 42, 4));
            // miniz refuses encrypted and patch data, and reads an entry whose DOS attributes say
            // "directory" as empty (fuzz_checkpoint_load, fuzz_profile_load).
            const uint64_t flags = ZipFile::field(central, position + 8, 2);
            const uint64_t attributes = ZipFile::field(central, position + 38, 4);
            if ((flags & (0x1 | 0x20 | 0x40 | 0x2000)) || (attributes & 0x10) ||
                (method != 0 && method != 8) || length > 64 || packed > 4096 ||
                !zip.read(localAt, 30, local) || !local.startsWith(QByteArray("PK\x03\x04", 4)) ||
                !zip.read(
                    localAt + 30 +
                        static_cast<qint64>(ZipFile::field(local, 26, 2) + ZipFile::field(local, 28, 2)),
                    static_cast<qint64>(packed), data))
                throw Error(label + " " + path + " is damaged (its version record cannot be read)");
            if (method == 0) {
                text = data;
            } else {
                text.resize(static_cast<qsizetype>(length));
                z_stream stream{};
                stream.next_in = reinterpret_cast<Bytef *>(data.data());
                stream.avail_in = static_cast<uInt>(data.size());
                stream.next_out = reinterpret_cast<Bytef *>(text.data());
                stream.avail_out = static_cast<uInt>(text.size());
                const bool inflated = inflateInit2(&stream, -MAX_WBITS) == Z_OK &&
                                      inflate(&stream, Z_FINISH) == Z_STREAM_END &&
                                      stream.total_out == length;
                inflateEnd(&stream);
                if (!inflated)
                    throw Error(label + " " + path + " is damaged (its version record cannot be read)");
            }
            if (text.size() != static_cast<qsizetype>(length) ||
                crc32(0, reinterpret_cast<const Bytef *>(text.constData()), static_cast<uInt>(text.size())) !=
                    ZipFile::field(central, position + 16, 4))
                throw Error(label + " " + path + " is damaged (its version record cannot be read)");
            {
                bool ok = false;
                const qulonglong version = text.trimmed().toULongLong(&ok);
                if (!ok || version < caffe2::serialize::kMinSupportedFileFormatVersion ||
                    version > caffe2::serialize::kMaxSupportedFileFormatVersion)
                    throw Error(label + " " + path +
                                " is damaged or from an unsupported PyTorch version (archive "
                                "format version '" +
                                text.trimmed().left(20).toStdString() + "')");
            }
        }
        position += 46 + skip;
    }
    if (!versionFound)
        throw Error(label + " " + path + " is a zip archive but not a PyTorch file (no version record)");
}

} // namespace

void checkTorchZip(const std::string &path, const std::string &label)
{
    precheckZip(path, label);
}

void withTorchArchive(const std::string &path, const std::string &label,
                      const std::function<void(caffe2::serialize::PyTorchStreamReader &)> &body)
{
    precheckZip(path, label);
    try {
        caffe2::serialize::PyTorchStreamReader archive(path);
        body(archive);
    } catch (const Error &) {
        throw;
    } catch (const c10::Error &e) {
        throw Error(label + " " + path + " is damaged or not a PyTorch file: " + e.what_without_backtrace());
    } catch (const std::exception &e) { // LibTorch's reader also lets std::stoull's errors out
        throw Error(label + " " + path + " is damaged or not a PyTorch file: " + e.what());
    }
}

} // namespace ood
