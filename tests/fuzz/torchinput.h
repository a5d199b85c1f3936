#pragma once
// Inputs of the profile and checkpoint fuzzers. Both files are zip archives; mutating a zip mostly
// breaks its directory, so half of the inputs carry only the pickle and are wrapped in a fresh,
// valid torch.save zip here, which lets mutations reach the unpicklers.
//
// Layout: byte 0 even: the rest is the whole file. Byte 0 odd: bytes 1-4 are the length of the
// pickle (little-endian, clamped), then the pickle (archive/data.pkl), then one blob stored as
// every storage record archive/data/0 ... data/127.

#include "fuzzinput.h"

#include <caffe2/serialize/inline_container.h>

#include <algorithm>
#include <string>

namespace ood::fuzz {

constexpr int kStorageRecords = 128;

inline QByteArray wrapPickle(const QByteArray &pickle, const QByteArray &blob)
{
    QByteArray out;
    caffe2::serialize::PyTorchStreamWriter writer([&out](const void *data, size_t size) {
        out.append(static_cast<const char *>(data), static_cast<qsizetype>(size));
        return size;
    });
    writer.writeRecord("data.pkl", pickle.constData(), static_cast<size_t>(pickle.size()));
    for (int k = 0; k < kStorageRecords; ++k)
        writer.writeRecord("data/" + std::to_string(k), blob.constData(), static_cast<size_t>(blob.size()));
    writer.writeEndOfFile();
    return out;
}

/// The file the loader is given for one fuzzer input.
inline const QString &writeTorchInput(const char *name, const uint8_t *data, size_t size)
{
    if (size == 0 || (data[0] & 1) == 0)
        return writeInput(name, size ? data + 1 : data, size ? size - 1 : 0);
    size_t length = 0;
    for (size_t i = 0; i < 4 && 1 + i < size; ++i)
        length |= static_cast<size_t>(data[1 + i]) << (8 * i);
    const size_t body = size > 5 ? size - 5 : 0;
    length = std::min(length, body);
    const char *start = reinterpret_cast<const char *>(data) + std::min<size_t>(size, 5);
    const QByteArray file = wrapPickle(QByteArray(start, static_cast<qsizetype>(length)),
                                       QByteArray(start + length, static_cast<qsizetype>(body - length)));
    return writeInput(name, file.constData(), static_cast<size_t>(file.size()));
}

/// The inverse, for seeds: a real torch.save / pickle_save file as a wrapped input.
inline QByteArray wrappedInput(const QByteArray &pickle, const QByteArray &blob)
{
    QByteArray input(1, '\x01');
    for (int i = 0; i < 4; ++i)
        input.append(static_cast<char>((pickle.size() >> (8 * i)) & 0xFF));
    return input + pickle + blob;
}

inline QByteArray rawInput(const QByteArray &file)
{
    return QByteArray(1, '\x00') + file;
}

} // namespace ood::fuzz
