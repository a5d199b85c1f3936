// The verdict: calibrating "at least k of the enabled detectors" (or one chosen detector) on a
// profile's ID validation scores, applying it to a frame, and saying it in words. Every expected
// k and rate below is counted by hand from the flag matrices written out in the comments.

#include "calib/profile.h"
#include "calib/verdictcalibration.h"
#include "detect/registry.h"
#include "pipeline/verdict.h"

#include <QtTest>

#include <torch/torch.h>

#include <cmath>
#include <limits>

using namespace ood;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::vector<std::string> kIds = {"msp", "energy", "maxlogit"};

/// Three detectors, ten validation frames, every threshold 0.5; a score of 1 flags, 0 does not.
///
///   frame   msp energy maxlogit   flags
///     0      1    1      1          3
///     1      1    1      0          2
///     2      1    0      0          1
///     3      0    1      0          1
///     4      0    0      1          1
///   5..9     0    0      0          0   (frame 5's energy score is NaN: not scored, no flag)
///
/// All three enabled: share flagged by >= 1 is 5/10, >= 2 is 2/10, >= 3 is 1/10.
/// msp and maxlogit only: frame 0 has 2 flags, frames 1, 2, 4 one: >= 1 is 4/10, >= 2 is 1/10.
/// energy alone: frames 0, 1, 3: 3/10.
Profile handBuiltProfile(double targetTpr)
{
    const double table[10][3] = {{1, 1, 1},    {1, 1, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1},
                                 {0, kNaN, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
    Profile profile;
    profile.validationCount = 10;
    profile.targetTpr = targetTpr;
    for (size_t d = 0; d < kIds.size(); ++d) {
        ProfileDetector entry;
        entry.detector = createDetector(kIds[d]);
        std::vector<double> scores;
        for (const auto &row : table)
            scores.push_back(row[d]);
        entry.validationScores = torch::tensor(scores, torch::kFloat64);
        entry.threshold = 0.5;
        profile.detectors.push_back(std::move(entry));
    }
    return profile;
}

std::vector<bool> enabledFrom(const QString &mask)
{
    std::vector<bool> enabled;
    for (const QChar c : mask)
        enabled.push_back(c == '1');
    return enabled;
}

} // namespace

class VerdictTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void calibration_data()
    {
        QTest::addColumn<double>("targetTpr");
        QTest::addColumn<QString>("enabled"); // one character per detector; empty: all
        QTest::addColumn<QString>("verdictDetector");
        QTest::addColumn<int>("minFlags");
        QTest::addColumn<double>("falseAlarmRate");
        QTest::addColumn<QString>("detectorId");

        // Target 5%: even all three (10%) flag more: k is every detector.
        QTest::newRow("target below every k") << 0.95 << ""
                                              << "" << 3 << 0.1 << "";
        // Target 1 - 0.9 (0.09999... in doubles): 10% meets it.
        QTest::newRow("target met exactly") << 0.9 << ""
                                            << "" << 3 << 0.1 << "";
        QTest::newRow("target 20%") << 0.8 << ""
                                    << "" << 2 << 0.2 << "";
        QTest::newRow("target 50%") << 0.5 << ""
                                    << "" << 1 << 0.5 << "";
        QTest::newRow("target 60%, any detector") << 0.4 << ""
                                                  << "" << 1 << 0.5 << "";
        QTest::newRow("energy off, target 20%") << 0.8 << "101"
                                                << "" << 2 << 0.1 << "";
        QTest::newRow("energy off, target 40%") << 0.6 << "101"
                                                << "" << 1 << 0.4 << "";
        QTest::newRow("one detector enabled") << 0.95 << "010"
                                              << "" << 1 << 0.3 << "";
        // The chosen detector's own share; k stays calibrated as the fallback.
        QTest::newRow("energy decides") << 0.8 << ""
                                        << "energy" << 2 << 0.3 << "energy";
        QTest::newRow("chosen detector off: k of n") << 0.8 << "101"
                                                     << "energy" << 2 << 0.1 << "";
    }

    void calibration()
    {
        QFETCH(double, targetTpr);
        QFETCH(QString, enabled);
        QFETCH(QString, verdictDetector);
        QFETCH(int, minFlags);
        QFETCH(double, falseAlarmRate);
        QFETCH(QString, detectorId);
        Profile profile = handBuiltProfile(targetTpr);
        profile.verdictDetector = verdictDetector.toStdString();
        const VerdictRule rule = calibrateVerdict(profile, enabledFrom(enabled));
        QVERIFY(rule.canDecide());
        QCOMPARE(rule.validationFrames, 10);
        QCOMPARE(rule.minFlags, minFlags);
        QCOMPARE(rule.falseAlarmRate, falseAlarmRate);
        QCOMPARE(rule.targetFalseAlarmRate, 1 - targetTpr);
        QCOMPARE(QString::fromStdString(rule.detectorId), detectorId);
    }

    void thresholdWithoutValueNeverFlags()
    {
        // maxlogit without a threshold: the table's flags of msp and energy alone, frame 0 and 1
        // flagged by both, frames 2 and 3 by one: >= 1 is 4/10, >= 2 is 2/10.
        Profile profile = handBuiltProfile(0.8);
        profile.detectors[2].threshold = kNaN;
        const VerdictRule rule = calibrateVerdict(profile);
        QCOMPARE(rule.minFlags, 2);
        QCOMPARE(rule.falseAlarmRate, 0.2);
    }

    void validationCountsThatDifferUseTheCommonFrames()
    {
        // maxlogit scored only frames 0..7: the first eight frames count, flags as in the table:
        // >= 1 is 5/8, >= 2 is 2/8, >= 3 is 1/8.
        Profile profile = handBuiltProfile(0.75);
        profile.detectors[2].validationScores = profile.detectors[2].validationScores.slice(0, 0, 8);
        const VerdictRule rule = calibrateVerdict(profile);
        QCOMPARE(rule.validationFrames, 8);
        QCOMPARE(rule.minFlags, 2);
        QCOMPARE(rule.falseAlarmRate, 0.25);
    }

    void profileWithoutValidationCannotDecide()
    {
        Profile profile = handBuiltProfile(0.95);
        profile.validationCount = 0;
        for (ProfileDetector &d : profile.detectors) {
            d.validationScores = torch::zeros({0}, torch::kFloat64);
            d.threshold = kNaN;
        }
        const VerdictRule rule = calibrateVerdict(profile);
        QVERIFY(!rule.canDecide());
        QVERIFY(std::isnan(rule.falseAlarmRate));
        QVERIFY(!ood::isUnusual(rule, kIds, {9, 9, 9}, {kNaN, kNaN, kNaN}));
    }

    void isUnusual_data()
    {
        QTest::addColumn<QString>("detectorId");
        QTest::addColumn<int>("minFlags");
        QTest::addColumn<QString>("enabled");
        QTest::addColumn<double>("energyScore");
        QTest::addColumn<bool>("unusual");
        // msp 1 (flags), energy as given, maxlogit 0 (does not); thresholds 0.5.
        QTest::newRow("2 of 3, two flags") << "" << 2 << "" << 1.0 << true;
        QTest::newRow("2 of 3, one flag") << "" << 2 << "" << 0.0 << false;
        QTest::newRow("2 of 3, energy not scored") << "" << 2 << "" << kNaN << false;
        QTest::newRow("2 of 3, msp off") << "" << 2 << "011" << 1.0 << false;
        QTest::newRow("1 of 3") << "" << 1 << "" << 0.0 << true;
        QTest::newRow("energy decides, flags") << "energy" << 3 << "" << 1.0 << true;
        QTest::newRow("energy decides, no flag") << "energy" << 1 << "" << 0.0 << false;
        QTest::newRow("energy off: 1 of the rest") << "energy" << 1 << "101" << 0.0 << true;
        QTest::newRow("unknown detector: 2 of 3") << "knn" << 2 << "" << 0.0 << false;
    }

    void isUnusual()
    {
        QFETCH(QString, detectorId);
        QFETCH(int, minFlags);
        QFETCH(QString, enabled);
        QFETCH(double, energyScore);
        QFETCH(bool, unusual);
        VerdictRule rule;
        rule.detectorId = detectorId.toStdString();
        rule.minFlags = minFlags;
        rule.validationFrames = 10;
        rule.falseAlarmRate = 0.05;
        QCOMPARE(ood::isUnusual(rule, kIds, {1.0, energyScore, 0.0}, {0.5, 0.5, 0.5}, enabledFrom(enabled)),
                 unusual);
    }

    void words_data()
    {
        QTest::addColumn<double>("rate");
        QTest::addColumn<QString>("text");
        QTest::newRow("5%") << 0.05 << "about 1 in 20 normal frames is flagged";
        QTest::newRow("4.9%: 1 / 0.049 = 20.4") << 0.049 << "about 1 in 20 normal frames is flagged";
        QTest::newRow("1 in 900") << 1.0 / 900 << "about 1 in 900 normal frames is flagged";
        QTest::newRow("30%: 1 / 0.3 = 3.3") << 0.3 << "about 1 in 3 normal frames is flagged";
        QTest::newRow("60%") << 0.6 << "about 60% of normal frames are flagged";
        QTest::newRow("none") << 0.0 << "none of the normal frames checked is flagged";
        QTest::newRow("unknown") << kNaN << "no normal frames to measure how often normal frames are flagged";
    }

    void words()
    {
        QFETCH(double, rate);
        QFETCH(QString, text);
        QCOMPARE(falseAlarmWords(rate), text);
    }

    void ruleWords()
    {
        QCOMPARE(verdictWords(true), QString("Unusual for this model"));
        QCOMPARE(verdictWords(false), QString("Nothing unusual found"));
        VerdictRule rule;
        rule.validationFrames = 900;
        rule.minFlags = 3;
        QCOMPARE(verdictRuleWords(rule, 11), QString("at least 3 of 11 checks find the frame unusual"));
        rule.minFlags = 1;
        QCOMPARE(verdictRuleWords(rule, 11), QString("any of 11 checks finds the frame unusual"));
        rule.minFlags = 11;
        QCOMPARE(verdictRuleWords(rule, 11), QString("all 11 checks find the frame unusual"));
        QCOMPARE(verdictRuleWords(rule, 1), QString("the one check finds the frame unusual"));
        rule.detectorId = "energy";
        QCOMPARE(verdictRuleWords(rule, 11, "Energy score"),
                 QString("the check Energy score finds the frame unusual"));
        QCOMPARE(verdictRuleWords(rule, 11), QString("the check energy finds the frame unusual"));
        rule.validationFrames = 0;
        QVERIFY(verdictRuleWords(rule, 11).startsWith("no rule"));
    }
};

QTEST_GUILESS_MAIN(VerdictTest)
#include "verdicttest.moc"
