#pragma once
// The demo report: frames in three groups (in-distribution, near OOD, far OOD) scored by every
// detector of a profile; first the verdict (how many frames of each group the profile's calibrated
// rule calls unusual, and its false-alarm rate), then each detector's metrics on near and far OOD
// against the ID group, and the frames called unusual. Rendered as a self-contained HTML page, a Markdown
// table, a plain-text table and JSON. Only formatting and metrics: no model, no files.

#include "calib/profile.h"
#include "eval/metrics.h"
#include "pipeline/scoringrun.h"
#include "pipeline/verdict.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <array>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace ood {

enum class FrameGroup { InDistribution = 0, NearOod = 1, FarOod = 2 };
constexpr int kFrameGroupCount = 3;

/// Key in JSON and folder name conventions: "id", "near_ood", "far_ood".
const char *frameGroupKey(FrameGroup group);
/// For people: "in-distribution", "near OOD", "far OOD".
const char *frameGroupLabel(FrameGroup group);

struct ReportFrame
{
    QString path; ///< as shown in the report (relative to the report's folder)
    FrameGroup group = FrameGroup::InDistribution;
    QByteArray png;     ///< encoded image shown as the thumbnail (a data URI); empty: none
    QString prediction; ///< class name; empty when the frame could not be scored
    double confidence = std::numeric_limits<double>::quiet_NaN();
    std::vector<std::string> flaggedBy; ///< detector ids whose score exceeds their threshold
    bool unusual = false;               ///< the verdict (FrameResult::flagged)
    QString error;                      ///< empty when scored
};

struct ReportMethod
{
    std::string id;
    double threshold = 0;
    OodMetrics nearOod, farOod;                  ///< each OOD group against the ID group
    std::array<int, kFrameGroupCount> flagged{}; ///< flagged frames per group
};

struct DemoReport
{
    QString title = "OOD Inspector demo";
    QString modelSummary; ///< one line: architecture, classes, input size, sha256
    QString appVersion;
    double targetTpr = 0.95;
    std::vector<ReportMethod> methods;                            ///< in profile order
    std::vector<std::pair<std::string, std::string>> unavailable; ///< detector id, reason
    std::vector<ReportFrame> frames;
    VerdictRule verdict;      ///< the rule behind ReportFrame::unusual
    QString verdictRule;      ///< that rule in words (verdictRuleWords)
    int verdictDetectors = 0; ///< detectors the rule is over

    /// Scored (not failed) frames per group.
    std::array<int, kFrameGroupCount> scoredCounts() const;
    /// Frames called unusual per group.
    std::array<int, kFrameGroupCount> unusualCounts() const;
};

/// Fills `methods` and `frames` (without thumbnails) from the scores. `groups[i]` and
/// `displayPaths[i]` belong to `scored.samples[i]`. Failed frames are left out of the metrics.
/// Throws ood::Error when a group has no scored frame.
void fillDemoReport(DemoReport &report, const ScoredImages &scored, const std::vector<FrameGroup> &groups,
                    const QStringList &displayPaths, const Profile &profile);

/// A self-contained page: inline CSS, thumbnails as data URIs, no scripts, no external links.
QString demoReportHtml(const DemoReport &report);
/// The per-detector table (AUROC and FPR@95TPR in %, near and far OOD), as in docs/results.md.
QString demoReportMarkdown(const DemoReport &report);
/// The same table in fixed-width columns, for a terminal.
QString demoReportText(const DemoReport &report);
/// {"frames": {...}, "near_ood": {"<id>": {"auroc", "fpr95", "aupr_in", "aupr_out"}}, "far_ood": {...},
///  "flagged": {"<id>": {"threshold", "id", "near_ood", "far_ood"}}, "unavailable": {"<id>": reason},
///  "verdict": {"rule", "detector", "min_flags", "detectors", "false_alarm_rate", "validation_frames",
///              "unusual": {"id", "near_ood", "far_ood"}}}
QByteArray demoReportJson(const DemoReport &report);

} // namespace ood
