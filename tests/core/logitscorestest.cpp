// MSP, MaxLogit, Energy and Entropy against closed forms evaluated with plain double arithmetic.

#include "detect/registry.h"

#include <QtTest>

#include <torch/torch.h>

#include <cmath>

using namespace ood;

namespace {

std::vector<double> row(const std::vector<std::vector<double>> &rows, size_t i)
{
    return rows[i];
}

double lse(const std::vector<double> &z)
{
    double sum = 0;
    for (double v : z)
        sum += std::exp(v);
    return std::log(sum);
}

at::Tensor scoreOf(const std::string &id, const at::Tensor &logits)
{
    auto detector = createDetector(id);
    Activations a;
    a.logits = logits;
    a.features = torch::zeros({logits.size(0), 2});
    ScoreContext context{a, {}, nullptr, torch::zeros({logits.size(1), 2}), torch::zeros({logits.size(1)})};
    return detector->score(context);
}

} // namespace

class LogitScoresTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void closedForms_data()
    {
        QTest::addColumn<QString>("id");
        QTest::newRow("msp") << "msp";
        QTest::newRow("maxlogit") << "maxlogit";
        QTest::newRow("energy") << "energy";
        QTest::newRow("entropy") << "entropy";
    }

    void closedForms()
    {
        QFETCH(QString, id);
        // Row 0: z = (2,1,0): LSE = log(e^2 + e + 1) = 2.4076059644; p_max = e^2/11.1073379 = 0.6652409558.
        // Row 1: uniform logits: LSE = log 3, p = 1/3, H = log 3.
        // Row 2: a confident row where p_min < 1e-6 so NERO's clip matters for the entropy.
        const std::vector<std::vector<double>> z = {{2, 1, 0}, {0, 0, 0}, {20, 0, -1}};
        const at::Tensor logits =
            torch::tensor({2.f, 1.f, 0.f, 0.f, 0.f, 0.f, 20.f, 0.f, -1.f}).reshape({3, 3});
        const at::Tensor s = scoreOf(id.toStdString(), logits);
        QCOMPARE(s.scalar_type(), torch::kFloat64);
        QCOMPARE(s.size(0), 3);
        for (size_t i = 0; i < z.size(); ++i) {
            const std::vector<double> v = row(z, i);
            const double l = lse(v);
            double expected = 0;
            if (id == "msp") {
                expected = -std::exp(*std::max_element(v.begin(), v.end()) - l);
            } else if (id == "maxlogit") {
                expected = -*std::max_element(v.begin(), v.end());
            } else if (id == "energy") {
                expected = -l;
            } else {
                for (double x : v) {
                    const double p = std::max(std::exp(x - l), 1e-6);
                    expected -= p * std::log(p);
                }
            }
            // MSP and entropy are computed in float32 like the reference: compare at 1e-6.
            QVERIFY2(std::abs(s[static_cast<long>(i)].item<double>() - expected) < 1e-6,
                     qPrintable(QString("%1 row %2: %3 vs %4")
                                    .arg(id)
                                    .arg(i)
                                    .arg(s[static_cast<long>(i)].item<double>(), 0, 'g', 12)
                                    .arg(expected, 0, 'g', 12)));
        }
        QVERIFY(std::abs(s[0].item<double>() - (id == "msp"      ? -0.6652409558
                                                : id == "energy" ? -2.4076059644
                                                                 : s[0].item<double>())) < 1e-6);
    }

    void higherMeansMoreUnusual()
    {
        // A confident frame must score lower (less OOD) than a uniform one, for every logit score.
        const at::Tensor logits = torch::tensor({8.f, 0.f, 0.f, 0.f, 0.f, 0.f}).reshape({2, 3});
        for (const char *id : {"msp", "maxlogit", "energy", "entropy"}) {
            const at::Tensor s = scoreOf(id, logits);
            QVERIFY2(s[0].item<double>() < s[1].item<double>(), id);
        }
    }

    void energyTemperature()
    {
        auto detector = createDetector("energy");
        detector->setSetting("temperature", 2.0);
        Activations a;
        a.logits = torch::tensor({2.f, 0.f}).reshape({1, 2});
        a.features = torch::zeros({1, 1});
        ScoreContext context{a, {}, nullptr, torch::zeros({2, 1}), torch::zeros({2})};
        // -T log(e^{2/2} + e^0) = -2 log(e + 1) = -2.6265233
        QVERIFY(std::abs(detector->score(context)[0].item<double>() + 2 * std::log(std::exp(1.0) + 1)) <
                1e-12);
    }
};

QTEST_GUILESS_MAIN(LogitScoresTest)
#include "logitscorestest.moc"
