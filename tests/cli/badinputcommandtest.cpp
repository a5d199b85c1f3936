// 'ood-inspect score' on a folder of bad input mixed with good frames, through the real
// executable and the committed demo: the job finishes with exit code 3, every bad file has its own
// row with an error that names it and says why, entries that cannot become rows are reported on
// stderr, and the good frames are scored as usual. Also the --max-pixels / --max-file-mb limits.

#include "support/processrun.h"

#include <QtTest>

#include <cstring>

#include <opencv2/imgcodecs.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace ood::test;

namespace {

const QString kAssets = OOD_SOURCE_DIR "/resources/demo/assets";

QStringList demoFrames(int count)
{
    QDirIterator it(kAssets + "/frames/id", {"*.png"}, QDir::Files, QDirIterator::Subdirectories);
    QStringList frames;
    while (it.hasNext())
        frames << it.next();
    frames.sort();
    return frames.mid(0, count);
}

/// QDir cannot remove the file whose name is not UTF-8: through directory descriptors.
void removeTreeAt(int parent, const char *name)
{
    struct stat info;
    if (fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) != 0)
        return;
    if (S_ISDIR(info.st_mode)) {
        const int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (DIR *dir = fd >= 0 ? fdopendir(fd) : nullptr) {
            while (const dirent *entry = readdir(dir))
                if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0)
                    removeTreeAt(dirfd(dir), entry->d_name);
            closedir(dir);
        }
        unlinkat(parent, name, AT_REMOVEDIR);
    } else {
        unlinkat(parent, name, 0);
    }
}

struct Row
{
    QString prediction, msp, error;
};

/// Rows of the score CSV by file name.
QMap<QString, Row> rowsByName(const QString &csv)
{
    QMap<QString, Row> rows;
    QStringList lines = csvTableLines(csv);
    if (lines.isEmpty())
        return rows;
    const QStringList header = csvFields(lines.takeFirst());
    const int prediction = header.indexOf("prediction"), msp = header.indexOf("msp"),
              error = header.indexOf("error");
    for (const QString &line : lines) {
        const QStringList fields = csvFields(line);
        if (fields.size() != header.size())
            continue;
        rows[QFileInfo(fields[0]).fileName()] = {fields[prediction], fields[msp], fields[error]};
    }
    return rows;
}

} // namespace

class BadInputCommandTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_dir;
    QString m_corpus;
    QStringList m_good;

    QString write(const QString &name, const QByteArray &bytes)
    {
        QFile file(QDir(m_corpus).filePath(name));
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
            qFatal("cannot write %s", qPrintable(name));
        return file.fileName();
    }

    QStringList scoreArguments() const
    {
        return {"score",
                "--profile",
                kAssets + "/demo.oodprofile",
                "--model",
                kAssets + "/model.pt",
                "--methods",
                "msp,energy",
                "--quiet",
                "--input",
                m_corpus};
    }

  private Q_SLOTS:
    void cleanupTestCase() { removeTreeAt(AT_FDCWD, QFile::encodeName(m_dir.path()).constData()); }

    void initTestCase()
    {
        const QStringList frames = demoFrames(3);
        QCOMPARE(frames.size(), 3);
        m_corpus = m_dir.filePath("corpus");
        QDir().mkpath(m_corpus);
        for (int i = 0; i < 3; ++i) {
            m_good << QString("good%1.png").arg(i);
            write(m_good.last(), readAll(frames[i]));
        }
        m_good << "png-named.jpg";
        write(m_good.last(), readAll(frames[0]));

        write("empty.png", {});
        write("text.png", "not a picture\n");
        std::vector<uchar> jpeg;
        QVERIFY(cv::imencode(".jpg", cv::imread(frames[1].toStdString()), jpeg));
        write("truncated.jpg",
              QByteArray(reinterpret_cast<const char *>(jpeg.data()), int(jpeg.size() * 2 / 3)));
        // A 60000 x 60000 PNG header and nothing else.
        write("bomb.png",
              QByteArray(
                  "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\xea\x60\x00\x00\xea\x60\x08\x02\x00\x00\x00"
                  "\x00\x00\x00\x00",
                  33));
        QVERIFY(mkfifo(QFile::encodeName(QDir(m_corpus).filePath("fifo.png")).constData(), 0644) == 0);
        QVERIFY(QFile::link(QDir(m_corpus).filePath("nowhere.png"), QDir(m_corpus).filePath("dangling.png")));
        QVERIFY(QFile::link(".", QDir(m_corpus).filePath("again"))); // a link loop
        const QByteArray undecodable = QFile::encodeName(m_corpus) + "/frame\xff.png";
        const int fd = open(undecodable.constData(), O_WRONLY | O_CREAT, 0644);
        QVERIFY(fd >= 0);
        close(fd);
    }

    void reportsEachBadFileAndScoresTheRest_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("error"); // empty: scored
        QTest::newRow("good0") << "good0.png"
                               << "";
        QTest::newRow("good1") << "good1.png"
                               << "";
        QTest::newRow("good2") << "good2.png"
                               << "";
        QTest::newRow("PNG named .jpg") << "png-named.jpg"
                                        << "";
        QTest::newRow("empty") << "empty.png"
                               << "file is empty";
        QTest::newRow("text") << "text.png"
                              << "not a format this program reads";
        QTest::newRow("truncated JPEG") << "truncated.jpg"
                                        << "JPEG: truncated";
        QTest::newRow("bomb") << "bomb.png"
                              << "60000x60000 pixels, more than the limit";
        QTest::newRow("FIFO") << "fifo.png"
                              << "not a regular file";
        QTest::newRow("dangling link") << "dangling.png"
                                       << "does not exist";
    }

    void reportsEachBadFileAndScoresTheRest()
    {
        QFETCH(QString, name);
        QFETCH(QString, error);
        static Run score;
        static QMap<QString, Row> rows;
        if (score.exitCode == -1) {
            QElapsedTimer timer;
            timer.start();
            score = run(OOD_INSPECT_BINARY, scoreArguments(), 300000);
            qInfo("score on the corpus: exit %d in %lld ms\n%s", score.exitCode, timer.elapsed(),
                  qPrintable(score.err));
            rows = rowsByName(score.out);
        }
        QVERIFY2(score.exitCode == 3, qPrintable(describe(score)));
        QVERIFY2(rows.contains(name), qPrintable(name + "\n" + score.out));
        const Row row = rows[name];
        if (error.isEmpty()) {
            QVERIFY2(row.error.isEmpty(), qPrintable(row.error));
            QVERIFY(!row.prediction.isEmpty());
            bool number = false;
            row.msp.toDouble(&number);
            QVERIFY2(number, qPrintable(row.msp));
        } else {
            QVERIFY2(row.error.contains(error) && row.error.contains(name), qPrintable(row.error));
            QVERIFY(row.prediction.isEmpty() && row.msp.isEmpty());
        }
        // What cannot be a row is on stderr, by name.
        QVERIFY2(score.err.contains("frame\\xff.png: file name is not valid UTF-8"), qPrintable(score.err));
        QVERIFY2(score.err.contains("again: folder visited twice (symbolic link loop?)"),
                 qPrintable(score.err));
        QVERIFY2(score.err.contains("6 of 10 images could not be scored"), qPrintable(score.err));
    }

    void limitsFromTheCommandLine_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message"); // in the good frames' error column, or on stderr
        // The demo frames are 28x28 = 784 pixels, PNG files of a few hundred bytes.
        QTest::newRow("max-pixels below a frame")
            << QStringList{"--max-pixels", "783"} << 3 << "28x28 pixels, more than the limit of 783";
        QTest::newRow("max-pixels at a frame") << QStringList{"--max-pixels", "784"} << 0 << "";
        QTest::newRow("max-file-mb 1") << QStringList{"--max-file-mb", "1"} << 0 << "";
        QTest::newRow("max-pixels not a number")
            << QStringList{"--max-pixels", "lots"} << 1 << "--max-pixels must be a whole number";
        QTest::newRow("max-file-mb 0")
            << QStringList{"--max-file-mb", "0"} << 1 << "--max-file-mb must be a whole number";
    }

    void limitsFromTheCommandLine()
    {
        QFETCH(QStringList, options);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        QStringList arguments = scoreArguments();
        arguments.removeLast(); // the corpus: only the good frames here
        for (const QString &good : m_good)
            arguments << QDir(m_corpus).filePath(good);
        const Run score = run(OOD_INSPECT_BINARY, arguments + options, 300000);
        QVERIFY2(score.exitCode == exitCode, qPrintable(describe(score)));
        if (exitCode == 1) {
            QVERIFY2(score.err.contains(message), qPrintable(score.err));
            return;
        }
        const QMap<QString, Row> rows = rowsByName(score.out);
        QCOMPARE(rows.size(), m_good.size());
        for (const QString &good : m_good) {
            const Row row = rows[good];
            if (message.isEmpty())
                QVERIFY2(row.error.isEmpty(), qPrintable(row.error));
            else
                QVERIFY2(row.error.contains(message) && row.error.contains(good), qPrintable(row.error));
        }
    }

    void helpListsTheLimits()
    {
        for (const QString &command : {"score", "evaluate", "fit", "explain"}) {
            const Run help = run(OOD_INSPECT_BINARY, {command, "--help"});
            QCOMPARE(help.exitCode, 0);
            QVERIFY2(help.out.contains("--max-pixels") && help.out.contains("--max-file-mb"),
                     qPrintable(command));
        }
    }
};

QTEST_GUILESS_MAIN(BadInputCommandTest)
#include "badinputcommandtest.moc"
