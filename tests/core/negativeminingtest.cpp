// Negative-label mining (methods.md §11) against a direct evaluation of its formulas: candidate
// lists built by hand from small word lists, similarities and selections computed with plain
// loops in double precision.

#include "detect/negativemining.h"

#include <QtTest>

#include <torch/torch.h>

#include <algorithm>
#include <numeric>

using namespace ood;

namespace {

std::vector<WordList> smallLists()
{
    // Out of order on purpose (the files are read sorted), with an excluded file, a duplicate
    // across files and an ID label among the nouns.
    return {
        {"noun.person", {"surgeon", "nurse"}},
        {"noun.artifact", {"scalpel", "bird_feeder", "normal_cecum"}},
        {"adj.all", {"bright", "dull", "scalpel"}},
        {"adj.pert", {"gastric"}},
        {"noun.plant", {"fern", "bright"}},
        {"noun.animal", {"dog"}},
        {"verb.motion", {"run"}},
    };
}

/// The q-quantile of `values` with linear interpolation (numpy's default, torch.quantile's).
double quantileOf(std::vector<double> values, double q)
{
    std::sort(values.begin(), values.end());
    const double position = q * static_cast<double>(values.size() - 1);
    const auto below = static_cast<size_t>(std::floor(position));
    const size_t above = std::min(below + 1, values.size() - 1);
    return values[below] + (position - static_cast<double>(below)) * (values[above] - values[below]);
}

} // namespace

class NegativeMiningTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void negRefineCandidates()
    {
        const NegativeCandidates c =
            negativeCandidates(smallLists(), MiningVariant::NegRefine, {"normal cecum", "normal pylorus"}, 0);
        // Sorted files: adj.all, (adj.pert excluded), (noun.animal not in NegLabel's lists),
        // noun.artifact, (noun.person excluded), noun.plant, verb.motion ignored. "scalpel" is first
        // seen as an adjective, so the noun is a duplicate; "bright" likewise; "normal cecum" is an
        // ID label.
        QCOMPARE(c.nouns, (std::vector<std::string>{"bird feeder", "fern"}));
        // Python: random.seed(0); [random.choice(range(14)) for _ in range(3)] == [13, 6, 12]:
        // suffixes "creature", "area", "vista".
        QCOMPARE(c.adjectives, (std::vector<std::string>{"bright creature", "dull area", "scalpel vista"}));
    }

    void negLabelCandidates()
    {
        const NegativeCandidates c =
            negativeCandidates(smallLists(), MiningVariant::NegLabel, {"normal_cecum"}, 0);
        // NegLabel keeps the words as written and does not skip ID labels.
        QCOMPARE(c.nouns, (std::vector<std::string>{"bird_feeder", "normal_cecum", "fern"}));
        QCOMPARE(c.adjectives, (std::vector<std::string>{"bright", "dull", "scalpel"}));
    }

    void similarityAndSelection_data()
    {
        QTest::addColumn<double>("quantile");
        QTest::addColumn<bool>("nearSynonyms");
        QTest::newRow("negrefine: max, near-synonyms out") << 1.0 << true;
        QTest::newRow("neglabel: 0.95 quantile") << 0.95 << false;
    }

    void similarityAndSelection()
    {
        QFETCH(double, quantile);
        QFETCH(bool, nearSynonyms);
        torch::manual_seed(7);
        const int64_t k = 200, c = 3;
        at::Tensor cosines = torch::rand({k, c}, torch::kFloat32) * 1.2 - 0.2; // some above 0.95
        const at::Tensor similarity = candidateSimilarity(cosines, quantile, nearSynonyms);
        std::vector<double> expected(k);
        for (int64_t i = 0; i < k; ++i) {
            std::vector<double> row(c);
            double maximum = -1e9;
            for (int64_t j = 0; j < c; ++j) {
                row[j] = cosines[i][j].item<double>();
                maximum = std::max(maximum, row[j]);
            }
            expected[i] = quantileOf(row, quantile);
            if (nearSynonyms && maximum > 0.95)
                expected[i] = 1.0;
            QVERIFY2(std::abs(similarity[i].item<double>() - expected[i]) < 1e-6,
                     qPrintable(QString::number(i)));
        }
        const std::vector<int64_t> selected = lowestShare(similarity, 0.15);
        QCOMPARE(selected.size(), size_t(30)); // floor(0.15 * 200)
        std::vector<int64_t> order(k);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
            return similarity[a].item<float>() < similarity[b].item<float>();
        });
        QCOMPARE(selected, std::vector<int64_t>(order.begin(), order.begin() + 30));
    }

    void shareRoundsDown()
    {
        QCOMPARE(lowestShare(torch::arange(6, torch::kFloat32), 0.15).size(), size_t(0)); // floor(0.9)
        QCOMPARE(lowestShare(torch::arange(7, torch::kFloat32), 0.15).size(), size_t(1)); // floor(1.05)
    }
};

QTEST_GUILESS_MAIN(NegativeMiningTest)
#include "negativeminingtest.moc"
