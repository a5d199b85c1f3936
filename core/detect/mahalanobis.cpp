// Mahalanobis distance with class means and a tied covariance on the penultimate features
// (methods.md §6.1, NERO's baseline): float64 statistics, precision by pinvh.

#include "detect/detectors.h"

#include "detect/fitsupport.h"
#include "detect/linalg.h"

#include <torch/torch.h>

namespace ood::detectors {

namespace {

class Mahalanobis final : public Detector
{
public:
    std::string id() const override { return "mahalanobis"; }
    std::string displayName() const override { return "Mahalanobis"; }
    bool referenceIsIdHigh() const override { return false; }
    DetectorNeeds needs() const override
    {
        DetectorNeeds n;
        n.trainData = n.trainLabels = true;
        return n;
    }

    void fit(const FitContext &context) override
    {
        fitsupport::requireTrain(context, id(), 2, true);
        const linalg::Matrix h = linalg::toMatrix(context.train.features);
        const std::vector<int64_t> labels = fitsupport::labelsOf(context.train.labels);
        std::vector<int64_t> classes;
        const linalg::Matrix means = fitsupport::classMeans(h, labels, classes);
        std::map<int64_t, Eigen::Index> rowOf;
        for (size_t c = 0; c < classes.size(); ++c)
            rowOf[classes[c]] = static_cast<Eigen::Index>(c);
        linalg::Matrix centred = h;
        for (Eigen::Index i = 0; i < h.rows(); ++i)
            centred.row(i) -= means.row(rowOf[labels[static_cast<size_t>(i)]]);
        const linalg::Matrix covariance = (centred.transpose() * centred) / static_cast<double>(h.rows());
        m_means = linalg::toTensor(means);
        m_precision = linalg::toTensor(linalg::pinvh(covariance));
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        const at::Tensor h = context.activations.features.to(torch::kFloat64);
        // d_c = (h - mu_c)^T P (h - mu_c) for every class; [N,C,D] stays small for a batch.
        const at::Tensor diff = h.unsqueeze(1) - m_means.unsqueeze(0);
        const at::Tensor distances = (torch::matmul(diff, m_precision) * diff).sum(2);
        return std::get<0>(distances.min(1));
    }

protected:
    DetectorState fittedState() const override { return {{"class_means", m_means}, {"precision", m_precision}}; }
    void restoreFittedState(const DetectorState &state) override
    {
        m_means = require(state, "class_means", id()).to(torch::kFloat64);
        m_precision = require(state, "precision", id()).to(torch::kFloat64);
    }

private:
    at::Tensor m_means;     // [C,D]
    at::Tensor m_precision; // [D,D]
};

} // namespace

std::unique_ptr<Detector> makeMahalanobis() { return std::make_unique<Mahalanobis>(); }

} // namespace ood::detectors
