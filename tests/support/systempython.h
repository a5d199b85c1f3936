#pragma once
// Tests that compare against the Python reference (torch, torchvision, PIL) run Debian's system
// interpreter, OOD_SYSTEM_PYTHON, and skip when it or a module is missing.

#include <ATen/core/Tensor.h>

#include <QByteArray>
#include <QString>

namespace ood::test {

/// True when OOD_SYSTEM_PYTHON exists and imports every module of `modules` ("torch, PIL").
bool systemPythonHas(const QString &modules);

/// The values of `tensor` as contiguous native-endian float64 bytes, for numpy.frombuffer.
QByteArray float64Bytes(const at::Tensor &tensor);

} // namespace ood::test
