#pragma once
// Tests that compare against the Python reference (torch, torchvision, PIL) run Debian's system
// interpreter, OOD_SYSTEM_PYTHON, and skip when it or a module is missing, unless the environment
// says OOD_REQUIRE_REFERENCE=1 (packaging/run-tests.sh): then a missing reference fails, so a
// machine that lost python3-torch cannot pass the suite by skipping every comparison.

#include <ATen/core/Tensor.h>

#include <QByteArray>
#include <QString>
#include <QTest>

namespace ood::test {

/// True when OOD_SYSTEM_PYTHON exists and imports every module of `modules` ("torch, PIL").
bool systemPythonHas(const QString &modules);

/// True when the environment sets OOD_REQUIRE_REFERENCE=1.
bool referenceRequired();

/// The failure message for a missing reference: what is missing and why it fails instead of skipping.
QByteArray missingReferenceMessage(const char *what);

/// The values of `tensor` as contiguous native-endian float64 bytes, for numpy.frombuffer.
QByteArray float64Bytes(const at::Tensor &tensor);

} // namespace ood::test

/// Leaves the current test function because the Python reference is missing (`what` says which
/// part): QSKIP, or QFAIL when referenceRequired(). A macro because QSKIP and QFAIL return from
/// the test function.
#define OOD_SKIP_WITHOUT_REFERENCE(what)                                                                     \
    do {                                                                                                     \
        if (::ood::test::referenceRequired())                                                                \
            QFAIL(::ood::test::missingReferenceMessage(what).constData());                                   \
        QSKIP(what);                                                                                         \
    } while (false)
