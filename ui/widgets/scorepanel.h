#pragma once
// Every check (detector) on the selected frame, in words first: the verdict of the profile's rule
// on top, then per check its plain name, whether it finds the frame unusual, how the frame
// compares with the normal (ID validation) frames ("higher than 97%"), and last the raw score and
// threshold for those who want the numbers.

#include <QWidget>

#include <vector>

class QLabel;
class QTableWidget;

namespace ood {

struct DetectorVerdict;
struct VerdictRule;

/// Share of `validation` scores strictly below `score`, in percent: the frame's score is "higher
/// than" that share of the normal frames. NaN without validation scores or for a NaN score; NaN
/// validation scores are left out.
double percentBelow(const std::vector<double> &validation, double score);
/// "higher than 97%" for a percentBelow(). Rounded down, so the words stay true: 97.9 is "higher
/// than 97%", 99.95 "higher than 99.9%"; 100 is "higher than all"; NaN is "—".
QString percentBelowWords(double percent);

class ScorePanel : public QWidget
{
    Q_OBJECT
  public:
    /// The table's columns, in order: words first, numbers last.
    enum Column { CheckColumn = 0, UnusualColumn, NormalFramesColumn, ScoreColumn, ThresholdColumn };

    explicit ScorePanel(QWidget *parent = nullptr);
    /// `percent` holds percentBelow() of each verdict's score among its detector's ID validation
    /// scores (same order; missing entries show "—"). With `rule`, the panel leads with the
    /// verdict it gives over these checks (the enabled ones).
    void showVerdicts(const std::vector<DetectorVerdict> &verdicts, const std::vector<double> &percent = {},
                      const VerdictRule *rule = nullptr);
    /// The frame's verdicts are being computed: says so, and greys out the previous frame's rows
    /// until showVerdicts() replaces them.
    void showExplaining();
    void clear();
    QTableWidget *table() const { return m_table; }
    /// The text over the table, plain (the verdict and how many checks find the frame unusual).
    QString consensusText() const;

  Q_SIGNALS:
    /// The user picked a detector (for the density plot).
    void detectorChosen(const QString &detectorId);

  private:
    QLabel *m_consensus;
    QTableWidget *m_table;
};

} // namespace ood
