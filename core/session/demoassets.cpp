#include "session/demoassets.h"

#include "base/atomicfile.h"
#include "calib/profile.h"
#include "base/error.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

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
        writeFileAtomically(target, in.readAll());
    }
    ExtractedDemo demo;
    demo.profilePath = out + "/demo.oodprofile";
    demo.modelPath = out + "/model.pt";
    demo.framesPath = out + "/frames";
    pointDemoProfileAtModel(demo.profilePath, demo.modelPath);
    return demo;
}

Profile pointDemoProfileAtModel(const QString &profilePath, const QString &modelPath)
{
    Profile profile = loadProfile(profilePath);
    profile.model.modelPath = modelPath.toStdString();
    saveProfile(profile, profilePath);
    return profile;
}

} // namespace ood
