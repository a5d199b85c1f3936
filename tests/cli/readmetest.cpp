// README.md against the program: every option a command's --help lists is in the README's option
// lists under "## Using ood-inspect", and every option listed there is one the command has; every
// command's usage line names it; every file of docs/ is in the README's documentation index.
//
// How the README's option lists are read: a bullet (a line starting "- ", continued by indented
// lines) whose first `code span` starts with a command name ("- `score --profile ...`: ...")
// lists that command's options; a bullet starting "- On `fit`, `score` and `demo` ...: ..."
// lists options those commands share (the commands in code spans before its first colon). An
// option is "--name" anywhere in such a bullet.

#include "support/processrun.h"

#include <QtTest>

#include <map>
#include <set>

using namespace ood::test;

namespace {

/// Qt's own options, not the program's.
const QSet<QString> kQtOptions = {"help", "help-all"};

/// The commands of `ood-inspect --help`: the first word of each indented line under "Commands:".
QStringList commandsOfUsage(const QString &usage)
{
    QStringList commands;
    bool inCommands = false;
    for (const QString &line : usage.split('\n')) {
        if (line.startsWith("Commands:")) {
            inCommands = true;
            continue;
        }
        if (!inCommands)
            continue;
        if (line.trimmed().isEmpty())
            break;
        commands << line.trimmed().section(' ', 0, 0);
    }
    return commands;
}

/// The long options of a QCommandLineParser help text ("  -h, --help  ...", "  --batch <N>  ...").
QSet<QString> optionsOfHelp(const QString &help)
{
    static const QRegularExpression option("^\\s+(?:-\\w, )?--([a-z0-9][a-z0-9-]*)");
    QSet<QString> options;
    for (const QString &line : help.split('\n'))
        if (const QRegularExpressionMatch m = option.match(line);
            m.hasMatch() && !kQtOptions.contains(m.captured(1)))
            options << m.captured(1);
    return options;
}

/// The bullets of the README's "## Using ood-inspect" section (subsections included), each joined
/// into one line.
QStringList usageBullets(const QString &readme)
{
    QStringList bullets;
    bool inSection = false;
    bool inBullet = false;
    for (const QString &line : readme.split('\n')) {
        if (line.startsWith("## ")) {
            inSection = line == "## Using ood-inspect";
            inBullet = false;
            continue;
        }
        if (!inSection)
            continue;
        if (line.startsWith("- ")) {
            bullets << line;
            inBullet = true;
        } else if (inBullet && line.startsWith("  ") && !line.trimmed().isEmpty()) {
            bullets.last() += " " + line.trimmed();
        } else {
            inBullet = false;
        }
    }
    return bullets;
}

/// Options per command as the README lists them (see the comment at the top).
std::map<QString, QSet<QString>> optionsOfReadme(const QString &readme, const QStringList &commands)
{
    static const QRegularExpression codeSpan("`([^`]*)`");
    static const QRegularExpression optionName("--([a-z0-9][a-z0-9-]*)");

    std::map<QString, QSet<QString>> options;
    for (const QString &bullet : usageBullets(readme)) {
        QStringList owners;
        if (bullet.startsWith("- On `")) {
            for (auto it = codeSpan.globalMatch(bullet.left(bullet.indexOf(':'))); it.hasNext();)
                if (const QString command = it.next().captured(1); commands.contains(command))
                    owners << command;
        } else if (const QRegularExpressionMatch first = codeSpan.match(bullet);
                   first.hasMatch() && first.capturedStart() == 2) {
            const QString command = first.captured(1).section(' ', 0, 0);
            if (commands.contains(command))
                owners << command;
        }
        for (const QString &owner : owners) {
            // Make the command known even when its bullet names no option.
            QSet<QString> &set = options[owner];
            for (auto it = optionName.globalMatch(bullet); it.hasNext();)
                if (const QString name = it.next().captured(1); !kQtOptions.contains(name))
                    set << name;
        }
    }
    return options;
}

QString sorted(const QSet<QString> &set)
{
    QStringList list(set.begin(), set.end());
    list.sort();
    return "--" + list.join(", --");
}

QString readme()
{
    return QString::fromUtf8(readAll(OOD_SOURCE_DIR "/README.md"));
}

} // namespace

class ReadmeTest : public QObject
{
    Q_OBJECT

  private:
    QStringList m_commands;

  private Q_SLOTS:
    void initTestCase()
    {
        const Run usage = run(OOD_INSPECT_BINARY, {"--help"});
        QCOMPARE(usage.exitCode, 0);
        m_commands = commandsOfUsage(usage.out);
        QVERIFY2(m_commands.size() >= 8 && m_commands.contains("evaluate"), qPrintable(usage.out));
        QVERIFY(readme().contains("\n## Using ood-inspect\n"));
    }

    void helpAndReadmeListTheSameOptions_data()
    {
        QTest::addColumn<QString>("command");
        for (const QString &command : m_commands)
            QTest::newRow(qPrintable(command)) << command;
    }

    void helpAndReadmeListTheSameOptions()
    {
        QFETCH(QString, command);
        const Run help = run(OOD_INSPECT_BINARY, {command, "--help"});
        QVERIFY2(help.exitCode == 0, qPrintable(describe(help)));
        const QSet<QString> inHelp = optionsOfHelp(help.out);
        QVERIFY2(!inHelp.isEmpty(), qPrintable(help.out));
        const std::map<QString, QSet<QString>> readmeOptions = optionsOfReadme(readme(), m_commands);
        const auto entry = readmeOptions.find(command);
        QVERIFY2(
            entry != readmeOptions.end(),
            qPrintable(QString("README.md, \"Using ood-inspect\", has no bullet for '%1'").arg(command)));
        const QSet<QString> notInReadme = inHelp - entry->second;
        const QSet<QString> notInHelp = entry->second - inHelp;
        QVERIFY2(notInReadme.isEmpty(), qPrintable(QString("'%1 --help' lists options README.md does not: %2")
                                                       .arg(command, sorted(notInReadme))));
        QVERIFY2(notInHelp.isEmpty(),
                 qPrintable(QString("README.md lists options for '%1' that its --help does not: %2")
                                .arg(command, sorted(notInHelp))));
    }

    void usageLineNamesTheCommand_data() { helpAndReadmeListTheSameOptions_data(); }

    void usageLineNamesTheCommand()
    {
        QFETCH(QString, command);
        const Run help = run(OOD_INSPECT_BINARY, {command, "--help"});
        QVERIFY2(help.out.startsWith("Usage: ood-inspect " + command + " [options]"),
                 qPrintable(help.out.section('\n', 0, 0)));
        const Run wrong = run(OOD_INSPECT_BINARY, {command, "--no-such-option"});
        QCOMPARE(wrong.exitCode, 2);
        QVERIFY2(wrong.err.contains("Usage: ood-inspect " + command + " [options]"), qPrintable(wrong.err));
    }

    void documentationIndexNamesEveryDoc()
    {
        const QString text = readme();
        const qsizetype start = text.indexOf("\n## Documentation\n");
        QVERIFY(start >= 0);
        const qsizetype end = text.indexOf("\n## ", start + 1);
        const QString index = text.mid(start, end < 0 ? -1 : end - start);
        QDirIterator it(OOD_SOURCE_DIR "/docs", {"*.md"}, QDir::Files, QDirIterator::Subdirectories);
        QStringList missing;
        while (it.hasNext()) {
            const QString doc = QDir(OOD_SOURCE_DIR).relativeFilePath(it.next());
            if (!index.contains("`" + doc + "`"))
                missing << doc;
        }
        QVERIFY2(missing.isEmpty(),
                 qPrintable("README.md's \"Documentation\" leaves out " + missing.join(", ")));
    }
};

QTEST_GUILESS_MAIN(ReadmeTest)
#include "readmetest.moc"
