#pragma once
// Small checks and helpers shared by the detectors' fit() functions (and the distance they share
// at scoring time). Internal to core.

#include "detect/detector.h"
#include "detect/linalg.h"

#include <string>
#include <vector>

namespace ood::fitsupport {

/// Throws ood::Error unless the train split has at least `minimum` samples (and labels when
/// `needLabels`).
void requireTrain(const FitContext &context, const std::string &detectorId, int64_t minimum, bool needLabels);

/// Class means of the rows of `x` for every label present, in ascending label order
/// (numpy.unique order). `classes` receives the labels.
linalg::Matrix classMeans(const linalg::Matrix &x, const std::vector<int64_t> &labels,
                          std::vector<int64_t> &classes);

std::vector<int64_t> labelsOf(const at::Tensor &labels);

/// Class means (as classMeans) and the tied covariance about them, biased (divides by N), as the
/// Mahalanobis-family detectors fit them (docs/detectors.md, Conventions).
struct ClassGaussians
{
    linalg::Matrix means; ///< [C,D], rows in `classes` order
    std::vector<int64_t> classes;
    linalg::Matrix tiedCovariance; ///< [D,D]
};
ClassGaussians classGaussians(const linalg::Matrix &x, const std::vector<int64_t> &labels);

/// (h_n - c_k)^T P (h_n - c_k) for every row of `h` [N,D] and centre [K,D]: [N,K] float64.
at::Tensor squaredMahalanobis(const at::Tensor &h, const at::Tensor &centres, const at::Tensor &precision);

} // namespace ood::fitsupport
