#include "support/systempython.h"

#include <QFileInfo>
#include <QProcess>
#include <QtGlobal>

namespace ood::test {

bool systemPythonHas(const QString &modules)
{
    if (!QFileInfo::exists(OOD_SYSTEM_PYTHON))
        return false;
    QProcess python;
    python.start(OOD_SYSTEM_PYTHON, {"-c", "import " + modules});
    return python.waitForFinished(120000) && python.exitCode() == 0;
}

bool referenceRequired()
{
    return qEnvironmentVariableIntValue("OOD_REQUIRE_REFERENCE") == 1;
}

QByteArray missingReferenceMessage(const char *what)
{
    return QByteArray("the Python reference is missing (") + what +
           ", interpreter " OOD_SYSTEM_PYTHON
           ") and OOD_REQUIRE_REFERENCE=1 makes that a failure instead of a skip";
}

QByteArray float64Bytes(const at::Tensor &tensor)
{
    const at::Tensor c = tensor.to(at::kDouble).contiguous();
    return QByteArray(reinterpret_cast<const char *>(c.data_ptr<double>()), static_cast<int>(c.numel() * 8));
}

} // namespace ood::test
