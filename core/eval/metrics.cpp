#include "eval/metrics.h"

#include "base/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace ood {

namespace {

void check(const std::vector<double> &scores, const char *side)
{
    if (scores.empty())
        throw Error(std::string("no ") + side + " scores to evaluate");
    for (double s : scores)
        if (std::isnan(s))
            throw Error(std::string("the ") + side + " scores contain NaN");
}

/// Scores with a flag (true = positive) sorted by descending score.
std::vector<std::pair<double, bool>> rankedDescending(const std::vector<double> &positives,
                                                      const std::vector<double> &negatives)
{
    std::vector<std::pair<double, bool>> all;
    all.reserve(positives.size() + negatives.size());
    for (double s : positives)
        all.emplace_back(s, true);
    for (double s : negatives)
        all.emplace_back(s, false);
    std::sort(all.begin(), all.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    return all;
}

} // namespace

double auroc(const std::vector<double> &idScores, const std::vector<double> &oodScores)
{
    check(idScores, "ID");
    check(oodScores, "OOD");
    // Mann-Whitney U with average ranks for ties (= sklearn roc_auc_score, OOD positive).
    std::vector<std::pair<double, bool>> all;
    for (double s : idScores)
        all.emplace_back(s, false);
    for (double s : oodScores)
        all.emplace_back(s, true);
    std::sort(all.begin(), all.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    double oodRankSum = 0;
    for (size_t i = 0; i < all.size();) {
        size_t j = i;
        size_t oodInGroup = 0;
        while (j < all.size() && all[j].first == all[i].first) {
            oodInGroup += all[j].second ? 1 : 0;
            ++j;
        }
        const double averageRank = 0.5 * static_cast<double>(i + 1 + j); // ranks i+1..j
        oodRankSum += averageRank * static_cast<double>(oodInGroup);
        i = j;
    }
    const auto m = static_cast<double>(oodScores.size());
    const auto n = static_cast<double>(idScores.size());
    return (oodRankSum - m * (m + 1) / 2) / (n * m);
}

double thresholdAtTpr(const std::vector<double> &idScores, double tpr)
{
    check(idScores, "ID");
    std::vector<double> sorted = idScores;
    std::sort(sorted.begin(), sorted.end());
    const auto index = std::min(sorted.size() - 1,
                                static_cast<size_t>(std::floor(tpr * static_cast<double>(sorted.size()))));
    return sorted[index];
}

double fpr95Nero(const std::vector<double> &idScores, const std::vector<double> &oodScores)
{
    check(oodScores, "OOD");
    const double t = thresholdAtTpr(idScores, 0.95);
    const auto accepted = std::count_if(oodScores.begin(), oodScores.end(), [t](double s) { return s <= t; });
    return static_cast<double>(accepted) / static_cast<double>(oodScores.size());
}

double averagePrecision(const std::vector<double> &positiveScores, const std::vector<double> &negativeScores)
{
    check(positiveScores, "positive");
    check(negativeScores, "negative");
    // sklearn average_precision_score: sum over distinct thresholds (descending) of
    // (R_k - R_{k-1}) * P_k.
    const auto ranked = rankedDescending(positiveScores, negativeScores);
    const auto positives = static_cast<double>(positiveScores.size());
    double tp = 0, fp = 0, previousRecall = 0, ap = 0;
    for (size_t i = 0; i < ranked.size();) {
        size_t j = i;
        while (j < ranked.size() && ranked[j].first == ranked[i].first) {
            (ranked[j].second ? tp : fp) += 1;
            ++j;
        }
        const double recall = tp / positives;
        const double precision = tp / (tp + fp);
        ap += (recall - previousRecall) * precision;
        previousRecall = recall;
        i = j;
    }
    return ap;
}

std::vector<RocPoint> rocCurve(const std::vector<double> &idScores, const std::vector<double> &oodScores)
{
    check(idScores, "ID");
    check(oodScores, "OOD");
    const auto ranked = rankedDescending(oodScores, idScores);
    std::vector<RocPoint> points{{0, 0, std::numeric_limits<double>::infinity()}};
    double tp = 0, fp = 0;
    for (size_t i = 0; i < ranked.size();) {
        size_t j = i;
        while (j < ranked.size() && ranked[j].first == ranked[i].first) {
            (ranked[j].second ? tp : fp) += 1;
            ++j;
        }
        points.push_back({fp / static_cast<double>(idScores.size()),
                          tp / static_cast<double>(oodScores.size()), ranked[i].first});
        i = j;
    }
    return points;
}

OodMetrics evaluateScores(const std::vector<double> &idScores, const std::vector<double> &oodScores)
{
    OodMetrics m;
    m.auroc = auroc(idScores, oodScores);
    m.fpr95 = fpr95Nero(idScores, oodScores);
    std::vector<double> negatedId(idScores.size()), negatedOod(oodScores.size());
    std::transform(idScores.begin(), idScores.end(), negatedId.begin(), [](double s) { return -s; });
    std::transform(oodScores.begin(), oodScores.end(), negatedOod.begin(), [](double s) { return -s; });
    m.auprIn = averagePrecision(negatedId, negatedOod);
    m.auprOut = averagePrecision(oodScores, idScores);
    return m;
}

} // namespace ood
