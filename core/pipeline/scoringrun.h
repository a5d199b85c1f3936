#pragma once
// Running a whole list of images through the model: batches decoded ahead on worker threads,
// one forward pass per batch, per-file errors collected, progress reported, cancellable.

#include "calib/profile.h"
#include "data/batchloader.h"
#include "base/progress.h"
#include "base/error.h"
#include "model/backbone.h"
#include "pipeline/frameresult.h"
#include "pipeline/scorer.h"
#include "pipeline/verdict.h"

#include <functional>
#include <string>
#include <vector>

namespace ood {

struct RunOptions
{
    int batchSize = 32;
    int decodeWorkers = 0; ///< 0: one per core
    DecodeLimits limits;
    /// How the model is opened for the run (precision, forward path); used where the model is loaded.
    InferenceOptions inference;
};

/// Calls `onBatch` for every batch (also for batches where every file failed, with an empty
/// input and no scores computed: then `scores` is null).
void runBatches(Backbone &backbone, const Scorer &scorer, const std::vector<Sample> &samples,
                const InputSpec &input, const RunOptions &options, const std::string &stage,
                const std::function<void(const Batch &, const BatchScores *)> &onBatch,
                const ProgressCallback &progress = {});

/// The detectors of `profile` named by `detectorIds`, in that order (empty: every detector of the
/// profile, in its order). Throws ood::Error for an id the profile does not hold, with the reason
/// when the detector was set aside as unavailable.
std::vector<const ProfileDetector *> selectDetectors(const Profile &profile,
                                                     const std::vector<std::string> &detectorIds);

/// Receives the results of samples first .. first + results.size() - 1: one batch's consecutive
/// samples, files that failed included with their error.
using FramesCallback = std::function<void(size_t first, std::vector<FrameResult> results)>;

/// The verdict rule of a run that scores `detectorIds` of `profile` (selectDetectors): calibrated
/// (calib/verdictcalibration.h) with those detectors enabled and no others.
VerdictRule runVerdict(const Profile &profile, const std::vector<std::string> &detectorIds);

/// The one scoring path of the program (CLI, window, demo): `samples` in batches through the
/// model, every selected detector (selectDetectors) fed from one forward pass per batch, flags
/// counted by the rule of pipeline/verdict.h against each detector's threshold, and each frame's
/// verdict (FrameResult::flagged) by runVerdict over the detectors scored. Throws
/// ood::Cancelled when `progress` returns false, ood::Error when the model or a detector fails.
void scoreFrames(Backbone &backbone, const Profile &profile, const std::vector<Sample> &samples,
                 const std::vector<std::string> &detectorIds, const RunOptions &options,
                 const FramesCallback &onFrames, const ProgressCallback &progress = {},
                 const std::string &stage = "scoring");

/// Scores of a list of images under a profile, as one table.
struct ScoredImages
{
    std::vector<Sample> samples;
    std::vector<std::string> detectorIds;
    at::Tensor scores;                ///< [N,K] float64, NaN rows where the image failed
    std::vector<int64_t> predictions; ///< -1 where failed
    std::vector<double> confidences;  ///< max softmax, NaN where failed
    std::vector<QString> errors;      ///< empty string where the image was scored
    std::vector<int> flaggedBy;       ///< detectors whose threshold the image exceeds
    std::vector<bool> unusual;        ///< the verdict (FrameResult::flagged); false where failed
    VerdictRule verdict;              ///< the rule behind `unusual` (runVerdict)

    size_t failedCount() const;
};

/// scoreFrames collected into one table.
ScoredImages scoreImages(Backbone &backbone, const Profile &profile, const std::vector<Sample> &samples,
                         const std::vector<std::string> &detectorIds, const RunOptions &options,
                         const ProgressCallback &progress = {}, const std::string &stage = "scoring");

} // namespace ood
