// Sample lists: torchvision ImageFolder's class and file order, list files, missing paths and
// symbolic-link loops.

#include "data/samplelist.h"
#include "base/error.h"

#include <QtTest>

using namespace ood;

namespace {
void touch(const QString &path)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    f.open(QIODevice::WriteOnly);
}
} // namespace

class SampleListTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void imageFolderOrder()
    {
        QTemporaryDir dir;
        // Classes sort by code point: "Z-line" < "cecum" < "pylorus" (upper case first), as Python's
        // sorted().
        touch(dir.filePath("pylorus/b.jpg"));
        touch(dir.filePath("pylorus/a.PNG")); // extensions are case-insensitive
        touch(dir.filePath("cecum/10.jpg"));
        touch(dir.filePath("cecum/2.jpg"));     // string order: "10.jpg" < "2.jpg"
        touch(dir.filePath("cecum/notes.txt")); // not an image extension
        touch(dir.filePath("Z-line/x.webp"));
        const SampleList list = scanImageFolder(dir.path());
        QCOMPARE(list.classNames, (QStringList{"Z-line", "cecum", "pylorus"}));
        QStringList names;
        QList<int> labels;
        for (const Sample &s : list.samples) {
            names << QDir(dir.path()).relativeFilePath(s.path);
            labels << s.label;
        }
        QCOMPARE(names, (QStringList{"Z-line/x.webp", "cecum/10.jpg", "cecum/2.jpg", "pylorus/a.PNG",
                                     "pylorus/b.jpg"}));
        QCOMPARE(labels, (QList<int>{0, 1, 1, 2, 2}));
    }

    void imageFolderErrors()
    {
        QTemporaryDir dir;
        QVERIFY_THROWS_EXCEPTION(Error, scanImageFolder(dir.filePath("missing")));
        QVERIFY_THROWS_EXCEPTION(Error, scanImageFolder(dir.path())); // no class folders
    }

    void inputsAndLists()
    {
        QTemporaryDir dir;
        touch(dir.filePath("frames/a.jpg"));
        touch(dir.filePath("frames/sub/b.png"));
        touch(dir.filePath("single.bmp"));
        QFile list(dir.filePath("list.txt"));
        QVERIFY(list.open(QIODevice::WriteOnly));
        list.write("# comment\nsingle.bmp\n\n" + dir.filePath("frames/a.jpg").toUtf8() + "\n");
        list.close();
        const SampleList inputs =
            scanInputs({dir.filePath("frames"), dir.filePath("list.txt"), dir.filePath("nope.jpg")});
        QCOMPARE(inputs.samples.size(), size_t(4));
        QCOMPARE(inputs.samples[0].path, dir.filePath("frames/a.jpg"));
        QCOMPARE(inputs.samples[1].path, dir.filePath("frames/sub/b.png"));
        QCOMPARE(inputs.samples[2].path, dir.filePath("single.bmp"));
        QCOMPARE(inputs.samples[0].label, -1);
        QCOMPARE(inputs.problems.size(), 1);
        QVERIFY(inputs.problems[0].contains("nope.jpg"));
    }

    void symlinkLoopEnds()
    {
        QTemporaryDir dir;
        touch(dir.filePath("a/img.png"));
        QVERIFY(QFile::link(dir.filePath("a"), dir.filePath("a/loop")));
        const SampleList list = scanInputs({dir.filePath("a")});
        QCOMPARE(list.samples.size(), size_t(1));
        QCOMPARE(list.problems.size(), 1);
    }
};

QTEST_GUILESS_MAIN(SampleListTest)
#include "samplelisttest.moc"
