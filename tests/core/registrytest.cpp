// The detector registry: every registered id creates a working detector with the unified sign.

#include "detect/registry.h"
#include "base/error.h"
#include "support/linearbackbone.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

class RegistryTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void neroTableIds()
    {
        const std::vector<std::string> expected = {"msp",      "odin",        "energy", "entropy",
                                                   "maxlogit", "mahalanobis", "vim",    "neco",
                                                   "react",    "gradnorm",    "nero"};
        const std::vector<std::string> ids = detectorIds();
        for (const std::string &id : expected)
            QVERIFY2(std::find(ids.begin(), ids.end(), id) != ids.end(), id.c_str());
        for (const std::string &id : ids)
            QCOMPARE(createDetector(id)->id(), id);
    }

    void parsesLists()
    {
        QCOMPARE(parseDetectorList(" MSP, nero ,msp"), (std::vector<std::string>{"msp", "nero"}));
        QCOMPARE(parseDetectorList("all"), detectorIds());
        try {
            parseDetectorList("msp,bogus");
            QFAIL("no error for an unknown id");
        } catch (const Error &e) {
            QVERIFY(QString(e.what()).contains("bogus"));
            QVERIFY(QString(e.what()).contains("nero")); // lists the known ids
        }
        QVERIFY_THROWS_EXCEPTION(Error, parseDetectorList(" , "));
    }

    void unknownSettingIsRefused()
    {
        auto detector = createDetector("energy");
        QVERIFY_THROWS_EXCEPTION(Error, detector->setSetting("temprature", 2));
    }

    void everyDetectorSeparatesFarFromTypical()
    {
        // Three well-separated classes; a far-away, low-confidence sample must score higher (more
        // OOD) than typical training samples for every registered detector.
        torch::manual_seed(0);
        const int64_t d = 6, classes = 3, n = 90;
        at::Tensor w = torch::zeros({classes, d});
        for (int64_t c = 0; c < classes; ++c)
            w[c][c] = 4;
        const at::Tensor b = torch::full({classes}, 0.5);
        at::Tensor train = torch::rand({n, d}) * 0.3;
        std::vector<int64_t> labels;
        for (int64_t i = 0; i < n; ++i) {
            labels.push_back(i % classes);
            train[i][i % classes] += 2;
        }
        FitContext context = test::trainContext(train, labels, w, b);
        context.val.features = context.train.features;
        context.val.logits = context.train.logits;
        context.val.labels = context.train.labels;
        const at::Tensor typical = train.narrow(0, 0, 6);
        at::Tensor odd = torch::full({6, d}, 0.3f);
        odd.narrow(1, 3, 3).fill_(2.5);
        test::LinearBackbone backbone(w, b);
        for (const std::string &id : detectorIds()) {
            auto detector = createDetector(id);
            if (!detector->unavailableReason(backbone).empty())
                continue; // AbeT and GROOD need more than a linear model (their own tests cover them)
            if (id == "neco")
                detector->setSetting("dim", 2); // the default 100 would keep every one of the 6 dimensions
            if (id ==
                "scale") // at P = 85, D = 6 keeps k = 1: exp(s1/s2) = e^3.4 for the spread-out odd sample
                detector->setSetting("percentile", 50);
            if (id == "knn")
                detector->setSetting("k", 5); // the default 50 reaches past the 30 samples of a class
            detector->fit(context);
            auto scoreOf = [&](const at::Tensor &x) {
                const Activations a = test::activationsOf(x, w, b);
                ScoreContext sc{a, x, &backbone, w, b};
                return detector->score(sc);
            };
            const double typicalMean = scoreOf(typical).mean().item<double>();
            const double oddMean = scoreOf(odd).mean().item<double>();
            QVERIFY2(oddMean > typicalMean, qPrintable(QString("%1: odd %2 <= typical %3")
                                                           .arg(QString::fromStdString(id))
                                                           .arg(oddMean)
                                                           .arg(typicalMean)));
        }
    }
};

QTEST_GUILESS_MAIN(RegistryTest)
#include "registrytest.moc"
