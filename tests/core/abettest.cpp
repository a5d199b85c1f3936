// AbeT (docs/detectors.md, AbeT): the score -LSE(f/T) against hand-computed values, its
// stability for tiny temperatures, and what happens on a model without learned-temperature
// heads (unavailable with a reason, left out of the profile, a clear error when asked for).

#include "fit/profilefitter.h"
#include "detect/registry.h"
#include "base/error.h"
#include "model/modelloader.h"
#include "model/resnet.h"
#include "pipeline/scoringrun.h"
#include "support/imagefolders.h"
#include "support/linearbackbone.h"

#include "support/errors.h"

#include <QtTest>

#include <torch/torch.h>

#include <cmath>

using namespace ood;
using ood::test::errorOf;

namespace {

const char *const kReason = "the model has no learned-temperature head";

} // namespace

class AbetTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_dir;

    /// A slim ResNet-18 saved as a state_dict, loaded back through loadModel at 32x32.
    LoadedModel savedModel(bool abetHeads, const QString &name)
    {
        torch::manual_seed(4);
        ResNet model = createResNet("resnet18", 2, 4, abetHeads);
        const std::string path = m_dir.filePath(name).toStdString();
        saveStateDict(path, resnetStateDict(*model));
        LoadedModel loaded = loadModel(path, "resnet18");
        loaded.card.input.width = loaded.card.input.height = 32;
        return loaded;
    }

  private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(2);
        test::writeColourFolder(m_dir.filePath("train"), 6, 1);
        test::writeColourFolder(m_dir.filePath("valid"), 4, 2);
    }

    void closedForm()
    {
        // f and T chosen so that f/T is easy by hand:
        //   row 0: f/T = (1, -1, 0)       -> LSE = log(1 + e + 1/e) = log(1 + 2 cosh 1)
        //   row 1: f/T = (3.2, 0.8, -1.6) -> LSE = 3.2 + log(1 + e^-2.4 + e^-4.8)
        //   row 2: T = 1e-10, f/T = (9e9, 3e9, 1e9) -> LSE = 9e9 (the other terms are e^-6e9);
        //          a plain log(sum(exp)) overflows to inf here.
        // Values: log(1 + 2 cosh 1) = 1.4076059644443804, 3.2 + log1p(e^-2.4 + e^-4.8) = 3.2943530858800507.
        Activations a;
        a.cosine =
            torch::tensor({0.5, -0.5, 0.0, 0.8, 0.2, -0.4, 0.9, 0.3, 0.1}, torch::kFloat64).reshape({3, 3});
        a.temperature = torch::tensor({0.5, 0.25, 1e-10}, torch::kFloat64);
        a.logits = torch::zeros({3, 3});
        a.features = torch::zeros({3, 4});
        auto detector = createDetector("abet");
        QCOMPARE(QString::fromStdString(detector->displayName()), QString("AbeT"));
        QVERIFY(detector->referenceIsIdHigh());
        const at::Tensor s = detector->score(ScoreContext{a, {}, nullptr, {}, {}});
        QCOMPARE(s.scalar_type(), at::kDouble);
        QCOMPARE(s.sizes(), at::IntArrayRef({3}));
        QVERIFY(std::abs(s[0].item<double>() + 1.4076059644443804) < 1e-12);
        QVERIFY(std::abs(s[1].item<double>() + 3.2943530858800507) < 1e-12);
        QCOMPARE(s[2].item<double>(), -9e9);

        // float32 activations (what backbones store) are widened before the division.
        Activations single = a;
        single.cosine = a.cosine.to(torch::kFloat32);
        single.temperature = a.temperature.to(torch::kFloat32);
        const at::Tensor s32 = detector->score(ScoreContext{single, {}, nullptr, {}, {}});
        QVERIFY(std::abs(s32[0].item<double>() + 1.4076059644443804) < 1e-6);
        QVERIFY(std::isfinite(s32[2].item<double>()));
    }

    void missingHeadsAreAnErrorNotAZero()
    {
        torch::manual_seed(1);
        const at::Tensor w = torch::randn({3, 4}), b = torch::randn({3});
        test::LinearBackbone backbone(w, b);
        const Activations a = test::activationsOf(torch::randn({2, 4}), w, b);
        auto detector = createDetector("abet");
        QVERIFY(QString::fromStdString(detector->unavailableReason(backbone)).contains(kReason));
        QVERIFY(
            QString::fromStdString(detector->unavailableReason(backbone)).contains("docs/model-contract.md"));
        const QString message = errorOf([&] { detector->score(ScoreContext{a, {}, nullptr, w, b}); });
        QVERIFY2(message.contains("abet") && message.contains("learned-temperature"), qPrintable(message));

        Activations bad = a;
        bad.cosine = torch::rand({2, 3});
        bad.temperature = torch::tensor({0.5, 0.0});
        QVERIFY(errorOf([&] { detector->score(ScoreContext{bad, {}, nullptr, w, b}); }).contains("positive"));
    }

    void plainResNetIsUnavailable()
    {
        LoadedModel plain = savedModel(false, "plain.pt");
        QVERIFY(!plain.backbone->hasLearnedTemperature());
        QVERIFY(QString::fromStdString(createDetector("abet")->unavailableReason(*plain.backbone))
                    .contains(kReason));
        const Activations a = plain.backbone->forward(torch::randn({2, 3, 32, 32}), {});
        QVERIFY(!a.temperature.defined());
        QVERIFY(!a.cosine.defined());

        // fit --methods abet,msp: msp is fitted, abet is listed as unavailable with the reason.
        const SampleList train = scanImageFolder(m_dir.filePath("train"));
        const SampleList valid = scanImageFolder(m_dir.filePath("valid"));
        FitOptions options;
        options.detectorIds = {"abet", "msp"};
        options.run.decodeWorkers = 1;
        Profile profile = fitProfile(plain, train, valid, options);
        QCOMPARE(profile.detectors.size(), size_t(1));
        QCOMPARE(QString::fromStdString(profile.detectors[0].detector->id()), QString("msp"));
        QCOMPARE(profile.unavailable.size(), size_t(1));
        QCOMPARE(QString::fromStdString(profile.unavailable[0].first), QString("abet"));
        QVERIFY(QString::fromStdString(profile.unavailableReason("abet")).contains(kReason));

        // The reason survives the profile file.
        const QString file = m_dir.filePath("plain.oodprofile");
        saveProfile(profile, file);
        const Profile loaded = loadProfile(file);
        QCOMPARE(loaded.unavailableReason("abet"), profile.unavailableReason("abet"));

        // Scoring: by default only what was fitted; asking for abet names the reason.
        const ScoredImages scored = scoreImages(*plain.backbone, loaded, valid.samples, {}, options.run);
        QCOMPARE(scored.detectorIds, std::vector<std::string>{"msp"});
        const QString message =
            errorOf([&] { scoreImages(*plain.backbone, loaded, valid.samples, {"abet"}, options.run); });
        QVERIFY2(message.contains("'abet' is unavailable for this model") && message.contains(kReason),
                 qPrintable(message));

        // Only unavailable detectors: nothing to fit.
        options.detectorIds = {"abet"};
        const QString none = errorOf([&] { fitProfile(plain, train, valid, options); });
        QVERIFY2(none.contains("none of the selected detectors") && none.contains(kReason), qPrintable(none));
    }

    void modelWithHeadsIsScored()
    {
        LoadedModel model = savedModel(true, "abet.pt");
        QVERIFY(model.backbone->hasLearnedTemperature());
        QVERIFY(createDetector("abet")->unavailableReason(*model.backbone).empty());
        const SampleList train = scanImageFolder(m_dir.filePath("train"));
        const SampleList valid = scanImageFolder(m_dir.filePath("valid"));
        FitOptions options;
        options.detectorIds = {"abet", "msp"};
        options.run.decodeWorkers = 1;
        const Profile profile = fitProfile(model, train, valid, options);
        QCOMPARE(profile.detectors.size(), size_t(2));
        QVERIFY(profile.unavailable.empty());
        const ScoredImages scored =
            scoreImages(*model.backbone, profile, valid.samples, {"abet"}, options.run);
        QVERIFY(torch::isfinite(scored.scores).all().item<bool>());

        // The pipeline's score is -LSE(f/T) of the backbone's own f and T for the same image.
        const at::Tensor x = torch::randn({3, 3, 32, 32});
        const Activations a = model.backbone->forward(x, {});
        const at::Tensor s = createDetector("abet")->score(ScoreContext{a, {}, nullptr, {}, {}});
        for (int64_t i = 0; i < 3; ++i) {
            double lse = 0, m = -INFINITY;
            std::vector<double> l;
            for (int64_t c = 0; c < 2; ++c) {
                l.push_back(a.cosine[i][c].item<double>() / a.temperature[i].item<double>());
                m = std::max(m, l.back());
            }
            for (double v : l)
                lse += std::exp(v - m);
            QVERIFY(std::abs(s[i].item<double>() + m + std::log(lse)) < 1e-9);
        }
    }
};

QTEST_GUILESS_MAIN(AbetTest)
#include "abettest.moc"
