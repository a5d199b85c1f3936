#include "calib/profile.h"
#include "calib/profilebundle.h"
#include "calib/verdictcalibration.h"
#include "model/inferenceoptions.h"

#include "base/atomicfile.h"
#include "detect/registry.h"
#include "base/error.h"
#include "io/restrictedunpickler.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <torch/torch.h>

namespace ood {

namespace {

using Dict = c10::impl::GenericDict;

Dict newDict()
{
    return Dict(c10::StringType::get(), c10::AnyType::get());
}

c10::IValue toIValue(const std::vector<std::string> &strings)
{
    c10::List<std::string> list;
    for (const auto &s : strings)
        list.push_back(s);
    return list;
}

/// The model's path as the profile at `profilePath` stores it: relative to the profile's folder
/// when the model sits in that folder or below (the two then travel together), else absolute.
std::string storedModelPath(const std::string &modelPath, const QString &profilePath)
{
    if (modelPath.empty())
        return modelPath;
    const QString model = QFileInfo(QString::fromStdString(modelPath)).absoluteFilePath();
    const QDir folder = QFileInfo(profilePath).absoluteDir();
    const QString relative = QDir::cleanPath(folder.relativeFilePath(model));
    if (QDir::isRelativePath(relative) && relative != ".." && !relative.startsWith("../"))
        return relative.toStdString();
    return QDir::cleanPath(model).toStdString();
}

/// The model's path in memory (always absolute) from the one the profile at `profilePath` stores:
/// a relative path is taken from the profile's folder. An absolute path that no longer exists,
/// with a file of the same name next to the profile, becomes that file: a profile and its model
/// copied together to another machine then open as they are (loadProfileModel still checks the
/// model's sha256).
std::string resolvedModelPath(const std::string &stored, const QString &profilePath)
{
    if (stored.empty())
        return stored;
    const QDir folder = QFileInfo(profilePath).absoluteDir();
    const QString path = QString::fromStdString(stored);
    if (QDir::isRelativePath(path))
        return QDir::cleanPath(folder.absoluteFilePath(path)).toStdString();
    if (!QFileInfo::exists(path)) {
        const QString beside = folder.absoluteFilePath(QFileInfo(path).fileName());
        if (QFileInfo(beside).isFile())
            return QDir::cleanPath(beside).toStdString();
    }
    return stored;
}

Dict modelToDict(const ModelCard &card)
{
    Dict input = newDict();
    input.insert("width", static_cast<int64_t>(card.input.width));
    input.insert("height", static_cast<int64_t>(card.input.height));
    input.insert("resize", std::string(card.input.resize == ResizePolicy::ShortSideBicubicCenterCrop
                                           ? "short_side_bicubic_center_crop"
                                           : "stretch"));
    input.insert("mean", torch::tensor(std::vector<float>(card.input.mean.begin(), card.input.mean.end())));
    input.insert("std", torch::tensor(std::vector<float>(card.input.std.begin(), card.input.std.end())));
    Dict model = newDict();
    model.insert("architecture", card.architecture);
    model.insert("path", card.modelPath);
    model.insert("sha256", card.sha256);
    model.insert("num_classes", static_cast<int64_t>(card.numClasses));
    model.insert("feature_dim", static_cast<int64_t>(card.featureDim));
    model.insert("class_names", toIValue(card.classNames));
    model.insert("input", input);
    model.insert("precision", precisionName(card.precision));
    return model;
}

/// Reads entries of a generic dict with errors that say where in the file the problem is.
class Reader
{
  public:
    Reader(c10::impl::GenericDict dict, std::string where, QString file)
        : m_dict(std::move(dict)), m_where(std::move(where)), m_file(std::move(file))
    {
    }

    const c10::IValue &value(const std::string &key) const
    {
        const auto it = m_dict.find(key);
        if (it == m_dict.end())
            fail("lacks '" + path(key) + "'");
        return it->value();
    }
    bool has(const std::string &key) const { return m_dict.find(key) != m_dict.end(); }
    Reader dict(const std::string &key) const
    {
        const c10::IValue &v = value(key);
        if (!v.isGenericDict())
            fail("'" + path(key) + "' is not a dictionary");
        return Reader(v.toGenericDict(), path(key), m_file);
    }
    std::string string(const std::string &key) const
    {
        const c10::IValue &v = value(key);
        if (!v.isString())
            fail("'" + path(key) + "' is not a string");
        return v.toStringRef();
    }
    int64_t integer(const std::string &key) const
    {
        const c10::IValue &v = value(key);
        if (!v.isInt())
            fail("'" + path(key) + "' is not an integer");
        return v.toInt();
    }
    double real(const std::string &key) const
    {
        const c10::IValue &v = value(key);
        if (v.isDouble())
            return v.toDouble();
        if (v.isInt())
            return static_cast<double>(v.toInt());
        fail("'" + path(key) + "' is not a number");
    }
    at::Tensor tensor(const std::string &key) const
    {
        const c10::IValue &v = value(key);
        if (!v.isTensor())
            fail("'" + path(key) + "' is not a tensor");
        return v.toTensor();
    }
    std::vector<std::string> strings(const std::string &key) const
    {
        const c10::IValue &v = value(key);
        if (!v.isList())
            fail("'" + path(key) + "' is not a list");
        std::vector<std::string> out;
        for (const c10::IValue &item : v.toListRef()) {
            if (!item.isString())
                fail("'" + path(key) + "' holds a non-string");
            out.push_back(item.toStringRef());
        }
        return out;
    }
    std::vector<std::string> keys() const
    {
        std::vector<std::string> out;
        for (const auto &entry : m_dict) {
            if (!entry.key().isString())
                fail("'" + m_where + "' has a non-string key");
            out.push_back(entry.key().toStringRef());
        }
        return out;
    }
    [[noreturn]] void fail(const std::string &what) const
    {
        throw Error("profile " + m_file.toStdString() + " is damaged: it " + what);
    }

  private:
    std::string path(const std::string &key) const { return m_where.empty() ? key : m_where + "." + key; }

    c10::impl::GenericDict m_dict;
    std::string m_where;
    QString m_file;
};

ModelCard modelFromDict(const Reader &model)
{
    ModelCard card;
    card.architecture = model.string("architecture");
    card.modelPath = model.string("path");
    card.sha256 = model.string("sha256");
    card.numClasses = static_cast<int>(model.integer("num_classes"));
    card.featureDim = static_cast<int>(model.integer("feature_dim"));
    card.classNames = model.strings("class_names");
    // Profiles written before the precision was recorded were all fitted in float32.
    if (model.has("precision")) {
        try {
            card.precision = precisionFromName(model.string("precision"));
        } catch (const Error &e) {
            model.fail("records " + std::string(e.what()));
        }
    }
    const Reader input = model.dict("input");
    card.input.width = static_cast<int>(input.integer("width"));
    card.input.height = static_cast<int>(input.integer("height"));
    if (card.input.width < 1 || card.input.height < 1 || card.input.width > 8192 || card.input.height > 8192)
        model.fail("declares an input size of " + std::to_string(card.input.width) + "x" +
                   std::to_string(card.input.height));
    const std::string resize = input.string("resize");
    if (resize == "stretch")
        card.input.resize = ResizePolicy::Stretch;
    else if (resize == "short_side_bicubic_center_crop")
        card.input.resize = ResizePolicy::ShortSideBicubicCenterCrop;
    else
        model.fail("declares an unknown resize policy \"" + resize + "\"");
    const at::Tensor mean = input.tensor("mean").to(torch::kFloat32).contiguous();
    const at::Tensor std = input.tensor("std").to(torch::kFloat32).contiguous();
    if (mean.numel() != 3 || std.numel() != 3 || (std <= 0).any().item<bool>())
        model.fail("has a malformed input mean/std");
    for (int c = 0; c < 3; ++c) {
        card.input.mean[c] = mean[c].item<float>();
        card.input.std[c] = std[c].item<float>();
    }
    if (card.numClasses < 1 || static_cast<int>(card.classNames.size()) != card.numClasses)
        model.fail("lists " + std::to_string(card.classNames.size()) + " class names for " +
                   std::to_string(card.numClasses) + " classes");
    return card;
}

} // namespace

const ProfileDetector *Profile::find(const std::string &detectorId) const
{
    for (const auto &entry : detectors)
        if (entry.detector->id() == detectorId)
            return &entry;
    return nullptr;
}

std::string Profile::unavailableReason(const std::string &detectorId) const
{
    for (const auto &[id, reason] : unavailable)
        if (id == detectorId)
            return reason;
    return {};
}

void saveProfile(const Profile &profile, const QString &path)
{
    Dict detectors = newDict();
    c10::List<std::string> order;
    for (const ProfileDetector &entry : profile.detectors) {
        Dict state = newDict();
        for (const auto &[name, tensor] : entry.detector->state())
            state.insert(name, tensor.contiguous());
        Dict d = newDict();
        d.insert("state", state);
        d.insert("validation_scores", entry.validationScores.to(torch::kFloat64).contiguous());
        d.insert("threshold", entry.threshold);
        d.insert("reference_id_high", entry.detector->referenceIsIdHigh());
        detectors.insert(entry.detector->id(), d);
        order.push_back(entry.detector->id());
    }
    Dict fit = newDict();
    fit.insert("train_path", profile.trainPath);
    fit.insert("validation_path", profile.validationPath);
    fit.insert("train_count", profile.trainCount);
    fit.insert("validation_count", profile.validationCount);
    fit.insert("target_tpr", profile.targetTpr);
    fit.insert("created_utc", profile.createdUtc);
    fit.insert("app_version", profile.appVersion);

    Dict root = newDict();
    root.insert("format", std::string(Profile::kFormatName));
    root.insert("version", Profile::kFormatVersion);
    ModelCard card = profile.model;
    card.modelPath = storedModelPath(card.modelPath, path);
    root.insert("model", modelToDict(card));
    root.insert("detector_order", order);
    root.insert("detectors", detectors);
    Dict unavailable = newDict();
    for (const auto &[id, reason] : profile.unavailable)
        unavailable.insert(id, reason);
    root.insert("unavailable", unavailable);
    root.insert("fit", fit);
    // Only the detector is read back: k and the false-alarm rate follow from the validation scores
    // and thresholds, and are recalibrated whenever those or the enabled detectors change. They are
    // written for readers of the file that do not calibrate (Python).
    const VerdictRule verdict = calibrateVerdict(profile);
    Dict verdictDict = newDict();
    verdictDict.insert("detector", profile.verdictDetector);
    verdictDict.insert("min_flags", static_cast<int64_t>(verdict.minFlags));
    verdictDict.insert("false_alarm_rate", verdict.falseAlarmRate);
    verdictDict.insert("target_false_alarm_rate", verdict.targetFalseAlarmRate);
    verdictDict.insert("validation_frames", static_cast<int64_t>(verdict.validationFrames));
    root.insert("verdict", verdictDict);

    const std::vector<char> bytes = torch::pickle_save(c10::IValue(root));
    // fromRawData: a profile can be hundreds of megabytes; no copy.
    QString reason;
    if (!tryWriteFileAtomically(
            path, QByteArray::fromRawData(bytes.data(), static_cast<qsizetype>(bytes.size())), reason))
        throw Error("cannot write profile " + path.toStdString() + ": " + reason.toStdString());
}

Profile loadProfile(const QString &path)
{
    // A bundle (`ood-inspect bundle`) stands for the profile it carries, unpacked once with its
    // model next to it, so every command and the window open bundles as they open profiles.
    if (isProfileBundle(path))
        return loadProfile(unpackProfileBundle(path));
    const std::string name = path.toStdString();
    QFile file(path);
    if (!QFileInfo::exists(path))
        throw Error("profile " + name + " does not exist");
    if (QFileInfo(path).isDir())
        throw Error("profile " + name + " is a folder, not a file");
    if (!QFileInfo(path).isFile()) // a pipe or device would block the read below forever
        throw Error("profile " + name + " is not a regular file (a pipe, socket or device)");
    if (!file.open(QIODevice::ReadOnly))
        throw Error("cannot read profile " + name + ": " + file.errorString().toStdString());
    const QByteArray bytes = file.readAll();
    if (bytes.isEmpty())
        throw Error("profile " + name + " is empty");
    if (!bytes.startsWith("PK"))
        throw Error(name + " is not an OOD Inspector profile (not a PyTorch zip archive)");

    // LibTorch's unpickler trusts lengths and indices in the file (a 4 GB string length is
    // allocated as asked) and fails with internal assertions on other people's pickles; the
    // restricted reader checks every one first and tells a profile from other PyTorch files.
    std::string declaredFormat;
    try {
        declaredFormat = checkTorchPickle(name, "profile");
    } catch (const Error &e) {
        // The restricted reader's message starts with "profile <name> "; say it once.
        std::string detail = e.what();
        if (const std::string prefix = "profile " + name + " "; detail.rfind(prefix, 0) == 0)
            detail = "it " + detail.substr(prefix.size());
        throw Error(name + " is not a readable OOD Inspector profile (truncated or foreign file): " + detail);
    }
    if (declaredFormat != Profile::kFormatName)
        throw Error(name + " is a PyTorch file but not an OOD Inspector profile");
    c10::IValue root;
    try {
        root = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
    } catch (const c10::Error &e) {
        throw Error(name + " is not a readable OOD Inspector profile (truncated or foreign file): " +
                    e.what_without_backtrace());
    } catch (const std::exception &e) { // LibTorch lets std::out_of_range and the like out
        throw Error(name +
                    " is not a readable OOD Inspector profile (truncated or foreign file): " + e.what());
    }
    if (!root.isGenericDict())
        throw Error(name + " is a PyTorch file but not an OOD Inspector profile");
    const Reader top(root.toGenericDict(), "", path);
    const auto format = root.toGenericDict().find(std::string("format"));
    if (format == root.toGenericDict().end() || !format->value().isString() ||
        format->value().toStringRef() != Profile::kFormatName)
        throw Error(name + " is a PyTorch file but not an OOD Inspector profile");
    const int64_t version = top.integer("version");
    if (version > Profile::kFormatVersion)
        throw Error("profile " + name + " has format version " + std::to_string(version) +
                    "; this program reads up to " + std::to_string(Profile::kFormatVersion) +
                    ": update OOD Inspector");
    if (version < 1)
        top.fail("has an invalid format version " + std::to_string(version));

    Profile profile;
    profile.model = modelFromDict(top.dict("model"));
    profile.model.modelPath = resolvedModelPath(profile.model.modelPath, path);
    const Reader fit = top.dict("fit");
    profile.trainPath = fit.string("train_path");
    profile.validationPath = fit.string("validation_path");
    profile.trainCount = fit.integer("train_count");
    profile.validationCount = fit.integer("validation_count");
    profile.targetTpr = fit.real("target_tpr");
    profile.createdUtc = fit.string("created_utc");
    profile.appVersion = fit.string("app_version");

    const Reader detectors = top.dict("detectors");
    for (const std::string &id : top.strings("detector_order")) {
        const Reader entry = detectors.dict(id);
        ProfileDetector pd;
        try {
            pd.detector = createDetector(id);
        } catch (const Error &) {
            top.fail("names detector '" + id + "', which this version does not know");
        }
        const Reader stateReader = entry.dict("state");
        DetectorState state;
        for (const std::string &key : stateReader.keys())
            state[key] = stateReader.tensor(key);
        // Also refuses a state written by a newer version of the detector (its "state_version").
        try {
            pd.detector->setState(state);
        } catch (const Error &e) {
            throw Error("profile " + name + ": " + e.what());
        }
        pd.validationScores = entry.tensor("validation_scores").to(torch::kFloat64);
        pd.threshold = entry.real("threshold");
        profile.detectors.push_back(std::move(pd));
    }
    // Profiles written before detectors could be unavailable have no such entry.
    if (root.toGenericDict().contains(std::string("unavailable"))) {
        const Reader unavailable = top.dict("unavailable");
        for (const std::string &id : unavailable.keys())
            profile.unavailable.emplace_back(id, unavailable.string(id));
    }
    // Profiles written before the verdict was stored have none: "at least k of the detectors".
    if (root.toGenericDict().contains(std::string("verdict"))) {
        profile.verdictDetector = top.dict("verdict").string("detector");
        if (!profile.verdictDetector.empty() && !profile.find(profile.verdictDetector))
            top.fail("names '" + profile.verdictDetector +
                     "' as the verdict's detector, which the profile does not hold");
    }
    return profile;
}

} // namespace ood
