// Activation shaping of the penultimate feature before the energy score (docs/detectors.md, ash*,
// scale): ASH-B (`ash`, OpenOOD's variant), ASH-S (`ash_s`), ASH-P (`ash_p`) and SCALE (`scale`).
//
// All four keep the k = n - round_half_even(n·P/100) largest entries of h (n = D). The top-k
// order is (value descending, index ascending), so ties are broken by neuron index and the result
// is deterministic; torch.topk, which the references call, leaves ties unspecified.
//
// The methods assume post-ReLU features (h >= 0). A model whose TRAIN features have negative
// entries (e.g. a transformer's class token after LayerNorm) is rejected at fit time with an
// ood::Error rather than fitted and scored as NaN: the shaping is meaningless there and
// exp(s1/s2) is unbounded once s2 can approach 0. At score time a sample with a negative or
// non-finite entry scores NaN. An all-zero h (s1 = s2 = 0) is shaped to zero: ASH-S and SCALE
// multiply only zeros by their factor, so the undefined 0/0 never reaches the score.

#include "detect/detectors.h"
#include "detect/zeroshotsupport.h"

#include "detect/fitsupport.h"
#include "base/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

namespace ood::detectors {

namespace {

enum class Shaping { Binarize, Scale, Prune, ScaleWhole };

// numpy.round: half to even, independent of the floating-point environment's rounding mode.
double roundHalfEven(double x)
{
    const double lower = std::floor(x);
    const double fraction = x - lower;
    if (fraction < 0.5)
        return lower;
    if (fraction > 0.5)
        return lower + 1;
    return std::fmod(lower, 2.0) == 0 ? lower : lower + 1;
}

std::string number(double value)
{
    std::ostringstream text;
    text << value;
    return text.str();
}

class ActivationShaping final : public Detector
{
  public:
    ActivationShaping(const DetectorDescriptor &descriptor, Shaping shaping, double percentile)
        : Detector(descriptor), m_shaping(shaping)
    {
        declareSetting("percentile", percentile);
    }

    std::string unavailableReason(const Backbone &backbone) const override
    {
        return zeroshot::shapingUnavailableOn(backbone, displayName());
    }

    void fit(const FitContext &context) override
    {
        fitsupport::requireTrain(context, id(), 1, false);
        const at::Tensor h = context.train.features.to(torch::kFloat64);
        keptCount(h.size(1));
        if (!torch::isfinite(h).all().item<bool>())
            throw Error(displayName() + " (" + id() + "): the training features contain non-finite values");
        const at::Tensor negativeRows = (h < 0).any(1);
        const int64_t signedCount = negativeRows.sum().item<int64_t>();
        if (signedCount > 0) {
            std::ostringstream message;
            message << displayName() << " (" << id()
                    << ") assumes non-negative (post-ReLU) penultimate features, but " << signedCount
                    << " of " << h.size(0) << " training images have negative entries (minimum "
                    << h.min().item<double>()
                    << "); this model's features are signed, so activation shaping does not apply to it";
            throw Error(message.str());
        }
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        const at::Tensor h = context.activations.features.to(torch::kFloat64).contiguous();
        const int64_t rows = h.size(0), n = h.size(1);
        const int64_t k = keptCount(n);
        at::Tensor shaped = torch::zeros({rows, n}, torch::kFloat64);
        std::vector<uint8_t> outside(static_cast<size_t>(rows), 0);
        std::vector<int64_t> order(static_cast<size_t>(n));
        for (int64_t r = 0; r < rows; ++r) {
            const double *in = h.data_ptr<double>() + r * n;
            double *out = shaped.data_ptr<double>() + r * n;
            if (!std::all_of(in, in + n, [](double v) { return std::isfinite(v) && v >= 0; })) {
                outside[static_cast<size_t>(r)] = 1;
                continue;
            }
            double s1 = 0;
            for (int64_t j = 0; j < n; ++j)
                s1 += in[j];
            std::iota(order.begin(), order.end(), int64_t{0});
            std::partial_sort(order.begin(), order.begin() + k, order.end(), [in](int64_t a, int64_t b) {
                return in[a] > in[b] || (in[a] == in[b] && a < b);
            });
            double s2 = 0;
            for (int64_t i = 0; i < k; ++i)
                s2 += in[order[static_cast<size_t>(i)]];
            // s2 == 0 with h >= 0 means h is all zero: any factor leaves it zero.
            const double factor = s2 > 0 ? std::exp(s1 / s2) : 1.0;
            switch (m_shaping) {
            case Shaping::Binarize:
                for (int64_t i = 0; i < k; ++i)
                    out[order[static_cast<size_t>(i)]] = s1 / static_cast<double>(k);
                break;
            case Shaping::Scale:
                for (int64_t i = 0; i < k; ++i) {
                    const int64_t j = order[static_cast<size_t>(i)];
                    out[j] = in[j] * factor;
                }
                break;
            case Shaping::Prune:
                for (int64_t i = 0; i < k; ++i) {
                    const int64_t j = order[static_cast<size_t>(i)];
                    out[j] = in[j];
                }
                break;
            case Shaping::ScaleWhole:
                for (int64_t j = 0; j < n; ++j)
                    out[j] = in[j] * factor;
                break;
            }
        }
        const at::Tensor logits = torch::addmm(context.headBias.to(torch::kFloat64), shaped,
                                               context.headWeight.to(torch::kFloat64).t());
        at::Tensor s = -torch::logsumexp(logits, 1);
        double *values = s.data_ptr<double>();
        for (int64_t r = 0; r < rows; ++r)
            if (outside[static_cast<size_t>(r)])
                values[r] = std::numeric_limits<double>::quiet_NaN();
        return s;
    }

  private:
    /// k = n - round_half_even(n·P/100), as the references' `n - int(np.round(n * P / 100.0))`.
    int64_t keptCount(int64_t n) const
    {
        const double p = setting("percentile");
        if (!(p >= 0 && p <= 100))
            throw Error(displayName() + " (" + id() + "): percentile must be in [0, 100], got " + number(p));
        const auto k = n - static_cast<int64_t>(roundHalfEven(static_cast<double>(n) * p / 100.0));
        if (k < 1)
            throw Error(displayName() + " (" + id() + "): percentile " + number(p) +
                        " keeps no entry of the " + std::to_string(n) +
                        " features (k = " + std::to_string(k) + "; k must be at least 1)");
        return k;
    }

    Shaping m_shaping;
};

} // namespace

const DetectorDescriptor &ashBDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "ash";
        d.displayName = "ASH-B";
        d.needs.fit.trainData = true; // only to reject signed features before anything is scored
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] {
            return std::unique_ptr<Detector>(
                new ActivationShaping(ashBDescriptor(), Shaping::Binarize, 90.0));
        };
        return d;
    }();
    return descriptor;
}

const DetectorDescriptor &ashSDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "ash_s";
        d.displayName = "ASH-S";
        d.needs.fit.trainData = true; // only to reject signed features before anything is scored
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] {
            return std::unique_ptr<Detector>(new ActivationShaping(ashSDescriptor(), Shaping::Scale, 90.0));
        };
        return d;
    }();
    return descriptor;
}

const DetectorDescriptor &ashPDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "ash_p";
        d.displayName = "ASH-P";
        d.needs.fit.trainData = true; // only to reject signed features before anything is scored
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] {
            return std::unique_ptr<Detector>(new ActivationShaping(ashPDescriptor(), Shaping::Prune, 90.0));
        };
        return d;
    }();
    return descriptor;
}

const DetectorDescriptor &scaleDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "scale";
        d.displayName = "SCALE";
        d.needs.fit.trainData = true; // only to reject signed features before anything is scored
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] {
            return std::unique_ptr<Detector>(
                new ActivationShaping(scaleDescriptor(), Shaping::ScaleWhole, 85.0));
        };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
