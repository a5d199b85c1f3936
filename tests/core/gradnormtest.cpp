// GradNorm's closed form against autograd on the reference loss sum_c -log softmax(Wh+b)_c.

#include "detect/registry.h"
#include "support/linearbackbone.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

class GradNormTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void matchesAutograd()
    {
        torch::manual_seed(7);
        const at::Tensor w = torch::randn({4, 6}, torch::kFloat64), b = torch::randn({4}, torch::kFloat64);
        const at::Tensor h = torch::rand({5, 6}, torch::kFloat64) * 3;
        auto detector = createDetector("gradnorm");
        const at::Tensor s = test::scoreFeatures(*detector, h, w, b);
        for (int64_t i = 0; i < h.size(0); ++i) {
            at::Tensor weight = w.clone().set_requires_grad(true);
            const at::Tensor logits = torch::addmm(b, h[i].unsqueeze(0), weight.t());
            const at::Tensor loss = -torch::log_softmax(logits, 1).sum();
            loss.backward();
            const double reference = weight.grad().abs().sum().item<double>();
            // Features pass through float32 in the activations: relative 1e-6.
            QVERIFY2(std::abs(-s[i].item<double>() - reference) < 1e-6 * reference,
                     qPrintable(QString("%1 vs %2").arg(-s[i].item<double>()).arg(reference)));
        }
    }
};

QTEST_GUILESS_MAIN(GradNormTest)
#include "gradnormtest.moc"
