#pragma once
// Running the real executables from a test, and reading what they write.

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace ood::test {

struct Run
{
    int exitCode = -1; ///< -2 when the program crashed
    QString out, err;
};

/// Runs `program` to completion (killed after `timeoutMs`, then err = "timed out"; one that
/// cannot start has err = its reason), in `environment` when one is given.
Run run(const QString &program, const QStringList &arguments, int timeoutMs = 600000,
        const QProcessEnvironment &environment = {});

/// The bytes of a file; empty when it cannot be read.
QByteArray readAll(const QString &path);
/// Replaces the file with `bytes`; false when it cannot be written whole.
bool writeAll(const QString &path, const QByteArray &bytes);

/// Exit code, standard output and standard error, for a failure message.
QString describe(const Run &r);

/// RFC 4180 fields of one CSV line (quotes, doubled quotes, commas inside quotes).
QStringList csvFields(const QString &line);

/// The lines of a results file from the column row on: the leading "# key: value" lines that
/// name the profile, model and inputs (core/results/resultsfile.h) dropped, empty lines too.
QStringList csvTableLines(const QString &text);

} // namespace ood::test
