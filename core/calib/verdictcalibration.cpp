#include "calib/verdictcalibration.h"

#include <torch/torch.h>

#include <algorithm>
#include <limits>

namespace ood {

namespace {

/// Measured shares are fractions of whole frames and the target is 1 - a TPR given in decimals
/// (1 - 0.95 is 0.050000000000000044 in doubles): without a little slack a share of exactly 5%
/// would miss a 5% target.
constexpr double kSlack = 1e-9;

} // namespace

VerdictRule calibrateVerdict(const Profile &profile, const std::vector<bool> &enabled)
{
    VerdictRule rule;
    rule.targetFalseAlarmRate = 1.0 - profile.targetTpr;

    auto isEnabled = [&](size_t d) { return d >= enabled.size() || enabled[d]; };
    std::vector<size_t> used;
    for (size_t d = 0; d < profile.detectors.size(); ++d)
        if (isEnabled(d))
            used.push_back(d);

    // The fitter scores every detector on the same validation batches, so entry i of each
    // detector's validation scores is the same frame. A hand-made profile could hold detectors
    // with different counts; then only the frames all of them scored (the common prefix) count.
    int64_t frames = used.empty() ? 0 : std::numeric_limits<int64_t>::max();
    std::vector<at::Tensor> scores;
    for (size_t d : used) {
        const at::Tensor &s = profile.detectors[d].validationScores;
        const int64_t n = s.defined() ? s.numel() : 0;
        frames = std::min(frames, n);
        scores.push_back(s.defined() ? s.to(at::kDouble).contiguous().reshape({-1}) : at::Tensor());
    }
    if (!profile.canFlag() || frames <= 0)
        return rule; // no validation frames: the rule cannot decide, falseAlarmRate stays NaN
    rule.validationFrames = static_cast<int>(frames);

    // How many enabled detectors flag each validation frame (NaN scores and thresholds never flag).
    std::vector<int> flags(static_cast<size_t>(frames), 0);
    for (size_t j = 0; j < used.size(); ++j) {
        const double threshold = profile.detectors[used[j]].threshold;
        const double *s = scores[j].data_ptr<double>();
        for (int64_t i = 0; i < frames; ++i)
            flags[static_cast<size_t>(i)] += exceedsThreshold(s[i], threshold) ? 1 : 0;
    }
    const int n = static_cast<int>(used.size());
    // atLeast[k]: validation frames flagged by k or more detectors.
    std::vector<int64_t> atLeast(static_cast<size_t>(n) + 2, 0);
    for (int c : flags)
        ++atLeast[static_cast<size_t>(c)];
    for (int k = n - 1; k >= 0; --k)
        atLeast[static_cast<size_t>(k)] += atLeast[static_cast<size_t>(k) + 1];
    auto share = [&](int k) { return static_cast<double>(atLeast[static_cast<size_t>(k)]) / double(frames); };

    rule.minFlags = std::max(1, n);
    for (int k = 1; k <= n; ++k)
        if (share(k) <= rule.targetFalseAlarmRate + kSlack) {
            rule.minFlags = k;
            break;
        }
    rule.falseAlarmRate = n > 0 ? share(rule.minFlags) : 0.0;

    // A single-detector rule keeps the calibrated k as its fallback (verdict.h isUnusual) and
    // reports its own detector's share.
    if (!profile.verdictDetector.empty())
        for (size_t j = 0; j < used.size(); ++j)
            if (profile.detectors[used[j]].detector->id() == profile.verdictDetector) {
                rule.detectorId = profile.verdictDetector;
                const double threshold = profile.detectors[used[j]].threshold;
                const double *s = scores[j].data_ptr<double>();
                int64_t flagged = 0;
                for (int64_t i = 0; i < frames; ++i)
                    flagged += exceedsThreshold(s[i], threshold) ? 1 : 0;
                rule.falseAlarmRate = static_cast<double>(flagged) / double(frames);
            }
    return rule;
}

} // namespace ood
