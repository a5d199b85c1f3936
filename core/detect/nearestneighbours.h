#pragma once
// Squared-L2 nearest-neighbour search over a bank of float rows, backed by FAISS. Internal to
// core; shared by the detectors that need k-NN distances (KNN, GROOD).
//
// Two index kinds:
//  - exact: `faiss::IndexFlatL2`, every bank row is compared with every query;
//  - IVF:   `faiss::IndexIVFFlat`, the bank is split into `nlist` k-means cells and a query only
//           visits its `nprobe` nearest cells (approximate: a true neighbour in an unvisited cell
//           is missed, so the k-th distance can only come out larger than the exact one).
//
// No FAISS object is ever serialised. A caller that persists an index stores the bank (and, for
// IVF, `centroids()`) as tensors and rebuilds with the same calls; rebuilding from stored centroids
// gives the identical index without re-running k-means.
//
// Threading: FAISS parallelises with OpenMP (the same libgomp as LibTorch). Every search first
// applies LibTorch's thread count (at::set_num_threads) to the calling thread, so a search from a
// worker thread uses as many threads as the user configured, not OpenMP's per-thread default.
// Searching one index from several threads at once is safe (FAISS searches are const).

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>

namespace faiss {
struct Index;
}

namespace ood::nn {

/// Result of a k-NN search: squared L2 distances ascending per row, and the bank row of each.
struct Neighbours
{
    at::Tensor distances; ///< [Q,k] float32, squared L2, ascending
    at::Tensor indices;   ///< [Q,k] int64 rows of the bank
};

class NearestNeighbours
{
  public:
    NearestNeighbours();
    ~NearestNeighbours();
    NearestNeighbours(NearestNeighbours &&) noexcept;
    NearestNeighbours &operator=(NearestNeighbours &&) noexcept;

    /// Exact index over `bank` [N,D] (any float dtype; searched in float32). Throws ood::Error for
    /// an empty or non-2-D bank.
    static NearestNeighbours exact(const at::Tensor &bank);

    /// IVF index over `bank` with `nlist` cells found by FAISS k-means (FAISS's fixed seed, so the
    /// same bank gives the same cells): 10 iterations on at most 64 bank rows per cell. Throws
    /// ood::Error unless 1 <= nlist <= N and nprobe >= 1 (nprobe > nlist is clamped to nlist).
    static NearestNeighbours ivf(const at::Tensor &bank, int64_t nlist, int64_t nprobe);
    /// IVF index over `bank` with the given cell centroids [nlist,D] (from centroids()).
    static NearestNeighbours ivfWithCentroids(const at::Tensor &bank, const at::Tensor &centroids,
                                              int64_t nprobe);

    /// The default cell count for an IVF index over n rows: floor(sqrt(n)), at most n/39 (FAISS
    /// warns below 39 training points per cell), at least 1.
    static int64_t defaultListCount(int64_t n);

    bool isValid() const { return m_index != nullptr; }
    bool isExact() const { return m_exact; }
    int64_t size() const { return m_size; }
    int64_t dimension() const { return m_dimension; }
    int64_t listCount() const { return m_nlist; }   ///< 0 for an exact index
    int64_t probeCount() const { return m_nprobe; } ///< 0 for an exact index
    /// IVF cell centroids [nlist,D] float32; undefined for an exact index.
    at::Tensor centroids() const;

    /// The k nearest bank rows of every query row [Q,D]. Throws ood::Error for a wrong shape or
    /// k outside [1, size()]. An IVF query whose visited cells hold fewer than k rows is searched
    /// again over all cells, so every result row is complete.
    Neighbours search(const at::Tensor &queries, int64_t k) const;
    /// The k-th smallest squared L2 distance of every query row: [Q] float32.
    at::Tensor kthSquaredDistance(const at::Tensor &queries, int64_t k) const;

  private:
    std::unique_ptr<faiss::Index> m_index;
    bool m_exact = true;
    int64_t m_size = 0, m_dimension = 0, m_nlist = 0, m_nprobe = 0;
};

} // namespace ood::nn
