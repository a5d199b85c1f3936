// NERO: relevance conservation, a hand-checked relevance, and the whole score against an
// independent re-derivation of NERO's run_nero.py steps (PCA by SVD as sklearn does, explicit
// loops for the relevance and the L1 distances).

#include "detect/registry.h"
#include "detect/headrelevance.h"
#include "support/linearbackbone.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

namespace {

// R_j = sum_c p_c h_j W_cj / z_c, r_b = sum_c p_c b_c / z_c, with explicit loops.
void loopRelevance(const at::Tensor &h, const at::Tensor &w, const at::Tensor &b, at::Tensor &r,
                   at::Tensor &rb)
{
    const int64_t n = h.size(0), d = h.size(1), c = w.size(0);
    r = torch::zeros({n, d}, torch::kFloat64);
    rb = torch::zeros({n}, torch::kFloat64);
    for (int64_t i = 0; i < n; ++i) {
        std::vector<double> z(static_cast<size_t>(c));
        double maxZ = -1e300;
        for (int64_t k = 0; k < c; ++k) {
            double v = b[k].item<double>();
            for (int64_t j = 0; j < d; ++j)
                v += w[k][j].item<double>() * h[i][j].item<double>();
            z[static_cast<size_t>(k)] = v;
            maxZ = std::max(maxZ, v);
        }
        double sum = 0;
        for (double v : z)
            sum += std::exp(v - maxZ);
        for (int64_t k = 0; k < c; ++k) {
            const double p = std::exp(z[static_cast<size_t>(k)] - maxZ) / sum;
            for (int64_t j = 0; j < d; ++j)
                r[i][j] += p * h[i][j].item<double>() * w[k][j].item<double>() / z[static_cast<size_t>(k)];
            rb[i] += p * b[k].item<double>() / z[static_cast<size_t>(k)];
        }
    }
}

at::Tensor nearestL1(const at::Tensor &x, const at::Tensor &centroids)
{
    at::Tensor best = torch::full({x.size(0)}, 1e300, torch::kFloat64);
    for (int64_t c = 0; c < centroids.size(0); ++c)
        best = torch::minimum(best, (x - centroids[c]).abs().sum(1));
    return best;
}

at::Tensor classMeans(const at::Tensor &x, const std::vector<int64_t> &labels, int64_t classes)
{
    at::Tensor means = torch::zeros({classes, x.size(1)}, torch::kFloat64);
    std::vector<double> counts(static_cast<size_t>(classes), 0);
    for (size_t i = 0; i < labels.size(); ++i) {
        means[labels[i]] += x[static_cast<int64_t>(i)];
        counts[static_cast<size_t>(labels[i])] += 1;
    }
    for (int64_t c = 0; c < classes; ++c)
        means[c] /= counts[static_cast<size_t>(c)];
    return means;
}

} // namespace

class NeroTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void relevanceIsConserved()
    {
        torch::manual_seed(1);
        const at::Tensor h = torch::rand({20, 16}), w = torch::randn({4, 16}), b = torch::randn({4});
        const HeadRelevance r = headRelevance(h, w, b);
        const at::Tensor total = r.neurons.sum(1) + r.bias;
        QVERIFY2(torch::allclose(total, torch::ones_like(total), 1e-9, 1e-9),
                 qPrintable(QString::number((total - 1).abs().max().item<double>())));
    }

    void relevanceByHand()
    {
        // h = (1, 2), W = [[1, 0], [0, 1]], b = (1, 0): z = (2, 2), p = (1/2, 1/2).
        // R_1 = 1/2 * 1*1/2 = 0.25, R_2 = 1/2 * 2*1/2 = 0.5, r_b = 1/2 * 1/2 = 0.25.
        const HeadRelevance r = headRelevance(torch::tensor({1.f, 2.f}).reshape({1, 2}), torch::eye(2),
                                              torch::tensor({1.f, 0.f}));
        QVERIFY(std::abs(r.neurons[0][0].item<double>() - 0.25) < 1e-12);
        QVERIFY(std::abs(r.neurons[0][1].item<double>() - 0.5) < 1e-12);
        QVERIFY(std::abs(r.bias[0].item<double>() - 0.25) < 1e-12);
    }

    void matchesIndependentDerivation()
    {
        torch::manual_seed(42);
        const int64_t d = 12, classes = 3, n = 45;
        const at::Tensor w =
            torch::randn({classes, d}, torch::kFloat64).to(torch::kFloat32).to(torch::kFloat64);
        const at::Tensor b =
            (torch::randn({classes}, torch::kFloat64) + 2).to(torch::kFloat32).to(torch::kFloat64);
        std::vector<int64_t> labels;
        at::Tensor train = torch::zeros({n, d}, torch::kFloat64);
        for (int64_t i = 0; i < n; ++i) {
            labels.push_back(i % classes);
            // Post-ReLU-like features with a class-dependent pattern.
            train[i] = torch::relu(torch::randn({d}, torch::kFloat64) + w[i % classes])
                           .to(torch::kFloat32)
                           .to(torch::kFloat64);
        }
        const at::Tensor test =
            torch::relu(torch::randn({7, d}, torch::kFloat64)).to(torch::kFloat32).to(torch::kFloat64);

        auto detector = createDetector("nero");
        detector->setSetting("least_relevant", 5); // k < D so the feature-norm factor matters
        detector->fit(test::trainContext(train, labels, w, b));
        const at::Tensor s = test::scoreFeatures(*detector, test, w, b);

        at::Tensor rTrain, rbTrain, rTest, rbTest;
        loopRelevance(train, w, b, rTrain, rbTrain);
        loopRelevance(test, w, b, rTest, rbTest);
        // PCA with floor(2D/3) = 8 components by SVD of the centred training relevance.
        const int64_t components = 2 * d / 3;
        const at::Tensor mean = rTrain.mean(0);
        const at::Tensor vt = std::get<2>(torch::linalg_svd(rTrain - mean, false)).narrow(0, 0, components);
        const at::Tensor centroids = classMeans(torch::matmul(rTrain - mean, vt.t()), labels, classes);
        const at::Tensor distance = nearestL1(torch::matmul(rTest - mean, vt.t()), centroids);
        // Bias scaling on the full relevance [R; r_b], no PCA.
        const at::Tensor fullTrain = torch::cat({rTrain, rbTrain.unsqueeze(1)}, 1);
        const double scale =
            nearestL1(fullTrain, classMeans(fullTrain, labels, classes)).mean().item<double>() /
            rbTrain.abs().mean().item<double>();
        for (int64_t i = 0; i < test.size(0); ++i) {
            const at::Tensor order = std::get<1>(rTest[i].sort(true, 0, false)).narrow(0, 0, 5);
            const double phi = test[i].index_select(0, order).abs().sum().item<double>() /
                               test[i].abs().sum().item<double>();
            const double expected =
                (distance[i].item<double>() + scale * std::abs(rbTest[i].item<double>())) * phi;
            QVERIFY2(std::abs(s[i].item<double>() - expected) < 1e-8 * std::max(1.0, std::abs(expected)),
                     qPrintable(QString("sample %1: %2 vs %3")
                                    .arg(i)
                                    .arg(s[i].item<double>(), 0, 'g', 15)
                                    .arg(expected, 0, 'g', 15)));
        }
    }
};

QTEST_GUILESS_MAIN(NeroTest)
#include "nerotest.moc"
