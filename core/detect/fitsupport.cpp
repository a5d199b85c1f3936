#include "detect/fitsupport.h"

#include "base/error.h"

#include <torch/torch.h>

#include <map>

namespace ood::fitsupport {

void requireTrain(const FitContext &context, const std::string &detectorId, int64_t minimum, bool needLabels)
{
    if (context.train.size() < minimum)
        throw Error("detector '" + detectorId + "' needs at least " + std::to_string(minimum) +
                    " training images, got " + std::to_string(context.train.size()));
    if (needLabels) {
        if (!context.train.labels.defined() || (context.train.labels < 0).any().item<bool>())
            throw Error("detector '" + detectorId +
                        "' needs labelled training images (an ImageFolder with class sub-folders)");
    }
}

std::vector<int64_t> labelsOf(const at::Tensor &labels)
{
    const at::Tensor l = labels.to(torch::kInt64).contiguous();
    return {l.data_ptr<int64_t>(), l.data_ptr<int64_t>() + l.numel()};
}

linalg::Matrix classMeans(const linalg::Matrix &x, const std::vector<int64_t> &labels,
                          std::vector<int64_t> &classes)
{
    std::map<int64_t, std::pair<linalg::Vector, int64_t>> sums;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        auto &[sum, count] = sums[labels[static_cast<size_t>(i)]];
        if (count == 0)
            sum = linalg::Vector::Zero(x.cols());
        sum += x.row(i).transpose();
        ++count;
    }
    classes.clear();
    linalg::Matrix means(static_cast<Eigen::Index>(sums.size()), x.cols());
    Eigen::Index row = 0;
    for (const auto &[label, sumAndCount] : sums) {
        classes.push_back(label);
        means.row(row++) = (sumAndCount.first / static_cast<double>(sumAndCount.second)).transpose();
    }
    return means;
}

ClassGaussians classGaussians(const linalg::Matrix &x, const std::vector<int64_t> &labels)
{
    ClassGaussians result;
    result.means = classMeans(x, labels, result.classes);
    std::map<int64_t, Eigen::Index> rowOf;
    for (size_t c = 0; c < result.classes.size(); ++c)
        rowOf[result.classes[c]] = static_cast<Eigen::Index>(c);
    linalg::Matrix centred = x;
    for (Eigen::Index i = 0; i < x.rows(); ++i)
        centred.row(i) -= result.means.row(rowOf[labels[static_cast<size_t>(i)]]);
    result.tiedCovariance = (centred.transpose() * centred) / static_cast<double>(x.rows());
    return result;
}

at::Tensor squaredMahalanobis(const at::Tensor &h, const at::Tensor &centres, const at::Tensor &precision)
{
    // [N,K,D] stays small for a batch.
    const at::Tensor diff = h.to(torch::kFloat64).unsqueeze(1) - centres.unsqueeze(0);
    return (torch::matmul(diff, precision) * diff).sum(2);
}

} // namespace ood::fitsupport
