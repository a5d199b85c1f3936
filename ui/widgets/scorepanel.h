#pragma once
// Every detector's verdict on the selected frame: score, threshold, percentile among the ID
// validation frames, flag; and the consensus.

#include <QWidget>

#include <vector>

class QLabel;
class QTableWidget;

namespace ood {

struct DetectorVerdict;

class ScorePanel : public QWidget
{
    Q_OBJECT
  public:
    explicit ScorePanel(QWidget *parent = nullptr);
    void showVerdicts(const std::vector<DetectorVerdict> &verdicts);
    /// The frame's verdicts are being computed: says so, and greys out the previous frame's rows
    /// until showVerdicts() replaces them.
    void showExplaining();
    void clear();
    QTableWidget *table() const { return m_table; }
    QString consensusText() const;

  Q_SIGNALS:
    /// The user picked a detector (for the density plot).
    void detectorChosen(const QString &detectorId);

  private:
    QLabel *m_consensus;
    QTableWidget *m_table;
};

} // namespace ood
