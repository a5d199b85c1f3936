// Relative Mahalanobis distance (docs/detectors.md, rmds; OpenOOD's RMDS): the class-conditional
// distance of Mahalanobis (docs/detectors.md, mahalanobis) minus the distance to one Gaussian
// fitted to all TRAIN features, so that directions in which the whole training set varies
// (background, not class) count less. s = min_c d_c(h) - d_0(h); OpenOOD reports d_0 - min_c d_c.

#include "detect/detectors.h"

#include "detect/fitsupport.h"
#include "detect/linalg.h"

#include <torch/torch.h>

namespace ood::detectors {

namespace {

class Rmds final : public Detector
{
  public:
    Rmds() : Detector(rmdsDescriptor()) {}

    void fit(const FitContext &context) override
    {
        fitsupport::requireTrain(context, id(), 2, true);
        const linalg::Matrix h = linalg::toMatrix(context.train.features);
        const fitsupport::ClassGaussians fitted =
            fitsupport::classGaussians(h, fitsupport::labelsOf(context.train.labels));
        const linalg::Vector globalMean = h.colwise().mean().transpose();
        m_means = linalg::toTensor(fitted.means);
        m_precision = linalg::toTensor(linalg::pinvh(fitted.tiedCovariance));
        m_globalMean = linalg::toTensor(globalMean).unsqueeze(0);
        m_globalPrecision = linalg::toTensor(linalg::pinvh(linalg::secondMomentAbout(h, globalMean)));
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        const at::Tensor &h = context.activations.features;
        const at::Tensor classDistance =
            std::get<0>(fitsupport::squaredMahalanobis(h, m_means, m_precision).min(1));
        const at::Tensor backgroundDistance =
            fitsupport::squaredMahalanobis(h, m_globalMean, m_globalPrecision).select(1, 0);
        return classDistance - backgroundDistance;
    }

  protected:
    DetectorState fittedState() const override
    {
        return {{"class_means", m_means},
                {"precision", m_precision},
                {"global_mean", m_globalMean.squeeze(0)},
                {"global_precision", m_globalPrecision}};
    }
    void restoreFittedState(const DetectorState &state) override
    {
        m_means = require(state, "class_means", id()).to(torch::kFloat64);
        m_precision = require(state, "precision", id()).to(torch::kFloat64);
        m_globalMean = require(state, "global_mean", id()).to(torch::kFloat64).reshape({1, -1});
        m_globalPrecision = require(state, "global_precision", id()).to(torch::kFloat64);
    }

  private:
    at::Tensor m_means;           // [C,D]
    at::Tensor m_precision;       // [D,D] pinvh of the tied class covariance
    at::Tensor m_globalMean;      // [1,D] mu_0
    at::Tensor m_globalPrecision; // [D,D] pinvh of the covariance about mu_0
};

} // namespace

const DetectorDescriptor &rmdsDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "rmds";
        d.displayName = "RMDS";
        d.needs.fit.trainData = d.needs.fit.trainLabels = true;
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Rmds); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
