#include "explain/explanationfiles.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <torch/torch.h>

#include <cmath>

namespace ood {

namespace {

QString number(double value)
{
    return std::isfinite(value) ? QString::number(value, 'g', 10) : QString();
}

QJsonValue jsonNumber(double value)
{
    // JSON has no NaN/inf; null says "no value" without breaking parsers.
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue();
}

QJsonArray jsonArray(const std::vector<double> &values)
{
    QJsonArray array;
    for (double v : values)
        array.append(jsonNumber(v));
    return array;
}

QString className(const Profile &profile, int64_t label)
{
    if (label >= 0 && static_cast<size_t>(label) < profile.model.classNames.size())
        return QString::fromStdString(profile.model.classNames[static_cast<size_t>(label)]);
    return QString::number(label);
}

} // namespace

QByteArray relevanceCsv(const NeuronExplanation &n)
{
    QString text;
    QTextStream out(&text);
    out << "neuron,activation,relevance,centroid_relevance,deviation,contribution,least_relevant\n";
    const int64_t d = n.relevance.size(0);
    for (int64_t j = 0; j < d; ++j)
        out << j << ',' << number(n.activation[j].item<double>()) << ','
            << number(n.relevance[j].item<double>()) << ',' << number(n.centroid[j].item<double>()) << ','
            << number(n.deviation[j].item<double>()) << ',' << number(n.contribution[j].item<double>()) << ','
            << (n.leastRelevant[j].item<bool>() ? 1 : 0) << '\n';
    out.flush();
    return text.toUtf8();
}

QByteArray landscapeCsv(const ScoreLandscape &l)
{
    QString text;
    QTextStream out(&text);
    out << "a,b,perturbation_linf,score\n";
    const auto n = static_cast<int64_t>(l.coordinates.size());
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j)
            out << number(l.coordinates[static_cast<size_t>(i)]) << ','
                << number(l.coordinates[static_cast<size_t>(j)]) << ','
                << number(l.perturbationNorms[i][j].item<double>()) << ','
                << number(l.scores[i][j].item<double>()) << '\n';
    out.flush();
    return text.toUtf8();
}

QByteArray faithfulnessCsv(const Faithfulness &f)
{
    QString text;
    QTextStream out(&text);
    out << "order,fraction,deletion,insertion\n";
    for (const FaithfulnessCurve &curve : f.curves)
        for (size_t k = 0; k < curve.fractions.size(); ++k)
            out << QString::fromStdString(curve.name) << ',' << number(curve.fractions[k]) << ','
                << number(curve.deletion[k]) << ',' << number(curve.insertion[k]) << '\n';
    out.flush();
    return text.toUtf8();
}

QByteArray densitiesCsv(const std::vector<std::pair<std::string, ScoreDensity>> &densities)
{
    QString text;
    QTextStream out(&text);
    out << "detector,score,id_density,set_density\n";
    for (const auto &[id, density] : densities)
        for (size_t k = 0; k < density.grid.size(); ++k)
            out << QString::fromStdString(id) << ',' << number(density.grid[k]) << ','
                << number(density.idDensity[k]) << ','
                << (density.setDensity.empty() ? QString() : number(density.setDensity[k])) << '\n';
    out.flush();
    return text.toUtf8();
}

QByteArray labelsCsv(const LabelMatches &labels)
{
    QString text;
    QTextStream out(&text);
    out << "kind,label,cosine\n";
    auto quoted = [](const std::string &label) {
        return '"' + QString::fromStdString(label).replace('"', "\"\"") + '"';
    };
    for (const LabelMatch &m : labels.idLabels)
        out << "id," << quoted(m.label) << ',' << number(m.cosine) << '\n';
    for (const LabelMatch &m : labels.negativeLabels)
        out << "negative," << quoted(m.label) << ',' << number(m.cosine) << '\n';
    out.flush();
    return text.toUtf8();
}

QByteArray explanationJson(const FrameExplanation &e, const Profile &profile, const QString &framePath,
                           const std::map<std::string, QString> &files, int topNeurons)
{
    QJsonObject root;
    root["frame"] = framePath;
    QJsonObject model;
    model["architecture"] = QString::fromStdString(profile.model.architecture);
    model["path"] = QString::fromStdString(profile.model.modelPath);
    model["sha256"] = QString::fromStdString(profile.model.sha256);
    model["input_width"] = profile.model.input.width;
    model["input_height"] = profile.model.input.height;
    root["model"] = model;

    root["prediction"] = className(profile, e.prediction);
    root["prediction_index"] = static_cast<qint64>(e.prediction);
    QJsonObject probabilities;
    for (size_t c = 0; c < e.probabilities.size(); ++c)
        probabilities[className(profile, static_cast<int64_t>(c))] = jsonNumber(e.probabilities[c]);
    root["probabilities"] = probabilities;

    QJsonArray verdicts;
    for (const DetectorVerdict &v : e.verdicts) {
        QJsonObject o;
        o["id"] = QString::fromStdString(v.id);
        o["name"] = QString::fromStdString(v.displayName);
        o["score"] = jsonNumber(v.score);
        o["reference_value"] = jsonNumber(v.reference);
        o["threshold"] = jsonNumber(v.threshold);
        o["percentile_among_id_validation"] = jsonNumber(v.percentile);
        o["flagged"] = v.flagged;
        verdicts.append(o);
    }
    root["detectors"] = verdicts;
    root["flagged_by"] = e.flaggedCount();
    if (e.labels) {
        auto matches = [](const std::vector<LabelMatch> &list) {
            QJsonArray array;
            for (const LabelMatch &m : list)
                array.append(QJsonObject{{"label", QString::fromStdString(m.label)}, {"cosine", m.cosine}});
            return array;
        };
        QJsonObject labels;
        labels["id_labels"] = matches(e.labels->idLabels);
        labels["negative_labels"] = matches(e.labels->negativeLabels);
        labels["negatives_from"] = QString::fromStdString(e.labels->negativesFrom);
        labels["negative_source"] = QString::fromStdString(e.labels->negativeSource);
        root["labels"] = labels;
    }
    root["detector_count"] = static_cast<int>(e.verdicts.size());

    if (e.neurons) {
        const NeuronExplanation &n = *e.neurons;
        QJsonObject o;
        o["nearest_class"] = className(profile, n.nearestClass);
        o["relevance_distance"] = jsonNumber(n.relevanceDistance);
        o["bias_relevance"] = jsonNumber(n.biasRelevance);
        o["bias_scale"] = jsonNumber(n.biasScale);
        o["bias_term"] = jsonNumber(n.biasScale * std::abs(n.biasRelevance));
        o["feature_norm_factor"] = jsonNumber(n.featureNormFactor);
        o["nero_score"] = jsonNumber(n.score);
        o["least_relevant_count"] = static_cast<qint64>(n.leastRelevant.sum().item<int64_t>());
        o["centroid_source"] = n.centroidIsProjection
                                   ? "pca back-projection (profile without neuron-space centroids)"
                                   : "TRAIN class mean relevance";
        o["near_zero_logit"] = n.nearZeroLogit;
        QJsonObject distances;
        for (size_t c = 0; c < n.classDistances.size(); ++c)
            distances[className(profile, n.centroidLabels[c])] = jsonNumber(n.classDistances[c]);
        o["class_distances"] = distances;
        QJsonArray top;
        for (int64_t j : n.topContributors(topNeurons)) {
            QJsonObject t;
            t["neuron"] = static_cast<qint64>(j);
            t["contribution"] = jsonNumber(n.contribution[j].item<double>());
            t["relevance"] = jsonNumber(n.relevance[j].item<double>());
            t["centroid_relevance"] = jsonNumber(n.centroid[j].item<double>());
            t["deviation"] = jsonNumber(n.deviation[j].item<double>());
            t["activation"] = jsonNumber(n.activation[j].item<double>());
            top.append(t);
        }
        o["top_neurons"] = top;
        root["neurons"] = o;
    }

    QJsonArray heatmaps;
    for (const Heatmap &map : e.heatmaps) {
        QJsonObject o;
        o["method"] = QString::fromStdString(map.method);
        o["unit"] = QString::fromStdString(map.unit);
        o["signed"] = map.isSigned;
        o["minimum"] = jsonNumber(map.minimum);
        o["maximum"] = jsonNumber(map.maximum);
        o["sum"] =
            jsonNumber(map.lowResolution.defined() ? map.lowResolution.sum().item<double>()
                                                   : map.values.to(torch::kFloat64).sum().item<double>());
        heatmaps.append(o);
    }
    root["heatmaps"] = heatmaps;

    if (e.faithfulness) {
        QJsonObject o;
        o["target_class"] = className(profile, e.faithfulness->target);
        o["original_probability"] = jsonNumber(e.faithfulness->originalProbability);
        o["baseline_probability"] = jsonNumber(e.faithfulness->baselineProbability);
        QJsonArray curves;
        for (const FaithfulnessCurve &curve : e.faithfulness->curves) {
            QJsonObject c;
            c["order"] = QString::fromStdString(curve.name);
            c["deletion_area"] = jsonNumber(curve.deletionArea);
            c["insertion_area"] = jsonNumber(curve.insertionArea);
            c["fractions"] = jsonArray(curve.fractions);
            c["deletion"] = jsonArray(curve.deletion);
            c["insertion"] = jsonArray(curve.insertion);
            curves.append(c);
        }
        o["curves"] = curves;
        root["faithfulness"] = o;
    }

    if (e.landscape) {
        const ScoreLandscape &l = *e.landscape;
        QJsonObject o;
        o["detector"] = QString::fromStdString(l.detectorId);
        o["grid_size"] = static_cast<int>(l.coordinates.size());
        o["radius"] = jsonNumber(l.radius);
        o["centre_score"] = jsonNumber(l.centre);
        o["minimum"] = jsonNumber(l.scores.min().item<double>());
        o["maximum"] = jsonNumber(l.scores.max().item<double>());
        o["epsilon"] = jsonNumber(l.epsilon);
        o["delta_z_within_epsilon"] = jsonNumber(l.deltaZ);
        o["points_within_epsilon"] = l.pointsInBall;
        o["reference_is_id_high"] = l.referenceIsIdHigh;
        root["landscape"] = o;
    }

    QJsonArray densities;
    for (const auto &[id, d] : e.densities) {
        QJsonObject o;
        o["detector"] = QString::fromStdString(id);
        o["threshold"] = jsonNumber(d.threshold);
        o["frame_score"] = d.frameValue ? jsonNumber(*d.frameValue) : QJsonValue();
        o["frame_percentile"] = d.framePercentile ? jsonNumber(*d.framePercentile) : QJsonValue();
        o["id_bandwidth"] = jsonNumber(d.idBandwidth);
        o["id_bandwidth_fallback"] = d.idBandwidthFallback;
        o["bin_edges"] = jsonArray(d.binEdges);
        QJsonArray counts;
        for (int64_t c : d.idCounts)
            counts.append(static_cast<qint64>(c));
        o["id_counts"] = counts;
        densities.append(o);
    }
    root["densities"] = densities;

    QJsonArray unavailable;
    for (const auto &[part, reason] : e.unavailable) {
        QJsonObject o;
        o["part"] = QString::fromStdString(part);
        o["reason"] = QString::fromStdString(reason);
        unavailable.append(o);
    }
    root["unavailable"] = unavailable;

    QJsonObject seconds;
    double total = 0;
    for (const auto &[stage, s] : e.seconds) {
        seconds[QString::fromStdString(stage)] = s;
        total += s;
    }
    seconds["total"] = total;
    root["seconds"] = seconds;
    // Images through the model per stage, next to the seconds: what a stage costs on any machine.
    auto imagesPerStage = [](const std::vector<std::pair<std::string, int64_t>> &stages) {
        QJsonObject o;
        qint64 all = 0;
        for (const auto &[stage, images] : stages) {
            o[QString::fromStdString(stage)] = static_cast<qint64>(images);
            all += images;
        }
        o["total"] = all;
        return o;
    };
    root["forward_images"] = imagesPerStage(e.forwardImages);
    root["gradient_images"] = imagesPerStage(e.gradientImages);

    QJsonObject written;
    for (const auto &[what, file] : files)
        written[QString::fromStdString(what)] = file;
    root["files"] = written;
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

} // namespace ood
