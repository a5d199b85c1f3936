#pragma once
// Running a whole list of images through the model: batches decoded ahead on worker threads,
// one forward pass per batch, per-file errors collected, progress reported, cancellable.

#include "calib/profile.h"
#include "data/batchloader.h"
#include "error.h"
#include "model/backbone.h"
#include "pipeline/scorer.h"

#include <functional>
#include <string>
#include <vector>

namespace ood {

struct Progress
{
    std::string stage; ///< e.g. "train", "validation", "scoring"
    size_t done = 0;   ///< images handled so far (decoded or failed)
    size_t total = 0;
};
/// Return false to cancel; the run then throws ood::Cancelled.
using ProgressCallback = std::function<bool(const Progress &)>;

class Cancelled : public Error
{
  public:
    Cancelled() : Error("cancelled") {}
};

struct RunOptions
{
    int batchSize = 32;
    int decodeWorkers = 0; ///< 0: one per core
    DecodeLimits limits;
};

/// Calls `onBatch` for every batch (also for batches where every file failed, with an empty
/// input and no scores computed: then `scores` is null).
void runBatches(Backbone &backbone, const Scorer &scorer, const std::vector<Sample> &samples,
                const InputSpec &input, const RunOptions &options, const std::string &stage,
                const std::function<void(const Batch &, const BatchScores *)> &onBatch,
                const ProgressCallback &progress = {});

/// Scores of a list of images under a profile.
struct ScoredImages
{
    std::vector<Sample> samples;
    std::vector<std::string> detectorIds;
    at::Tensor scores;                ///< [N,K] float64, NaN rows where the image failed
    std::vector<int64_t> predictions; ///< -1 where failed
    std::vector<double> confidences;  ///< max softmax, NaN where failed
    std::vector<QString> errors;      ///< empty string where the image was scored

    size_t failedCount() const;
};

/// `detectorIds` empty: every detector of the profile. Throws ood::Error for an id the profile
/// does not hold.
ScoredImages scoreImages(Backbone &backbone, const Profile &profile, const std::vector<Sample> &samples,
                         const std::vector<std::string> &detectorIds, const RunOptions &options,
                         const ProgressCallback &progress = {}, const std::string &stage = "scoring");

} // namespace ood
