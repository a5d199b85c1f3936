#include "explain/neuronexplanation.h"

#include "base/error.h"
#include "detect/headrelevance.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>

namespace ood {

namespace {

at::Tensor stateTensor(const DetectorState &state, const std::string &name)
{
    const auto found = state.find(name);
    if (found == state.end() || !found->second.defined())
        throw Error("the NERO state has no " + name + " (is the detector fitted?)");
    return found->second;
}

at::Tensor optionalState(const DetectorState &state, const std::string &name)
{
    const auto found = state.find(name);
    return found == state.end() ? at::Tensor() : found->second;
}

} // namespace

std::vector<int64_t> NeuronExplanation::topContributors(int64_t count) const
{
    if (!contribution.defined())
        return {};
    const at::Tensor order = std::get<1>(contribution.sort(/*stable=*/true, 0, /*descending=*/true));
    const int64_t n = std::min<int64_t>(std::max<int64_t>(count, 0), order.size(0));
    std::vector<int64_t> top(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        top[static_cast<size_t>(i)] = order[i].item<int64_t>();
    return top;
}

NeuronExplanation explainNeurons(const Detector &nero, const at::Tensor &features,
                                 const at::Tensor &headWeight, const at::Tensor &headBias)
{
    if (nero.id() != "nero")
        throw Error("a neuron explanation needs the NERO detector, got " + nero.id());
    if (!features.defined() || features.numel() == 0 || (features.dim() == 2 && features.size(0) != 1) ||
        features.dim() > 2)
        throw Error("a neuron explanation takes the features of one frame ([D] or [1,D])");
    const at::Tensor h = features.reshape({1, -1});
    const DetectorState state = nero.state();
    const at::Tensor mean = stateTensor(state, "relevance_mean").to(torch::kFloat64);
    const at::Tensor basis = stateTensor(state, "pca_basis").to(torch::kFloat64);
    const at::Tensor centroids = stateTensor(state, "class_centroids").to(torch::kFloat64);
    const int64_t d = h.size(1);
    if (mean.numel() != d || basis.size(0) != d)
        throw Error("the frame has " + std::to_string(d) + " features, the NERO profile " +
                    std::to_string(mean.numel()));

    NeuronExplanation out;
    out.biasScale = stateTensor(state, "bias_scale").item<double>();
    const HeadRelevance head = headRelevance(h, headWeight, headBias, nero.setting("epsilon"));
    out.relevance = head.neurons[0];
    out.biasRelevance = head.bias[0].item<double>();
    out.nearZeroLogit = head.nearZeroLogit[0].item<bool>();
    out.activation = h[0].to(torch::kFloat64);

    const at::Tensor projected = torch::matmul(out.relevance - mean, basis); // [n_comp]
    const at::Tensor differences = projected.unsqueeze(0) - centroids;       // [C, n_comp]
    const at::Tensor distances = differences.abs().sum(1);
    const int64_t nearest = distances.argmin().item<int64_t>();
    out.relevanceDistance = distances[nearest].item<double>();
    for (int64_t c = 0; c < distances.size(0); ++c)
        out.classDistances.push_back(distances[c].item<double>());

    const at::Tensor labels = optionalState(state, "centroid_labels");
    for (int64_t c = 0; c < centroids.size(0); ++c)
        out.centroidLabels.push_back(labels.defined() ? labels[c].item<int64_t>() : c);
    out.nearestClass = out.centroidLabels[static_cast<size_t>(nearest)];

    // d = sum_k s_k u_k with u = V^T (R - m - V mu) because V has orthonormal columns, so the
    // neuron-space vector (V s) ⊙ (R - m - V mu) splits d exactly.
    const at::Tensor backProjected = mean + torch::matmul(basis, centroids[nearest]);
    const at::Tensor signs = torch::sign(differences[nearest]);
    out.contribution = torch::matmul(basis, signs) * (out.relevance - backProjected);

    const at::Tensor full = optionalState(state, "class_relevance_centroids");
    out.centroidIsProjection = !full.defined();
    out.centroid = full.defined() ? full.to(torch::kFloat64)[nearest].narrow(0, 0, d) : backProjected;
    out.deviation = out.relevance - out.centroid;

    const int64_t k = std::min<int64_t>(static_cast<int64_t>(nero.setting("least_relevant")), d);
    const at::Tensor order = std::get<1>(out.relevance.sort(/*stable=*/true, 0, false));
    out.leastRelevant = torch::zeros({d}, torch::kBool);
    out.leastRelevant.index_fill_(0, order.narrow(0, 0, k), true);
    const at::Tensor magnitude = out.activation.abs();
    out.featureNormFactor =
        (magnitude.masked_select(out.leastRelevant).sum() / magnitude.sum()).item<double>();
    out.score = (out.relevanceDistance + out.biasScale * std::abs(out.biasRelevance)) * out.featureNormFactor;
    return out;
}

} // namespace ood
