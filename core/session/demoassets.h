#pragma once
// The bundled demo (model, profile, sample frames), compiled into the programs as the Qt resource
// ":/demo" (app/CMakeLists.txt), copied out to a folder so it can be opened like any other data.

#include <QString>

namespace ood {

struct Profile;

/// Where the programs carry the demo assets.
inline const char *kEmbeddedDemoAssets = ":/demo";

/// True when `assets` (a folder or the resource root) holds model.pt and demo.oodprofile.
bool hasDemoAssets(const QString &assets = QString::fromLatin1(kEmbeddedDemoAssets));

struct ExtractedDemo
{
    QString profilePath; ///< its model path points at `modelPath`
    QString modelPath;
    QString framesPath; ///< frames/{id,near-ood,far-ood}/...
};

/// Copies every file of `assets` into `out` (atomically, file by file) and points the copied
/// profile at the copied model. Files already there with the same size are kept. Throws
/// ood::Error when something cannot be read or written.
ExtractedDemo extractDemoAssets(const QString &assets, const QString &out);

/// The last step of every extraction of the demo: the profile names the model where the demo was
/// fitted, so the copy at `profilePath` is pointed at the model copied to `modelPath` and saved,
/// and the folder works on its own (the model's sha256 check still applies). Returns the profile
/// as saved. Throws ood::Error when the profile cannot be read or written.
Profile pointDemoProfileAtModel(const QString &profilePath, const QString &modelPath);

} // namespace ood
