#pragma once
// Hands a fuzzer's bytes to a loader that reads from a path, as the programs do: one scratch file
// per fuzzing process, rewritten for every input.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>

#include <cstdint>
#include <cstdlib>
#include <unistd.h>

namespace ood::fuzz {

inline QString scratchPath(const char *name)
{
    // Memory-backed when possible: the file is rewritten hundreds of times a second.
    const QString folder = QDir("/dev/shm").exists() ? QStringLiteral("/dev/shm") : QDir::tempPath();
    return QString("%1/ood-fuzz-%2-%3").arg(folder).arg(getpid()).arg(name);
}

inline const QString &writeInput(const char *name, const char *data, size_t size)
{
    static const QString path = scratchPath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(data, static_cast<qint64>(size)) != static_cast<qint64>(size))
        std::abort(); // the harness itself failed, not the code under test
    return path;
}

inline const QString &writeInput(const char *name, const uint8_t *data, size_t size)
{
    return writeInput(name, reinterpret_cast<const char *>(data), size);
}

} // namespace ood::fuzz
