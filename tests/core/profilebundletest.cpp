// A profile bundle (one file with a profile and its model): written from a fitted profile, told
// from a profile by its content, unpacked once into a folder where the profile finds its model,
// opened wherever a profile is (loadProfile), and refused with a specific message when it is
// truncated, damaged or carries another model than the profile was fitted on.

#include "calib/profilebundle.h"

#include "calib/profile.h"
#include "calib/profilemodel.h"
#include "fit/profilefitter.h"
#include "model/modelloader.h"
#include "model/resnet.h"
#include "support/errors.h"
#include "support/imagefolders.h"

#include <QtTest>

#include <caffe2/serialize/inline_container.h>
#include <torch/torch.h>

using namespace ood;
using ood::test::errorOf;

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QString writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    if (file.open(QIODevice::WriteOnly))
        file.write(bytes);
    return path;
}

QString sha256(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

/// A bundle put together by hand, as another program (or an attacker) might: the manifest says
/// what it likes about the records.
QByteArray handMadeBundle(const QJsonObject &manifest, const QByteArray &profile, const QByteArray &model)
{
    QByteArray out;
    {
        caffe2::serialize::PyTorchStreamWriter writer([&out](const void *data, size_t size) {
            out.append(static_cast<const char *>(data), static_cast<qsizetype>(size));
            return size;
        });
        const QByteArray json = QJsonDocument(manifest).toJson();
        writer.writeRecord("bundle.json", json.constData(), static_cast<size_t>(json.size()));
        writer.writeRecord("profile", profile.constData(), static_cast<size_t>(profile.size()));
        writer.writeRecord("model", model.constData(), static_cast<size_t>(model.size()));
        writer.writeEndOfFile();
    }
    return out;
}

QJsonObject manifestFor(const QString &profileName, const QByteArray &profile, const QString &modelName,
                        const QByteArray &model)
{
    return QJsonObject{
        {"format", "ood-inspector-bundle"},
        {"version", 1},
        {"profile",
         QJsonObject{{"name", profileName}, {"sha256", sha256(profile)}, {"size", profile.size()}}},
        {"model", QJsonObject{{"name", modelName}, {"sha256", sha256(model)}, {"size", model.size()}}}};
}

/// The folders directly under `cache`.
QStringList cacheFolders(const QString &cache)
{
    return QDir(cache).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
}

} // namespace

class ProfileBundleTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_dir;
    QString m_profile, m_model, m_otherModel, m_bundle;
    std::vector<double> m_thresholds;
    QString path(const QString &name) const { return m_dir.filePath(name); }

  private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(2);
        // loadProfile unpacks bundles into the default cache; keep it inside the test's folder.
        qputenv("OOD_INSPECTOR_CACHE_DIR", path("default-cache").toUtf8());
        test::writeColourFolder(path("train"), 4, 1);
        test::writeColourFolder(path("valid"), 4, 2);
        QDir().mkpath(path("models"));
        m_model = path("models/colour-net.pt");
        m_otherModel = path("models/other-net.pt");
        torch::manual_seed(4);
        saveStateDict(m_model.toStdString(), resnetStateDict(*createResNet("resnet18", 2, 4, false)));
        torch::manual_seed(5);
        saveStateDict(m_otherModel.toStdString(), resnetStateDict(*createResNet("resnet18", 2, 4, false)));

        LoadedModel model = loadModel(m_model.toStdString(), "resnet18");
        model.card.input.width = model.card.input.height = 32;
        FitOptions options;
        options.detectorIds = {"msp", "energy"};
        options.run.decodeWorkers = 1;
        Profile profile =
            fitProfile(model, scanImageFolder(path("train")), scanImageFolder(path("valid")), options);
        profile.model.modelPath = m_model.toStdString();
        for (const ProfileDetector &d : profile.detectors)
            m_thresholds.push_back(d.threshold);
        QDir().mkpath(path("profiles"));
        m_profile = path("profiles/colour.oodprofile");
        saveProfile(profile, m_profile);
        m_bundle = path("colour.oodbundle");
        writeProfileBundle(m_profile, m_bundle);
    }

    void toldApartByContent()
    {
        QVERIFY(isProfileBundle(m_bundle));
        QVERIFY(!isProfileBundle(m_profile)); // also a PyTorch zip archive
        QVERIFY(!isProfileBundle(m_model));
        QVERIFY(!isProfileBundle(path("missing.oodbundle")));
        QVERIFY(!isProfileBundle(path("profiles"))); // a folder
        QVERIFY(!isProfileBundle(writeFile(path("empty.oodbundle"), QByteArray())));
        // The name says nothing: a bundle under a profile's name is still one.
        QFile::copy(m_bundle, path("renamed.oodprofile"));
        QVERIFY(isProfileBundle(path("renamed.oodprofile")));
    }

    void roundTrip()
    {
        const QString cache = path("cache-roundtrip");
        const QString unpacked = unpackProfileBundle(m_bundle, cache);
        QVERIFY2(unpacked.startsWith(cache + "/"), qPrintable(unpacked));
        QCOMPARE(QFileInfo(unpacked).fileName(), QString("colour.oodprofile"));
        // The model sits next to the profile under its own name, byte for byte.
        const QString model = QFileInfo(unpacked).dir().filePath("colour-net.pt");
        QCOMPARE(readFile(model), readFile(m_model));

        const Profile profile = loadProfile(unpacked);
        QCOMPARE(profile.detectors.size(), size_t(2));
        for (size_t i = 0; i < profile.detectors.size(); ++i)
            QCOMPARE(profile.detectors[i].threshold, m_thresholds[i]);
        // The unpacked profile finds its model by the file name it records.
        const LoadedModel loaded = loadProfileModel(profile);
        QCOMPARE(QFileInfo(QString::fromStdString(loaded.card.modelPath)).canonicalFilePath(),
                 QFileInfo(model).canonicalFilePath());
    }

    void loadProfileOpensBundles()
    {
        const Profile profile = loadProfile(m_bundle);
        QCOMPARE(profile.detectors.size(), size_t(2));
        QCOMPARE(profile.detectors[0].threshold, m_thresholds[0]);
        QVERIFY(!loadProfileModel(profile).card.sha256.empty());
        QCOMPARE(cacheFolders(path("default-cache/bundles")).size(), 1);
    }

    void unpackedOnce()
    {
        const QString cache = path("cache-once");
        const QString first = unpackProfileBundle(m_bundle, cache);
        // A file the first unpack did not write: a second unpack that replaced the folder would lose it.
        writeFile(QFileInfo(first).dir().filePath("marker"), "here");
        const QString second = unpackProfileBundle(m_bundle, cache);
        QCOMPARE(second, first);
        QVERIFY(QFileInfo::exists(QFileInfo(first).dir().filePath("marker")));
        // The same content under another name unpacks to the same folder; nothing half-done is left.
        QFile::copy(m_bundle, path("copy.oodbundle"));
        QCOMPARE(unpackProfileBundle(path("copy.oodbundle"), cache), first);
        QCOMPARE(cacheFolders(cache).size(), 1);
    }

    void halfDeletedFolderIsUnpackedAgain()
    {
        const QString cache = path("cache-cleaned");
        const QString first = unpackProfileBundle(m_bundle, cache);
        QVERIFY(QFile::remove(QFileInfo(first).dir().filePath("colour-net.pt")));
        QCOMPARE(unpackProfileBundle(m_bundle, cache), first);
        QCOMPARE(readFile(QFileInfo(first).dir().filePath("colour-net.pt")), readFile(m_model));
    }

    void damagedBundlesAreRefused_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("truncated") << "truncated"
                                   << "truncated or not a zip archive";
        QTest::newRow("model byte flipped") << "model byte"
                                            << "its model colour-net.pt does not match the sha256";
        QTest::newRow("not a bundle") << "profile"
                                      << "is not an OOD Inspector profile bundle";
        QTest::newRow("missing") << "missing"
                                 << "does not exist";
    }

    void damagedBundlesAreRefused()
    {
        QFETCH(QString, damage);
        QFETCH(QString, expected);
        const QByteArray bundle = readFile(m_bundle);
        QString file = path("damaged-" + damage + ".oodbundle");
        if (damage == "truncated") {
            writeFile(file, bundle.left(bundle.size() / 2));
        } else if (damage == "model byte") {
            // The records are stored uncompressed: the model's bytes are in the bundle as they are.
            const QByteArray model = readFile(m_model);
            const qsizetype at = bundle.indexOf(model);
            QVERIFY(at > 0);
            QByteArray changed = bundle;
            changed[at + model.size() / 2] = static_cast<char>(changed[at + model.size() / 2] ^ 0x55);
            writeFile(file, changed);
        } else if (damage == "profile") {
            file = m_profile;
        } else {
            file = path("no-such.oodbundle");
        }
        const QString cache = path("cache-" + damage);
        const QString error = errorOf([&] { unpackProfileBundle(file, cache); });
        QVERIFY2(error.contains(expected), qPrintable(error));
        QVERIFY2(error.contains(file), qPrintable(error));
        // Nothing unpacked, nothing half-unpacked left behind.
        QCOMPARE(cacheFolders(cache).size(), 0);
        if (damage == "truncated" || damage == "model byte") {
            // An empty cache: the intact bundle's folder (same manifest) would be taken as it is.
            const QByteArray defaultCache = qgetenv("OOD_INSPECTOR_CACHE_DIR");
            qputenv("OOD_INSPECTOR_CACHE_DIR", (cache + "-default").toUtf8());
            const QString viaLoad = errorOf([&] { loadProfile(file); });
            qputenv("OOD_INSPECTOR_CACHE_DIR", defaultCache);
            QVERIFY2(viaLoad.contains(expected), qPrintable(viaLoad));
        }
    }

    void manifestThatLiesAboutTheModelIsRefused()
    {
        const QByteArray profile = readFile(unpackProfileBundle(m_bundle, path("cache-source")));
        const QByteArray model = readFile(m_model);
        QJsonObject manifest = manifestFor("colour.oodprofile", profile, "colour-net.pt", model);
        QJsonObject modelEntry = manifest["model"].toObject();
        modelEntry["sha256"] = sha256(readFile(m_otherModel));
        manifest["model"] = modelEntry;
        const QString file = writeFile(path("lying.oodbundle"), handMadeBundle(manifest, profile, model));
        const QString error = errorOf([&] { unpackProfileBundle(file, path("cache-lying")); });
        QVERIFY2(error.contains("does not match the sha256"), qPrintable(error));
    }

    void otherModelInsideIsRefusedByHash()
    {
        // A consistent bundle whose model is not the one the profile was fitted on unpacks, but the
        // model is refused when it is opened, naming both digests.
        const QByteArray profile = readFile(unpackProfileBundle(m_bundle, path("cache-source")));
        const QByteArray other = readFile(m_otherModel);
        const QString file =
            writeFile(path("swapped.oodbundle"),
                      handMadeBundle(manifestFor("colour.oodprofile", profile, "colour-net.pt", other),
                                     profile, other));
        const QString unpacked = unpackProfileBundle(file, path("cache-swapped"));
        const QString error = errorOf([&] { loadProfileModel(loadProfile(unpacked)); });
        QVERIFY2(error.contains(sha256(other)), qPrintable(error));
        QVERIFY2(error.contains(sha256(readFile(m_model))), qPrintable(error));
    }

    void unsafeNamesAreRefused()
    {
        const QByteArray profile = readFile(m_profile), model = readFile(m_model);
        for (const QString &name :
             {QString("../escape.oodprofile"), QString("sub/dir.oodprofile"), QString("..")}) {
            const QString file =
                writeFile(path("unsafe.oodbundle"),
                          handMadeBundle(manifestFor(name, profile, "m.pt", model), profile, model));
            const QString error = errorOf([&] { unpackProfileBundle(file, path("cache-unsafe")); });
            QVERIFY2(error.contains("no valid 'profile' entry"), qPrintable(name + ": " + error));
        }
        QVERIFY(!QFileInfo::exists(path("escape.oodprofile")));
    }

    void writingChecksTheModel()
    {
        // Another model than the profile's: refused, naming both digests, nothing written.
        const QString out = path("refused.oodbundle");
        const QString error = errorOf([&] { writeProfileBundle(m_profile, out, m_otherModel); });
        QVERIFY2(error.contains("is not the model profile"), qPrintable(error));
        QVERIFY2(error.contains(sha256(readFile(m_otherModel))), qPrintable(error));
        QVERIFY(!QFileInfo::exists(out));

        // The model moved away from where the profile says: ModelNotFound, and --model finds it.
        QVERIFY(QFile::copy(m_model, path("moved-net.pt")));
        Profile moved = loadProfile(m_profile);
        moved.model.modelPath = path("nowhere/colour-net.pt").toStdString();
        saveProfile(moved, path("profiles/moved.oodprofile"));
        bool notFound = false;
        try {
            writeProfileBundle(path("profiles/moved.oodprofile"), out);
        } catch (const ModelNotFound &) {
            notFound = true;
        }
        QVERIFY(notFound);
        writeProfileBundle(path("profiles/moved.oodprofile"), out, path("moved-net.pt"));
        const QString unpacked = unpackProfileBundle(out, path("cache-moved"));
        QCOMPARE(readFile(QFileInfo(unpacked).dir().filePath("moved-net.pt")), readFile(m_model));
        QVERIFY(!loadProfileModel(loadProfile(unpacked)).card.sha256.empty());
    }
};

QTEST_GUILESS_MAIN(ProfileBundleTest)
#include "profilebundletest.moc"
