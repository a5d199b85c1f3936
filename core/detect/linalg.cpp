#include "detect/linalg.h"

#include "base/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ood::linalg {

Matrix toMatrix(const at::Tensor &tensor)
{
    if (tensor.dim() != 2)
        throw Error("internal: expected a 2-D tensor, got " + std::to_string(tensor.dim()) + "-D");
    const at::Tensor t = tensor.to(torch::kFloat64).contiguous();
    return Eigen::Map<const Matrix>(t.data_ptr<double>(), t.size(0), t.size(1));
}

Vector toVector(const at::Tensor &tensor)
{
    const at::Tensor t = tensor.to(torch::kFloat64).contiguous().reshape({-1});
    return Eigen::Map<const Vector>(t.data_ptr<double>(), t.numel());
}

at::Tensor toTensor(const Matrix &matrix)
{
    at::Tensor out = torch::empty({matrix.rows(), matrix.cols()}, torch::kFloat64);
    Eigen::Map<Matrix>(out.data_ptr<double>(), matrix.rows(), matrix.cols()) = matrix;
    return out;
}

at::Tensor toTensor(const Vector &vector)
{
    at::Tensor out = torch::empty({vector.size()}, torch::kFloat64);
    Eigen::Map<Vector>(out.data_ptr<double>(), vector.size()) = vector;
    return out;
}

SymmetricEigen symmetricEigenDescending(const Matrix &symmetric)
{
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(symmetric);
    if (solver.info() != Eigen::Success)
        throw Error("eigen-decomposition failed (non-finite statistics?)");
    const Eigen::Index n = symmetric.rows();
    SymmetricEigen result;
    result.values.resize(n);
    result.vectors.resize(n, n);
    // Eigen sorts ascending; reverse so component 0 has the largest variance.
    for (Eigen::Index i = 0; i < n; ++i) {
        result.values(i) = solver.eigenvalues()(n - 1 - i);
        result.vectors.col(i) = solver.eigenvectors().col(n - 1 - i);
    }
    return result;
}

Matrix pinvh(const Matrix &symmetric)
{
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(symmetric);
    if (solver.info() != Eigen::Success)
        throw Error("eigen-decomposition failed (non-finite statistics?)");
    const Vector &values = solver.eigenvalues();
    const double largest = values.cwiseAbs().maxCoeff();
    const double tolerance =
        static_cast<double>(symmetric.rows()) * std::numeric_limits<double>::epsilon() * largest;
    Vector inverted(values.size());
    for (Eigen::Index i = 0; i < values.size(); ++i)
        inverted(i) = std::abs(values(i)) > tolerance ? 1.0 / values(i) : 0.0;
    const Eigen::MatrixXd &v = solver.eigenvectors();
    return v * inverted.asDiagonal() * v.transpose();
}

Matrix pinv(const Matrix &matrix)
{
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(matrix, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const Vector &sv = svd.singularValues();
    const double cutoff = 1e-15 * (sv.size() ? sv.maxCoeff() : 0.0);
    Vector inverted(sv.size());
    for (Eigen::Index i = 0; i < sv.size(); ++i)
        inverted(i) = sv(i) > cutoff ? 1.0 / sv(i) : 0.0;
    return svd.matrixV() * inverted.asDiagonal() * svd.matrixU().transpose();
}

Matrix secondMomentAbout(const Matrix &x, const Vector &centre)
{
    const Matrix centred = x.rowwise() - centre.transpose();
    return (centred.transpose() * centred) / static_cast<double>(x.rows());
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        throw Error("percentile of an empty set");
    std::sort(values.begin(), values.end());
    const double q = (p / 100.0) * static_cast<double>(values.size() - 1);
    const auto lower = static_cast<size_t>(std::floor(q));
    const auto upper = static_cast<size_t>(std::ceil(q));
    return values[lower] + (q - static_cast<double>(lower)) * (values[upper] - values[lower]);
}

} // namespace ood::linalg
