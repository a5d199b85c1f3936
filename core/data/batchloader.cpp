#include "data/batchloader.h"

#include "data/sampledecoder.h"
#include "base/error.h"
#include "image/preprocess.h"

#include <QFuture>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <torch/torch.h>

#include <deque>
#include <thread>

namespace ood {

namespace {

struct DecodedSample
{
    at::Tensor tensor; ///< [3,H,W], undefined when decoding failed
    QString error;
};

DecodedSample decodeAndPreprocess(const Sample &sample, const InputSpec &spec, const DecodeLimits &limits)
{
    DecodedSample result;
    try {
        result.tensor = preprocessImage(decodeSample(sample, limits), spec);
    } catch (const Error &e) {
        result.error = QString::fromStdString(e.what());
    } catch (const std::exception &e) {
        result.error = sample.path + ": " + QString::fromStdString(e.what());
    }
    return result;
}

} // namespace

struct BatchLoader::Private
{
    std::vector<Sample> samples;
    InputSpec spec;
    int batchSize = 32;
    DecodeLimits limits;
    QThreadPool pool;
    size_t nextToSchedule = 0; ///< first sample not yet handed to the pool
    struct Pending
    {
        size_t first = 0;
        std::vector<QFuture<DecodedSample>> images;
    };
    std::deque<Pending> pending;

    void scheduleAhead()
    {
        // Two batches in flight keep the decoders busy while the consumer runs the network.
        while (pending.size() < 2 && nextToSchedule < samples.size()) {
            Pending batch;
            batch.first = nextToSchedule;
            const size_t end = std::min(samples.size(), nextToSchedule + static_cast<size_t>(batchSize));
            for (size_t i = nextToSchedule; i < end; ++i)
                batch.images.push_back(
                    QtConcurrent::run(&pool, decodeAndPreprocess, samples[i], spec, limits));
            nextToSchedule = end;
            pending.push_back(std::move(batch));
        }
    }
};

BatchLoader::BatchLoader(std::vector<Sample> samples, InputSpec spec, int batchSize, int workers,
                         DecodeLimits limits)
    : d(std::make_unique<Private>())
{
    if (batchSize < 1)
        throw Error("the batch size must be at least 1");
    d->samples = std::move(samples);
    d->spec = spec;
    d->batchSize = batchSize;
    d->limits = limits;
    d->pool.setMaxThreadCount(
        workers > 0 ? workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

BatchLoader::~BatchLoader()
{
    d->pool.clear(); // drop decodes that have not started
    d->pool.waitForDone();
}

bool BatchLoader::next(Batch &batch)
{
    d->scheduleAhead();
    if (d->pending.empty())
        return false;
    Private::Pending current = std::move(d->pending.front());
    d->pending.pop_front();
    d->scheduleAhead();

    batch = Batch();
    std::vector<at::Tensor> tensors;
    for (size_t i = 0; i < current.images.size(); ++i) {
        current.images[i].waitForFinished();
        const DecodedSample result = current.images[i].result();
        const size_t index = current.first + i;
        if (result.tensor.defined()) {
            tensors.push_back(result.tensor);
            batch.sampleIndices.push_back(index);
        } else {
            batch.errors.push_back({index, result.error});
        }
    }
    if (!tensors.empty())
        batch.input = torch::stack(tensors);
    return true;
}

size_t BatchLoader::sampleCount() const
{
    return d->samples.size();
}

const std::vector<Sample> &BatchLoader::samples() const
{
    return d->samples;
}

} // namespace ood
