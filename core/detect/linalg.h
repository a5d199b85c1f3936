#pragma once
// Float64 linear algebra for fitting detectors (Eigen), and the bridges to and from tensors.
// Internal to core.

#include <ATen/core/Tensor.h>
#include <Eigen/Dense>

#include <vector>

namespace ood::linalg {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXd;

/// 2-D tensor (any float dtype) -> row-major float64 matrix (copied).
Matrix toMatrix(const at::Tensor &tensor);
/// 1-D tensor -> float64 vector (copied).
Vector toVector(const at::Tensor &tensor);
at::Tensor toTensor(const Matrix &matrix); ///< [rows, cols] float64
at::Tensor toTensor(const Vector &vector); ///< [n] float64

/// Eigenvalues in descending order with their eigenvectors as columns (self-adjoint solver).
struct SymmetricEigen
{
    Vector values;
    Matrix vectors;
};
SymmetricEigen symmetricEigenDescending(const Matrix &symmetric);

/// Pseudo-inverse of a symmetric PSD matrix as scipy.linalg.pinvh: eigenvalues with
/// |lambda| <= D * eps * max|lambda| are treated as zero.
Matrix pinvh(const Matrix &symmetric);
/// Moore-Penrose pseudo-inverse through the SVD, cut-off as numpy.linalg.pinv (rcond 1e-15).
Matrix pinv(const Matrix &matrix);

/// Biased covariance (divides by N) of the rows of `x` about `centre`.
Matrix secondMomentAbout(const Matrix &x, const Vector &centre);

/// numpy.percentile with linear interpolation (P in [0,100]).
double percentile(std::vector<double> values, double p);

} // namespace ood::linalg
