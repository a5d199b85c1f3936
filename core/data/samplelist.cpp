#include "data/samplelist.h"

#include "base/error.h"
#include "data/videosource.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QTextStream>

#include <algorithm>

#include <climits>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

namespace ood {

namespace {

// torchvision's IMG_EXTENSIONS.
const QStringList kImageExtensions = {"jpg", "jpeg", "png", "ppm", "bmp", "pgm", "tif", "tiff", "webp"};

/// A file name as the user would type it: printable ASCII as is, every other byte as \xHH.
QString escapedName(const QByteArray &raw)
{
    QString out;
    for (const char c : raw) {
        const auto byte = static_cast<unsigned char>(c);
        out += byte >= 0x20 && byte < 0x7F ? QString(QChar(byte))
                                           : QString("\\x%1").arg(byte, 2, 16, QChar('0'));
    }
    return out;
}

/// QDir leaves out, without a word, every entry whose name is not valid UTF-8 (a QString cannot
/// hold it); reading the folder directly finds the images and folders among them so that each
/// is reported instead of silently missing.
void reportUndecodableNames(const QString &folder, QStringList &problems)
{
    DIR *dir = opendir(QFile::encodeName(folder).constData());
    if (!dir)
        return;
    while (const dirent *entry = readdir(dir)) {
        const QByteArray raw(entry->d_name);
        if (QFile::encodeName(QFile::decodeName(raw)) == raw)
            continue;
        const QString shown = QDir(folder).filePath(escapedName(raw));
        struct stat info;
        const bool isDir = fstatat(dirfd(dir), entry->d_name, &info, 0) == 0 && S_ISDIR(info.st_mode);
        if (isDir)
            problems << QString(
                            "%1: folder name is not valid UTF-8, its contents cannot be listed; rename it")
                            .arg(shown);
        else if (hasImageExtension(escapedName(raw)))
            problems << QString("%1: file name is not valid UTF-8, the file cannot be opened; rename it")
                            .arg(shown);
    }
    closedir(dir);
}

/// Image files below `folder`, sorted by path. Follows symbolic links but visits every real
/// folder once, so a link loop cannot make the walk endless.
QStringList imagesBelow(const QString &folder, QStringList &problems)
{
    QStringList files;
    QSet<QString> visited;
    QStringList pending{folder};
    while (!pending.isEmpty()) {
        const QString current = pending.takeLast();
        const bool tooLong = QFile::encodeName(current).size() >= PATH_MAX;
        const QString canonical = QFileInfo(current).canonicalFilePath();
        if (canonical.isEmpty()) {
            problems << (tooLong
                             ? QString(
                                   "%1: folder path is longer than the %2 bytes the system allows, skipped")
                                   .arg(current)
                                   .arg(PATH_MAX)
                             : QString("%1: folder cannot be resolved (removed while listing?), skipped")
                                   .arg(current));
            continue;
        }
        if (visited.contains(canonical)) {
            problems << QString("%1: folder visited twice (symbolic link loop?), skipped").arg(current);
            continue;
        }
        visited.insert(canonical);
        QDir dir(current);
        if (tooLong) {
            problems << QString("%1: folder path is longer than the %2 bytes the system allows, skipped")
                            .arg(current)
                            .arg(PATH_MAX);
            continue;
        }
        if (!dir.isReadable()) {
            problems << QString("%1: folder cannot be read (permission denied?)").arg(current);
            continue;
        }
        reportUndecodableNames(current, problems);
        // System: pipes, sockets and broken links named like images become rows with their error
        // instead of vanishing from the list.
        const QFileInfoList entries = dir.entryInfoList(
            QDir::Files | QDir::Dirs | QDir::System | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name);
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
        throw Error("folder " + root.toStdString() +
                    " has no class sub-folders (expected <root>/<class>/<image>)");
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

SampleList scanInputsWithVideos(const QStringList &inputs, int videoEvery)
{
    if (videoEvery < 1)
        throw Error("every n-th video frame: n must be at least 1, got " + std::to_string(videoEvery));
    SampleList list;
    // Inputs keep their order: images and folders between videos are listed where they stand.
    QStringList pending;
    auto flushPending = [&] {
        if (pending.isEmpty())
            return;
        SampleList scanned = scanInputs(pending);
        list.problems << scanned.problems;
        list.samples.insert(list.samples.end(), scanned.samples.begin(), scanned.samples.end());
        pending.clear();
    };
    for (const QString &input : inputs) {
        if (!isVideoPath(input) || QFileInfo(input).isDir()) {
            pending << input;
            continue;
        }
        flushPending();
        try {
            const VideoSource video(input);
            const QString path = QFileInfo(input).absoluteFilePath();
            for (int index : video.sampledFrames(videoEvery))
                list.samples.push_back({path, -1, index});
        } catch (const std::exception &e) {
            list.problems << QString::fromUtf8(e.what());
        }
    }
    flushPending();
    return list;
}

} // namespace ood
