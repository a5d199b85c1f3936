#include "explain/labelmatches.h"

#include "model/clipbackbone.h"

#include <torch/torch.h>

namespace ood {

namespace {

std::vector<LabelMatch> topMatches(const at::Tensor &cosines, const std::vector<std::string> &labels,
                                   int64_t count)
{
    std::vector<LabelMatch> out;
    const int64_t k = std::min<int64_t>(count, cosines.numel());
    if (k <= 0)
        return out;
    const auto [values, indices] = cosines.topk(k);
    for (int64_t i = 0; i < k; ++i)
        out.push_back({labels[static_cast<size_t>(indices[i].item<int64_t>())], values[i].item<double>()});
    return out;
}

} // namespace

LabelMatches matchLabels(const ClipBackbone &clip, const Profile &profile, const at::Tensor &features,
                         int topNegatives)
{
    const at::Tensor image = features.reshape({-1}).to(torch::kFloat64);
    LabelMatches out;
    const at::Tensor idCosines = torch::matmul(clip.classEmbeddings().to(torch::kFloat64), image);
    out.idLabels = topMatches(idCosines, clip.classNames(), idCosines.numel());
    for (const char *id : {"negrefine", "neglabel"}) {
        const ProfileDetector *detector = profile.find(id);
        const NegativeLabels *negatives = detector ? detector->detector->negativeLabels() : nullptr;
        if (!negatives || negatives->labels.empty())
            continue;
        const at::Tensor cosines = torch::matmul(negatives->embeddings.to(torch::kFloat64), image);
        out.negativeLabels = topMatches(cosines, negatives->labels, topNegatives);
        out.negativesFrom = id;
        out.negativeSource = negatives->source;
        break;
    }
    return out;
}

} // namespace ood
