#pragma once
// A profile bundle: one file that carries a profile and the model it was fitted on, for handing
// a profile to a colleague (`ood-inspect bundle`). Opening one unpacks it once into a folder
// named by its content's sha256, the model next to the profile, so the profile's relative model
// path finds it.

#include <QString>

namespace ood {

/// Writes `bundlePath` (atomically) holding the profile at `profilePath` and its model (the
/// profile's, or `modelPath` when given; its sha256 must match the profile). Throws ood::Error.
void writeProfileBundle(const QString &profilePath, const QString &bundlePath, const QString &modelPath = {});

/// True when the file is a profile bundle (by its content, not its name).
bool isProfileBundle(const QString &path);

/// Unpacks the bundle under `cacheDirectory` (default: the user's cache folder) unless it is
/// there already, checks the model's sha256, and returns the unpacked profile's path. Throws
/// ood::Error naming the bundle and the problem.
QString unpackProfileBundle(const QString &bundlePath, const QString &cacheDirectory = {});

} // namespace ood
