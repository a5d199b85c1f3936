// DICE, directed sparsification of the last layer before the energy score (docs/detectors.md,
// dice). The mask keeps the weights whose mean contribution m̄_j·W_cj on TRAIN lies strictly above
// the P-th percentile of all C·D contributions (signed, as OpenOOD; AbeT's |V| variant is not
// used).

#include "detect/detectors.h"
#include "detect/zeroshotsupport.h"

#include "detect/fitsupport.h"
#include "detect/linalg.h"
#include "base/error.h"

#include <torch/torch.h>

#include <sstream>

namespace ood::detectors {

namespace {

class Dice final : public Detector
{
  public:
    Dice() : Detector(diceDescriptor()) { declareSetting("percentile", 90.0); }

    std::string unavailableReason(const Backbone &backbone) const override
    {
        return zeroshot::shapingUnavailableOn(backbone, displayName());
    }

    void fit(const FitContext &context) override
    {
        fitsupport::requireTrain(context, id(), 1, false);
        const double p = setting("percentile");
        if (!(p >= 0 && p <= 100)) {
            std::ostringstream message;
            message << "DICE: percentile must be in [0, 100], got " << p;
            throw Error(message.str());
        }
        const linalg::Matrix h = linalg::toMatrix(context.train.features);
        const linalg::Matrix w = linalg::toMatrix(context.headWeight);
        if (h.cols() != w.cols())
            throw Error("DICE: the features have " + std::to_string(h.cols()) +
                        " entries but the last layer expects " + std::to_string(w.cols()));
        if (!h.allFinite())
            throw Error("DICE: the training features contain non-finite values");
        const linalg::Vector mean = h.colwise().mean().transpose();
        const linalg::Matrix contribution = w.array().rowwise() * mean.transpose().array();
        m_threshold = linalg::percentile(
            std::vector<double>(contribution.data(), contribution.data() + contribution.size()), p);
        const linalg::Matrix kept = (contribution.array() > m_threshold).cast<double>();
        if (kept.sum() == 0) {
            std::ostringstream message;
            message << "DICE: percentile " << p << " keeps no weight of the last layer (threshold "
                    << m_threshold << " is the largest contribution)";
            throw Error(message.str());
        }
        m_mask = linalg::toTensor(kept).to(torch::kBool);
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        if (!m_mask.defined())
            throw Error("DICE has not been fitted");
        const at::Tensor w = context.headWeight.to(torch::kFloat64);
        if (w.sizes() != m_mask.sizes())
            throw Error("DICE: the fitted mask is " + std::to_string(m_mask.size(0)) + "x" +
                        std::to_string(m_mask.size(1)) + " but the model's last layer is " +
                        std::to_string(w.size(0)) + "x" + std::to_string(w.size(1)));
        const at::Tensor sparse = w * m_mask.to(torch::kFloat64);
        const at::Tensor logits = torch::addmm(context.headBias.to(torch::kFloat64),
                                               context.activations.features.to(torch::kFloat64), sparse.t());
        return -torch::logsumexp(logits, 1);
    }

  protected:
    DetectorState fittedState() const override
    {
        if (!m_mask.defined())
            return {};
        return {{"mask", m_mask}, {"threshold", torch::tensor(m_threshold, torch::kFloat64)}};
    }
    void restoreFittedState(const DetectorState &state) override
    {
        const at::Tensor mask = require(state, "mask", id());
        const at::Tensor threshold = require(state, "threshold", id());
        if (mask.dim() != 2 || threshold.numel() != 1)
            throw Error("detector 'dice': the profile's mask or threshold is malformed");
        m_mask = mask.to(torch::kBool).contiguous();
        m_threshold = threshold.to(torch::kFloat64).item<double>();
    }

  private:
    at::Tensor m_mask; ///< [C,D] bool, true where the weight is kept
    double m_threshold = 0;
};

} // namespace

const DetectorDescriptor &diceDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "dice";
        d.displayName = "DICE";
        d.needs.fit.trainData = true;
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Dice); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
