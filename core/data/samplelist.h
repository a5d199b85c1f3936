#pragma once
// Which images a job works on: ImageFolder layouts (class sub-folders), flat folders and lists.

#include <QString>
#include <QStringList>

#include <vector>

namespace ood {

struct Sample
{
    QString path;
    int label = -1;      ///< index into SampleList::classNames, -1 when unlabelled
    int videoFrame = -1; ///< frame index when `path` is a video (data/sampledecoder.h); -1 for an image
};

struct SampleList
{
    std::vector<Sample> samples;
    QStringList classNames; ///< empty when unlabelled
    QStringList problems;   ///< entries that could not be listed (unreadable folder, loop, ...)
};

/// torchvision ImageFolder: class = immediate sub-folder, classes sorted by name, files under
/// each class (recursively) sorted by path, only files with an image extension. Throws ood::Error
/// when `root` is not a readable folder or has no class folders.
SampleList scanImageFolder(const QString &root);

/// Files, folders (recursive, sorted) and list files (`.txt`/`.lst`: one path per line, relative
/// to the list's folder) mixed. Unlabelled. Missing paths are reported in `problems`.
SampleList scanInputs(const QStringList &inputs);

/// scanInputs, with every video file named in `inputs` (data/videosource.h isVideoPath; folders
/// are searched for images only) expanded, where it stands, into its frames 0, videoEvery,
/// 2*videoEvery, ...; a video that cannot be opened is a problem. Throws ood::Error when
/// videoEvery < 1.
SampleList scanInputsWithVideos(const QStringList &inputs, int videoEvery);

/// True when the file name ends in an image extension this program decodes.
bool hasImageExtension(const QString &fileName);

} // namespace ood
