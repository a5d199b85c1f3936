// fDBD, feature distance to the decision boundaries (docs/detectors.md, fdbd; OpenOOD's default):
// the distance |z_top - z_c| / ||w_top - w_c|| from h to each boundary between the predicted class
// and another class, summed, divided by ||h - mu_train|| (setting normaliser 0) or ||h|| (1).
// s = -conf.

#include "detect/detectors.h"

#include "detect/fitsupport.h"
#include "base/error.h"

#include <torch/torch.h>

namespace ood::detectors {

namespace {

// A frame exactly at the normalising centre would divide by zero; it gets the largest finite
// confidence the boundary sum allows instead of an infinite score.
constexpr double kMinimumNorm = 1e-12;

class Fdbd final : public Detector
{
  public:
    Fdbd() : Detector(fdbdDescriptor())
    {
        declareSetting("normaliser", 0);
    } // 0: ||h - mu_train|| (OpenOOD default), 1: ||h||

    void fit(const FitContext &context) override
    {
        fitsupport::requireTrain(context, id(), 1, false);
        if (!context.headWeight.defined() || context.headWeight.dim() != 2 || context.headWeight.size(0) < 2)
            throw Error("fDBD needs the classification head's weight with at least two classes");
        m_trainMean = context.train.features.to(torch::kFloat64).mean(0);
        const at::Tensor w = context.headWeight.to(torch::kFloat64);
        const int64_t classes = w.size(0);
        // Row by row and by differences (cdist's matmul form cancels for close rows; a [C,C,D]
        // difference tensor is too large for 1000 classes).
        at::Tensor distances = torch::empty({classes, classes}, torch::kFloat64);
        for (int64_t q = 0; q < classes; ++q)
            distances[q] = (w - w[q]).norm(2, 1);
        const at::Tensor offDiagonal = torch::eye(classes, torch::kFloat64) == 0;
        if ((distances.masked_select(offDiagonal) == 0).any().item<bool>())
            throw Error(
                "fDBD: two classes have identical head weights, so their decision boundary is undefined");
        // The diagonal's numerator |z_top - z_top| is 0; 1 keeps the division defined.
        distances.fill_diagonal_(1.0);
        m_weightDistances = distances;
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        const double normaliser = setting("normaliser");
        if (normaliser != 0 && normaliser != 1)
            throw Error(
                "fDBD: setting 'normaliser' must be 0 (distance to the train mean) or 1 (feature norm)");
        const at::Tensor z = context.activations.logits.to(torch::kFloat64);
        if (z.size(1) != m_weightDistances.size(0))
            throw Error("fDBD was fitted for " + std::to_string(m_weightDistances.size(0)) +
                        " classes, the model has " + std::to_string(z.size(1)));
        const auto [top, topIndex] = z.max(1, true);
        const at::Tensor boundaries =
            (top - z).abs() / m_weightDistances.index_select(0, topIndex.squeeze(1));
        const at::Tensor sum = boundaries.sum(1);

        const at::Tensor h = context.activations.features.to(torch::kFloat64);
        const at::Tensor norm = (normaliser == 0 ? h - m_trainMean : h).norm(2, 1).clamp_min(kMinimumNorm);
        return -(sum / norm);
    }

  protected:
    DetectorState fittedState() const override
    {
        return {{"train_mean", m_trainMean}, {"weight_distances", m_weightDistances}};
    }
    void restoreFittedState(const DetectorState &state) override
    {
        m_trainMean = require(state, "train_mean", id()).to(torch::kFloat64);
        m_weightDistances = require(state, "weight_distances", id()).to(torch::kFloat64);
    }

  private:
    at::Tensor m_trainMean;       // [D]
    at::Tensor m_weightDistances; // [C,C], diagonal 1
};

} // namespace

const DetectorDescriptor &fdbdDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "fdbd";
        d.displayName = "fDBD";
        d.needs.fit.trainData = true;
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Fdbd); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
