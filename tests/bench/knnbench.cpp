// Exact vs IVF k-NN scoring on a large synthetic bank (docs/benchmarks.md, "KNN index").
// Usage: knn-bench [N=50000] [D=512] [queries=1024] [batch=32] [k=50] [nprobe=8] [threads=all cores]
// The bank is ReLU'd rows around 100 random centres, L2-normalised like the KNN detector's.

#include "detect/nearestneighbours.h"

#include <faiss/utils/distances.h>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <thread>

namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

at::Tensor clusteredUnitRows(int64_t n, int64_t d, const at::Tensor &centres)
{
    const at::Tensor which = torch::randint(centres.size(0), {n}, torch::kInt64);
    const at::Tensor x = (centres.index_select(0, which) + torch::randn({n, d})).relu();
    return x / x.norm(2, 1, true).clamp_min(1e-12) + 1e-10f;
}

/// Milliseconds per query when `queries` are searched in batches of `batch`.
double msPerQuery(const ood::nn::NearestNeighbours &index, const at::Tensor &queries, int64_t batch,
                  int64_t k, ood::nn::Neighbours *all = nullptr)
{
    std::vector<at::Tensor> distances, indices;
    const auto start = std::chrono::steady_clock::now();
    for (int64_t s = 0; s < queries.size(0); s += batch) {
        const auto result = index.search(queries.slice(0, s, std::min(queries.size(0), s + batch)), k);
        distances.push_back(result.distances);
        indices.push_back(result.indices);
    }
    const double ms = 1000.0 * secondsSince(start) / static_cast<double>(queries.size(0));
    if (all)
        *all = {torch::cat(distances), torch::cat(indices)};
    return ms;
}

} // namespace

int main(int argc, char **argv)
{
    auto arg = [&](int i, int64_t fallback) { return argc > i ? std::atoll(argv[i]) : fallback; };
    const int64_t n = arg(1, 50000), d = arg(2, 512), nq = arg(3, 1024), batch = arg(4, 32), k = arg(5, 50),
                  nprobe = arg(6, 8);
    // As ood-inspect does: LibTorch (and so FAISS, see nearestneighbours.h) on every core.
    at::set_num_threads(static_cast<int>(arg(7, std::max(1u, std::thread::hardware_concurrency()))));
    torch::manual_seed(1);
    const at::Tensor centres = torch::randn({100, d}) * 0.5;
    const at::Tensor bank = clusteredUnitRows(n, d, centres), queries = clusteredUnitRows(nq, d, centres);
    std::printf("bank %lld x %lld, %lld queries in batches of %lld, k %lld, %d threads\n", (long long)n,
                (long long)d, (long long)nq, (long long)batch, (long long)k, at::get_num_threads());

    auto start = std::chrono::steady_clock::now();
    const auto exact = ood::nn::NearestNeighbours::exact(bank);
    std::printf("exact  build                 %8.2f s\n", secondsSince(start));
    ood::nn::Neighbours truth;
    const double exactMs = msPerQuery(exact, queries, batch, k, &truth);
    std::printf("exact  search                %8.3f ms/query\n", exactMs);
    const int saved = faiss::distance_compute_blas_threshold;
    faiss::distance_compute_blas_threshold = 20; // FAISS's own default: sgemm from 20 queries on
    std::printf("exact  search, FAISS sgemm   %8.3f ms/query\n", msPerQuery(exact, queries, batch, k));
    faiss::distance_compute_blas_threshold = saved;
    std::printf("exact  search, batch 1       %8.3f ms/query\n",
                msPerQuery(exact, queries.slice(0, 0, 128), 1, k));

    const int64_t nlist = ood::nn::NearestNeighbours::defaultListCount(n);
    start = std::chrono::steady_clock::now();
    const auto ivf = ood::nn::NearestNeighbours::ivf(bank, nlist, nprobe);
    std::printf("ivf    train + build         %8.2f s (nlist %lld)\n", secondsSince(start), (long long)nlist);
    start = std::chrono::steady_clock::now();
    const auto reloaded = ood::nn::NearestNeighbours::ivfWithCentroids(bank, ivf.centroids(), nprobe);
    std::printf("ivf    rebuild from centroids%8.2f s\n", secondsSince(start));
    for (int64_t probes : {int64_t{1}, int64_t{4}, nprobe, int64_t{32}}) {
        const auto index = ood::nn::NearestNeighbours::ivfWithCentroids(bank, ivf.centroids(), probes);
        ood::nn::Neighbours approx;
        const double ms = msPerQuery(index, queries, batch, k, &approx);
        int64_t found = 0;
        for (int64_t i = 0; i < nq; ++i) {
            const at::Tensor t = truth.indices[i].contiguous(), a = approx.indices[i].contiguous();
            const std::set<int64_t> exactSet(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + k);
            for (int64_t j = 0; j < k; ++j)
                found += exactSet.count(a.data_ptr<int64_t>()[j]);
        }
        const double ratio =
            (approx.distances.select(1, k - 1) / truth.distances.select(1, k - 1)).mean().item<double>();
        std::printf("ivf    nprobe %-3lld search     %8.3f ms/query  %5.1fx faster  recall@%lld %.4f  "
                    "mean r2_K ivf/exact %.4f\n",
                    (long long)probes, ms, exactMs / ms, (long long)k,
                    static_cast<double>(found) / static_cast<double>(nq * k), ratio);
    }
    return 0;
}
