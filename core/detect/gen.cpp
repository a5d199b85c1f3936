// GEN, generalised entropy over the M largest softmax probabilities (docs/detectors.md, gen):
// G = sum_{top-M} p^gamma (1-p)^gamma, OOD-high as it stands (OpenOOD reports -G).
//
// Precision (setting `float64`):
//   0 (default) as OpenOOD: float32 softmax, terms p^g (1-p)^g in float32. 1-p_top rounds to 0 for
//     a logit gap above ~17, so confident frames lose the top-class term; that is part of the
//     reference numbers (docs/detectors.md, Conventions), and the same choice as MSP and Entropy.
//   1 exact: p in float64 and 1-p of the top class as the sum of the other classes'
//     probabilities rather than by subtraction. With gamma = 0.1 the term (1-p_top)^gamma is far
//     from negligible even when 1-p_top is tiny ((1e-20)^0.1 = 0.01), so confident frames keep
//     distinct, correctly ordered scores.

#include "detect/detectors.h"

#include "base/error.h"

#include <torch/torch.h>

#include <cmath>

namespace ood::detectors {

namespace {

class Gen final : public Detector
{
  public:
    Gen() : Detector(genDescriptor())
    {
        declareSetting("gamma", 0.1);
        declareSetting("m", 100); // M >= C means every class
        declareSetting("float64", 0);
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        const double gamma = setting("gamma");
        const double m = setting("m");
        if (!(gamma > 0))
            throw Error("GEN: setting 'gamma' must be positive");
        if (m < 1 || m != std::floor(m))
            throw Error("GEN: setting 'm' must be a positive whole number of classes");

        if (setting("float64") == 0) {
            const at::Tensor p = torch::softmax(context.activations.logits.to(torch::kFloat32), 1);
            const int64_t kept = std::min<int64_t>(p.size(1), static_cast<int64_t>(m));
            const at::Tensor top = std::get<0>(p.topk(kept, 1, true, true));
            const float g = static_cast<float>(gamma);
            return (top.pow(g) * (1 - top).pow(g)).sum(1).to(torch::kFloat64);
        }
        const at::Tensor z = context.activations.logits.to(torch::kFloat64);
        const auto [top, topIndex] = z.max(1, true);
        const at::Tensor e = (z - top).exp();    // e_top = 1
        const at::Tensor total = e.sum(1, true); // S
        const at::Tensor p = e / total;
        // 1 - p_c = (S - e_c)/S; for the top class the sum of the others is taken directly, since
        // S - 1 cancels catastrophically when the frame is confident.
        at::Tensor oneMinus = (total - e) / total;
        const at::Tensor othersOfTop = e.scatter(1, topIndex, 0.0).sum(1, true) / total;
        oneMinus = oneMinus.scatter(1, topIndex, othersOfTop);

        const at::Tensor terms = (p * oneMinus).pow(gamma);
        const int64_t classes = z.size(1);
        if (static_cast<double>(classes) <= m)
            return terms.sum(1);
        // The terms of the M largest probabilities (not the M largest terms: p^g(1-p)^g peaks at
        // p = 1/2). Tied probabilities have equal terms, so the order among ties is irrelevant.
        const at::Tensor order = std::get<1>(p.topk(static_cast<int64_t>(m), 1, true, true));
        return terms.gather(1, order).sum(1);
    }
};

} // namespace

const DetectorDescriptor &genDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "gen";
        d.displayName = "GEN";
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Gen); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
