#include "data/demoassets.h"

#include "calib/profile.h"
#include "error.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace ood {

bool hasDemoAssets(const QString &assets)
{
    return QFileInfo(assets + "/model.pt").isFile() && QFileInfo(assets + "/demo.oodprofile").isFile();
}

ExtractedDemo extractDemoAssets(const QString &assets, const QString &out)
{
    if (!hasDemoAssets(assets))
        throw Error("no demo assets in " + assets.toStdString() +
                    " (resources/demo/build-assets.sh makes them)");
    if (!QDir().mkpath(out))
        throw Error("cannot create the folder " + out.toStdString());
    QDirIterator it(assets, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString source = it.next();
        const QString target = out + "/" + QDir(assets).relativeFilePath(source);
        QFile in(source);
        if (QFileInfo(target).isFile() && QFileInfo(target).size() == in.size() &&
            !target.endsWith(".oodprofile"))
            continue;
        if (!in.open(QIODevice::ReadOnly))
            throw Error("cannot read the demo asset " + source.toStdString() + ": " +
                        in.errorString().toStdString());
        QDir().mkpath(QFileInfo(target).absolutePath());
        QSaveFile file(target);
        const QByteArray bytes = in.readAll();
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
            throw Error("cannot write " + target.toStdString() + ": " + file.errorString().toStdString());
    }
    ExtractedDemo demo;
    demo.profilePath = out + "/demo.oodprofile";
    demo.modelPath = out + "/model.pt";
    demo.framesPath = out + "/frames";
    Profile profile = loadProfile(demo.profilePath);
    profile.model.modelPath = demo.modelPath.toStdString();
    saveProfile(profile, demo.profilePath);
    return demo;
}

} // namespace ood
