#include "fit/classifiertrainer.h"

#include "data/batchloader.h"
#include "base/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace ood {

TrainReport trainClassifier(ResNetImpl &model, const SampleList &train, const InputSpec &input,
                            const TrainOptions &options, const ProgressCallback &progress)
{
    if (train.samples.empty())
        throw Error("no training images");
    if (train.classNames.size() != model.numClasses())
        throw Error("the training folder has " + std::to_string(train.classNames.size()) +
                    " classes but the model has " + std::to_string(model.numClasses()));
    for (const Sample &s : train.samples)
        if (s.label < 0)
            throw Error("training needs labelled images (ImageFolder layout)");

    const int previousThreads = at::get_num_threads();
    at::set_num_threads(std::max(1, options.computeThreads));
    struct RestoreThreads
    {
        int threads;
        ~RestoreThreads() { at::set_num_threads(threads); }
    } restore{previousThreads};
    torch::manual_seed(options.seed);
    std::mt19937_64 shuffler(options.seed);
    torch::optim::SGD optimizer(model.parameters(), torch::optim::SGDOptions(options.learningRate)
                                                        .momentum(options.momentum)
                                                        .weight_decay(options.weightDecay));
    const size_t batchesPerEpoch = (train.samples.size() + static_cast<size_t>(options.batchSize) - 1) /
                                   static_cast<size_t>(options.batchSize);
    const size_t totalSteps = batchesPerEpoch * static_cast<size_t>(options.epochs);
    size_t step = 0;
    TrainReport report;
    model.train();
    for (int epoch = 0; epoch < options.epochs; ++epoch) {
        std::vector<Sample> order = train.samples;
        std::shuffle(order.begin(), order.end(), shuffler);
        BatchLoader loader(order, input, options.batchSize, options.decodeWorkers);
        double lossSum = 0, abetLossSum = 0;
        int64_t correct = 0, abetCorrect = 0, seen = 0;
        Batch batch;
        const std::string stage = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(options.epochs);
        size_t done = 0;
        while (loader.next(batch)) {
            done += batch.sampleIndices.size() + batch.errors.size();
            report.failedImages += batch.errors.size();
            if (!batch.input.defined() || batch.input.size(0) < 2)
                continue; // BatchNorm cannot train on a single image
            std::vector<int64_t> labels;
            for (size_t index : batch.sampleIndices)
                labels.push_back(order[index].label);
            at::Tensor x = batch.input;
            if (options.horizontalFlip) {
                const at::Tensor flip = torch::rand({x.size(0)}) < 0.5;
                x = torch::where(flip.view({-1, 1, 1, 1}), x.flip({3}), x);
            }
            const at::Tensor target = torch::tensor(labels, torch::kInt64);
            const double lr =
                0.5 * options.learningRate *
                (1 + std::cos(M_PI * static_cast<double>(step) / static_cast<double>(totalSteps)));
            for (auto &group : optimizer.param_groups())
                static_cast<torch::optim::SGDOptions &>(group.options()).lr(lr);
            optimizer.zero_grad();
            const ResNetOutputs out = model.forwardAll(x, false, false, !options.abetTrainsBackbone);
            const at::Tensor loss = torch::nn::functional::cross_entropy(out.logits, target);
            at::Tensor abetLoss;
            if (out.abetLogits.defined()) {
                abetLoss = torch::nn::functional::cross_entropy(out.abetLogits, target);
                (loss + abetLoss).backward();
            } else {
                loss.backward();
            }
            optimizer.step();
            ++step;
            const auto count = static_cast<double>(labels.size());
            lossSum += loss.item<double>() * count;
            correct += out.logits.argmax(1).eq(target).sum().item<int64_t>();
            if (abetLoss.defined()) {
                abetLossSum += abetLoss.item<double>() * count;
                abetCorrect += out.abetLogits.argmax(1).eq(target).sum().item<int64_t>();
            }
            seen += static_cast<int64_t>(labels.size());
            if (progress && !progress({stage, done, order.size()}))
                throw Cancelled();
        }
        report.epochLoss.push_back(seen ? lossSum / static_cast<double>(seen) : NAN);
        report.epochAccuracy.push_back(seen ? static_cast<double>(correct) / static_cast<double>(seen) : NAN);
        if (model.hasAbetHeads()) {
            report.epochAbetLoss.push_back(seen ? abetLossSum / static_cast<double>(seen) : NAN);
            report.epochAbetAccuracy.push_back(
                seen ? static_cast<double>(abetCorrect) / static_cast<double>(seen) : NAN);
        }
    }
    model.eval();
    return report;
}

} // namespace ood
