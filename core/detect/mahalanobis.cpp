// Mahalanobis distance with class means and a tied covariance on the penultimate features
// (docs/detectors.md, mahalanobis; NERO's baseline): float64 statistics, precision by pinvh.

#include "detect/detectors.h"

#include "detect/fitsupport.h"
#include "detect/linalg.h"

#include <torch/torch.h>

namespace ood::detectors {

namespace {

class Mahalanobis final : public Detector
{
  public:
    Mahalanobis() : Detector(mahalanobisDescriptor()) {}

    void fit(const FitContext &context) override
    {
        fitsupport::requireTrain(context, id(), 2, true);
        const fitsupport::ClassGaussians fitted = fitsupport::classGaussians(
            linalg::toMatrix(context.train.features), fitsupport::labelsOf(context.train.labels));
        m_means = linalg::toTensor(fitted.means);
        m_precision = linalg::toTensor(linalg::pinvh(fitted.tiedCovariance));
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        return std::get<0>(
            fitsupport::squaredMahalanobis(context.activations.features, m_means, m_precision).min(1));
    }

  protected:
    DetectorState fittedState() const override
    {
        return {{"class_means", m_means}, {"precision", m_precision}};
    }
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

const DetectorDescriptor &mahalanobisDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "mahalanobis";
        d.displayName = "Mahalanobis";
        d.needs.fit.trainData = d.needs.fit.trainLabels = true;
        d.referenceIsIdHigh = false;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Mahalanobis); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
