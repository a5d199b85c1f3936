// Temperature scaling (docs/detectors.md, TempScaling): a scalar T fitted on the labelled ID
// validation logits by minimising the mean NLL of softmax(z/T); s = -max softmax(z/T).
//
// Setting `optimiser`:
//   0 (default) OpenOOD-exact: torch's LBFGS from T = 1.5 with lr 0.01, 50 iterations, history 100,
//     no line search, as OpenOOD's postprocessor runs it. It stops well short of the minimum; that
//     under-converged T is what the OpenOOD/PRO numbers were made with.
//   1 converged: the exact minimiser. The NLL is convex in beta = 1/T (its second derivative is the
//     mean variance of z under softmax(beta z)), so Newton in beta, kept inside a sign-change
//     bracket by bisection, converges to |dNLL/dlog T| < 1e-10.
// Both run in float64 (OpenOOD runs in float32). The recursion is the same; a float32 loss is
// resolved only to ~6e-8, so the reference's |L - L_prev| < 1e-9 test can stop it early when the
// loss stops moving in float32, which float64 does not do.

#include "detect/detectors.h"

#include "base/error.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace ood::detectors {

namespace {

constexpr double kInitialTemperature = 1.5;

// NLL(beta) = mean_n [LSE(beta z_n) - beta z_{n,y_n}] is convex in beta:
// gradient = mean E_p[z] - z_y, curvature = mean Var_p[z], p = softmax(beta z).
struct NllDerivatives
{
    double gradient = 0, curvature = 0;
};

NllDerivatives nllDerivativesInBeta(const at::Tensor &z, const at::Tensor &trueLogit, double beta)
{
    const at::Tensor p = torch::softmax(z * beta, 1);
    const at::Tensor mean = (p * z).sum(1, true);
    const at::Tensor variance = (p * (z - mean).square()).sum(1);
    return {(mean.squeeze(1) - trueLogit).mean().item<double>(), variance.mean().item<double>()};
}

double convergedTemperature(const at::Tensor &z, const at::Tensor &labels)
{
    const at::Tensor trueLogit = z.gather(1, labels.unsqueeze(1)).squeeze(1);
    // At beta = 0 the softmax is uniform: a negative gradient means the true class is above the
    // class average on the whole, which is what makes a finite T optimal.
    if (nllDerivativesInBeta(z, trueLogit, 0).gradient >= 0)
        throw Error(
            "TempScaling (converged): the validation logits do not favour the true class on average, so "
            "no finite temperature minimises the NLL");
    double low = 0, high = 1 / kInitialTemperature;
    while (nllDerivativesInBeta(z, trueLogit, high).gradient < 0) {
        low = high;
        high *= 2;
        if (high > 1e12)
            throw Error(
                "TempScaling (converged): the validation NLL keeps falling as T -> 0 (every validation image "
                "is classified correctly by a wide margin), so it has no minimiser; use optimiser 0");
    }
    double beta = 0.5 * (low + high);
    for (int iteration = 0; iteration < 200; ++iteration) {
        const NllDerivatives d = nllDerivativesInBeta(z, trueLogit, beta);
        // d NLL / d log T = -beta * d NLL / d beta.
        if (std::abs(beta * d.gradient) < 1e-10)
            break;
        (d.gradient < 0 ? low : high) = beta;
        const double newton = beta - d.gradient / d.curvature;
        beta = (d.curvature > 0 && newton > low && newton < high) ? newton : 0.5 * (low + high);
        if (high - low <= 4 * std::numeric_limits<double>::epsilon() * high)
            break;
    }
    return 1 / beta;
}

double openOodTemperature(const at::Tensor &z, const at::Tensor &labels)
{
    torch::AutoGradMode enableGrad(true);
    at::Tensor temperature = torch::full({1}, kInitialTemperature, torch::kFloat64).set_requires_grad(true);
    torch::optim::LBFGS optimiser(
        {temperature},
        torch::optim::LBFGSOptions(0.01).max_iter(50).history_size(100).tolerance_grad(1e-7).tolerance_change(
            1e-9));
    auto closure = [&] {
        optimiser.zero_grad();
        at::Tensor loss = torch::nn::functional::cross_entropy(z / temperature, labels);
        loss.backward();
        return loss;
    };
    optimiser.step(closure);
    return temperature.item<double>();
}

class TempScaling final : public Detector
{
  public:
    TempScaling() : Detector(tempScalingDescriptor())
    {
        declareSetting("optimiser", 0);
    } // 0: OpenOOD-exact LBFGS, 1: converged

    void fit(const FitContext &context) override
    {
        const double optimiser = setting("optimiser");
        if (optimiser != 0 && optimiser != 1)
            throw Error("TempScaling: setting 'optimiser' must be 0 (OpenOOD-exact LBFGS) or 1 (converged)");
        const FeatureSet &val = context.val;
        if (val.size() == 0 || !val.logits.defined())
            throw Error("TempScaling fits its temperature on the ID validation images, and there are none");
        if (!val.labels.defined() || val.labels.numel() != val.logits.size(0) ||
            (val.labels < 0).any().item<bool>())
            throw Error(
                "TempScaling needs a labelled validation folder (one sub-folder per class, like the training "
                "folder) to fit its temperature; this validation set has no labels");
        const at::Tensor z = val.logits.to(torch::kFloat64).detach().clone();
        const at::Tensor labels = val.labels.to(torch::kInt64);
        if ((labels >= z.size(1)).any().item<bool>())
            throw Error("TempScaling: a validation label is not one of the model's " +
                        std::to_string(z.size(1)) + " classes");

        const double t = optimiser == 0 ? openOodTemperature(z, labels) : convergedTemperature(z, labels);
        if (!std::isfinite(t) || t <= 0)
            throw Error("TempScaling: the fitted temperature is not a positive number (" + std::to_string(t) +
                        ")");
        m_temperature = t;
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        // float64: max softmax saturates at 1 only for a logit gap above ~37 T (float32: ~17 T).
        const at::Tensor scaled = context.activations.logits.to(torch::kFloat64) / m_temperature;
        return -(std::get<0>(scaled.max(1)) - torch::logsumexp(scaled, 1)).exp();
    }

  protected:
    DetectorState fittedState() const override
    {
        return {{"temperature", torch::tensor(m_temperature, torch::kFloat64)}};
    }
    void restoreFittedState(const DetectorState &state) override
    {
        const at::Tensor t = require(state, "temperature", id());
        if (t.numel() != 1 || !(t.to(torch::kFloat64).item<double>() > 0))
            throw Error("detector 'tempscale': the profile's temperature is malformed");
        m_temperature = t.to(torch::kFloat64).item<double>();
    }

  private:
    double m_temperature = kInitialTemperature;
};

} // namespace

const DetectorDescriptor &tempScalingDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "tempscale";
        d.displayName = "TempScaling";
        d.needs.fit.valData = d.needs.fit.valLabels = true;
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new TempScaling); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
