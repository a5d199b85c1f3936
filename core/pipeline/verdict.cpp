#include "pipeline/verdict.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

namespace ood {

int countFlags(const std::vector<double> &scores, const std::vector<double> &thresholds,
               const std::vector<bool> &enabled)
{
    int flags = 0;
    const size_t n = std::min(scores.size(), thresholds.size());
    for (size_t d = 0; d < n; ++d)
        if ((d >= enabled.size() || enabled[d]) && exceedsThreshold(scores[d], thresholds[d]))
            ++flags;
    return flags;
}

bool isUnusual(const VerdictRule &rule, const std::vector<std::string> &detectorIds,
               const std::vector<double> &scores, const std::vector<double> &thresholds,
               const std::vector<bool> &enabled)
{
    if (!rule.canDecide())
        return false;
    if (!rule.detectorId.empty()) {
        const size_t n = std::min({detectorIds.size(), scores.size(), thresholds.size()});
        for (size_t d = 0; d < n; ++d)
            if (detectorIds[d] == rule.detectorId && (d >= enabled.size() || enabled[d]))
                return exceedsThreshold(scores[d], thresholds[d]);
    }
    return countFlags(scores, thresholds, enabled) >= std::max(1, rule.minFlags);
}

QString verdictWords(bool unusual)
{
    return unusual ? QCoreApplication::translate("Verdict", "Unusual for this model")
                   : QCoreApplication::translate("Verdict", "Nothing unusual found");
}

QString falseAlarmWords(double rate)
{
    if (std::isnan(rate))
        return QCoreApplication::translate("Verdict",
                                           "no normal frames to measure how often normal frames are flagged");
    if (rate <= 0)
        return QCoreApplication::translate("Verdict", "none of the normal frames checked is flagged");
    if (rate >= 0.5) // "1 in 1" or "1 in 2" would hide how many; a percentage says it
        return QCoreApplication::translate("Verdict", "about %1% of normal frames are flagged")
            .arg(std::lround(100 * rate));
    return QCoreApplication::translate("Verdict", "about 1 in %1 normal frames is flagged")
        .arg(std::lround(1 / rate));
}

QString verdictRuleWords(const VerdictRule &rule, int enabledDetectors, const QString &detectorName)
{
    if (!rule.canDecide())
        return QCoreApplication::translate(
            "Verdict", "no rule: the profile was fitted without normal validation frames");
    if (!rule.detectorId.empty())
        return QCoreApplication::translate("Verdict", "the check %1 finds the frame unusual")
            .arg(detectorName.isEmpty() ? QString::fromStdString(rule.detectorId) : detectorName);
    const int k = std::max(1, rule.minFlags);
    if (enabledDetectors <= 1)
        return QCoreApplication::translate("Verdict", "the one check finds the frame unusual");
    if (k == 1)
        return QCoreApplication::translate("Verdict", "any of %1 checks finds the frame unusual")
            .arg(enabledDetectors);
    if (k >= enabledDetectors)
        return QCoreApplication::translate("Verdict", "all %1 checks find the frame unusual")
            .arg(enabledDetectors);
    return QCoreApplication::translate("Verdict", "at least %1 of %2 checks find the frame unusual")
        .arg(k)
        .arg(enabledDetectors);
}

} // namespace ood
