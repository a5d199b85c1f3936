// Profiles: round trip, Python readability, and clear errors for damaged or foreign files.

#include "calib/profile.h"
#include "calib/profilemodel.h"
#include "calib/verdictcalibration.h"
#include "detect/registry.h"
#include "base/error.h"
#include "support/errors.h"
#include "support/linearbackbone.h"
#include "support/systempython.h"

#include <QtTest>

#include <functional>

#include <torch/torch.h>

using namespace ood;

namespace {

Profile makeProfile()
{
    torch::manual_seed(4);
    const at::Tensor w = torch::randn({3, 8}), b = torch::randn({3});
    std::vector<int64_t> labels;
    for (int i = 0; i < 30; ++i)
        labels.push_back(i % 3);
    const FitContext context = test::trainContext(torch::rand({30, 8}), labels, w, b);
    Profile profile;
    profile.model.architecture = "resnet18";
    profile.model.modelPath = "/models/kvasir.pt";
    profile.model.sha256 = std::string(64, 'a');
    profile.model.numClasses = 3;
    profile.model.featureDim = 8;
    profile.model.classNames = {"cecum", "pylorus", "z-line"};
    profile.model.input.width = profile.model.input.height = 64;
    profile.trainPath = "/data/train";
    profile.validationPath = "/data/valid";
    profile.trainCount = 30;
    profile.validationCount = 12;
    profile.createdUtc = "2026-11-24T12:00:00Z";
    profile.appVersion = "0.1.0";
    for (const char *id : {"msp", "mahalanobis", "nero", "vim"}) {
        ProfileDetector entry;
        entry.detector = createDetector(id);
        entry.detector->fit(context);
        entry.validationScores = torch::rand({12}, torch::kFloat64);
        entry.threshold = 0.25;
        profile.detectors.push_back(std::move(entry));
    }
    return profile;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

/// Saves `profile` to `path` after `edit` changed each detector's state dict, as a file written by
/// another version of the program would hold it.
void saveEdited(const Profile &profile, const QString &path,
                const std::function<void(const std::string &id, c10::impl::GenericDict &state)> &edit)
{
    saveProfile(profile, path);
    const QByteArray bytes = readFile(path);
    const c10::IValue root = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
    const c10::impl::GenericDict detectors = root.toGenericDict().at("detectors").toGenericDict();
    for (const auto &entry : detectors) {
        c10::impl::GenericDict state = entry.value().toGenericDict().at("state").toGenericDict();
        edit(entry.key().toStringRef(), state);
    }
    const std::vector<char> edited = torch::pickle_save(root);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(edited.data(), static_cast<qint64>(edited.size()));
}

/// The profile's top-level dict as saved, for reading or changing what it stores.
c10::impl::GenericDict rawProfile(const QString &path)
{
    const QByteArray bytes = readFile(path);
    return torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end())).toGenericDict();
}

void writeRaw(const c10::impl::GenericDict &root, const QString &path)
{
    const std::vector<char> bytes = torch::pickle_save(c10::IValue(root));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes.data(), static_cast<qint64>(bytes.size()));
}

std::string storedModelPath(const QString &profilePath)
{
    return rawProfile(profilePath).at("model").toGenericDict().at("path").toStringRef();
}

bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

void expectError(const QString &path, const QString &fragment)
{
    try {
        loadProfile(path);
        QFAIL(qPrintable("no error for " + path));
    } catch (const Error &e) {
        QVERIFY2(QString(e.what()).contains(fragment), e.what());
    }
}

} // namespace

class ProfileTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir dir;
        const Profile original = makeProfile();
        const QString path = dir.filePath("kvasir.oodprofile");
        saveProfile(original, path);
        const Profile loaded = loadProfile(path);
        QCOMPARE(loaded.model.sha256, original.model.sha256);
        QCOMPARE(loaded.model.classNames, original.model.classNames);
        QCOMPARE(loaded.model.input.width, 64);
        QCOMPARE(loaded.model.input.mean[1], 0.456f);
        QCOMPARE(loaded.trainCount, 30);
        QCOMPARE(loaded.detectors.size(), original.detectors.size());
        const at::Tensor w = torch::randn({3, 8}), b = torch::randn({3});
        const at::Tensor query = torch::rand({5, 8});
        for (size_t i = 0; i < original.detectors.size(); ++i) {
            QCOMPARE(loaded.detectors[i].detector->id(), original.detectors[i].detector->id());
            QCOMPARE(loaded.detectors[i].threshold, 0.25);
            QVERIFY(
                torch::equal(loaded.detectors[i].validationScores, original.detectors[i].validationScores));
            QVERIFY(torch::equal(test::scoreFeatures(*loaded.detectors[i].detector, query, w, b),
                                 test::scoreFeatures(*original.detectors[i].detector, query, w, b)));
        }
    }

    void readableFromPython()
    {
        if (!QFileInfo::exists(OOD_SYSTEM_PYTHON))
            OOD_SKIP_WITHOUT_REFERENCE("no system Python");
        QProcess check;
        check.start(OOD_SYSTEM_PYTHON, {"-c", "import torch"});
        check.waitForFinished(60000);
        if (check.exitCode() != 0)
            OOD_SKIP_WITHOUT_REFERENCE("system Python has no torch");
        QTemporaryDir dir;
        const QString path = dir.filePath("p.oodprofile");
        saveProfile(makeProfile(), path);
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON,
                     {"-c",
                      "import sys, torch\n"
                      "p = torch.load(sys.argv[1])\n"
                      "assert p['format'] == 'ood-inspector-profile' and p['version'] == 1\n"
                      "assert p['model']['class_names'] == ['cecum', 'pylorus', 'z-line']\n"
                      "assert p['detectors']['nero']['state']['pca_basis'].shape == (8, 5)\n"
                      "print(p['detector_order'], float(p['detectors']['msp']['threshold']))\n",
                      path});
        python.waitForFinished(120000);
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        QCOMPARE(QString(python.readAllStandardOutput()).trimmed(),
                 QString("['msp', 'mahalanobis', 'nero', 'vim'] 0.25"));
    }

    void damagedAndForeignFiles()
    {
        QTemporaryDir dir;
        const QString good = dir.filePath("good.oodprofile");
        saveProfile(makeProfile(), good);
        QFile in(good);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray bytes = in.readAll();

        auto write = [&](const QString &name, const QByteArray &content) {
            QFile f(dir.filePath(name));
            f.open(QIODevice::WriteOnly);
            f.write(content);
            return dir.filePath(name);
        };
        expectError(dir.filePath("missing.oodprofile"), "does not exist");
        expectError(write("empty", QByteArray()), "is empty");
        expectError(write("text", "hello, world"), "not an OOD Inspector profile");
        expectError(write("truncated", bytes.left(bytes.size() / 2)), "truncated or foreign");

        // A PyTorch file that is not a profile: a plain dict of tensors.
        c10::impl::GenericDict foreign(c10::StringType::get(), c10::AnyType::get());
        foreign.insert("weight", torch::ones({2}));
        const std::vector<char> foreignBytes = torch::pickle_save(c10::IValue(foreign));
        expectError(
            write("foreign.pt", QByteArray(foreignBytes.data(), static_cast<int>(foreignBytes.size()))),
            "not an OOD Inspector profile");
    }

    void stateCarriesItsVersion()
    {
        const Profile profile = makeProfile();
        for (const ProfileDetector &entry : profile.detectors) {
            const DetectorState state = entry.detector->state();
            QVERIFY(state.count(kStateVersionKey));
            const at::Tensor version = state.at(kStateVersionKey);
            QCOMPARE(version.dim(), int64_t(0));
            QCOMPARE(version.scalar_type(), at::kLong);
            QCOMPARE(version.item<int64_t>(), entry.detector->descriptor().stateVersion);
        }
        QTemporaryDir dir;
        const QString path = dir.filePath("p.oodprofile");
        saveProfile(profile, path);
        for (const ProfileDetector &entry : loadProfile(path).detectors)
            QCOMPARE(entry.detector->restoredStateVersion(), entry.detector->descriptor().stateVersion);
    }

    void newerStateVersionIsRefused()
    {
        const Profile profile = makeProfile();
        const Detector &nero = *profile.find("nero")->detector;
        const int64_t current = nero.descriptor().stateVersion;
        const QString newer = QString::number(current + 1), known = QString::number(current);

        // The detector refuses the state itself...
        DetectorState state = nero.state();
        state[kStateVersionKey] = torch::tensor(current + 1, torch::kInt64);
        auto fresh = createDetector("nero");
        QString message = test::errorOf([&] { fresh->setState(state); });
        QVERIFY2(message.contains("'nero'") && message.contains("NERO"), qPrintable(message));
        QVERIFY2(message.contains("state version " + newer), qPrintable(message));
        QVERIFY2(message.contains("up to state version " + known), qPrintable(message));
        QVERIFY2(message.contains("newer"), qPrintable(message));

        // ... and so does loading a profile that holds it, naming the file.
        QTemporaryDir dir;
        const QString path = dir.filePath("newer.oodprofile");
        saveEdited(profile, path, [&](const std::string &id, c10::impl::GenericDict &s) {
            if (id == "nero")
                s.insert_or_assign(std::string(kStateVersionKey), torch::tensor(current + 1, torch::kInt64));
        });
        message = test::errorOf([&] { loadProfile(path); });
        QVERIFY2(message.contains(path), qPrintable(message));
        QVERIFY2(message.contains("'nero'"), qPrintable(message));
        QVERIFY2(message.contains("state version " + newer), qPrintable(message));
        QVERIFY2(message.contains("up to state version " + known), qPrintable(message));

        // The same version, written explicitly, loads.
        saveEdited(profile, path, [&](const std::string &, c10::impl::GenericDict &s) {
            s.insert_or_assign(std::string(kStateVersionKey), torch::tensor(current, torch::kInt64));
        });
        QCOMPARE(loadProfile(path).detectors.size(), profile.detectors.size());
    }

    void precisionIsRecorded()
    {
        QTemporaryDir dir;
        Profile profile = makeProfile();
        QCOMPARE(profile.model.precision, Precision::Float32);
        profile.model.precision = Precision::BFloat16;
        const QString path = dir.filePath("bf16.oodprofile");
        saveProfile(profile, path);
        QCOMPARE(loadProfile(path).model.precision, Precision::BFloat16);
        QVERIFY(precisionMismatch(loadProfile(path), Precision::BFloat16).empty());
        const QString mismatch =
            QString::fromStdString(precisionMismatch(loadProfile(path), Precision::Float32));
        QVERIFY2(mismatch.contains("fitted in bf16") && mismatch.contains("runs in float32"),
                 qPrintable(mismatch));

        // Written before the precision was recorded: float32, the only format there was.
        const QByteArray bytes = readFile(path);
        c10::IValue root = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
        c10::impl::GenericDict model = root.toGenericDict().at("model").toGenericDict();
        (void)model.erase(std::string("precision"));
        const auto write = [&](const QString &to) {
            const std::vector<char> edited = torch::pickle_save(root);
            QFile f(to);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(edited.data(), static_cast<qint64>(edited.size()));
        };
        write(dir.filePath("old.oodprofile"));
        QCOMPARE(loadProfile(dir.filePath("old.oodprofile")).model.precision, Precision::Float32);
        model.insert_or_assign(std::string("precision"), std::string("fp16"));
        write(dir.filePath("fp16.oodprofile"));
        expectError(dir.filePath("fp16.oodprofile"), "unknown precision \"fp16\"");
    }

    void missingStateVersionIsVersion1()
    {
        // Profiles written before states carried versions (release 0.1.0;
        // profilecompatibilitytest.cpp loads a real one).
        const Profile original = makeProfile();
        QTemporaryDir dir;
        const QString path = dir.filePath("old.oodprofile");
        saveEdited(original, path, [](const std::string &, c10::impl::GenericDict &s) {
            (void)s.erase(std::string(kStateVersionKey));
        });
        const Profile loaded = loadProfile(path);
        QCOMPARE(loaded.detectors.size(), original.detectors.size());
        const at::Tensor w = torch::randn({3, 8}), b = torch::randn({3});
        const at::Tensor query = torch::rand({5, 8});
        for (size_t i = 0; i < loaded.detectors.size(); ++i) {
            QCOMPARE(loaded.detectors[i].detector->restoredStateVersion(), int64_t(1));
            QVERIFY(torch::equal(test::scoreFeatures(*loaded.detectors[i].detector, query, w, b),
                                 test::scoreFeatures(*original.detectors[i].detector, query, w, b)));
        }
        auto fresh = createDetector("msp");
        QCOMPARE(fresh->restoredStateVersion(), int64_t(0));
        fresh->setState({});
        QCOMPARE(fresh->restoredStateVersion(), int64_t(1));
    }

    void malformedStateVersionIsRefused()
    {
        auto detector = createDetector("msp");
        for (const at::Tensor &bad :
             {torch::tensor(int64_t(0)), torch::tensor(int64_t(-3)), torch::tensor(1.5),
              torch::tensor({int64_t(1), int64_t(2)}), at::Tensor()}) {
            const QString message = test::errorOf([&] { detector->setState({{kStateVersionKey, bad}}); });
            QVERIFY2(message.contains("'msp'") && message.contains("state_version") &&
                         message.contains("malformed"),
                     qPrintable(message));
        }
    }

    void verdictIsStored()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("p.oodprofile");
        Profile profile = makeProfile();
        profile.verdictDetector = "nero";
        saveProfile(profile, path);
        QCOMPARE(loadProfile(path).verdictDetector, std::string("nero"));
        // Python readers get the calibrated rule without calibrating.
        const c10::impl::GenericDict verdict = rawProfile(path).at("verdict").toGenericDict();
        const VerdictRule rule = calibrateVerdict(profile);
        QCOMPARE(verdict.at("detector").toStringRef(), std::string("nero"));
        QCOMPARE(verdict.at("min_flags").toInt(), int64_t(rule.minFlags));
        QCOMPARE(verdict.at("false_alarm_rate").toDouble(), rule.falseAlarmRate);
        QCOMPARE(verdict.at("validation_frames").toInt(), int64_t(12));

        profile.verdictDetector.clear();
        saveProfile(profile, path);
        QCOMPARE(loadProfile(path).verdictDetector, std::string());

        // Written before the verdict was stored: none, "at least k of the detectors".
        c10::impl::GenericDict root = rawProfile(path);
        root.erase("verdict");
        writeRaw(root, path);
        QCOMPARE(loadProfile(path).verdictDetector, std::string());

        // A verdict naming a detector the profile lacks is damage, not a silent fallback.
        c10::impl::GenericDict stray(c10::StringType::get(), c10::AnyType::get());
        stray.insert("detector", std::string("knn"));
        root.insert("verdict", stray);
        writeRaw(root, path);
        expectError(path, "'knn' as the verdict's detector");
    }

    void modelPathIsRelativeWhenTheyTravelTogether()
    {
        QTemporaryDir dir;
        Profile profile = makeProfile();
        const QString a = dir.filePath("a");
        QVERIFY(writeBytes(a + "/model.pt", "weights"));
        QVERIFY(writeBytes(a + "/models/m.pt", "weights"));
        QVERIFY(writeBytes(dir.filePath("b/m.pt"), "weights"));

        // Next to the profile, or below it: relative; in memory always absolute.
        profile.model.modelPath = (a + "/model.pt").toStdString();
        saveProfile(profile, a + "/p.oodprofile");
        QCOMPARE(storedModelPath(a + "/p.oodprofile"), std::string("model.pt"));
        QCOMPARE(QString::fromStdString(loadProfile(a + "/p.oodprofile").model.modelPath), a + "/model.pt");
        profile.model.modelPath = (a + "/models/../models/m.pt").toStdString();
        saveProfile(profile, a + "/sub.oodprofile");
        QCOMPARE(storedModelPath(a + "/sub.oodprofile"), std::string("models/m.pt"));

        // Elsewhere: absolute.
        profile.model.modelPath = dir.filePath("b/m.pt").toStdString();
        saveProfile(profile, a + "/abs.oodprofile");
        QCOMPARE(storedModelPath(a + "/abs.oodprofile"), dir.filePath("b/m.pt").toStdString());
        QCOMPARE(loadProfile(a + "/abs.oodprofile").model.modelPath, dir.filePath("b/m.pt").toStdString());

        // Copied together to another folder: the profile finds the copy.
        const QString c = dir.filePath("c");
        QVERIFY(QDir().mkpath(c));
        QVERIFY(QFile::copy(a + "/p.oodprofile", c + "/p.oodprofile"));
        QCOMPARE(QString::fromStdString(loadProfile(c + "/p.oodprofile").model.modelPath), c + "/model.pt");

        // An absolute path that is gone, with a model of that name beside the profile: that one.
        const QString d = dir.filePath("d");
        QVERIFY(QDir().mkpath(d));
        QVERIFY(QFile::copy(a + "/abs.oodprofile", d + "/abs.oodprofile"));
        QVERIFY(writeBytes(d + "/m.pt", "weights"));
        QCOMPARE(loadProfile(d + "/abs.oodprofile").model.modelPath, dir.filePath("b/m.pt").toStdString());
        QVERIFY(QFile::remove(dir.filePath("b/m.pt")));
        QCOMPARE(QString::fromStdString(loadProfile(d + "/abs.oodprofile").model.modelPath), d + "/m.pt");
    }

    void movedModelIsNotFoundAndAWrongOneIsRefused()
    {
        const QString assets = OOD_SOURCE_DIR "/resources/demo/assets";
        if (!QFileInfo::exists(assets + "/model.pt"))
            QSKIP("no demo assets (resources/demo/build-assets.sh)");
        QTemporaryDir dir;
        const QString x = dir.filePath("x"), y = dir.filePath("y");
        QVERIFY(QDir().mkpath(x) && QDir().mkpath(y));
        QVERIFY(QFile::copy(assets + "/model.pt", x + "/model.pt"));
        Profile profile = loadProfile(assets + "/demo.oodprofile");
        profile.model.modelPath = (x + "/model.pt").toStdString();
        saveProfile(profile, x + "/demo.oodprofile");

        // The profile and its model copied together open as they are.
        for (const char *name : {"demo.oodprofile", "model.pt"})
            QVERIFY(QFile::copy(x + "/" + name, y + "/" + name));
        const Profile moved = loadProfile(y + "/demo.oodprofile");
        QCOMPARE(QString::fromStdString(moved.model.modelPath), y + "/model.pt");
        QVERIFY(loadProfileModel(moved).backbone != nullptr);

        // The model is not where the profile says: ModelNotFound, naming the place.
        QVERIFY(QFile::remove(y + "/model.pt"));
        try {
            loadProfileModel(moved);
            QFAIL("no error for a missing model");
        } catch (const ModelNotFound &e) {
            QCOMPARE(QString::fromStdString(e.missingPath()), y + "/model.pt");
            QVERIFY2(QString(e.what()).contains(y + "/model.pt") &&
                         QString(e.what()).contains("Locate Model"),
                     e.what());
        }

        // Another file in its place: refused by its sha256, and not taken for a missing model.
        QVERIFY(QFile::copy(x + "/demo.oodprofile", y + "/model.pt"));
        try {
            loadProfileModel(moved);
            QFAIL("no error for a wrong model");
        } catch (const ModelNotFound &e) {
            QFAIL(e.what());
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("does not match the profile (sha256"), e.what());
        }
    }

    void savingIsAtomic()
    {
        // A failed save must leave the earlier file untouched: write into a folder that vanished.
        QTemporaryDir dir;
        const QString path = dir.filePath("p.oodprofile");
        saveProfile(makeProfile(), path);
        const QByteArray before = [&] {
            QFile f(path);
            f.open(QIODevice::ReadOnly);
            return f.readAll();
        }();
        QVERIFY_THROWS_EXCEPTION(Error,
                                 saveProfile(makeProfile(), dir.filePath("no/such/folder/p.oodprofile")));
        const QByteArray after = [&] {
            QFile f(path);
            f.open(QIODevice::ReadOnly);
            return f.readAll();
        }();
        QCOMPARE(after, before);
    }
};

QTEST_GUILESS_MAIN(ProfileTest)
#include "profiletest.moc"
