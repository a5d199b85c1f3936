#pragma once
// Writing a file as a whole or not at all: a crash, a full disk or a failed write never leaves a
// half-written file, and an existing file stays as it was until the new one is complete.

#include <QByteArray>
#include <QString>

namespace ood {

/// Writes `bytes` to `path` through QSaveFile. Throws ood::Error "cannot write <path>: <reason>".
void writeFileAtomically(const QString &path, const QByteArray &bytes);

/// The same, for callers whose message says what the file is: returns false with `reason` set
/// (QSaveFile's error string) instead of throwing.
bool tryWriteFileAtomically(const QString &path, const QByteArray &bytes, QString &reason);

} // namespace ood
