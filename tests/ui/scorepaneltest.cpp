// The score panel: where a frame falls among the normal frames counted by hand, the words for it
// rounded so they stay true, plain names before technical ones, and the verdict on top in words.

#include "detect/detectorwords.h"
#include "explain/frameexplainer.h"
#include "pipeline/verdict.h"
#include "widgets/scorepanel.h"

#include <QTableWidget>
#include <QtTest>

#include <cmath>

using namespace ood;

namespace {

DetectorVerdict verdictOf(const std::string &id, const std::string &name, double score, double threshold)
{
    DetectorVerdict v;
    v.id = id;
    v.displayName = name;
    v.score = score;
    v.reference = score;
    v.threshold = threshold;
    v.flagged = score > threshold;
    return v;
}

/// "At least `minFlags` of the checks", calibrated on 200 normal frames of which 10 were called
/// unusual.
VerdictRule atLeast(int minFlags)
{
    VerdictRule rule;
    rule.minFlags = minFlags;
    rule.validationFrames = 200;
    rule.falseAlarmRate = 0.05;
    return rule;
}

} // namespace

class ScorePanelTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void percentBelowCountsStrictlyLower_data()
    {
        QTest::addColumn<std::vector<double>>("validation");
        QTest::addColumn<double>("score");
        QTest::addColumn<double>("expected");
        const std::vector<double> ten{3, 1, 4, 10, 5, 9, 2, 6, 8, 7};
        // 1..10 shuffled: 7.5 is above 1..7, seven of ten.
        QTest::newRow("between") << ten << 7.5 << 70.0;
        // A tie is not "higher than": 7 is above 1..6 only.
        QTest::newRow("tie") << ten << 7.0 << 60.0;
        QTest::newRow("below all") << ten << 0.5 << 0.0;
        QTest::newRow("above all") << ten << 11.0 << 100.0;
        // Negative scores (Energy-like) work the same way: -3 is above -5 and -4, two of four.
        QTest::newRow("negative") << std::vector<double>{-1, -5, -2, -4} << -3.0 << 50.0;
        // A NaN validation score is left out: 2 is above 1, one of the two others.
        QTest::newRow("nan left out") << std::vector<double>{1, std::nan(""), 3} << 2.0 << 50.0;
    }

    void percentBelowCountsStrictlyLower()
    {
        QFETCH(std::vector<double>, validation);
        QFETCH(double, score);
        QFETCH(double, expected);
        QCOMPARE(percentBelow(validation, score), expected);
    }

    void percentBelowWithoutData()
    {
        QVERIFY(std::isnan(percentBelow({}, 1.0)));
        QVERIFY(std::isnan(percentBelow({std::nan("")}, 1.0)));
        QVERIFY(std::isnan(percentBelow({1, 2, 3}, std::nan(""))));
    }

    void wordsAreRoundedDown_data()
    {
        QTest::addColumn<double>("percent");
        QTest::addColumn<QString>("words");
        QTest::newRow("97.9") << 97.9 << "higher than 97%";
        QTest::newRow("50") << 50.0 << "higher than 50%";
        QTest::newRow("0") << 0.0 << "higher than 0%";
        // Near the top a tenth matters, and 99.96 must not read as 100.
        QTest::newRow("99.96") << 99.96 << "higher than 99.9%";
        QTest::newRow("99") << 99.0 << "higher than 99.0%";
        QTest::newRow("100") << 100.0 << "higher than all";
        QTest::newRow("nan") << std::nan("") << "—";
    }

    void wordsAreRoundedDown()
    {
        QFETCH(double, percent);
        QFETCH(QString, words);
        QCOMPARE(percentBelowWords(percent), words);
    }

    void plainNamesAndPercentileFirst()
    {
        ScorePanel panel;
        panel.showVerdicts({verdictOf("nero", "NERO", 2.5, 2.0), verdictOf("msp", "MSP", -0.9, -0.5)},
                           {97.5, 40.0});
        QTableWidget *table = panel.table();
        QCOMPARE(table->rowCount(), 2);
        // Words before numbers.
        QCOMPARE(table->horizontalHeaderItem(ScorePanel::CheckColumn)->text(), QString("Check"));
        QCOMPARE(table->horizontalHeaderItem(ScorePanel::NormalFramesColumn)->text(),
                 QString("Among normal frames"));
        QVERIFY(ScorePanel::NormalFramesColumn < ScorePanel::ScoreColumn);
        const DetectorWords nero = detectorWords("nero");
        QCOMPARE(table->item(0, ScorePanel::CheckColumn)->text(), nero.plainName);
        const QString tip = table->item(0, ScorePanel::CheckColumn)->toolTip();
        QVERIFY2(tip.contains(nero.description) && tip.contains("NERO") && tip.contains("nero"),
                 qPrintable(tip));
        QCOMPARE(table->item(0, ScorePanel::CheckColumn)->data(Qt::UserRole).toString(), QString("nero"));
        QCOMPARE(table->item(0, ScorePanel::NormalFramesColumn)->text(), QString("higher than 97%"));
        QCOMPARE(table->item(1, ScorePanel::NormalFramesColumn)->text(), QString("higher than 40%"));
        QCOMPARE(table->item(0, ScorePanel::ScoreColumn)->text(), QString("2.5"));
        QCOMPARE(table->item(1, ScorePanel::ThresholdColumn)->text(), QString("-0.5"));
        QCOMPARE(table->item(0, ScorePanel::UnusualColumn)->text(), QString("yes"));
        QCOMPARE(table->item(1, ScorePanel::UnusualColumn)->text(), QString("—"));
        // Without a rule the panel counts only.
        QCOMPARE(panel.consensusText(), QString("1 of 2 checks find the frame unusual on their own."));
    }

    void verdictLeadsInWords()
    {
        // Three checks, two over their thresholds.
        const std::vector<DetectorVerdict> verdicts = {verdictOf("nero", "NERO", 2.5, 2.0),
                                                       verdictOf("msp", "MSP", -0.1, -0.5),
                                                       verdictOf("energy", "Energy", -9, -8)};
        ScorePanel panel;
        const VerdictRule two = atLeast(2), three = atLeast(3);
        panel.showVerdicts(verdicts, {}, &two);
        QVERIFY2(panel.consensusText().startsWith("Unusual for this model\n"),
                 qPrintable(panel.consensusText()));
        QVERIFY(panel.consensusText().contains("2 of 3 checks find the frame unusual"));
        panel.showVerdicts(verdicts, {}, &three);
        QVERIFY2(panel.consensusText().startsWith("Nothing unusual found\n"),
                 qPrintable(panel.consensusText()));
        // Missing percentiles say so rather than show a number.
        QCOMPARE(panel.table()->item(2, ScorePanel::NormalFramesColumn)->text(), QString("—"));

        // One check decides: MSP over its threshold makes the frame unusual whatever the others say.
        VerdictRule msp = atLeast(3);
        msp.detectorId = "msp";
        panel.showVerdicts(verdicts, {}, &msp);
        QVERIFY2(panel.consensusText().startsWith("Unusual for this model\n"),
                 qPrintable(panel.consensusText()));
    }

    void profileWithoutNormalFramesGivesNoVerdict()
    {
        ScorePanel panel;
        VerdictRule rule; // no validation frames: it cannot decide
        const double nan = std::nan("");
        panel.showVerdicts({verdictOf("mcm", "MCM", 0.3, nan)}, {nan}, &rule);
        QVERIFY2(panel.consensusText().startsWith("No verdict\n"), qPrintable(panel.consensusText()));
        QCOMPARE(panel.table()->item(0, ScorePanel::CheckColumn)->text(), detectorWords("mcm").plainName);
    }

    void explainingAndCleared()
    {
        ScorePanel panel;
        QCOMPARE(panel.consensusText(), QString("No frame selected."));
        panel.showVerdicts({verdictOf("msp", "MSP", 0.1, 0.2)});
        panel.showExplaining();
        QCOMPARE(panel.consensusText(), QString("Explaining…"));
        QVERIFY(!panel.table()->isEnabled());
        panel.clear();
        QCOMPARE(panel.table()->rowCount(), 0);
    }
};

QTEST_MAIN(ScorePanelTest)
#include "scorepaneltest.moc"
