// The scores that need only the logits: MSP, MaxLogit, Energy, Entropy (their rows in
// docs/detectors.md).
//
// MSP and Entropy are computed from a float32 softmax, as NERO's scripts do: max-softmax
// saturates at exactly 1.0 in float32 and the resulting ties are part of the reference numbers
// (docs/detectors.md, Conventions).

#include "detect/detectors.h"

#include <torch/torch.h>

namespace ood::detectors {

namespace {

at::Tensor logSumExp(const at::Tensor &logits, double temperature)
{
    return torch::logsumexp(logits.to(torch::kFloat64) / temperature, 1);
}

class Msp final : public Detector
{
  public:
    std::string id() const override { return "msp"; }
    std::string displayName() const override { return "MSP"; }
    bool referenceIsIdHigh() const override { return true; }
    at::Tensor score(const ScoreContext &context) const override
    {
        const at::Tensor p = torch::softmax(context.activations.logits.to(torch::kFloat32), 1);
        return -std::get<0>(p.max(1)).to(torch::kFloat64);
    }
};

class MaxLogit final : public Detector
{
  public:
    std::string id() const override { return "maxlogit"; }
    std::string displayName() const override { return "MaxLogit"; }
    bool referenceIsIdHigh() const override { return true; }
    at::Tensor score(const ScoreContext &context) const override
    {
        return -std::get<0>(context.activations.logits.to(torch::kFloat64).max(1));
    }
};

class Energy final : public Detector
{
  public:
    Energy() { declareSetting("temperature", 1.0); }
    std::string id() const override { return "energy"; }
    std::string displayName() const override { return "Energy"; }
    bool referenceIsIdHigh() const override { return true; }
    at::Tensor score(const ScoreContext &context) const override
    {
        const double t = setting("temperature");
        return -t * logSumExp(context.activations.logits, t);
    }
};

class Entropy final : public Detector
{
  public:
    // NERO clips p at 1e-6 before the log (docs/detectors.md, entropy).
    Entropy() { declareSetting("clip", 1e-6); }
    std::string id() const override { return "entropy"; }
    std::string displayName() const override { return "Entropy"; }
    bool referenceIsIdHigh() const override { return false; }
    at::Tensor score(const ScoreContext &context) const override
    {
        const at::Tensor p = torch::softmax(context.activations.logits.to(torch::kFloat32), 1)
                                 .clamp_min(static_cast<float>(setting("clip")));
        return -(p * p.log()).sum(1).to(torch::kFloat64);
    }
};

} // namespace

std::unique_ptr<Detector> makeMsp()
{
    return std::make_unique<Msp>();
}
std::unique_ptr<Detector> makeMaxLogit()
{
    return std::make_unique<MaxLogit>();
}
std::unique_ptr<Detector> makeEnergy()
{
    return std::make_unique<Energy>();
}
std::unique_ptr<Detector> makeEntropy()
{
    return std::make_unique<Entropy>();
}

} // namespace ood::detectors
