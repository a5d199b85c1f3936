// NERO, neuron-level relevance OOD score (docs/detectors.md, NERO; NERO's ood/run_nero.py):
//   NERO(x) = ( min_c || pi(R(x)) - mu_c ||_1 + s_b |r_b(x)| ) * phi(x)
// with R the head relevance (explain/headrelevance.h), pi a PCA to floor(2D/3) components fitted
// on training relevance, mu_c the class centroids in PCA space, s_b the bias-relevance scaling and
// phi the share of |activation| carried by the k least relevant neurons.
//
// PCA is the exact eigen-decomposition of the relevance covariance in float64 (sklearn's
// randomized solver differs slightly in the trailing components); ties in the least-relevant
// order are broken by neuron index (stable sort).

#include "detect/detectors.h"

#include "detect/fitsupport.h"
#include "detect/linalg.h"
#include "base/error.h"
#include "detect/headrelevance.h"

#include <torch/torch.h>

namespace ood::detectors {

namespace {

at::Tensor l1DistanceToNearest(const at::Tensor &points, const at::Tensor &centroids)
{
    return std::get<0>(torch::cdist(points, centroids, 1.0).min(1));
}

class Nero final : public Detector
{
  public:
    Nero() : Detector(neroDescriptor())
    {
        declareSetting("least_relevant", 175.0);
        declareSetting("epsilon", 0.0);
        declareSetting("components_fraction", 2.0 / 3.0);
    }

    void fit(const FitContext &context) override
    {
        fitsupport::requireTrain(context, id(), 2, true);
        const int64_t d = context.train.features.size(1);
        const auto components =
            static_cast<int64_t>(std::floor(setting("components_fraction") * static_cast<double>(d)));
        if (components < 1)
            throw Error("NERO needs a feature dimension of at least 2 (got " + std::to_string(d) + ")");

        const HeadRelevance relevance =
            headRelevance(context.train.features, context.headWeight, context.headBias, setting("epsilon"));
        const linalg::Matrix r = linalg::toMatrix(relevance.neurons);
        const std::vector<int64_t> labels = fitsupport::labelsOf(context.train.labels);

        const linalg::Vector mean = r.colwise().mean().transpose();
        const linalg::SymmetricEigen eig =
            linalg::symmetricEigenDescending(linalg::secondMomentAbout(r, mean));
        const linalg::Matrix basis = eig.vectors.leftCols(std::min<int64_t>(components, d));
        const linalg::Matrix projected = (r.rowwise() - mean.transpose()) * basis;
        std::vector<int64_t> classes;
        const linalg::Matrix centroids = fitsupport::classMeans(projected, labels, classes);

        // Bias scaling: mean over TRAIN of the L1 distance of the full relevance [R; r_b] to its
        // nearest class centroid, divided by the mean |r_b|.
        linalg::Matrix full(r.rows(), r.cols() + 1);
        full.leftCols(r.cols()) = r;
        full.col(r.cols()) = linalg::toVector(relevance.bias);
        const linalg::Matrix fullCentroids = fitsupport::classMeans(full, labels, classes);
        const at::Tensor fullT = linalg::toTensor(full);
        const double meanDistance =
            l1DistanceToNearest(fullT, linalg::toTensor(fullCentroids)).mean().item<double>();
        const double meanBias = relevance.bias.abs().mean().item<double>();
        if (!(meanBias > 0))
            throw Error("NERO: the bias relevance is zero on every training image (a head without bias?)");

        m_mean = linalg::toTensor(mean);
        m_basis = linalg::toTensor(basis);
        m_centroids = linalg::toTensor(centroids);
        m_biasScale = meanDistance / meanBias;
        // Not needed for the score; kept so an explanation can name the nearest class and show
        // each neuron against that class's mean relevance (explain/neuronexplanation.h).
        m_fullCentroids = linalg::toTensor(fullCentroids);
        m_centroidLabels = torch::tensor(classes, torch::kInt64);
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        const at::Tensor &h = context.activations.features;
        const HeadRelevance relevance =
            headRelevance(h, context.headWeight, context.headBias, setting("epsilon"));
        const at::Tensor projected = torch::matmul(relevance.neurons - m_mean, m_basis);
        const at::Tensor distance = l1DistanceToNearest(projected, m_centroids);

        const int64_t d = h.size(1);
        const int64_t k = std::min<int64_t>(static_cast<int64_t>(setting("least_relevant")), d);
        const at::Tensor order = std::get<1>(relevance.neurons.sort(/*stable=*/true, 1, false));
        const at::Tensor activation = h.to(torch::kFloat64).abs();
        const at::Tensor leastRelevantMass = activation.gather(1, order.narrow(1, 0, k)).sum(1);
        const at::Tensor featureNormFactor = leastRelevantMass / activation.sum(1);

        return (distance + m_biasScale * relevance.bias.abs()) * featureNormFactor;
    }

  protected:
    DetectorState fittedState() const override
    {
        return {{"relevance_mean", m_mean},
                {"pca_basis", m_basis},
                {"class_centroids", m_centroids},
                {"bias_scale", torch::tensor(m_biasScale, torch::kFloat64)},
                {"class_relevance_centroids", m_fullCentroids},
                {"centroid_labels", m_centroidLabels}};
    }
    void restoreFittedState(const DetectorState &state) override
    {
        m_mean = require(state, "relevance_mean", id()).to(torch::kFloat64);
        m_basis = require(state, "pca_basis", id()).to(torch::kFloat64);
        m_centroids = require(state, "class_centroids", id()).to(torch::kFloat64);
        m_biasScale = require(state, "bias_scale", id()).item<double>();
        // Profiles written before explanations existed lack these two; the explanation then
        // falls back to the PCA back-projection of the centroids and labels 0..C-1.
        const auto full = state.find("class_relevance_centroids");
        m_fullCentroids = full != state.end() ? full->second.to(torch::kFloat64) : at::Tensor();
        const auto labels = state.find("centroid_labels");
        m_centroidLabels = labels != state.end() ? labels->second.to(torch::kInt64) : at::Tensor();
        if (m_fullCentroids.defined() &&
            (m_fullCentroids.dim() != 2 || m_fullCentroids.size(0) != m_centroids.size(0) ||
             m_fullCentroids.size(1) != m_basis.size(0) + 1))
            throw Error("nero: class_relevance_centroids has the wrong shape for this profile");
        if (m_centroidLabels.defined() &&
            (m_centroidLabels.dim() != 1 || m_centroidLabels.size(0) != m_centroids.size(0)))
            throw Error("nero: centroid_labels has the wrong length for this profile");
    }

  private:
    at::Tensor m_mean;      // [D]
    at::Tensor m_basis;     // [D, n_comp]
    at::Tensor m_centroids; // [C, n_comp]
    double m_biasScale = 0;
    at::Tensor m_fullCentroids;  // [C, D+1] TRAIN class means of [R; r_b], neuron space
    at::Tensor m_centroidLabels; // [C] int64 label of each centroid row
};

} // namespace

const DetectorDescriptor &neroDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "nero";
        d.displayName = "NERO";
        d.needs.fit.trainData = d.needs.fit.trainLabels = true;
        d.referenceIsIdHigh = false;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Nero); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
