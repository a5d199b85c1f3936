#include "pipeline/verdict.h"

#include <algorithm>

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

} // namespace ood
