// The profile fitter's handling of settings and of detectors that cannot be fitted: overrides
// given by id and name reach the detector and the profile, wrong names are refused before any
// image is read, and a detector whose fit fails sits out with its reason while the others are
// fitted.

#include "fit/profilefitter.h"
#include "detect/registry.h"
#include "base/error.h"
#include "model/modelloader.h"
#include "model/resnet.h"
#include "support/imagefolders.h"

#include "support/errors.h"

#include <QtTest>

#include <cmath>

#include <torch/torch.h>

using namespace ood;
using ood::test::errorOf;

class ProfileFitterTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_dir;
    LoadedModel m_model;
    SampleList m_train, m_valid;

    FitOptions options(std::vector<std::string> ids) const
    {
        FitOptions o;
        o.detectorIds = std::move(ids);
        o.run.decodeWorkers = 1;
        return o;
    }

  private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(2);
        test::writeColourFolder(m_dir.filePath("train"), 6, 1);
        test::writeColourFolder(m_dir.filePath("valid"), 4, 2);
        torch::manual_seed(4);
        ResNet model = createResNet("resnet18", 2, 4, false);
        const std::string path = m_dir.filePath("model.pt").toStdString();
        saveStateDict(path, resnetStateDict(*model));
        m_model = loadModel(path, "resnet18");
        m_model.card.input.width = m_model.card.input.height = 32;
        m_train = scanImageFolder(m_dir.filePath("train"));
        m_valid = scanImageFolder(m_dir.filePath("valid"));
    }

    void settingReachesDetectorAndProfile()
    {
        FitOptions o = options({"energy", "react"});
        o.settings["energy"]["temperature"] = 2;
        o.settings["react"]["clip"] = 0.25;
        const Profile profile = fitProfile(m_model, m_train, m_valid, o);
        QCOMPARE(profile.find("energy")->detector->setting("temperature"), 2.0);
        // ReAct with an explicit clip uses it as is (NERO preset's absolute clip otherwise).
        const DetectorState react = profile.find("react")->detector->state();
        QCOMPARE(react.at("clip_value").item<double>(), 0.25);
        const QString file = m_dir.filePath("settings.oodprofile");
        saveProfile(profile, file);
        QCOMPARE(loadProfile(file).find("energy")->detector->setting("temperature"), 2.0);
    }

    void wrongSettingsAreRefused_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown name") << "energy"
                                      << "temprature"
                                      << "has no setting 'temprature'";
        QTest::newRow("detector not selected") << "knn"
                                               << "k"
                                               << "'knn', which is not among the detectors";
    }

    void wrongSettingsAreRefused()
    {
        QFETCH(QString, id);
        QFETCH(QString, name);
        QFETCH(QString, expected);
        FitOptions o = options({"energy"});
        o.settings[id.toStdString()][name.toStdString()] = 1;
        const QString message = errorOf([&] { fitProfile(m_model, m_train, m_valid, o); });
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void detectorThatCannotBeFittedSitsOut()
    {
        // 12 training images: KNN's default k = 50 cannot be met; MSP is fitted all the same.
        const Profile profile = fitProfile(m_model, m_train, m_valid, options({"knn", "msp"}));
        QCOMPARE(profile.detectors.size(), size_t(1));
        QCOMPARE(QString::fromStdString(profile.detectors[0].detector->id()), QString("msp"));
        const QString reason = QString::fromStdString(profile.unavailableReason("knn"));
        QVERIFY2(reason.startsWith("could not be fitted") && reason.contains("12"), qPrintable(reason));

        // Alone, it fails the fit with the same reason.
        const QString message = errorOf([&] { fitProfile(m_model, m_train, m_valid, options({"knn"})); });
        QVERIFY2(message.contains("knn") && message.contains("could not be fitted"), qPrintable(message));

        // With k within reach it is fitted.
        FitOptions small = options({"knn"});
        small.settings["knn"]["k"] = 3;
        QCOMPARE(fitProfile(m_model, m_train, m_valid, small).detectors.size(), size_t(1));
    }

    void classOrderRelabels()
    {
        // Folders sort as blue (0), red (1); the order red,blue swaps the labels.
        const SampleList reordered = withClassOrder(m_train, {"red", "blue"}, "train");
        QCOMPARE(reordered.classNames, QStringList({"red", "blue"}));
        QCOMPARE(reordered.samples.size(), m_train.samples.size());
        for (size_t i = 0; i < m_train.samples.size(); ++i) {
            QCOMPARE(reordered.samples[i].path, m_train.samples[i].path);
            QCOMPARE(reordered.samples[i].label, 1 - m_train.samples[i].label);
        }
        // The profile then names the model's output 0 "red", and the fit uses the new labels.
        const Profile profile = fitProfile(
            m_model, reordered, withClassOrder(m_valid, {"red", "blue"}, "valid"), options({"msp"}));
        const std::vector<std::string> expected = {"red", "blue"};
        QCOMPARE(profile.model.classNames, expected);
        // A flat list has no classes to order.
        SampleList flat = m_valid;
        flat.classNames.clear();
        for (Sample &sample : flat.samples)
            sample.label = -1;
        QCOMPARE(withClassOrder(flat, {"red", "blue"}, "flat").samples[0].label, -1);
    }

    void classOrderMustNameEveryFolder_data()
    {
        QTest::addColumn<QStringList>("order");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not a folder") << QStringList{"red", "green"}
                                      << "names 'green', which is not a class folder of train (its class "
                                         "folders: blue, red)";
        QTest::newRow("folder left out")
            << QStringList{"red"} << "the class folder 'blue' of train is not in";
        QTest::newRow("named twice") << QStringList{"red", "red", "blue"} << "names 'red' twice";
    }

    void classOrderMustNameEveryFolder()
    {
        QFETCH(QStringList, order);
        QFETCH(QString, expected);
        const QString message = errorOf([&] { withClassOrder(m_train, order, "train"); });
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void oodValidationResultsByHand()
    {
        Profile profile;
        profile.validationCount = 4;
        for (const auto &[id, threshold] : {std::pair{"msp", 2.5}, std::pair{"energy", 1.5}}) {
            ProfileDetector entry;
            entry.detector = createDetector(id);
            entry.validationScores = torch::tensor({0.0, 1.0, 2.0, 3.0}, torch::kFloat64);
            entry.threshold = threshold;
            profile.detectors.push_back(std::move(entry));
        }
        ScoredImages ood;
        ood.samples.resize(4);
        ood.detectorIds = {"energy", "msp"};
        // Rows: three scored frames and one that failed (its NaN row must not count).
        ood.scores =
            torch::tensor({-1.0, 1.5, 0.5, 3.5, 2.0, 4.0, std::nan(""), std::nan("")}, torch::kFloat64)
                .reshape({4, 2});
        ood.errors = {"", "", "", "not a readable image"};
        const std::vector<OodValidationResult> results = oodValidationResults(profile, ood);
        QCOMPARE(results.size(), size_t(2));
        // msp: ID {0,1,2,3} vs OOD {1.5,3.5,4}: 2 + 4 + 4 of 12 pairs; 3.5 and 4 above 2.5.
        QCOMPARE(results[0].detectorId, std::string("msp"));
        QCOMPARE(results[0].auroc, 10.0 / 12.0);
        QCOMPARE(results[0].oodFlagged, 2.0 / 3.0);
        QCOMPARE(results[0].oodFrames, int64_t(3));
        // energy: OOD {-1,0.5,2}: 0 + 1 + (2 + a tie) = 3.5 of 12; 2 above 1.5.
        QCOMPARE(results[1].detectorId, std::string("energy"));
        QCOMPARE(results[1].auroc, 3.5 / 12.0);
        QCOMPARE(results[1].oodFlagged, 1.0 / 3.0);

        ood.errors.assign(4, "broken");
        QVERIFY(errorOf([&] {
                    oodValidationResults(profile, ood);
                }).contains("none of the OOD validation frames"));
        profile.validationCount = 0;
        QVERIFY(errorOf([&] { oodValidationResults(profile, ood); }).contains("no ID validation frames"));
    }
};

QTEST_GUILESS_MAIN(ProfileFitterTest)
#include "profilefittertest.moc"
