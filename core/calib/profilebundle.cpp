#include "calib/profilebundle.h"

#include "calib/profile.h"

#include "base/error.h"
#include "base/version.h"
#include "io/torchzip.h"
#include "model/modelloader.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <caffe2/serialize/inline_container.h>

namespace ood {

namespace {

// The layout (docs/profile-format.md, "Bundles"): a PyTorch-style zip archive whose first record
// is bundle.json, so that a bundle is told from a profile (also a PyTorch zip) by its first bytes.
constexpr const char *kFormatName = "ood-inspector-bundle";
constexpr int kFormatVersion = 1;
constexpr const char *kManifestRecord = "bundle.json";
constexpr const char *kProfileRecord = "profile";
constexpr const char *kModelRecord = "model";
/// A manifest is a few hundred bytes; a larger one is not one of ours.
constexpr qint64 kMaxManifestBytes = 64 * 1024;

QString sha256Hex(const char *data, size_t size)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QByteArrayView(data, static_cast<qsizetype>(size)));
    return QString::fromLatin1(hash.result().toHex());
}

/// The default place for unpacked bundles: $OOD_INSPECTOR_CACHE_DIR (as for the label
/// embeddings) or the user's cache folder, shared by ood-inspect and the window.
QString defaultCacheDirectory()
{
    const QString fromEnvironment = qEnvironmentVariable("OOD_INSPECTOR_CACHE_DIR");
    const QString base =
        fromEnvironment.isEmpty()
            ? QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation) + "/ood-inspector"
            : fromEnvironment;
    return QDir(base).filePath("bundles");
}

/// A file name from a manifest becomes a path in the cache: a plain name only.
bool isPlainFileName(const QString &name)
{
    return !name.isEmpty() && name.size() <= 255 && !name.contains('/') && !name.contains('\\') &&
           !name.contains(QChar(0)) && name != "." && name != "..";
}

struct BundleEntry
{
    QString name, sha256;
    qint64 size = -1;
};

struct Manifest
{
    BundleEntry profile, model;
};

Manifest parseManifest(const QByteArray &bytes, const std::string &bundle)
{
    const auto damaged = [&](const std::string &what) {
        return Error("profile bundle " + bundle + " is damaged: " + what);
    };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (!document.isObject())
        throw damaged("its bundle.json is not a JSON object (" + parseError.errorString().toStdString() +
                      ")");
    const QJsonObject root = document.object();
    if (root.value("format").toString() != kFormatName)
        throw Error(bundle + " is not an OOD Inspector profile bundle (bundle.json names format '" +
                    root.value("format").toString().toStdString() + "')");
    const int version = root.value("version").toInt(-1);
    if (version > kFormatVersion)
        throw Error("profile bundle " + bundle + " has format version " + std::to_string(version) +
                    "; this program reads up to " + std::to_string(kFormatVersion) +
                    ": update OOD Inspector");
    if (version < 1)
        throw damaged("its bundle.json has no valid format version");
    const auto entry = [&](const char *key) {
        const QJsonObject object = root.value(key).toObject();
        BundleEntry e;
        e.name = object.value("name").toString();
        e.sha256 = object.value("sha256").toString();
        e.size = static_cast<qint64>(object.value("size").toDouble(-1));
        if (!isPlainFileName(e.name) || e.sha256.size() != 64 || e.size < 0)
            throw damaged(std::string("its bundle.json has no valid '") + key + "' entry");
        return e;
    };
    Manifest manifest{entry("profile"), entry("model")};
    if (manifest.profile.name == manifest.model.name)
        throw damaged("its profile and model have the same file name");
    return manifest;
}

/// True when `folder` holds both files of `manifest` at their sizes (a finished unpack).
bool isUnpacked(const QString &folder, const Manifest &manifest)
{
    for (const BundleEntry *e : {&manifest.profile, &manifest.model}) {
        const QFileInfo info(QDir(folder).filePath(e->name));
        if (!info.isFile() || info.size() != e->size)
            return false;
    }
    return true;
}

QByteArray readRecord(caffe2::serialize::PyTorchStreamReader &archive, const char *record,
                      const std::string &bundle)
{
    if (!archive.hasRecord(record))
        throw Error("profile bundle " + bundle + " is damaged: it has no " + record + " record");
    auto [data, size] = archive.getRecord(record);
    return QByteArray(static_cast<const char *>(data.get()), static_cast<qsizetype>(size));
}

/// The first entry of a bundle (its local header at offset 0) is "<folder>/bundle.json".
bool startsWithManifest(const QByteArray &head)
{
    if (head.size() < 30 || !head.startsWith(QByteArray("PK\x03\x04", 4)))
        return false;
    const int nameLength = static_cast<uint8_t>(head[26]) | (static_cast<uint8_t>(head[27]) << 8);
    if (nameLength <= 0 || 30 + nameLength > head.size())
        return false;
    const QByteArray name = head.mid(30, nameLength);
    const int slash = name.indexOf('/');
    return slash > 0 && name.mid(slash + 1) == kManifestRecord;
}

} // namespace

void writeProfileBundle(const QString &profilePath, const QString &bundlePath, const QString &modelPath)
{
    // A bundle given as the profile is bundled again from its unpacked profile.
    const QString source = isProfileBundle(profilePath) ? unpackProfileBundle(profilePath) : profilePath;
    Profile profile = loadProfile(source);
    QString model = modelPath;
    if (model.isEmpty()) {
        model = QString::fromStdString(profile.model.modelPath);
        if (!model.isEmpty() && QFileInfo(model).isRelative())
            model = QFileInfo(source).absoluteDir().filePath(model);
    }
    if (model.isEmpty() || !QFileInfo(model).isFile())
        throw ModelNotFound("the model of profile " + profilePath.toStdString() + " is not at " +
                                (model.isEmpty() ? std::string("(no path)") : model.toStdString()) +
                                "; give its location (ood-inspect bundle: --model)",
                            model.toStdString());
    QFile modelFile(model);
    if (!modelFile.open(QIODevice::ReadOnly))
        throw Error("cannot read model " + model.toStdString() + ": " +
                    modelFile.errorString().toStdString());
    // A model can be hundreds of megabytes: mapped, hashed and written without a copy.
    const qint64 modelSize = modelFile.size();
    const uchar *modelBytes = modelSize > 0 ? modelFile.map(0, modelSize) : nullptr;
    if (modelSize > 0 && !modelBytes)
        throw Error("cannot read model " + model.toStdString() + ": " +
                    modelFile.errorString().toStdString());
    const QString modelSha256 =
        sha256Hex(reinterpret_cast<const char *>(modelBytes), static_cast<size_t>(modelSize));
    if (modelSha256.toStdString() != profile.model.sha256)
        throw Error("model " + model.toStdString() + " is not the model profile " +
                    profilePath.toStdString() + " was fitted on (sha256 " + modelSha256.toStdString() +
                    ", the profile names " + profile.model.sha256 + ")");

    // In the bundle the model sits next to the profile, which names it by its file name alone:
    // saved as if the model were beside it, the profile stores the path relative to itself.
    const QString modelName = QFileInfo(model).fileName();
    QString profileName = QFileInfo(profilePath).fileName();
    if (profileName == modelName || !isPlainFileName(profileName))
        profileName = "profile.oodprofile";
    QTemporaryDir scratch;
    if (!scratch.isValid())
        throw Error("cannot make a temporary folder for the bundle: " + scratch.errorString().toStdString());
    profile.model.modelPath = scratch.filePath(modelName).toStdString();
    const QString profileCopy = scratch.filePath(profileName);
    saveProfile(profile, profileCopy);
    QFile profileFile(profileCopy);
    if (!profileFile.open(QIODevice::ReadOnly))
        throw Error("cannot read " + profileCopy.toStdString() + ": " +
                    profileFile.errorString().toStdString());
    const QByteArray profileBytes = profileFile.readAll();

    QJsonObject manifest;
    manifest.insert("format", kFormatName);
    manifest.insert("version", kFormatVersion);
    manifest.insert("app_version", OOD_VERSION_STRING);
    manifest.insert("profile", QJsonObject{{"name", profileName},
                                           {"sha256", sha256Hex(profileBytes.constData(),
                                                                static_cast<size_t>(profileBytes.size()))},
                                           {"size", static_cast<double>(profileBytes.size())}});
    manifest.insert(
        "model",
        QJsonObject{{"name", modelName}, {"sha256", modelSha256}, {"size", static_cast<double>(modelSize)}});
    const QByteArray manifestBytes = QJsonDocument(manifest).toJson();

    QSaveFile out(bundlePath);
    if (!out.open(QIODevice::WriteOnly))
        throw Error("cannot write profile bundle " + bundlePath.toStdString() + ": " +
                    out.errorString().toStdString());
    // The writer must never report a short write: LibTorch's writer would then throw from its
    // destructor. QSaveFile remembers a failed write and refuses to commit.
    bool writeFailed = false;
    try {
        caffe2::serialize::PyTorchStreamWriter writer([&](const void *data, size_t size) {
            if (!writeFailed && out.write(static_cast<const char *>(data), static_cast<qint64>(size)) !=
                                    static_cast<qint64>(size))
                writeFailed = true;
            return size;
        });
        writer.writeRecord(kManifestRecord, manifestBytes.constData(),
                           static_cast<size_t>(manifestBytes.size()));
        writer.writeRecord(kProfileRecord, profileBytes.constData(),
                           static_cast<size_t>(profileBytes.size()));
        writer.writeRecord(kModelRecord, modelBytes, static_cast<size_t>(modelSize));
        writer.writeEndOfFile();
    } catch (const c10::Error &e) {
        throw Error("cannot write profile bundle " + bundlePath.toStdString() + ": " +
                    e.what_without_backtrace());
    }
    if (writeFailed || !out.commit())
        throw Error("cannot write profile bundle " + bundlePath.toStdString() + ": " +
                    out.errorString().toStdString());
}

bool isProfileBundle(const QString &path)
{
    // isFile first: reading a pipe or device would block.
    if (!QFileInfo(path).isFile())
        return false;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    return startsWithManifest(file.read(30 + 256));
}

QString unpackProfileBundle(const QString &bundlePath, const QString &cacheDirectory)
{
    const std::string bundle = bundlePath.toStdString();
    if (!QFileInfo::exists(bundlePath))
        throw Error("profile bundle " + bundle + " does not exist");
    if (!isProfileBundle(bundlePath))
        throw Error(bundle + " is not an OOD Inspector profile bundle");
    const QString cache = cacheDirectory.isEmpty() ? defaultCacheDirectory() : cacheDirectory;
    QString unpackedProfile;
    withTorchArchive(bundle, "profile bundle", [&](caffe2::serialize::PyTorchStreamReader &archive) {
        if (!archive.hasRecord(kManifestRecord))
            throw Error("profile bundle " + bundle + " is damaged: it has no bundle.json");
        const QByteArray manifestBytes = readRecord(archive, kManifestRecord, bundle);
        if (manifestBytes.size() > kMaxManifestBytes)
            throw Error("profile bundle " + bundle + " is damaged: its bundle.json is too large");
        const Manifest manifest = parseManifest(manifestBytes, bundle);
        // Named by the manifest's digest, which holds the digests of profile and model: the same
        // content unpacks to the same folder, once.
        const QString folder = QDir(cache).filePath(
            sha256Hex(manifestBytes.constData(), static_cast<size_t>(manifestBytes.size())));
        unpackedProfile = QDir(folder).filePath(manifest.profile.name);
        if (isUnpacked(folder, manifest))
            return;

        if (!QDir().mkpath(cache))
            throw Error("cannot make the folder " + cache.toStdString() + " to unpack profile bundle " +
                        bundle);
        QTemporaryDir partial(QDir(cache).filePath(QFileInfo(folder).fileName() + ".partial-XXXXXX"));
        if (!partial.isValid())
            throw Error("cannot unpack profile bundle " + bundle + " into " + cache.toStdString() + ": " +
                        partial.errorString().toStdString());
        for (const auto &[record, entry] :
             {std::pair{kProfileRecord, &manifest.profile}, std::pair{kModelRecord, &manifest.model}}) {
            const QByteArray bytes = readRecord(archive, record, bundle);
            const QString digest = sha256Hex(bytes.constData(), static_cast<size_t>(bytes.size()));
            if (bytes.size() != entry->size || digest != entry->sha256)
                throw Error("profile bundle " + bundle + " is damaged: its " + record + " " +
                            entry->name.toStdString() +
                            " does not match the sha256 its bundle.json records (" + digest.toStdString() +
                            " instead of " + entry->sha256.toStdString() + ")");
            // The profile inside must be a profile; a bundle inside would be unpacked in a loop.
            if (std::string(record) == kProfileRecord && startsWithManifest(bytes.left(30 + 256)))
                throw Error("profile bundle " + bundle + " is damaged: its profile is itself a bundle");
            QFile file(partial.filePath(entry->name));
            if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.flush())
                throw Error("cannot unpack profile bundle " + bundle + " into " + cache.toStdString() + ": " +
                            file.errorString().toStdString());
        }
        // A rename makes the unpacked folder appear whole or not at all; another process may have
        // finished the same bundle first, and a half-deleted folder (a cache cleaner) is replaced.
        if (QFileInfo::exists(folder) && !isUnpacked(folder, manifest))
            QDir(folder).removeRecursively();
        if (QDir().rename(partial.path(), folder)) {
            partial.setAutoRemove(false);
            return;
        }
        if (!isUnpacked(folder, manifest))
            throw Error("cannot unpack profile bundle " + bundle + " into " + folder.toStdString());
    });
    return unpackedProfile;
}

} // namespace ood
