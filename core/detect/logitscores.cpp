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
    Msp() : Detector(mspDescriptor()) {}
    at::Tensor score(const ScoreContext &context) const override
    {
        const at::Tensor p = torch::softmax(context.activations.logits.to(torch::kFloat32), 1);
        return -std::get<0>(p.max(1)).to(torch::kFloat64);
    }
};

} // namespace

const DetectorDescriptor &mspDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "msp";
        d.displayName = "MSP";
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Msp); };
        return d;
    }();
    return descriptor;
}

namespace {

class MaxLogit final : public Detector
{
  public:
    MaxLogit() : Detector(maxLogitDescriptor()) {}
    at::Tensor score(const ScoreContext &context) const override
    {
        return -std::get<0>(context.activations.logits.to(torch::kFloat64).max(1));
    }
};

} // namespace

const DetectorDescriptor &maxLogitDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "maxlogit";
        d.displayName = "MaxLogit";
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new MaxLogit); };
        return d;
    }();
    return descriptor;
}

namespace {

class Energy final : public Detector
{
  public:
    Energy() : Detector(energyDescriptor()) { declareSetting("temperature", 1.0); }
    at::Tensor score(const ScoreContext &context) const override
    {
        const double t = setting("temperature");
        return -t * logSumExp(context.activations.logits, t);
    }
};

} // namespace

const DetectorDescriptor &energyDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "energy";
        d.displayName = "Energy";
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Energy); };
        return d;
    }();
    return descriptor;
}

namespace {

class Entropy final : public Detector
{
  public:
    // NERO clips p at 1e-6 before the log (docs/detectors.md, entropy).
    Entropy() : Detector(entropyDescriptor()) { declareSetting("clip", 1e-6); }
    at::Tensor score(const ScoreContext &context) const override
    {
        const at::Tensor p = torch::softmax(context.activations.logits.to(torch::kFloat32), 1)
                                 .clamp_min(static_cast<float>(setting("clip")));
        return -(p * p.log()).sum(1).to(torch::kFloat64);
    }
};

} // namespace

const DetectorDescriptor &entropyDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "entropy";
        d.displayName = "Entropy";
        d.referenceIsIdHigh = false;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Entropy); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
