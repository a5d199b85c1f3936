#include "calib/profilemodel.h"

#include "base/error.h"

#include <QFileInfo>

namespace ood {

LoadedModel loadProfileModel(const Profile &profile, const QString &overridePath,
                             const InferenceOptions &inference)
{
    const QString path =
        overridePath.isEmpty() ? QString::fromStdString(profile.model.modelPath) : overridePath;
    if (!QFileInfo::exists(path)) {
        if (!overridePath.isEmpty())
            throw ModelNotFound("the model " + path.toStdString() + " does not exist", path.toStdString());
        throw ModelNotFound("the profile's model " + path.toStdString() +
                                " does not exist (moved, or the profile came without it): locate it "
                                "(in the window: Locate Model…; ood-inspect: --model PATH)",
                            path.toStdString());
    }
    const std::string digest = sha256OfFile(path.toStdString());
    if (digest != profile.model.sha256)
        throw Error("model " + path.toStdString() + " does not match the profile (sha256 " + digest +
                    ", the profile was fitted on " + profile.model.sha256 + ")");
    LoadedModel model =
        loadModel(path.toStdString(), profile.model.architecture, profile.model.classNames, inference);
    if (model.card.numClasses != profile.model.numClasses ||
        model.card.featureDim != profile.model.featureDim)
        throw Error("model " + path.toStdString() + " has a different shape than the profile expects");
    model.card.classNames = profile.model.classNames;
    model.card.input = profile.model.input;
    model.card.precision = inference.precision;
    return model;
}

std::string precisionMismatch(const Profile &profile, Precision used)
{
    if (used == profile.model.precision)
        return {};
    return "the profile was fitted in " + precisionName(profile.model.precision) +
           " and the model now runs in " + precisionName(used) +
           ": scores shift slightly, so a frame near a threshold may be flagged differently "
           "(fit the profile in " +
           precisionName(used) + " for exact thresholds)";
}

} // namespace ood
