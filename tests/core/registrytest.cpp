// The detector registry: every registered id creates a working detector with the unified sign.

#include "detect/detectorwords.h"
#include "detect/gradientpass.h"
#include "detect/registry.h"
#include "base/error.h"
#include "support/linearbackbone.h"

#include <QtTest>

#include <torch/torch.h>

#include <set>

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

    void descriptorsDescribeWithoutConstructing()
    {
        // The registry lists descriptors; each creates a detector that reads its identity from it.
        std::set<std::string> seen;
        for (const DetectorDescriptor *descriptor : detectorRegistry()) {
            QVERIFY(descriptor);
            const QString id = QString::fromStdString(descriptor->id);
            QVERIFY2(seen.insert(descriptor->id).second, qPrintable("duplicate id " + id));
            QVERIFY2(!descriptor->displayName.empty(), qPrintable(id));
            QVERIFY2(descriptor->stateVersion >= 1, qPrintable(id));
            QVERIFY2(descriptor->create, qPrintable(id));
            QVERIFY(&detectorDescriptor(descriptor->id) == descriptor);
            QVERIFY(findDetectorDescriptor(descriptor->id) == descriptor);
            const auto detector = descriptor->create();
            QVERIFY2(&detector->descriptor() == descriptor, qPrintable(id));
            QCOMPARE(detector->id(), descriptor->id);
            QCOMPARE(detector->displayName(), descriptor->displayName);
            QCOMPARE(detector->referenceIsIdHigh(), descriptor->referenceIsIdHigh);
        }
        QCOMPARE(seen.size(), size_t(30));
        QVERIFY(findDetectorDescriptor("bogus") == nullptr);
        QVERIFY_THROWS_EXCEPTION(Error, detectorDescriptor("bogus"));
    }

    void everyDetectorHasWords()
    {
        // People who review frames see the plain name and the sentence, not the id: each detector
        // needs its own of both, and neither may be the id or the technical name passed through.
        std::set<QString> names, descriptions;
        for (const DetectorDescriptor *descriptor : detectorRegistry()) {
            const QString id = QString::fromStdString(descriptor->id);
            const DetectorWords words = detectorWords(id);
            QVERIFY2(!words.plainName.isEmpty() && !words.description.isEmpty(), qPrintable(id));
            QVERIFY2(words.plainName.compare(id, Qt::CaseInsensitive) != 0, qPrintable(id));
            QVERIFY2(words.plainName != QString::fromStdString(descriptor->displayName), qPrintable(id));
            QVERIFY2(!words.description.contains(QString::fromStdString(descriptor->displayName)),
                     qPrintable(id));
            QVERIFY2(words.description.endsWith('.'), qPrintable(id)); // one sentence
            QVERIFY2(names.insert(words.plainName).second, qPrintable("plain name used twice: " + id));
            QVERIFY2(descriptions.insert(words.description).second,
                     qPrintable("description used twice: " + id));
        }
        // An id the registry does not know keeps its id and gets no description.
        const DetectorWords unknown = detectorWords("bogus");
        QCOMPARE(unknown.plainName, QString("bogus"));
        QVERIFY(unknown.description.isEmpty());
    }

    void staticNeedsAreInTheDescriptor()
    {
        // Only the detectors that differentiate through the model get the gradient pass when
        // scoring; only GROOD runs the model while fitting.
        const std::set<std::string> scoringPass = {"odin", "pro_msp", "pro_ent", "pro_msp_t", "pro_gen"};
        for (const DetectorDescriptor *descriptor : detectorRegistry()) {
            const QString id = QString::fromStdString(descriptor->id);
            QCOMPARE(descriptor->needs.score.gradientPass, scoringPass.count(descriptor->id) == 1);
            QCOMPARE(descriptor->needs.fit.gradientPass, descriptor->id == "grood");
            // A detector's needs() start from its descriptor's: what depends on settings only adds.
            const DetectorNeeds needs = descriptor->create()->needs();
            QVERIFY2(needs.score.gradientPass == descriptor->needs.score.gradientPass, qPrintable(id));
            QVERIFY2(needs.fit.trainData == descriptor->needs.fit.trainData, qPrintable(id));
            QVERIFY2(needs.fit.trainLabels == descriptor->needs.fit.trainLabels, qPrintable(id));
            QVERIFY2(needs.fit.valLabels == descriptor->needs.fit.valLabels, qPrintable(id));
            QVERIFY2(needs.fit.trainEarly.classMeans == descriptor->needs.fit.trainEarly.classMeans,
                     qPrintable(id));
            QVERIFY2(!descriptor->needs.fit.trainEarly.any() || descriptor->needs.fit.trainData,
                     qPrintable(id));
        }
        QVERIFY(detectorDescriptor("mahalanobis").needs.fit.trainLabels);
        QVERIFY(detectorDescriptor("tempscale").needs.fit.valLabels);
        QVERIFY(detectorDescriptor("grood").needs.fit.trainEarly.classMeans);
        // Settings-dependent needs stay dynamic.
        auto react = createDetector("react");
        QVERIFY(!react->needs().fit.valData);
        react->setSetting("percentile", 90);
        QVERIFY(react->needs().fit.valData);
        QVERIFY(!detectorDescriptor("react").needs.fit.valData);
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
        const GradientPass pass(backbone);
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
                const bool gradientPass = detector->needs().score.gradientPass;
                ScoreContext sc{a, gradientPass ? x : at::Tensor(), gradientPass ? &pass : nullptr, w, b};
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
