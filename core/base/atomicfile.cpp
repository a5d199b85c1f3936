#include "base/atomicfile.h"

#include "base/error.h"

#include <QSaveFile>

namespace ood {

bool tryWriteFileAtomically(const QString &path, const QByteArray &bytes, QString &reason)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        reason = file.errorString();
        return false;
    }
    return true;
}

void writeFileAtomically(const QString &path, const QByteArray &bytes)
{
    QString reason;
    if (!tryWriteFileAtomically(path, bytes, reason))
        throw Error("cannot write " + path.toStdString() + ": " + reason.toStdString());
}

} // namespace ood
