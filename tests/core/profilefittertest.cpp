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
};

QTEST_GUILESS_MAIN(ProfileFitterTest)
#include "profilefittertest.moc"
