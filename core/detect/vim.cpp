// ViM, virtual-logit matching (docs/detectors.md, ViM): the norm of the feature's residual outside
// the principal subspace (about the origin u = -W^+ b), scaled to the logits, against the energy.

#include "detect/detectors.h"

#include "detect/fitsupport.h"
#include "detect/linalg.h"
#include "base/error.h"

#include <torch/torch.h>

namespace ood::detectors {

namespace {

class Vim final : public Detector
{
  public:
    // 0: the original ViM / NERO rule (1000 for D >= 2048, 512 for D >= 768, else D/2).
    Vim() : Detector(vimDescriptor()) { declareSetting("principal_dim", 0.0); }

    static int64_t principalDimFor(int64_t d)
    {
        if (d >= 2048)
            return 1000;
        if (d >= 768)
            return 512;
        return d / 2;
    }

    void fit(const FitContext &context) override
    {
        fitsupport::requireTrain(context, id(), 2, false);
        const linalg::Matrix h = linalg::toMatrix(context.train.features);
        const int64_t d = h.cols();
        if (d < 2)
            throw Error("ViM needs a feature dimension of at least 2");
        int64_t dim = setting("principal_dim") > 0 ? static_cast<int64_t>(setting("principal_dim"))
                                                   : principalDimFor(d);
        dim = std::clamp<int64_t>(dim, 1, d - 1); // dim >= D would leave no residual space

        const linalg::Matrix w = linalg::toMatrix(context.headWeight);
        const linalg::Vector b = linalg::toVector(context.headBias);
        const linalg::Vector u = -(linalg::pinv(w) * b);
        const linalg::SymmetricEigen eig = linalg::symmetricEigenDescending(linalg::secondMomentAbout(h, u));
        const linalg::Matrix residual = eig.vectors.rightCols(d - dim);

        const linalg::Matrix shifted = h.rowwise() - u.transpose();
        const double meanResidualNorm = (shifted * residual).rowwise().norm().mean();
        const double meanMaxLogit = linalg::toMatrix(context.train.logits).rowwise().maxCoeff().mean();
        if (!(meanResidualNorm > 0))
            throw Error("ViM: the training features have no residual outside the principal subspace");
        m_origin = linalg::toTensor(u);
        m_residualBasis = linalg::toTensor(residual);
        m_alpha = meanMaxLogit / meanResidualNorm;
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        const at::Tensor h = context.activations.features.to(torch::kFloat64);
        const at::Tensor virtualLogit = torch::matmul(h - m_origin, m_residualBasis).norm(2, 1) * m_alpha;
        return virtualLogit - torch::logsumexp(context.activations.logits.to(torch::kFloat64), 1);
    }

  protected:
    DetectorState fittedState() const override
    {
        return {{"origin", m_origin},
                {"residual_basis", m_residualBasis},
                {"alpha", torch::tensor(m_alpha, torch::kFloat64)}};
    }
    void restoreFittedState(const DetectorState &state) override
    {
        m_origin = require(state, "origin", id()).to(torch::kFloat64);
        m_residualBasis = require(state, "residual_basis", id()).to(torch::kFloat64);
        m_alpha = require(state, "alpha", id()).item<double>();
    }

  private:
    at::Tensor m_origin;        // [D]
    at::Tensor m_residualBasis; // [D, D-DIM]
    double m_alpha = 1;
};

} // namespace

const DetectorDescriptor &vimDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "vim";
        d.displayName = "ViM";
        d.needs.fit.trainData = true;
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Vim); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
