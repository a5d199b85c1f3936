#pragma once
// Streams preprocessed batches, decoding on worker threads ahead of the consumer.

#include "data/samplelist.h"
#include "image/imagedecoder.h"
#include "image/inputspec.h"

#include <ATen/core/Tensor.h>

#include <memory>
#include <utility>
#include <vector>

namespace ood {

struct SampleError
{
    size_t index = 0; ///< into the sample vector given to the loader
    QString message;  ///< specific, names the file
};

struct Batch
{
    at::Tensor input;                  ///< [n,3,H,W] of the samples that decoded, in order
    std::vector<size_t> sampleIndices; ///< index of each row of `input` in the sample vector
    std::vector<SampleError> errors;   ///< samples of this batch that failed
};

class BatchLoader
{
  public:
    /// `workers` decode threads (0: one per core). Keeps up to two batches decoded ahead.
    BatchLoader(std::vector<Sample> samples, InputSpec spec, int batchSize, int workers = 0,
                DecodeLimits limits = {});
    ~BatchLoader();
    BatchLoader(const BatchLoader &) = delete;
    BatchLoader &operator=(const BatchLoader &) = delete;

    /// Next batch in sample order; false when all samples were handed out. A batch may have
    /// zero decoded rows (all failed) but then carries the errors.
    bool next(Batch &batch);

    size_t sampleCount() const;
    const std::vector<Sample> &samples() const;

  private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace ood
