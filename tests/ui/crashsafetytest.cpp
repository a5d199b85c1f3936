// Crash safety of the real window: a child process (this executable, started again with
// OOD_CRASH_CHILD set) drives a MainWindow on a copy of the demo, reports on stdout what the window
// has shown as saved, and is killed with SIGKILL while it marks frames or while it scores. A new
// window on the same profile and folder must then show every reported mark, the review database
// must open without being refused as damaged, and the profile, the model and an earlier report
// must be byte-identical, with no stray files left next to them.

#include "mainwindow.h"
#include "session/demoassets.h"
#include "models/frametablemodel.h"
#include "review/reviewstore.h"
#include "jobs/scoringjob.h"

#include "ui/support/dialogcatcher.h"

#include <QtTest>

#include <QApplication>
#include <QCryptographicHash>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QMessageBox>
#include <QProcess>
#include <QTimer>

#include <cstdio>
#include <cstdlib>

#include <signal.h> // kill(): SIGKILL sent by hand, so how the child dies does not depend on QProcess
#include <sys/types.h>

using namespace ood;
using ood::test::DialogCatcher;

namespace {

constexpr char kChildEnv[] = "OOD_CRASH_CHILD";
constexpr char kProfileEnv[] = "OOD_CRASH_PROFILE";
constexpr char kFramesEnv[] = "OOD_CRASH_FRAMES";
constexpr char kBulkEnv[] = "OOD_CRASH_BULK";
constexpr char kReportEnv[] = "OOD_CRASH_REPORT";

/// Frames the scoring child marks before it starts the long run.
constexpr int kMarksBeforeScoring = 6;
/// Copies of each demo frame in the folder the scoring child scores: far more than are scored
/// before the kill, so the kill always lands while scoring runs.
constexpr int kBulkCopies = 8;

QByteArray sha256Of(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray();
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result().toHex();
}

QByteArray encode(const QString &text)
{
    return QUrl::toPercentEncoding(text);
}
QString decode(const QByteArray &text)
{
    return QUrl::fromPercentEncoding(text);
}

/// The mark and note of iteration i of the marking loop. Every mark occurs, with and without a
/// note, and every fifth step clears the frame (the entry is removed).
std::pair<ReviewMark, QString> stepOf(int i)
{
    static const ReviewMark marks[] = {ReviewMark::ConfirmedUnusual, ReviewMark::FalseAlarm,
                                       ReviewMark::Unsure, ReviewMark::None, ReviewMark::None};
    const ReviewMark mark = marks[i % 5];
    const QString note = i % 5 == 4 ? QString() : QStringLiteral("Schritt %1: Rand prüfen, 'x' \"y\"").arg(i);
    return {mark, note};
}

// ---------------------------------------------------------------------------------------------
// The child: a real window, driven through its public API, telling the parent what is saved.

void say(const QByteArray &line)
{
    // Written and flushed only after the call it reports on has returned: what the parent reads
    // is what a user would have seen as saved.
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

[[noreturn]] void die(int code, const QString &why)
{
    say("ERROR " + why.simplified().toUtf8());
    std::_Exit(code);
}

/// A dialog in the child would wait for a click forever; it is a failure, reported at once.
void failOnDialogs(QObject *owner)
{
    auto *timer = new QTimer(owner);
    timer->setInterval(50);
    QObject::connect(timer, &QTimer::timeout, [] {
        for (QWidget *widget : QApplication::topLevelWidgets())
            if (auto *box = qobject_cast<QMessageBox *>(widget); box && box->isVisible())
                die(3, QStringLiteral("dialog \"%1\": %2").arg(box->windowTitle(), box->text()));
    });
    timer->start();
}

void waitForScoring(MainWindow &window)
{
    QElapsedTimer clock;
    clock.start();
    while (window.isScoring()) {
        if (clock.elapsed() > 120000)
            die(5, QStringLiteral("scoring did not end within 120 s"));
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    }
}

void writeReport(MainWindow &window, const QString &path)
{
    try {
        if (!window.writeReport(path))
            die(6, QStringLiteral("writeReport was cancelled"));
    } catch (const std::exception &e) {
        die(6, QStringLiteral("writeReport failed: %1").arg(QString::fromUtf8(e.what())));
    }
    say("REPORT " + encode(path) + ' ' + sha256Of(path));
}

/// One step of the marking loop: the note, then the mark, as a reviewer would set them.
void markStep(MainWindow &window, int i)
{
    const int rows = window.frameModel()->rowCount();
    // Stride 7 is prime to the 60 demo frames: every frame is visited, then visited again.
    const int row = (i * 7) % rows;
    window.selectFrame(row);
    const QString key = window.frameModel()->frame(row).reviewKey();
    const auto [mark, note] = stepOf(i);
    say("BEGIN " + encode(key) + ' ' + reviewMarkKey(mark).toUtf8() + ' ' + encode(note));
    window.setNoteOfCurrent(note);
    if (window.frameModel()->frame(row).note != note)
        die(7, QStringLiteral("the note of row %1 was not taken").arg(row));
    say("NOTED " + encode(key) + ' ' + encode(note));
    window.setMarkOfCurrent(mark);
    if (window.frameModel()->frame(row).mark != mark)
        die(7, QStringLiteral("the mark of row %1 was not taken").arg(row));
    say("MARKED " + encode(key) + ' ' + reviewMarkKey(mark).toUtf8() + ' ' + encode(note));
}

int runChild(const QByteArray &scenario)
{
    QCoreApplication::setOrganizationName(QStringLiteral("OOD Inspector Tests"));
    QCoreApplication::setApplicationName(QStringLiteral("crashsafetytest-child"));
    const QString profile = qEnvironmentVariable(kProfileEnv);
    const QString frames = qEnvironmentVariable(kFramesEnv);
    const QString report = qEnvironmentVariable(kReportEnv);

    MainWindow window;
    failOnDialogs(&window);
    window.show();
    if (!window.openProfile(profile))
        die(2, QStringLiteral("cannot open the profile %1").arg(profile));
    if (!window.openFrames({frames}))
        die(2, QStringLiteral("cannot open the frames %1").arg(frames));
    waitForScoring(window);
    writeReport(window, report);

    QElapsedTimer clock;
    clock.start();
    if (scenario == "review") {
        for (int i = 0; clock.elapsed() < 90000; ++i) {
            markStep(window, i);
            // The explanation of the selected frame and the view run as they would for a user.
            QCoreApplication::processEvents();
        }
        die(4, QStringLiteral("not killed while marking within 90 s"));
    }
    if (scenario == "scoring") {
        for (int i = 0; i < kMarksBeforeScoring; ++i)
            markStep(window, i);
        QObject::connect(window.scoringJob(), &ScoringJob::progress, [](int done, int total, double) {
            say("PROGRESS " + QByteArray::number(done) + ' ' + QByteArray::number(total));
        });
        if (!window.openFrames({qEnvironmentVariable(kBulkEnv)}))
            die(2, QStringLiteral("cannot open the bulk frames"));
        if (!window.isScoring())
            die(2, QStringLiteral("scoring of the bulk frames did not start"));
        say("SCORING " + QByteArray::number(window.frameModel()->rowCount()));
        waitForScoring(window);
        die(4, QStringLiteral("scoring finished before the kill"));
    }
    die(2, QStringLiteral("unknown scenario %1").arg(QString::fromUtf8(scenario)));
}

// ---------------------------------------------------------------------------------------------
// The parent.

/// What a frame's review entry is; mark None with an empty note means "no entry".
struct Entry
{
    ReviewMark mark = ReviewMark::None;
    QString note;
    bool operator==(const Entry &other) const { return mark == other.mark && note == other.note; }
    QString text() const { return QStringLiteral("%1 \"%2\"").arg(reviewMarkKey(mark), note); }
};

/// The child's reports, read back into what the review database must hold.
struct Transcript
{
    QMap<QString, Entry> shown; ///< per key, the entry the window last showed as saved
    /// Per key of a step the kill cut short: the entries it may have left, with what each means.
    QMap<QString, QList<std::pair<Entry, QString>>> inFlight;
    QString reportPath;
    QByteArray reportSha256;
    int begun = 0, noted = 0, marked = 0;
    bool scoring = false;
    int scored = -1;
    QStringList errors;

    void add(const QByteArray &raw)
    {
        // Only the line end goes: a trailing empty field (an empty note) is part of the line.
        QByteArray line = raw;
        while (line.endsWith('\n') || line.endsWith('\r'))
            line.chop(1);
        const QList<QByteArray> f = line.split(' ');
        const QByteArray &type = f[0];
        if (type == "BEGIN" && f.size() == 4) {
            ++begun;
            const QString key = decode(f[1]);
            const Entry before = shown.value(key);
            inFlight[key] = {{before, QStringLiteral("nothing of the step")},
                             {Entry{before.mark, decode(f[3])}, QStringLiteral("its note")},
                             {Entry{reviewMarkFromKey(QString::fromUtf8(f[2])), decode(f[3])},
                              QStringLiteral("its note and mark")}};
        } else if (type == "NOTED" && f.size() == 3) {
            ++noted;
            const QString key = decode(f[1]);
            shown[key].note = decode(f[2]);
            inFlight[key] = {{shown[key], QStringLiteral("its note")}, inFlight.value(key).value(2)};
        } else if (type == "MARKED" && f.size() == 4) {
            ++marked;
            const QString key = decode(f[1]);
            shown[key] = Entry{reviewMarkFromKey(QString::fromUtf8(f[2])), decode(f[3])};
            inFlight.remove(key);
        } else if (type == "REPORT" && f.size() == 3) {
            reportPath = decode(f[1]);
            reportSha256 = f[2];
        } else if (type == "SCORING") {
            scoring = true;
        } else if (type == "PROGRESS" && f.size() == 3) {
            scored = f[1].toInt();
        } else {
            errors << QString::fromUtf8(line);
        }
    }

    /// The entries a key may hold after the kill.
    QList<Entry> allowed(const QString &key) const
    {
        if (!inFlight.contains(key))
            return {shown.value(key)};
        QList<Entry> entries;
        for (const auto &[entry, meaning] : inFlight.value(key))
            entries << entry;
        return entries;
    }
    /// What of a cut-short step reached the database, when `got` is allowed.
    QString outcome(const QString &key, const Entry &got) const
    {
        for (const auto &[entry, meaning] : inFlight.value(key))
            if (entry == got)
                return meaning;
        return QString();
    }
    QStringList keys() const
    {
        QStringList all = shown.keys();
        for (const QString &key : inFlight.keys())
            if (!shown.contains(key))
                all << key;
        return all;
    }
};

/// Every file under `root` (hidden ones too) with its sha256, by path relative to `root`.
QMap<QString, QByteArray> snapshot(const QString &root)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        files.insert(QDir(root).relativeFilePath(path), sha256Of(path));
    }
    return files;
}

bool copyTree(const QString &from, const QString &to)
{
    QDirIterator it(from, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString source = it.next();
        const QString target = QDir(to).filePath(QDir(from).relativeFilePath(source));
        if (!QDir().mkpath(QFileInfo(target).absolutePath()) || !QFile::copy(source, target))
            return false;
    }
    return true;
}

QString describeDifference(const QMap<QString, QByteArray> &before, const QMap<QString, QByteArray> &after)
{
    QStringList lines;
    for (auto it = before.begin(); it != before.end(); ++it)
        if (!after.contains(it.key()))
            lines << QStringLiteral("missing %1").arg(it.key());
        else if (after.value(it.key()) != it.value())
            lines << QStringLiteral("changed %1").arg(it.key());
    for (auto it = after.begin(); it != after.end(); ++it)
        if (!before.contains(it.key()))
            lines << QStringLiteral("new %1").arg(it.key());
    return lines.join(QStringLiteral("; "));
}

} // namespace

class CrashSafetyTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("OOD Inspector Tests"));
        QCoreApplication::setApplicationName(QStringLiteral("crashsafetytest"));
        QSettings().clear();
        QVERIFY2(hasDemoAssets(),
                 "this test needs the demo assets compiled in (resources/demo/build-assets.sh)");
    }

    void killedWindowLosesNothing_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("trigger"); // the kind of line after which the child is killed
        QTest::addColumn<int>("count");       // the how-many-th such line (PROGRESS: frames scored)

        QTest::newRow("review, after the first mark") << "review"
                                                      << "MARKED" << 1;
        QTest::newRow("review, as step 37 begins") << "review"
                                                   << "BEGIN" << 37;
        QTest::newRow("review, between note and mark of step 101") << "review"
                                                                   << "NOTED" << 101;
        QTest::newRow("review, after 160 marks") << "review"
                                                 << "MARKED" << 160;
        QTest::newRow("scoring, as it starts") << "scoring"
                                               << "SCORING" << 1;
        QTest::newRow("scoring, after the first batch") << "scoring"
                                                        << "PROGRESS" << 16;
        QTest::newRow("scoring, after 10 batches") << "scoring"
                                                   << "PROGRESS" << 160;
    }

    void killedWindowLosesNothing()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, trigger);
        QFETCH(int, count);

        QTemporaryDir root;
        QVERIFY(root.isValid());
        const QString demoDir = root.filePath(QStringLiteral("demo"));
        const QString framesDir = root.filePath(QStringLiteral("frames"));
        const QString bulkDir = root.filePath(QStringLiteral("bulk"));
        const QString reportsDir = root.filePath(QStringLiteral("reports"));
        QElapsedTimer phase;
        phase.start();
        ExtractedDemo demo;
        try {
            demo = extractDemoAssets(QString::fromLatin1(kEmbeddedDemoAssets), demoDir);
        } catch (const std::exception &e) {
            QFAIL(e.what());
        }
        QVERIFY(copyTree(demo.framesPath, framesDir));
        QVERIFY(QDir().mkpath(reportsDir));
        if (scenario == QLatin1String("scoring")) {
            QVERIFY(QDir().mkpath(bulkDir));
            QDirIterator it(framesDir, QDir::Files, QDirIterator::Subdirectories);
            int n = 0;
            while (it.hasNext()) {
                const QString source = it.next();
                for (int c = 0; c < kBulkCopies; ++c)
                    QVERIFY(QFile::copy(source, QDir(bulkDir).filePath(QStringLiteral("c%1_%2_%3")
                                                                           .arg(c, 2, 10, QLatin1Char('0'))
                                                                           .arg(n)
                                                                           .arg(it.fileName()))));
                ++n;
            }
        }
        const QMap<QString, QByteArray> demoBefore = snapshot(demoDir);
        const QMap<QString, QByteArray> framesBefore = snapshot(framesDir);
        const QByteArray profileSha256 = sha256Of(demo.profilePath);
        QVERIFY(!profileSha256.isEmpty());

        const qint64 setupMs = phase.restart();
        // The child: this executable, in child mode, with its own settings and data folders.
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QString::fromLatin1(kChildEnv), scenario);
        env.insert(QString::fromLatin1(kProfileEnv), demo.profilePath);
        env.insert(QString::fromLatin1(kFramesEnv), framesDir);
        env.insert(QString::fromLatin1(kBulkEnv), bulkDir);
        env.insert(QString::fromLatin1(kReportEnv), QDir(reportsDir).filePath(QStringLiteral("report.pdf")));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), root.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), root.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), root.filePath(QStringLiteral("cache")));
        child.setProcessEnvironment(env);
        QElapsedTimer clock;
        clock.start();
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY2(child.waitForStarted(), qPrintable(child.errorString()));

        Transcript transcript;
        const auto triggered = [&] {
            if (trigger == QLatin1String("MARKED"))
                return transcript.marked >= count;
            if (trigger == QLatin1String("BEGIN"))
                return transcript.begun >= count;
            if (trigger == QLatin1String("NOTED"))
                return transcript.noted >= count;
            if (trigger == QLatin1String("SCORING"))
                return transcript.scoring;
            return transcript.scored >= count;
        };
        bool killed = false;
        qint64 killedAtMs = -1;
        while (!killed && child.state() == QProcess::Running && clock.elapsed() < 100000) {
            child.waitForReadyRead(100);
            while (!killed && child.canReadLine()) {
                transcript.add(child.readLine());
                if (triggered()) {
                    // A real kill: no destructor, no event loop, no checkpoint of the database.
                    QCOMPARE(::kill(pid_t(child.processId()), SIGKILL), 0);
                    killed = true;
                    killedAtMs = clock.elapsed();
                }
            }
        }
        if (!killed && child.state() == QProcess::Running) {
            child.kill();
            child.waitForFinished(10000);
        }
        QVERIFY(child.waitForFinished(20000));
        // Lines the child wrote before it died count too: each followed a completed call.
        const QByteArray rest = child.readAllStandardOutput();
        for (const QByteArray &line : rest.left(rest.lastIndexOf('\n') + 1).split('\n'))
            if (!line.isEmpty())
                transcript.add(line);
        const QString childErr = QString::fromLocal8Bit(child.readAllStandardError()).right(3000);
        QVERIFY2(transcript.errors.isEmpty(),
                 qPrintable(transcript.errors.join('\n') + QStringLiteral("\nchild stderr:\n") + childErr));
        QVERIFY2(killed,
                 qPrintable(QStringLiteral("the child ended or hung before the kill point:\n") + childErr));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        qInfo("%s: killed after %lld ms; %d marks shown as saved (%d keys), %d steps cut short, "
              "%d frames scored",
              qPrintable(scenario), killedAtMs, transcript.marked, int(transcript.shown.size()),
              int(transcript.inFlight.size()), transcript.scored);
        if (scenario == QLatin1String("scoring"))
            QCOMPARE(transcript.marked, kMarksBeforeScoring);
        QVERIFY(transcript.marked >= 1);
        QVERIFY(!transcript.reportPath.isEmpty());

        const qint64 childMs = phase.restart();
        // Reopened in a new window, on the same profile and folder: every mark is back.
        const QString databasePath = ReviewStore::defaultPathFor(framesDir);
        {
            DialogCatcher dialogs;
            MainWindow window;
            QVERIFY(window.openProfile(demo.profilePath));
            QVERIFY(window.openFrames({framesDir}));
            window.scoringJob()->cancel();
            QTRY_VERIFY_WITH_TIMEOUT(!window.isScoring(), 60000);
            QVERIFY2(dialogs.seen().isEmpty(), qPrintable(dialogs.seen().join('\n')));
            for (const QString &key : transcript.keys()) {
                const int row = window.frameModel()->rowOfKey(key);
                QVERIFY2(row >= 0, qPrintable(key));
                const Entry got{window.frameModel()->frame(row).mark, window.frameModel()->frame(row).note};
                QVERIFY2(transcript.allowed(key).contains(got),
                         qPrintable(QStringLiteral("%1: the window shows %2, the child had shown %3 as saved")
                                        .arg(key, got.text(), transcript.shown.value(key).text())));
            }
        }

        const qint64 reopenMs = phase.restart();
        // The database itself: not refused as damaged, and it holds exactly what was reported.
        try {
            ReviewStore store(databasePath);
            QCOMPARE(store.journalMode(), QStringLiteral("wal"));
            const QMap<QString, ReviewEntry> stored = store.allMarks();
            for (auto it = stored.begin(); it != stored.end(); ++it)
                QVERIFY2(transcript.keys().contains(it.key()),
                         qPrintable(QStringLiteral("an entry nobody made: %1").arg(it.key())));
            for (const QString &key : transcript.keys()) {
                const auto it = stored.find(key);
                const Entry got = it == stored.end() ? Entry{} : Entry{it->mark, it->note};
                QVERIFY2(transcript.allowed(key).contains(got),
                         qPrintable(QStringLiteral("%1: stored %2, shown as saved %3")
                                        .arg(key, got.text(), transcript.shown.value(key).text())));
                if (transcript.inFlight.contains(key))
                    qInfo("the step cut short by the kill left %s in the database",
                          qPrintable(transcript.outcome(key, got)));
            }
        } catch (const std::exception &e) {
            QFAIL(qPrintable(QStringLiteral("the review database was refused after the kill: %1")
                                 .arg(QString::fromUtf8(e.what()))));
        }

        // The profile, the model and the earlier report are untouched, with nothing left next to them.
        QCOMPARE(sha256Of(demo.profilePath), profileSha256);
        const QMap<QString, QByteArray> demoAfter = snapshot(demoDir);
        QVERIFY2(demoAfter == demoBefore, qPrintable(describeDifference(demoBefore, demoAfter)));
        QCOMPARE(sha256Of(transcript.reportPath), transcript.reportSha256);
        QCOMPARE(QDir(reportsDir).entryList(QDir::Files | QDir::Hidden | QDir::System),
                 QStringList{QStringLiteral("report.pdf")});
        QMap<QString, QByteArray> framesAfter = snapshot(framesDir);
        for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
            framesAfter.remove(QFileInfo(databasePath).fileName() + suffix);
        QVERIFY2(framesAfter == framesBefore, qPrintable(describeDifference(framesBefore, framesAfter)));
        qInfo("set-up %lld ms, child %lld ms, reopen %lld ms, checks %lld ms", setupMs, childMs, reopenMs,
              phase.elapsed());
    }
};

int main(int argc, char **argv)
{
    const QByteArray scenario = qgetenv(kChildEnv);
    QApplication app(argc, argv);
    if (!scenario.isEmpty())
        return runChild(scenario);
    app.setAttribute(Qt::AA_Use96Dpi, true);
    CrashSafetyTest test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "crashsafetytest.moc"
