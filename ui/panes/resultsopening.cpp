#include "panes/resultsopening.h"

#include "model/modelloader.h"
#include "results/resultsfile.h"
#include "review/reviewstore.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHash>
#include <QMessageBox>

namespace ood {

namespace {

/// Hex sha256 of the file; empty when it cannot be read.
QString digestOf(const QString &path)
{
    try {
        return QString::fromStdString(sha256OfFile(path.toStdString()));
    } catch (const std::exception &) {
        return {};
    }
}

bool sameDigest(const QString &a, const QString &b)
{
    return !a.isEmpty() && a.compare(b, Qt::CaseInsensitive) == 0;
}

} // namespace

QString ResultsOpening::locateProfile(const ResultsHeader &header, const QString &resultsPath,
                                      QWidget *parent)
{
    const QDir resultsDir = QFileInfo(resultsPath).absoluteDir();
    const QString named = QDir::cleanPath(resultsDir.absoluteFilePath(header.profilePath));
    const QString beside = resultsDir.filePath(QFileInfo(header.profilePath).fileName());
    for (const QString &candidate : {named, beside})
        if (QFileInfo(candidate).isFile() && sameDigest(digestOf(candidate), header.profileSha256))
            return candidate;
    const QString wanted = header.profileSha256.left(12);
    if (QFileInfo(named).isFile()) {
        QMessageBox::critical(
            parent, tr("Cannot open the results"),
            tr("%1 was scored with another profile (sha256 %2…) than %3 holds now (sha256 %4…): the "
               "profile was changed or fitted again since. Open the profile that scored the frames, or "
               "score the frames again.")
                .arg(QFileInfo(resultsPath).fileName(), wanted, QDir::toNativeSeparators(named),
                     digestOf(named).left(12)));
        return {};
    }
    const QString chosen = QFileDialog::getOpenFileName(
        parent,
        tr("Where is the profile %1 (sha256 %2…) that scored these results?")
            .arg(QFileInfo(header.profilePath).fileName(), wanted),
        resultsDir.path(), tr("OOD Inspector profiles (*.oodprofile);;All files (*)"));
    if (chosen.isEmpty())
        return {};
    const QString digest = digestOf(chosen);
    if (!sameDigest(digest, header.profileSha256)) {
        QMessageBox::critical(parent, tr("Cannot open the results"),
                              tr("%1 is not the profile that scored %2: its sha256 is %3…, the results "
                                 "were scored with %4…. Open the profile that scored the frames, or score "
                                 "the frames again.")
                                  .arg(QDir::toNativeSeparators(chosen), QFileInfo(resultsPath).fileName(),
                                       digest.isEmpty() ? tr("unreadable") : digest.left(12), wanted));
        return {};
    }
    return chosen;
}

void ResultsOpening::resolveFramePaths(ResultsFile &file, const QString &resultsPath, QStringList *problems)
{
    const QDir resultsDir = QFileInfo(resultsPath).absoluteDir();
    QHash<QString, QString> resolved; // a video's frames share one path
    int missing = 0;
    QString firstMissing;
    for (ResultRow &row : file.rows) {
        auto it = resolved.constFind(row.path);
        if (it == resolved.constEnd()) {
            QString path = row.path;
            if (QFileInfo(path).isRelative()) {
                const QString besideResults = resultsDir.absoluteFilePath(path);
                path = QDir::cleanPath(QFileInfo::exists(besideResults) ? besideResults
                                                                        : QFileInfo(path).absoluteFilePath());
            }
            if (!QFileInfo::exists(path) && missing++ == 0)
                firstMissing = path;
            it = resolved.insert(row.path, path);
        }
        row.path = *it;
    }
    if (missing > 0 && problems)
        *problems << tr("%n file(s) of the results are not on this computer (first: %1); their scores are "
                        "shown, their pictures and explanations are not.",
                        nullptr, missing)
                         .arg(QDir::toNativeSeparators(firstMissing));
}

QString ResultsOpening::reviewRoot(const std::vector<FrameRecord> &frames, const QString &resultsPath)
{
    const QString resultsDir = QFileInfo(resultsPath).absolutePath();
    if (frames.empty())
        return resultsDir;
    QString shared = QFileInfo(frames.front().path).absolutePath();
    for (const FrameRecord &frame : frames) {
        const QString folder = QFileInfo(frame.path).absolutePath();
        while (!shared.isEmpty() && folder != shared &&
               !folder.startsWith(shared.endsWith('/') ? shared : shared + '/')) {
            const QString parent = QFileInfo(shared).path();
            shared = parent == shared ? QString() : parent;
        }
    }
    for (QDir dir(shared); !shared.isEmpty();) {
        if (QFileInfo::exists(ReviewStore::defaultPathFor(dir.path())))
            return dir.path();
        if (!dir.cdUp())
            break;
    }
    // Frames spread over the whole disk would file their marks at the root: beside the results then.
    return shared.isEmpty() || QDir(shared).isRoot() ? resultsDir : shared;
}

QString ResultsOpening::origin(const ResultsHeader &header)
{
    QString text = tr("scored by ood-inspect with %1").arg(QFileInfo(header.profilePath).fileName());
    if (header.shard)
        text += tr(", shard %1").arg(header.shard->text());
    if (!header.missing.isEmpty())
        text += tr(", %n shard(s) missing", nullptr, int(header.missing.size()));
    return text;
}

} // namespace ood
