// PRO, perturbation-rectified scores (docs/detectors.md, pro_* and the PRO notes): PRO-MSP,
// PRO-ENT, PRO-MSP-T, PRO-GEN.
//
// Each variant has an ID-high base score g. PRO takes K signed-gradient steps that lower g,
// x_{t+1} = x_t - eps * sign(grad_x g(x_t)), in normalised input space (no clamping, no division
// by the channel std), and keeps the lowest g seen over x_0..x_K. An OOD input's confidence
// collapses under a step that barely moves an ID input's, so the minimum separates them better
// than g(x_0). Unified score: -min_t g(x_t).
//
// Cost (proPassCost): K backward passes, K forwards with autograd of which the first, at x_0, is
// the batch's shared input graph (GradientPass::inputGraph, shared with ODIN and the other
// variants), and one inference forward at x_K; all of it only when a PRO id is selected.

#include "detect/detectors.h"

#include "base/error.h"
#include "detect/gradientpass.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ood::detectors {

namespace {

enum class Variant { Msp, Entropy, MspTemperature, Gen };

bool isCount(double value, double minimum)
{
    return value >= minimum && value == std::floor(value);
}

/// The passes of K = `steps` steps, beyond the shared inference forward pass.
PassCost proPassCost(int64_t steps)
{
    PassCost cost;
    cost.sharedGraphForward = steps > 0;
    cost.graphForwards = std::max<int64_t>(0, steps - 1);
    cost.backwardPasses = steps;
    cost.inferenceForwards = 1; // x_K, which is x_0 itself when K = 0
    return cost;
}

class Pro final : public Detector
{
  public:
    Pro(const DetectorDescriptor &descriptor, Variant variant) : Detector(descriptor), m_variant(variant)
    {
        // The spec's recommended app defaults (docs/detectors.md, pro_*; no OOD validation set to
        // search on).
        switch (variant) {
        case Variant::Msp:
        case Variant::Entropy:
            declareSetting("epsilon", 1e-3);
            declareSetting("steps", 1);
            break;
        case Variant::MspTemperature:
            declareSetting("temperature", 10.0);
            declareSetting("epsilon", 1e-3);
            declareSetting("steps", 1);
            break;
        case Variant::Gen:
            declareSetting("gamma", 0.1);
            declareSetting("m", 100);
            declareSetting("epsilon", 1e-4);
            declareSetting("steps", 3);
            break;
        }
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        if (!context.gradientPass || !context.input.defined())
            throw Error(displayName() +
                        " needs the input batch and the model's gradient pass (input-gradient stage)");
        checkSettings();
        const double epsilon = setting("epsilon");
        const auto steps = static_cast<int64_t>(setting("steps"));

        torch::AutoGradMode enableGrad(true);
        // x_t, off any graph. K = 0 scores the batch as it is.
        at::Tensor x = context.input.detach().to(torch::kFloat32);
        at::Tensor lowest;
        for (int64_t t = 0; t < steps; ++t) {
            // x_0's graph is the batch's shared one (ODIN and the other variants differentiate it
            // too), so it is retained; the later ones are this detector's own.
            InputGraph graph;
            if (t == 0) {
                graph = context.gradientPass->inputGraph(context.input);
            } else {
                graph.input = x.set_requires_grad(true);
                graph.logits = context.gradientPass->logitsWithGradient(graph.input);
            }
            const at::Tensor g = baseScore(graph.logits);
            lowest = t == 0 ? g.detach() : torch::min(lowest, g.detach());
            // The reference differentiates the batch mean; the sum gives each image its own
            // gradient unscaled by 1/N, so the sign, and the score, do not depend on the batch.
            const at::Tensor gradient =
                torch::autograd::grad({g.sum()}, {graph.input}, {}, /*retain_graph=*/t == 0)[0];
            // sign(0) = 0: a saturated softmax has an exactly zero (or NaN, for GEN) gradient and
            // the image stays where it is. torch's sign already maps NaN to 0; nan_to_num keeps
            // that independent of the kernel.
            const at::Tensor direction = gradient.sign().nan_to_num(0.0);
            x = graph.input.detach().add(direction, -epsilon);
        }
        const at::Tensor last = baseScore(context.gradientPass->logits(x));
        lowest = steps == 0 ? last : torch::min(lowest, last);
        return -lowest.to(torch::kFloat64);
    }

  protected:
    void addSettingNeeds(DetectorNeeds &needs) const override
    {
        const double steps = setting("steps");
        // A steps setting that checkSettings() refuses runs no pass: the descriptor's zero cost.
        if (isCount(steps, 0) && steps < 0x1p63)
            needs.score.cost = proPassCost(static_cast<int64_t>(steps));
    }

  private:
    void checkSettings() const
    {
        if (setting("epsilon") < 0)
            throw Error(id() + ": setting 'epsilon' must be >= 0");
        if (!isCount(setting("steps"), 0))
            throw Error(id() + ": setting 'steps' must be a whole number >= 0");
        if (m_variant == Variant::MspTemperature && !(setting("temperature") > 0))
            throw Error(id() + ": setting 'temperature' must be > 0");
        if (m_variant == Variant::Gen) {
            if (!(setting("gamma") > 0))
                throw Error(id() + ": setting 'gamma' must be > 0");
            if (!isCount(setting("m"), 1))
                throw Error(id() + ": setting 'm' must be a whole number >= 1");
        }
    }

    /// g per image [N], ID-high, from a float32 softmax as the reference computes it in the
    /// network's precision.
    at::Tensor baseScore(const at::Tensor &logits) const
    {
        const at::Tensor z = logits.to(torch::kFloat32);
        switch (m_variant) {
        case Variant::Msp:
            return std::get<0>(torch::softmax(z, 1).max(1));
        case Variant::MspTemperature:
            return std::get<0>(torch::softmax(z / setting("temperature"), 1).max(1));
        case Variant::Entropy: {
            const at::Tensor p = torch::softmax(z, 1);
            return (p * (p + 1e-10).log()).sum(1); // -H
        }
        case Variant::Gen: {
            const double gamma = setting("gamma");
            const int64_t m = std::min<int64_t>(static_cast<int64_t>(setting("m")), z.size(1));
            // Ascending sort and the top M as in the reference, so the sum runs in its order.
            const at::Tensor p = std::get<0>(torch::softmax(z, 1).sort(1)).narrow(1, z.size(1) - m, m);
            return -(p.pow(gamma) * (1 - p).pow(gamma)).sum(1); // -G
        }
        }
        throw Error("internal: unknown PRO variant");
    }

    Variant m_variant;
};

} // namespace

const DetectorDescriptor &proMspDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "pro_msp";
        d.displayName = "PRO-MSP";
        d.needs.score.gradientPass = true;
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Pro(proMspDescriptor(), Variant::Msp)); };
        return d;
    }();
    return descriptor;
}

const DetectorDescriptor &proEntropyDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "pro_ent";
        d.displayName = "PRO-ENT";
        d.needs.score.gradientPass = true;
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] {
            return std::unique_ptr<Detector>(new Pro(proEntropyDescriptor(), Variant::Entropy));
        };
        return d;
    }();
    return descriptor;
}

const DetectorDescriptor &proMspTemperatureDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "pro_msp_t";
        d.displayName = "PRO-MSP-T";
        d.needs.score.gradientPass = true;
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] {
            return std::unique_ptr<Detector>(new Pro(proMspTemperatureDescriptor(), Variant::MspTemperature));
        };
        return d;
    }();
    return descriptor;
}

const DetectorDescriptor &proGenDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "pro_gen";
        d.displayName = "PRO-GEN";
        d.needs.score.gradientPass = true;
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Pro(proGenDescriptor(), Variant::Gen)); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
