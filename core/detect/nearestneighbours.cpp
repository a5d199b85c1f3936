#include "detect/nearestneighbours.h"

#include "base/error.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/FaissException.h>
#include <faiss/utils/distances.h>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

namespace ood::nn {

namespace {

void configureFaiss()
{
    // Above this many queries FAISS computes exact distances through sgemm. Debian's FAISS calls
    // the system BLAS, which is the single-threaded netlib reference here: measured on the
    // project machine it is ~2x slower than FAISS's own per-pair loop run on all OpenMP threads
    // (docs/benchmarks.md), so the loop is used for every batch size. Results are equal to
    // float32 rounding either way.
    static std::once_flag once;
    std::call_once(once, [] { faiss::distance_compute_blas_threshold = std::numeric_limits<int>::max(); });
}

/// Float32 contiguous [N,D] copy of `rows`, checked.
at::Tensor floatRows(const at::Tensor &rows, const char *what)
{
    if (!rows.defined() || rows.dim() != 2)
        throw Error(std::string("nearest neighbours: the ") + what +
                    " must be a 2-D [rows, features] tensor");
    if (rows.size(1) < 1)
        throw Error(std::string("nearest neighbours: the ") + what + " has no features");
    return rows.to(torch::kFloat32).contiguous();
}

template <typename Call> auto faissCall(const char *what, Call &&call)
{
    try {
        return call();
    } catch (const faiss::FaissException &e) {
        throw Error(std::string("nearest neighbours: FAISS failed to ") + what + ": " + e.what());
    }
}

} // namespace

NearestNeighbours::NearestNeighbours() = default;
NearestNeighbours::~NearestNeighbours() = default;
NearestNeighbours::NearestNeighbours(NearestNeighbours &&) noexcept = default;
NearestNeighbours &NearestNeighbours::operator=(NearestNeighbours &&) noexcept = default;

int64_t NearestNeighbours::defaultListCount(int64_t n)
{
    const auto root = static_cast<int64_t>(std::floor(std::sqrt(static_cast<double>(n))));
    return std::max<int64_t>(1, std::min(root, n / 39));
}

NearestNeighbours NearestNeighbours::exact(const at::Tensor &bank)
{
    configureFaiss();
    const at::Tensor rows = floatRows(bank, "bank");
    if (rows.size(0) < 1)
        throw Error("nearest neighbours: the bank is empty");
    NearestNeighbours result;
    result.m_exact = true;
    result.m_size = rows.size(0);
    result.m_dimension = rows.size(1);
    auto index = std::make_unique<faiss::IndexFlatL2>(rows.size(1));
    faissCall("build the exact index", [&] { index->add(rows.size(0), rows.data_ptr<float>()); });
    result.m_index = std::move(index);
    return result;
}

namespace {

std::unique_ptr<faiss::IndexIVFFlat> emptyIvf(int64_t dimension, int64_t nlist)
{
    auto ivf = std::make_unique<faiss::IndexIVFFlat>(new faiss::IndexFlatL2(dimension), dimension, nlist);
    ivf->own_fields = true;
    return ivf;
}

} // namespace

NearestNeighbours NearestNeighbours::ivf(const at::Tensor &bank, int64_t nlist, int64_t nprobe)
{
    configureFaiss();
    const at::Tensor rows = floatRows(bank, "bank");
    const int64_t n = rows.size(0);
    if (nlist < 1 || nlist > n)
        throw Error("nearest neighbours: an IVF index over " + std::to_string(n) + " rows needs 1 to " +
                    std::to_string(n) + " lists, got " + std::to_string(nlist));
    if (nprobe < 1)
        throw Error("nearest neighbours: nprobe must be at least 1, got " + std::to_string(nprobe));
    at::init_num_threads();
    auto ivf = emptyIvf(rows.size(1), nlist);
    // k-means only places the cells: a few iterations on a sample is enough for that, and keeps
    // training seconds rather than minutes on the reference BLAS. The sample and the initial
    // centroids come from ClusteringParameters::seed (fixed), so training is reproducible.
    ivf->cp.niter = 10;
    ivf->cp.max_points_per_centroid = 64;
    ivf->cp.verbose = false;
    faissCall("train the IVF cells", [&] { ivf->train(n, rows.data_ptr<float>()); });
    const float *centroids = static_cast<const faiss::IndexFlatL2 *>(ivf->quantizer)->get_xb();
    const at::Tensor centroidTensor =
        torch::from_blob(const_cast<float *>(centroids), {nlist, rows.size(1)}, torch::kFloat32).clone();
    return ivfWithCentroids(rows, centroidTensor, nprobe);
}

NearestNeighbours NearestNeighbours::ivfWithCentroids(const at::Tensor &bank, const at::Tensor &centroids,
                                                      int64_t nprobe)
{
    configureFaiss();
    const at::Tensor rows = floatRows(bank, "bank");
    const at::Tensor cells = floatRows(centroids, "IVF centroids");
    if (rows.size(0) < 1)
        throw Error("nearest neighbours: the bank is empty");
    if (cells.size(1) != rows.size(1))
        throw Error("nearest neighbours: IVF centroids have " + std::to_string(cells.size(1)) +
                    " features, the bank has " + std::to_string(rows.size(1)));
    const int64_t nlist = cells.size(0);
    if (nlist < 1 || nlist > rows.size(0))
        throw Error("nearest neighbours: " + std::to_string(nlist) + " IVF centroids for " +
                    std::to_string(rows.size(0)) + " bank rows");
    if (nprobe < 1)
        throw Error("nearest neighbours: nprobe must be at least 1, got " + std::to_string(nprobe));
    auto ivf = emptyIvf(rows.size(1), nlist);
    faissCall("build the IVF index", [&] {
        ivf->quantizer->add(nlist, cells.data_ptr<float>());
        ivf->is_trained = true; // the cells are given: nothing left to learn
        ivf->nprobe = static_cast<size_t>(std::min(nprobe, nlist));
        ivf->add(rows.size(0), rows.data_ptr<float>());
    });
    NearestNeighbours result;
    result.m_exact = false;
    result.m_size = rows.size(0);
    result.m_dimension = rows.size(1);
    result.m_nlist = nlist;
    result.m_nprobe = static_cast<int64_t>(ivf->nprobe);
    result.m_index = std::move(ivf);
    return result;
}

at::Tensor NearestNeighbours::centroids() const
{
    if (m_exact || !m_index)
        return {};
    const auto *ivf = static_cast<const faiss::IndexIVFFlat *>(m_index.get());
    const float *xb = static_cast<const faiss::IndexFlatL2 *>(ivf->quantizer)->get_xb();
    return torch::from_blob(const_cast<float *>(xb), {m_nlist, m_dimension}, torch::kFloat32).clone();
}

Neighbours NearestNeighbours::search(const at::Tensor &queries, int64_t k) const
{
    if (!m_index)
        throw Error("nearest neighbours: search before the index was built");
    const at::Tensor q = floatRows(queries, "queries");
    if (q.size(1) != m_dimension)
        throw Error("nearest neighbours: queries have " + std::to_string(q.size(1)) +
                    " features, the bank has " + std::to_string(m_dimension));
    if (k < 1 || k > m_size)
        throw Error("nearest neighbours: k = " + std::to_string(k) + " is outside 1.." +
                    std::to_string(m_size) + " (the bank size)");
    const int64_t count = q.size(0);
    Neighbours result{torch::empty({count, k}, torch::kFloat32), torch::empty({count, k}, torch::kInt64)};
    if (count == 0)
        return result;
    static_assert(sizeof(faiss::Index::idx_t) == sizeof(int64_t), "FAISS labels are 64-bit");
    auto *labels = reinterpret_cast<faiss::Index::idx_t *>(result.indices.data_ptr<int64_t>());
    float *distances = result.distances.data_ptr<float>();
    at::init_num_threads(); // LibTorch's thread count for this thread's OpenMP regions
    faissCall("search", [&] { m_index->search(count, q.data_ptr<float>(), k, distances, labels); });
    if (!m_exact) {
        // Rows whose nprobe cells held fewer than k bank rows come back padded with -1; visiting
        // every cell makes the IVF search exhaustive, so those rows get their true neighbours.
        const at::Tensor incomplete = (result.indices.select(1, k - 1) < 0).nonzero().reshape({-1});
        if (incomplete.numel() > 0) {
            const at::Tensor redo = q.index_select(0, incomplete).contiguous();
            Neighbours full{torch::empty({redo.size(0), k}, torch::kFloat32),
                            torch::empty({redo.size(0), k}, torch::kInt64)};
            faiss::SearchParametersIVF everyCell;
            everyCell.nprobe = static_cast<size_t>(m_nlist);
            faissCall("search", [&] {
                m_index->search(redo.size(0), redo.data_ptr<float>(), k, full.distances.data_ptr<float>(),
                                reinterpret_cast<faiss::Index::idx_t *>(full.indices.data_ptr<int64_t>()),
                                &everyCell);
            });
            result.distances.index_copy_(0, incomplete, full.distances);
            result.indices.index_copy_(0, incomplete, full.indices);
        }
    }
    return result;
}

at::Tensor NearestNeighbours::kthSquaredDistance(const at::Tensor &queries, int64_t k) const
{
    return search(queries, k).distances.select(1, k - 1).contiguous();
}

} // namespace ood::nn
