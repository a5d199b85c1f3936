#pragma once
// Plots over the whole open set rather than one frame: ROC curves of every detector when the
// open folders say which frames are ID and which OOD, and the score along a video with the
// stretches the verdict calls unusual; each with a legend line naming its curves and bands.

#include "session/inspectionsession.h"

#include <QString>
#include <QWidget>

#include <utility>
#include <vector>

class QCustomPlot;
class QLabel;

namespace ood {

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
    /// The line under the plot that names each kind of curve, as plain text.
    QString legendText() const;

  private:
    QLabel *m_caption;
    QLabel *m_legend;
    QCustomPlot *m_plot;
};

/// Runs of consecutive sampled frames that are flagged, as [first, last] video frame indices.
/// `frames` ascending; `flagged[i]` belongs to `frames[i]`. Two flagged samples are in one run
/// when no unflagged sample lies between them.
std::vector<std::pair<int, int>> flaggedStretches(const std::vector<int> &frames,
                                                  const std::vector<bool> &flagged);

class TimelinePlot : public QWidget
{
    Q_OBJECT
  public:
    explicit TimelinePlot(QWidget *parent = nullptr);
    void showTimeline(const TimelineData &data);
    /// No plot, only the caption `why` (one line instead of an empty plot).
    void showUnavailable(const QString &why);
    QCustomPlot *plot() const { return m_plot; }
    QString caption() const;
    /// The line under the plot that names the line, the threshold, the bands and the current
    /// frame, as plain text.
    QString legendText() const;
    /// The sampled frame nearest to a click at x = `frameCoordinate`, or -1 without frames.
    int nearestFrame(double frameCoordinate) const;

  Q_SIGNALS:
    /// The user clicked the plot near this video frame.
    void frameClicked(int videoFrame);

  private:
    QLabel *m_caption;
    QLabel *m_legend;
    QCustomPlot *m_plot;
    std::vector<int> m_frames;
};

} // namespace ood
