#pragma once
// Plots over the whole open set rather than one frame: ROC curves of every detector when the
// open folders say which frames are ID and which OOD, and the score along a video with its
// flagged stretches.

#include "eval/metrics.h"

#include <QString>
#include <QWidget>

#include <utility>
#include <vector>

class QCustomPlot;
class QLabel;

namespace ood {

/// One detector's ROC curve on the open frames (OOD positive).
struct RocCurveData
{
    QString detectorName;
    std::vector<RocPoint> points; ///< eval/metrics.h rocCurve
    double auroc = 0;
};

class RocPlot : public QWidget
{
    Q_OBJECT
  public:
    explicit RocPlot(QWidget *parent = nullptr);
    /// Every curve in grey, `highlighted` (an index into `curves`, or -1) in colour with its AUROC.
    void showCurves(const std::vector<RocCurveData> &curves, int highlighted, int idFrames, int oodFrames);
    /// No curves; `why` says what the user can do (e.g. open folders named id and ood).
    void showUnavailable(const QString &why);
    QCustomPlot *plot() const { return m_plot; }
    QString caption() const;

  private:
    QLabel *m_caption;
    QCustomPlot *m_plot;
};

/// Runs of consecutive sampled frames that are flagged, as [first, last] video frame indices.
/// `frames` ascending; `flagged[i]` belongs to `frames[i]`. Two flagged samples are in one run
/// when no unflagged sample lies between them.
std::vector<std::pair<int, int>> flaggedStretches(const std::vector<int> &frames,
                                                  const std::vector<bool> &flagged);

/// One detector's score along a video.
struct TimelineData
{
    QString videoName;
    QString detectorName;
    std::vector<int> frames;    ///< sampled frame indices, ascending
    std::vector<double> scores; ///< per frame; NaN while unscored
    std::vector<bool> flagged;  ///< per frame: flagged by any enabled detector
    double threshold = 0;       ///< of this detector
    int currentFrame = -1;      ///< the selected frame, marked with a line
    double fps = 0;             ///< 0 when unknown (the axis then counts frames only)
};

class TimelinePlot : public QWidget
{
    Q_OBJECT
  public:
    explicit TimelinePlot(QWidget *parent = nullptr);
    void showTimeline(const TimelineData &data);
    void showUnavailable(const QString &why);
    QCustomPlot *plot() const { return m_plot; }
    QString caption() const;
    /// The sampled frame nearest to a click at x = `frameCoordinate`, or -1 without frames.
    int nearestFrame(double frameCoordinate) const;

  Q_SIGNALS:
    /// The user clicked the plot near this video frame.
    void frameClicked(int videoFrame);

  private:
    QLabel *m_caption;
    QCustomPlot *m_plot;
    std::vector<int> m_frames;
};

} // namespace ood
