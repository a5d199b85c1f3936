#include "data/samplelist.h"

#include "error.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QTextStream>

#include <algorithm>

namespace ood {

namespace {

// torchvision's IMG_EXTENSIONS.
const QStringList kImageExtensions = {"jpg", "jpeg", "png", "ppm", "bmp", "pgm", "tif", "tiff", "webp"};

/// Image files below `folder`, sorted by path. Follows symbolic links but visits every real
/// folder once, so a link loop cannot make the walk endless.
QStringList imagesBelow(const QString &folder, QStringList &problems)
{
    QStringList files;
    QSet<QString> visited;
    QStringList pending{folder};
    while (!pending.isEmpty()) {
        const QString current = pending.takeLast();
        const QString canonical = QFileInfo(current).canonicalFilePath();
        if (canonical.isEmpty() || visited.contains(canonical)) {
            if (!canonical.isEmpty())
                problems << QString("%1: folder visited twice (symbolic link loop?), skipped").arg(current);
            continue;
        }
        visited.insert(canonical);
        QDir dir(current);
        if (!dir.isReadable()) {
            problems << QString("%1: folder cannot be read (permission denied?)").arg(current);
            continue;
        }
        const QFileInfoList entries =
            dir.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name);
        for (const QFileInfo &entry : entries) {
            if (entry.isDir())
                pending << entry.filePath();
            else if (hasImageExtension(entry.fileName()))
                files << entry.filePath();
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

bool hasImageExtension(const QString &fileName)
{
    return kImageExtensions.contains(QFileInfo(fileName).suffix().toLower());
}

SampleList scanImageFolder(const QString &root)
{
    const QFileInfo info(root);
    if (!info.exists())
        throw Error("folder " + root.toStdString() + " does not exist");
    if (!info.isDir())
        throw Error(root.toStdString() + " is not a folder");
    QDir dir(root);
    if (!dir.isReadable())
        throw Error("folder " + root.toStdString() + " cannot be read");
    SampleList list;
    list.classNames = dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    std::sort(list.classNames.begin(), list.classNames.end()); // byte order, as Python's sorted()
    if (list.classNames.isEmpty())
        throw Error("folder " + root.toStdString() + " has no class sub-folders (expected <root>/<class>/<image>)");
    for (int label = 0; label < list.classNames.size(); ++label) {
        for (const QString &file : imagesBelow(dir.filePath(list.classNames[label]), list.problems))
            list.samples.push_back({file, label});
    }
    return list;
}

SampleList scanInputs(const QStringList &inputs)
{
    SampleList list;
    for (const QString &input : inputs) {
        const QFileInfo info(input);
        if (!info.exists()) {
            list.problems << QString("%1: does not exist").arg(input);
        } else if (info.isDir()) {
            for (const QString &file : imagesBelow(input, list.problems))
                list.samples.push_back({file, -1});
        } else if (const QString suffix = info.suffix().toLower(); suffix == "txt" || suffix == "lst") {
            QFile file(input);
            if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
                list.problems << QString("%1: cannot be read").arg(input);
                continue;
            }
            QTextStream stream(&file);
            while (!stream.atEnd()) {
                const QString line = stream.readLine().trimmed();
                if (line.isEmpty() || line.startsWith('#'))
                    continue;
                list.samples.push_back({QFileInfo(line).isRelative() ? info.dir().filePath(line) : line, -1});
            }
        } else {
            // An explicitly named file is attempted whatever its extension; decoding says if it fails.
            list.samples.push_back({input, -1});
        }
    }
    return list;
}

} // namespace ood
