// NECO, neural-collapse OOD score (docs/detectors.md, NECO): the share of the standardised
// feature's norm that lies in the first d principal components of the training features.

#include "detect/detectors.h"

#include "detect/fitsupport.h"
#include "detect/linalg.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>

namespace ood::detectors {

namespace {

bool contains(const std::string &haystack, const std::string &needle)
{
    std::string lower = haystack;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return lower.find(needle) != std::string::npos;
}

class Neco final : public Detector
{
  public:
    Neco() : Detector(necoDescriptor()) { declareSetting("dim", 100.0); }

    void fit(const FitContext &context) override
    {
        fitsupport::requireTrain(context, id(), 2, false);
        const linalg::Matrix h = linalg::toMatrix(context.train.features);
        const linalg::Vector mean = h.colwise().mean().transpose();
        linalg::Vector scale =
            ((h.rowwise() - mean.transpose()).array().square().colwise().mean()).sqrt().transpose();
        for (Eigen::Index j = 0; j < scale.size(); ++j)
            if (scale(j) == 0.0)
                scale(j) = 1.0; // as sklearn's StandardScaler
        const linalg::Matrix standardised =
            (h.rowwise() - mean.transpose()).array().rowwise() / scale.transpose().array();
        const linalg::Vector pcaMean = standardised.colwise().mean().transpose();
        const linalg::SymmetricEigen eig =
            linalg::symmetricEigenDescending(linalg::secondMomentAbout(standardised, pcaMean));
        const int64_t d = std::clamp<int64_t>(static_cast<int64_t>(setting("dim")), 1, h.cols());
        m_mean = linalg::toTensor(mean);
        m_scale = linalg::toTensor(scale);
        m_pcaMean = linalg::toTensor(pcaMean);
        m_components = linalg::toTensor(linalg::Matrix(eig.vectors.leftCols(d)));
        // NERO multiplies by the max logit for every model but resnet18, and divides by the raw
        // feature norm for transformer families; the official NECO code tests 'resnet' likewise.
        const bool resnet = contains(context.architecture, "resnet");
        m_maxLogitProduct = !resnet;
        m_rawDenominator = contains(context.architecture, "deit") || contains(context.architecture, "vit") ||
                           contains(context.architecture, "swin");
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        const at::Tensor h = context.activations.features.to(torch::kFloat64);
        const at::Tensor standardised = (h - m_mean) / m_scale;
        const at::Tensor projected = torch::matmul(standardised - m_pcaMean, m_components);
        const at::Tensor denominator = (m_rawDenominator ? h : standardised).norm(2, 1);
        at::Tensor neco = projected.norm(2, 1) / denominator;
        if (m_maxLogitProduct)
            neco = neco * std::get<0>(context.activations.logits.to(torch::kFloat64).max(1));
        return -neco;
    }

  protected:
    DetectorState fittedState() const override
    {
        return {{"mean", m_mean},
                {"scale", m_scale},
                {"pca_mean", m_pcaMean},
                {"components", m_components},
                {"max_logit_product", torch::tensor(m_maxLogitProduct ? 1.0 : 0.0, torch::kFloat64)},
                {"raw_denominator", torch::tensor(m_rawDenominator ? 1.0 : 0.0, torch::kFloat64)}};
    }
    void restoreFittedState(const DetectorState &state) override
    {
        m_mean = require(state, "mean", id()).to(torch::kFloat64);
        m_scale = require(state, "scale", id()).to(torch::kFloat64);
        m_pcaMean = require(state, "pca_mean", id()).to(torch::kFloat64);
        m_components = require(state, "components", id()).to(torch::kFloat64);
        m_maxLogitProduct = require(state, "max_logit_product", id()).item<double>() != 0;
        m_rawDenominator = require(state, "raw_denominator", id()).item<double>() != 0;
    }

  private:
    at::Tensor m_mean, m_scale, m_pcaMean, m_components;
    bool m_maxLogitProduct = false;
    bool m_rawDenominator = false;
};

} // namespace

const DetectorDescriptor &necoDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "neco";
        d.displayName = "NECO";
        d.needs.fit.trainData = true;
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Neco); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
