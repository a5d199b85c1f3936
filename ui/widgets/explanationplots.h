#pragma once
// The plots of the explanation panel, on QCustomPlot: a detector's ID validation density against
// the open frames with the threshold and the selected frame, the score landscape around the
// frame, and NERO's neuron relevance against the nearest class.

#include <QWidget>

class QCustomPlot;

namespace ood {

struct ScoreDensity;
struct ScoreLandscape;
struct NeuronExplanation;

class DensityPlot : public QWidget
{
    Q_OBJECT
  public:
    explicit DensityPlot(QWidget *parent = nullptr);
    void showDensity(const ScoreDensity &density, const QString &detectorName);
    void clear();
    QCustomPlot *plot() const { return m_plot; }

  private:
    QCustomPlot *m_plot;
};

class LandscapePlot : public QWidget
{
    Q_OBJECT
  public:
    explicit LandscapePlot(QWidget *parent = nullptr);
    /// `note`, when given, is shown above the map (e.g. that a coarse grid is being refined).
    void showLandscape(const ScoreLandscape &landscape, const QString &detectorName,
                       const QString &note = {});
    /// The note above the map, empty when there is none.
    QString note() const { return m_note; }
    void clear();
    QCustomPlot *plot() const { return m_plot; }

  private:
    QCustomPlot *m_plot;
    QString m_note;
};

class RelevancePlot : public QWidget
{
    Q_OBJECT
  public:
    explicit RelevancePlot(QWidget *parent = nullptr);
    /// The `count` neurons that add most to NERO's distance: the frame's relevance next to the
    /// nearest class's mean relevance.
    void showNeurons(const NeuronExplanation &neurons, const QString &className, int count = 12);
    void clear();
    QCustomPlot *plot() const { return m_plot; }

  private:
    QCustomPlot *m_plot;
};

} // namespace ood
