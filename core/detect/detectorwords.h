#pragma once
// Detectors in words for people without an ML vocabulary: a plain name and one line on what the
// check looks at, in the application's language (QCoreApplication::translate, context
// "DetectorWords"; German in translations/). The window's tooltips and the reports use them.

#include <QString>

namespace ood {

struct DetectorWords
{
    QString plainName;   ///< e.g. "Unfamiliar neuron pattern" for nero
    QString description; ///< one sentence
};

/// Words for a detector id of the registry; an unknown id gives the id and an empty description.
DetectorWords detectorWords(const QString &detectorId);

} // namespace ood
