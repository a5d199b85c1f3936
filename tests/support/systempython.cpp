#include "support/systempython.h"

#include <QFileInfo>
#include <QProcess>

namespace ood::test {

bool systemPythonHas(const QString &modules)
{
    if (!QFileInfo::exists(OOD_SYSTEM_PYTHON))
        return false;
    QProcess python;
    python.start(OOD_SYSTEM_PYTHON, {"-c", "import " + modules});
    return python.waitForFinished(120000) && python.exitCode() == 0;
}

} // namespace ood::test
