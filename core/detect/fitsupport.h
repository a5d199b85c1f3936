#pragma once
// Small checks and helpers shared by the detectors' fit() functions. Internal to core.

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

} // namespace ood::fitsupport
