// Profiles written by earlier releases keep loading and scoring as they did.
//
// fixtures/profile-release-0.1.0.oodprofile was written by release 0.1.0 with all 27 detectors on
// the demo model (resources/demo/assets/model.pt, 32 px; the profile names it
// /tmp/demo-base/model.pt, so the test passes the bundled file instead). Its detector states carry
// no "state_version": they load as version 1. fixtures/profile-release-0.1.0-near-ood.csv is what
// that release's `ood-inspect score` wrote for the demo's near-OOD frames (10 significant digits);
// today's code must give the same digits and the same flags.

#include "calib/profile.h"
#include "calib/profilemodel.h"
#include "data/samplelist.h"
#include "detect/registry.h"
#include "pipeline/scoringrun.h"
#include "pipeline/verdict.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>
#include <QtTest>

#include <torch/torch.h>

#include <cmath>
#include <map>

using namespace ood;

namespace {

const QString kFixtures = QStringLiteral(OOD_SOURCE_DIR "/tests/core/fixtures");
const QString kAssets = QStringLiteral(OOD_SOURCE_DIR "/resources/demo/assets");
const QString kProfile = kFixtures + "/profile-release-0.1.0.oodprofile";

struct CsvTable
{
    QStringList header;
    std::map<QString, QStringList> rows; ///< by path
};

CsvTable readCsv(const QString &path)
{
    CsvTable table;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return table;
    QTextStream in(&file);
    table.header = in.readLine().split(',');
    while (!in.atEnd()) {
        const QString line = in.readLine();
        if (line.isEmpty())
            continue;
        // The release's CSV quotes nothing here: no field of these frames holds a comma or quote.
        const QStringList fields = line.split(',');
        table.rows[fields.value(0)] = fields;
    }
    return table;
}

} // namespace

class ProfileCompatibilityTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo::exists(kAssets + "/model.pt"))
            QSKIP("the demo assets are not built (resources/demo/build-assets.sh)");
        QVERIFY(QFileInfo::exists(kProfile));
    }

    void release010ProfileLoadsAsStateVersion1()
    {
        const Profile profile = loadProfile(kProfile);
        QCOMPARE(profile.appVersion, std::string("0.1.0"));
        // Every detector release 0.1.0 had; the zero-shot ones (mcm, neglabel, negrefine) came later.
        QCOMPARE(profile.detectors.size(), detectorRegistry().size() - 3);
        for (const ProfileDetector &entry : profile.detectors) {
            QVERIFY2(entry.detector->restoredStateVersion() == 1, entry.detector->id().c_str());
            // Written again, the state carries the version this build writes.
            QCOMPARE(entry.detector->state().at(kStateVersionKey).item<int64_t>(),
                     entry.detector->descriptor().stateVersion);
        }
    }

    void release010ProfileScoresAsItDid()
    {
        const Profile profile = loadProfile(kProfile);
        // The model as trained, the only forward path release 0.1.0 had: the same digits. The
        // default frozen path moves the last ones (resnetinferencetest demoScoresAgreeAcrossPaths).
        InferenceOptions asTrained;
        asTrained.path = ForwardPath::Eager;
        const LoadedModel model = loadProfileModel(profile, kAssets + "/model.pt", asTrained);
        const CsvTable expected = readCsv(kFixtures + "/profile-release-0.1.0-near-ood.csv");
        QCOMPARE(expected.rows.size(), size_t(20));

        const SampleList list = scanInputs({kAssets + "/frames/near-ood"});
        QCOMPARE(list.samples.size(), size_t(20));
        const ScoredImages scored = scoreImages(*model.backbone, profile, list.samples, {}, RunOptions{});
        QCOMPARE(scored.samples.size(), size_t(20));

        // Columns: path, prediction, confidence, one per detector, flagged_by, error.
        QStringList ids;
        for (const std::string &id : scored.detectorIds)
            ids << QString::fromStdString(id);
        QCOMPARE(expected.header.mid(3, ids.size()), ids);
        QCOMPARE(expected.header.value(3 + ids.size()), QString("flagged_by"));

        auto digits = [](double value) { return QString::number(value, 'g', 10); };
        const at::Tensor scores = scored.scores.contiguous();
        int compared = 0;
        for (size_t i = 0; i < scored.samples.size(); ++i) {
            const QString path = QDir(kAssets).relativeFilePath(scored.samples[i].path);
            const auto row = expected.rows.find(path);
            QVERIFY2(row != expected.rows.end(), qPrintable(path + " is not in the release's CSV"));
            const QStringList &fields = row->second;
            QVERIFY2(scored.errors[i].isEmpty(), qPrintable(scored.errors[i]));
            QCOMPARE(QString::fromStdString(
                         profile.model.classNames.at(static_cast<size_t>(scored.predictions[i]))),
                     fields.value(1));
            QCOMPARE(digits(scored.confidences[i]), fields.value(2));
            QStringList flaggedBy;
            for (int d = 0; d < ids.size(); ++d) {
                const double s = scores[static_cast<int64_t>(i)][d].item<double>();
                const QString where = path + " " + ids[d];
                QVERIFY2(digits(s) == fields.value(3 + d),
                         qPrintable(where + ": " + digits(s) + " now, " + fields.value(3 + d) +
                                    " in release 0.1.0"));
                if (exceedsThreshold(s, profile.find(ids[d].toStdString())->threshold))
                    flaggedBy << ids[d];
                ++compared;
            }
            QCOMPARE(flaggedBy.join(';'), fields.value(3 + ids.size()));
            QCOMPARE(scored.flaggedBy[i], int(flaggedBy.size()));
            // A profile of 0.1.0 holds no verdict: "at least k of the detectors", calibrated on load.
            QCOMPARE(bool(scored.unusual[i]), flaggedBy.size() >= scored.verdict.minFlags);
        }
        QVERIFY(profile.verdictDetector.empty());
        QVERIFY(scored.verdict.detectorId.empty() && scored.verdict.canDecide());
        QCOMPARE(compared, 20 * 27);
    }
};

QTEST_GUILESS_MAIN(ProfileCompatibilityTest)
#include "profilecompatibilitytest.moc"
