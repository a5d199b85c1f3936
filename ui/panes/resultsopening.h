#pragma once
// What the window needs to open a results file of `ood-inspect score` or `merge` (File > Open
// Results…) without scoring anything: the profile that scored it, found by its sha256 (or located
// by the user); the frames' paths as they lie on this computer; the folder their review marks are
// filed under; and a line that says where the scores come from.

#include "session/framerecord.h"

#include <QCoreApplication>
#include <QString>
#include <QStringList>

#include <vector>

class QWidget;

namespace ood {

struct ResultsFile;
struct ResultsHeader;

class ResultsOpening
{
    Q_DECLARE_TR_FUNCTIONS(ood::ResultsOpening)

  public:
    /// The profile file with the sha256 `header` names: the file at header.profilePath (relative
    /// to the results' folder when relative), or one of that name beside the results. When neither
    /// exists the user is asked where it is. Empty (after telling the user why) when the file found
    /// or chosen has another sha256; empty as well when the user cancels.
    static QString locateProfile(const ResultsHeader &header, const QString &resultsPath, QWidget *parent);
    /// Makes relative row paths absolute: beside the results when the file is there (results
    /// travel with their frames), else from the working folder. `problems` gets one line when
    /// files are missing: the scores stay usable, the pictures are not.
    static void resolveFramePaths(ResultsFile &file, const QString &resultsPath, QStringList *problems);
    /// The folder whose review store holds the marks of `frames`: the nearest folder above them all
    /// that has one already (so the marks made on the scored folder show), else the folder they
    /// share, else the results' folder.
    static QString reviewRoot(const std::vector<FrameRecord> &frames, const QString &resultsPath);
    /// "scored by ood-inspect with kvasir.oodprofile, shard 2/4", for the status line.
    static QString origin(const ResultsHeader &header);
};

} // namespace ood
