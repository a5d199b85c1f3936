#pragma once
// The files an explanation is written to (ood-inspect explain, the GUI's export): a JSON summary
// and CSV tables. Building the bytes is separated from writing them so that both front-ends
// write atomically their own way.

#include "calib/profile.h"
#include "explain/frameexplainer.h"

#include <QByteArray>
#include <QString>

#include <map>

namespace ood {

/// neuron,activation,relevance,centroid_relevance,deviation,contribution,least_relevant
QByteArray relevanceCsv(const NeuronExplanation &neurons);
/// a,b,perturbation_linf,score (one row per grid point, a along the first direction)
QByteArray landscapeCsv(const ScoreLandscape &landscape);
/// order,fraction,deletion,insertion
QByteArray faithfulnessCsv(const Faithfulness &faithfulness);
/// detector,score,id_density,set_density (the KDE grids of every detector)
/// kind (id | negative), label, cosine: a CLIP verdict in words.
QByteArray labelsCsv(const LabelMatches &labels);

QByteArray densitiesCsv(const std::vector<std::pair<std::string, ScoreDensity>> &densities);

/// The summary: frame, model and profile identity, prediction, every detector's verdict, the
/// neuron explanation (top neurons), heatmap ranges, faithfulness areas, landscape summary,
/// densities summary, unavailable parts, timings and images through the model per stage, and
/// `files` (what -> file name) as written.
QByteArray explanationJson(const FrameExplanation &explanation, const Profile &profile,
                           const QString &framePath, const std::map<std::string, QString> &files,
                           int topNeurons = 20);

} // namespace ood
