// ReAct + Energy (docs/detectors.md, react). NERO preset: an absolute clip value (0.9 for ResNets,
// 0.99 otherwise). With `percentile` > 0 the clip is instead that percentile of all entries of the
// ID validation features (OpenOOD, P = 90).

#include "detect/detectors.h"
#include "detect/zeroshotsupport.h"

#include "detect/linalg.h"
#include "base/error.h"

#include <torch/torch.h>

namespace ood::detectors {

namespace {

class React final : public Detector
{
  public:
    React() : Detector(reactDescriptor())
    {
        declareSetting("percentile", 0.0); // 0: use the NERO absolute clip
        declareSetting("clip", -1.0);      // < 0: chosen from the architecture at fit time
    }

    std::string unavailableReason(const Backbone &backbone) const override
    {
        return zeroshot::shapingUnavailableOn(backbone, displayName());
    }

    void fit(const FitContext &context) override
    {
        const double p = setting("percentile");
        if (p > 0) {
            if (context.val.size() == 0)
                throw Error("ReAct with a percentile needs ID validation features");
            const at::Tensor flat = context.val.features.to(torch::kFloat64).contiguous().reshape({-1});
            std::vector<double> values(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
            m_clip = linalg::percentile(std::move(values), p);
        } else if (setting("clip") >= 0) {
            m_clip = setting("clip");
        } else {
            m_clip = context.architecture.rfind("resnet", 0) == 0 ? 0.9 : 0.99;
        }
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        const at::Tensor h = context.activations.features.to(torch::kFloat64).clamp_max(m_clip);
        const at::Tensor logits =
            torch::addmm(context.headBias.to(torch::kFloat64), h, context.headWeight.to(torch::kFloat64).t());
        return -torch::logsumexp(logits, 1);
    }

  protected:
    void addSettingNeeds(DetectorNeeds &needs) const override
    {
        needs.fit.valData = setting("percentile") > 0; // OpenOOD's clip: a percentile of the VAL features
    }
    DetectorState fittedState() const override
    {
        return {{"clip_value", torch::tensor(m_clip, torch::kFloat64)}};
    }
    void restoreFittedState(const DetectorState &state) override
    {
        m_clip = require(state, "clip_value", id()).item<double>();
    }

  private:
    double m_clip = 0.9;
};

} // namespace

const DetectorDescriptor &reactDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "react";
        d.displayName = "Energy+ReAct";
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new React); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
