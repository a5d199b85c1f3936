#pragma once
// OOD evaluation metrics on unified scores (higher = more likely OOD). Definitions in docs/detectors.md.

#include <vector>

namespace ood {

struct RocPoint
{
    double fpr = 0; ///< fraction of ID samples with score >= threshold
    double tpr = 0; ///< fraction of OOD samples with score >= threshold
    double threshold = 0;
};

struct OodMetrics
{
    double auroc = 0;   ///< OOD positive; ties count 1/2 (sklearn roc_auc_score)
    double fpr95 = 0;   ///< NERO's definition (§2.2)
    double auprIn = 0;  ///< average precision, ID positive, ranking by -score
    double auprOut = 0; ///< average precision, OOD positive, ranking by score
};

/// All metrics as fractions in [0,1]. Throws ood::Error if either side is empty or has NaN.
OodMetrics evaluateScores(const std::vector<double> &idScores, const std::vector<double> &oodScores);

double auroc(const std::vector<double> &idScores, const std::vector<double> &oodScores);
/// §2.2: t = sorted(id)[floor(0.95 n)], FPR = #{ood <= t}/m.
double fpr95Nero(const std::vector<double> &idScores, const std::vector<double> &oodScores);
/// sklearn average_precision_score for positives `positive` ranked by `score` descending.
double averagePrecision(const std::vector<double> &positiveScores, const std::vector<double> &negativeScores);
/// ROC points at every distinct threshold, descending, starting at (0,0).
std::vector<RocPoint> rocCurve(const std::vector<double> &idScores, const std::vector<double> &oodScores);
/// §2.2/§2.7: the score t such that a sample is accepted as ID iff score <= t, which accepts
/// at least `tpr` of `idScores`: sorted(id)[floor(tpr n)] (clamped to n-1).
double thresholdAtTpr(const std::vector<double> &idScores, double tpr = 0.95);

} // namespace ood
