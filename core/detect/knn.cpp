// Deep nearest neighbours (docs/detectors.md, knn; OpenOOD KNNPostprocessor): the K-th smallest
// squared L2 distance from the normalised feature to the normalised TRAIN features.
//
// Normalisation is OpenOOD's x/‖x‖ + 1e-10 (the 1e-10 is added to every element after the
// division), in float32 like the reference. A zero vector has no direction:
//  - a zero TRAIN feature is left out of the bank (fit fails only if fewer than K remain);
//  - a zero query scores 4, the largest squared distance between two unit vectors: nothing about
//    it resembles a training feature. A query with a non-finite entry scores NaN.
//
// The default index is exact (FAISS IndexFlatL2, as the reference and the spec require). Setting
// `index` = 1 opts into an approximate IVF index (IndexIVFFlat) for very large banks: its K-th
// distance can only be larger than the exact one (docs/benchmarks.md measures the recall).

#include "detect/detectors.h"

#include "detect/fitsupport.h"
#include "detect/nearestneighbours.h"
#include "base/error.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace ood::detectors {

namespace {

constexpr double kZeroQueryScore = 4.0;

/// OpenOOD's normaliser on float32 rows; zero rows stay zero (+1e-10) instead of becoming NaN.
at::Tensor normalise(const at::Tensor &rows, const at::Tensor &norms)
{
    return rows / norms.clamp_min(std::numeric_limits<float>::min()).unsqueeze(1) + 1e-10f;
}

class Knn final : public Detector
{
  public:
    Knn() : Detector(knnDescriptor())
    {
        declareSetting("k", 50.0);
        declareSetting("index", 0.0);  // 0 exact IndexFlatL2, 1 approximate IndexIVFFlat
        declareSetting("nlist", 0.0);  // IVF cells; 0: floor(sqrt(N)), at most N/39
        declareSetting("nprobe", 8.0); // IVF cells visited per query
    }

    void fit(const FitContext &context) override
    {
        fitsupport::requireTrain(context, id(), 1, false);
        checkSettings();
        const at::Tensor h = context.train.features.to(torch::kFloat32).contiguous();
        if (!torch::isfinite(h).all().item<bool>())
            throw Error("detector 'knn': the training features contain NaN or infinity");
        const at::Tensor norms = h.norm(2, 1);
        const at::Tensor usable = (norms > 0).nonzero().reshape({-1});
        const int64_t skipped = h.size(0) - usable.numel();
        const int64_t k = integerSetting("k");
        if (usable.numel() < k)
            throw Error("detector 'knn': k = " + std::to_string(k) + " needs at least " + std::to_string(k) +
                        " training images, got " + std::to_string(usable.numel()) +
                        (skipped > 0
                             ? " with a non-zero feature vector (" + std::to_string(skipped) + " were zero)"
                             : std::string()) +
                        "; lower the setting k");
        m_bank = normalise(h.index_select(0, usable), norms.index_select(0, usable)).contiguous();
        if (integerSetting("index") == 1) {
            const int64_t nlist = integerSetting("nlist") > 0
                                      ? std::min(integerSetting("nlist"), m_bank.size(0))
                                      : nn::NearestNeighbours::defaultListCount(m_bank.size(0));
            m_index = nn::NearestNeighbours::ivf(m_bank, nlist, integerSetting("nprobe"));
            m_centroids = m_index.centroids();
        } else {
            m_index = nn::NearestNeighbours::exact(m_bank);
            m_centroids = at::Tensor();
        }
    }

    at::Tensor score(const ScoreContext &context) const override
    {
        if (!m_index.isValid())
            throw Error("detector 'knn' was not fitted");
        const at::Tensor h = context.activations.features.to(torch::kFloat32).contiguous();
        if (h.dim() != 2 || h.size(1) != m_index.dimension())
            throw Error("detector 'knn': features of width " + std::to_string(h.dim() == 2 ? h.size(1) : -1) +
                        " do not match the " + std::to_string(m_index.dimension()) + "-wide training bank");
        const at::Tensor norms = h.norm(2, 1);
        const at::Tensor finite = torch::isfinite(h).all(1);
        at::Tensor scores = torch::full({h.size(0)}, kZeroQueryScore, torch::kFloat64);
        scores.masked_fill_(finite.logical_not(), std::numeric_limits<double>::quiet_NaN());
        const at::Tensor searchable = (finite & (norms > 0)).nonzero().reshape({-1});
        if (searchable.numel() > 0) {
            const at::Tensor q = normalise(h.index_select(0, searchable), norms.index_select(0, searchable));
            const at::Tensor kth = m_index.kthSquaredDistance(q, integerSetting("k"));
            scores.index_copy_(0, searchable, kth.to(torch::kFloat64));
        }
        return scores;
    }

  protected:
    DetectorState fittedState() const override
    {
        DetectorState state{{"bank", m_bank}};
        if (m_centroids.defined())
            state["ivf_centroids"] = m_centroids;
        return state;
    }

    void restoreFittedState(const DetectorState &state) override
    {
        checkSettings();
        const at::Tensor bank = require(state, "bank", id()).to(torch::kFloat32).contiguous();
        if (bank.dim() != 2 || bank.size(0) < integerSetting("k"))
            throw Error("detector 'knn': the profile's bank is malformed or smaller than k");
        m_bank = bank;
        if (integerSetting("index") == 1) {
            m_centroids = require(state, "ivf_centroids", id()).to(torch::kFloat32).contiguous();
            m_index = nn::NearestNeighbours::ivfWithCentroids(m_bank, m_centroids, integerSetting("nprobe"));
        } else {
            m_centroids = at::Tensor();
            m_index = nn::NearestNeighbours::exact(m_bank);
        }
    }

  private:
    int64_t integerSetting(const std::string &name) const { return static_cast<int64_t>(setting(name)); }

    void checkSettings() const
    {
        for (const char *name : {"k", "index", "nlist", "nprobe"})
            if (setting(name) != std::floor(setting(name)))
                throw Error(std::string("detector 'knn': setting '") + name + "' must be a whole number");
        if (setting("k") < 1)
            throw Error("detector 'knn': setting 'k' must be at least 1");
        if (setting("index") != 0 && setting("index") != 1)
            throw Error("detector 'knn': setting 'index' must be 0 (exact) or 1 (IVF)");
        if (setting("nlist") < 0 || setting("nprobe") < 1)
            throw Error("detector 'knn': settings 'nlist' must be >= 0 and 'nprobe' >= 1");
    }

    at::Tensor m_bank;      // [N,D] float32, normalised TRAIN features
    at::Tensor m_centroids; // [nlist,D] float32, IVF only
    nn::NearestNeighbours m_index;
};

} // namespace

const DetectorDescriptor &knnDescriptor()
{
    static const DetectorDescriptor descriptor = [] {
        DetectorDescriptor d;
        d.id = "knn";
        d.displayName = "KNN";
        d.needs.fit.trainData = true;
        d.referenceIsIdHigh = true;
        d.stateVersion = 1;
        d.create = [] { return std::unique_ptr<Detector>(new Knn); };
        return d;
    }();
    return descriptor;
}

} // namespace ood::detectors
