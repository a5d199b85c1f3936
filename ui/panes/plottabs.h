#pragma once
// The tabs next to the frame: every detector's verdict (Scores), where the frame falls in a
// detector's ID validation density, the score landscape around it, the neurons that make it unlike
// its nearest class, the labels a CLIP matched (Words), and the ROC curves over the open set. Every label
// stays readable at 1366 px: tabs are never elided, and the pane is at least as wide as its tab bar.

#include <QStringList>
#include <QTabWidget>

#include <vector>

class QLabel;

namespace ood {

class DensityPlot;
class LandscapePlot;
class RelevancePlot;
class RocPlot;
class ScorePanel;
class InspectionSession;
struct FrameExplanation;
struct SessionRoc;

class PlotTabs : public QTabWidget
{
    Q_OBJECT

  public:
    explicit PlotTabs(QWidget *parent = nullptr);

    ScorePanel *scorePanel() const { return m_scores; }
    DensityPlot *densityPlot() const { return m_density; }
    LandscapePlot *landscapePlot() const { return m_landscape; }
    RelevancePlot *relevancePlot() const { return m_relevance; }
    RocPlot *rocPlot() const { return m_roc; }
    /// The Words tab's text: a CLIP verdict as the labels the frame matched (empty otherwise).
    QLabel *labelsText() const { return m_labels; }
    int wordsTabIndex() const { return m_labelsTab; }

    /// The verdicts of the frame's explanation by the detectors `session` has enabled.
    void showVerdicts(const FrameExplanation &explanation, const InspectionSession &session);
    /// The selected frame is being explained; its verdicts follow. The previous frame's
    /// landscape and neurons go.
    void showExplaining();
    /// No verdicts (the frame could not be explained).
    void clearVerdicts();
    /// Verdicts, density, landscape and neurons of the frame (under `session`); the density of
    /// `detectorId`.
    void showExplanation(const FrameExplanation &explanation, const InspectionSession &session,
                         const QString &detectorId);
    void showDensity(const FrameExplanation &explanation, const QString &detectorId);
    /// The explanation's landscape (none: cleared); `note` says what is still coming, e.g. that
    /// a coarse grid is being refined.
    void showLandscape(const FrameExplanation &explanation, const QString &note = {});
    /// NERO's neurons and, for a CLIP, the matched labels.
    void showNeurons(const FrameExplanation &explanation, const InspectionSession &session);
    bool isRocShown() const;
    void showRoc(const SessionRoc &roc);

  Q_SIGNALS:
    /// The user picked a detector in the Scores tab (for the density, ROC and timeline).
    void detectorChosen(const QString &detectorId);

  private:
    ScorePanel *m_scores;
    DensityPlot *m_density;
    LandscapePlot *m_landscape;
    RelevancePlot *m_relevance;
    QLabel *m_neuronSummary;
    RocPlot *m_roc;
    QLabel *m_labels;
    int m_labelsTab = -1;

    void showLabels(const FrameExplanation &explanation);
};

} // namespace ood
