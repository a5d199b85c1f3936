#include "calib/profilemodel.h"

#include "base/error.h"

#include <QFileInfo>

namespace ood {

LoadedModel loadProfileModel(const Profile &profile, const QString &overridePath)
{
    const QString path =
        overridePath.isEmpty() ? QString::fromStdString(profile.model.modelPath) : overridePath;
    if (!QFileInfo::exists(path))
        throw Error("the profile's model " + path.toStdString() +
                    " does not exist; give its new location (ood-inspect: --model)");
    const std::string digest = sha256OfFile(path.toStdString());
    if (digest != profile.model.sha256)
        throw Error("model " + path.toStdString() + " does not match the profile (sha256 " + digest +
                    ", the profile was fitted on " + profile.model.sha256 + ")");
    LoadedModel model = loadModel(path.toStdString(), profile.model.architecture, profile.model.classNames);
    if (model.card.numClasses != profile.model.numClasses ||
        model.card.featureDim != profile.model.featureDim)
        throw Error("model " + path.toStdString() + " has a different shape than the profile expects");
    model.card.classNames = profile.model.classNames;
    model.card.input = profile.model.input;
    return model;
}

} // namespace ood
