// The demo report: metrics and flags per group from scores, HTML escaping of every text it
// shows, and the Markdown table of docs/results.md. Expected values are counted by hand.

#include "detect/registry.h"
#include "report/demoreport.h"
#include "report/html.h"

#include <QtTest>

#include <torch/torch.h>

#include <limits>

using namespace ood;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Two detectors (msp, energy) with thresholds 0.35 and 1, and seven frames: two ID, two near
/// OOD, two far OOD and one that failed. Scores per frame: {msp, energy}. The verdict: both
/// detectors must flag (a false-alarm rate of 1 in 10 normal frames), which only frame 4 (0.5 and 2)
/// meets.
struct Fixture
{
    Profile profile;
    ScoredImages scored;
    std::vector<FrameGroup> groups;
    QStringList paths;

    Fixture()
    {
        profile.model.classNames = {"<b>Bag</b>", "Trouser"};
        profile.model.numClasses = 2;
        for (const auto &[id, threshold] : {std::pair{"msp", 0.35}, std::pair{"energy", 1.0}}) {
            ProfileDetector entry;
            entry.detector = createDetector(id);
            entry.threshold = threshold;
            profile.detectors.push_back(std::move(entry));
        }
        profile.unavailable = {{"abet", "needs a <temperature> head & more"}};

        const std::vector<std::array<double, 2>> rows = {{0.1, 1}, {0.3, 1}, {0.2, 1},    {0.4, 0},
                                                         {0.5, 2}, {0.6, 1}, {kNaN, kNaN}};
        groups = {FrameGroup::InDistribution, FrameGroup::InDistribution, FrameGroup::NearOod,
                  FrameGroup::NearOod,        FrameGroup::FarOod,         FrameGroup::FarOod,
                  FrameGroup::FarOod};
        paths = {"frames/id/a.png",          "frames/id/b.png",      "frames/near-ood/c.png",
                 "frames/near-ood/d&'.png",  "frames/far-ood/e.png", "frames/far-ood/f.png",
                 "frames/far-ood/broken.png"};
        scored.detectorIds = {"msp", "energy"};
        scored.scores = torch::empty({7, 2}, torch::kFloat64);
        for (int64_t i = 0; i < 7; ++i) {
            scored.samples.push_back({paths[static_cast<int>(i)], -1});
            scored.scores[i][0] = rows[static_cast<size_t>(i)][0];
            scored.scores[i][1] = rows[static_cast<size_t>(i)][1];
            scored.predictions.push_back(i == 6 ? -1 : i % 2);
            scored.confidences.push_back(i == 6 ? kNaN : 0.5 + 0.05 * static_cast<double>(i));
            scored.errors.push_back(i == 6 ? QString("not a <readable> image") : QString());
            scored.unusual.push_back(i == 4);
        }
        scored.verdict.minFlags = 2;
        scored.verdict.falseAlarmRate = 0.1;
        scored.verdict.validationFrames = 10;
    }
};

} // namespace

class DemoReportTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void htmlEscape_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << "Trouser 12"
                               << "Trouser 12";
        QTest::newRow("empty") << ""
                               << "";
        QTest::newRow("markup") << "<script>alert(1)</script>"
                                << "&lt;script&gt;alert(1)&lt;/script&gt;";
        QTest::newRow("ampersand first") << "&lt;"
                                         << "&amp;lt;";
        QTest::newRow("quotes") << "a\"b'c"
                                << "a&quot;b&#39;c";
        QTest::newRow("non-ascii kept") << QString::fromUtf8("Größe ≤ 3") << QString::fromUtf8("Größe ≤ 3");
    }

    void htmlEscape()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(ood::htmlEscape(text), expected);
    }

    void metricsAndFlagsPerGroup()
    {
        Fixture f;
        DemoReport report;
        fillDemoReport(report, f.scored, f.groups, f.paths, f.profile);
        QCOMPARE(report.scoredCounts(), (std::array<int, 3>{2, 2, 2}));
        QCOMPARE(report.methods.size(), size_t(2));
        // msp: near {0.2, 0.4} vs ID {0.1, 0.3}: 3 of 4 pairs; far {0.5, 0.6}: all pairs.
        QCOMPARE(report.methods[0].nearOod.auroc, 0.75);
        QCOMPARE(report.methods[0].farOod.auroc, 1.0);
        // energy: near {1, 0} vs ID {1, 1}: two ties; far {2, 1}: two wins and two ties.
        QCOMPARE(report.methods[1].nearOod.auroc, 0.25);
        QCOMPARE(report.methods[1].farOod.auroc, 0.75);
        // FPR@95 (NERO): t = sorted ID [floor(0.95*2)] = the larger ID score; OOD at or below t.
        QCOMPARE(report.methods[0].nearOod.fpr95, 0.5);
        QCOMPARE(report.methods[0].farOod.fpr95, 0.0);
        QCOMPARE(report.methods[1].nearOod.fpr95, 1.0);
        QCOMPARE(report.methods[1].farOod.fpr95, 0.5);
        // Flagged: score > threshold (msp 0.35, energy 1).
        QCOMPARE(report.methods[0].flagged, (std::array<int, 3>{0, 1, 2}));
        QCOMPARE(report.methods[1].flagged, (std::array<int, 3>{0, 0, 1}));
        QCOMPARE(report.frames[4].flaggedBy, (std::vector<std::string>{"msp", "energy"}));
        QCOMPARE(report.frames[5].flaggedBy, (std::vector<std::string>{"msp"}));
        QVERIFY(report.frames[0].flaggedBy.empty());
        QVERIFY(report.frames[6].flaggedBy.empty());
        QCOMPARE(report.unusualCounts(), (std::array<int, 3>{0, 0, 1}));
        QVERIFY(report.frames[4].unusual && !report.frames[5].unusual);
        QCOMPARE(report.verdictRule, QString("all 2 checks find the frame unusual"));
        QCOMPARE(report.frames[3].prediction, QString("Trouser"));
        QCOMPARE(report.frames[6].error, QString("not a <readable> image"));
    }

    void aGroupWithoutScoredFramesIsAnError()
    {
        Fixture f;
        f.groups[4] = f.groups[5] = FrameGroup::NearOod; // far OOD left with the failed frame only
        DemoReport report;
        QVERIFY_THROWS_EXCEPTION(ood::Error, fillDemoReport(report, f.scored, f.groups, f.paths, f.profile));
    }

    void htmlEscapesEveryText()
    {
        Fixture f;
        DemoReport report;
        report.title = "Demo <1>";
        report.modelSummary = "resnet18 & co";
        fillDemoReport(report, f.scored, f.groups, f.paths, f.profile);
        report.frames[4].png = QByteArray("abc");
        report.frames[3].png = QByteArray("abc"); // in the gallery: its path is the image's alt text
        const QString html = demoReportHtml(report);
        QVERIFY(html.contains("<title>Demo &lt;1&gt;</title>"));
        QVERIFY(html.contains("resnet18 &amp; co"));
        QVERIFY(html.contains("&lt;b&gt;Bag&lt;/b&gt;"));
        QVERIFY(!html.contains("<b>Bag</b>"));
        QVERIFY(html.contains("needs a &lt;temperature&gt; head &amp; more"));
        QVERIFY(html.contains("frames/near-ood/d&amp;&#39;.png"));
        QVERIFY(html.contains("not a &lt;readable&gt; image"));
        QVERIFY(html.contains("src=\"data:image/png;base64,YWJj\"")); // base64 of "abc"
        // The verdict leads, in words, with its false-alarm rate; the lists follow it.
        QVERIFY(
            html.contains("<strong>Unusual for this model:</strong> 0 of 2 in-distribution frames, 0 of 2 "
                          "near-OOD frames, 1 of 2 far-OOD frames."));
        QVERIFY(html.indexOf("Unusual for this model:") < html.indexOf("<h2>Detectors</h2>"));
        QVERIFY(html.contains("A frame is called unusual when all 2 checks find the frame unusual. On the 10 "
                              "in-distribution validation frames the profile was fitted on, this rule flags "
                              "10.00%: about 1 in 10 normal frames is flagged."));
        QVERIFY(html.contains("is not thereby normal"));
        QVERIFY(html.contains("Frames unusual for this model (1)"));
        QVERIFY(html.contains("Frames with nothing unusual found (5)"));
        QVERIFY(html.contains("<td class=\"text\">frames/far-ood/e.png</td>"));
        QVERIFY(!html.contains("<td class=\"text\">frames/far-ood/f.png</td>")); // one flag is not enough
        QVERIFY(!html.contains("<script"));
    }

    void markdownTable()
    {
        Fixture f;
        DemoReport report;
        fillDemoReport(report, f.scored, f.groups, f.paths, f.profile);
        const QString expected =
            "| Detector | Near OOD AUROC | Near OOD FPR@95 | Far OOD AUROC | Far OOD FPR@95 |\n"
            "|---|---:|---:|---:|---:|\n"
            "| msp | 75.00 | 50.00 | 100.00 | 0.00 |\n"
            "| energy | 25.00 | 100.00 | 75.00 | 50.00 |\n"
            "\n"
            "2 in-distribution, 2 near-OOD and 2 far-OOD frames; AUROC and FPR@95TPR in %.\n"
            "Verdict (all 2 checks find the frame unusual; about 1 in 10 normal frames is flagged): unusual "
            "0/2 ID, 0/2 near-OOD, 1/2 far-OOD frames.\n"
            "Unavailable for this model: abet (needs a <temperature> head & more).\n";
        QCOMPARE(demoReportMarkdown(report), expected);
    }

    void jsonHoldsEveryDetector()
    {
        Fixture f;
        DemoReport report;
        fillDemoReport(report, f.scored, f.groups, f.paths, f.profile);
        const QJsonObject json = QJsonDocument::fromJson(demoReportJson(report)).object();
        QCOMPARE(json["near_ood"].toObject()["msp"].toObject()["auroc"].toDouble(), 0.75);
        QCOMPARE(json["far_ood"].toObject()["energy"].toObject()["fpr95"].toDouble(), 0.5);
        QCOMPARE(json["flagged"].toObject()["msp"].toObject()["far_ood"].toInt(), 2);
        QCOMPARE(json["frames"].toObject()["near_ood"].toInt(), 2);
        QCOMPARE(json["unavailable"].toObject()["abet"].toString(),
                 QString("needs a <temperature> head & more"));
        const QJsonObject verdict = json["verdict"].toObject();
        QCOMPARE(verdict["min_flags"].toInt(), 2);
        QCOMPARE(verdict["detectors"].toInt(), 2);
        QCOMPARE(verdict["false_alarm_rate"].toDouble(), 0.1);
        QCOMPARE(verdict["validation_frames"].toInt(), 10);
        QCOMPARE(verdict["detector"].toString(), QString());
        QCOMPARE(verdict["unusual"].toObject()["far_ood"].toInt(), 1);
        QCOMPARE(verdict["unusual"].toObject()["id"].toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(DemoReportTest)
#include "demoreporttest.moc"
