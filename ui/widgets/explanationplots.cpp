#include "widgets/explanationplots.h"

#include "explain/density.h"
#include "explain/landscape.h"
#include "explain/neuronexplanation.h"

#include "widgets/plotsupport.h"
#include "widgets/qcustomplotinclude.h"

#include <torch/torch.h>

namespace ood {

DensityPlot::DensityPlot(QWidget *parent) : QWidget(parent), m_plot(makePlotIn(this))
{
    setToolTip(tr("Density of the detector's score on the ID validation frames (blue) and on the open frames "
                  "(orange); the red line is the threshold, the black line the selected frame."));
}

void DensityPlot::clear()
{
    resetPlot(m_plot);
    m_plot->replot();
}

void DensityPlot::showDensity(const ScoreDensity &density, const QString &detectorName)
{
    resetPlot(m_plot);
    const QVector<double> x = toQVector(density.grid);
    QCPGraph *id = m_plot->addGraph();
    id->setData(x, toQVector(density.idDensity), true);
    id->setName(tr("ID validation"));
    id->setPen(QPen(QColor(31, 119, 180), 2));
    id->setBrush(QColor(31, 119, 180, 50));
    double top = *std::max_element(density.idDensity.begin(), density.idDensity.end());
    if (!density.setDensity.empty()) {
        QCPGraph *set = m_plot->addGraph();
        set->setData(x, toQVector(density.setDensity), true);
        set->setName(tr("open frames"));
        set->setPen(QPen(QColor(255, 127, 14), 2));
        set->setBrush(QColor(255, 127, 14, 40));
        top = std::max(top, *std::max_element(density.setDensity.begin(), density.setDensity.end()));
    }
    auto verticalLine = [&](double at, const QPen &pen, const QString &label, double height) {
        auto *line = new QCPItemStraightLine(m_plot);
        line->point1->setCoords(at, 0);
        line->point2->setCoords(at, 1);
        line->setPen(pen);
        auto *text = new QCPItemText(m_plot);
        text->position->setCoords(at, top * height);
        text->setText(label);
        text->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        text->setColor(pen.color());
    };
    verticalLine(density.threshold, QPen(Qt::red, 1.5, Qt::DashLine), tr("threshold"), 0.9);
    if (density.frameValue)
        verticalLine(*density.frameValue, QPen(Qt::black, 2),
                     density.framePercentile
                         ? tr("frame (%1th percentile)").arg(*density.framePercentile, 0, 'f', 1)
                         : tr("frame"),
                     1.08);
    m_plot->xAxis->setLabel(tr("%1 score (higher = more unusual)").arg(detectorName));
    m_plot->yAxis->setLabel(tr("density"));
    double low = density.grid.front(), high = density.grid.back();
    if (density.frameValue) {
        low = std::min(low, *density.frameValue);
        high = std::max(high, *density.frameValue);
    }
    m_plot->xAxis->setRange(low, high);
    m_plot->yAxis->setRange(0, top * 1.2);
    m_plot->legend->setVisible(true);
    m_plot->replot();
}

LandscapePlot::LandscapePlot(QWidget *parent) : QWidget(parent), m_plot(makePlotIn(this))
{
    setToolTip(
        tr("The detector's score when the frame is nudged along two random directions (PRO's landscape); "
           "the cross is the frame itself. A steep landscape means a fragile score."));
}

void LandscapePlot::clear()
{
    resetPlot(m_plot);
    m_note.clear();
    m_plot->replot();
}

void LandscapePlot::showLandscape(const ScoreLandscape &landscape, const QString &detectorName,
                                  const QString &note)
{
    resetPlot(m_plot);
    m_note = note;
    m_plot->legend->setVisible(false);
    const int n = static_cast<int>(landscape.coordinates.size());
    auto *map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    map->data()->setSize(n, n);
    map->data()->setRange(QCPRange(-landscape.radius, landscape.radius),
                          QCPRange(-landscape.radius, landscape.radius));
    const at::Tensor scores = landscape.scores.to(torch::kFloat64).contiguous();
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            map->data()->setCell(i, j, scores[i][j].item<double>());
    auto *scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, scale);
    scale->setType(QCPAxis::atRight);
    map->setColorScale(scale);
    map->setGradient(QCPColorGradient::gpThermal);
    map->rescaleDataRange(true);
    scale->axis()->setLabel(tr("%1 score").arg(detectorName));
    auto *margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    auto *centre = new QCPItemText(m_plot);
    centre->position->setCoords(0, 0);
    centre->setText(QStringLiteral("+"));
    centre->setFont(QFont(font().family(), 16, QFont::Bold));
    centre->setColor(Qt::cyan);
    m_plot->xAxis->setLabel(tr("a (direction 1)"));
    m_plot->yAxis->setLabel(tr("b (direction 2)"));
    m_plot->xAxis->setRange(-landscape.radius, landscape.radius);
    m_plot->yAxis->setRange(-landscape.radius, landscape.radius);
    if (!note.isEmpty()) {
        m_plot->plotLayout()->insertRow(0);
        m_plot->plotLayout()->addElement(0, 0, new QCPTextElement(m_plot, note));
    }
    m_plot->replot();
}

RelevancePlot::RelevancePlot(QWidget *parent) : QWidget(parent), m_plot(makePlotIn(this))
{
    setToolTip(
        tr("The neurons that add most to NERO's distance: the frame's relevance (orange) next to the mean "
           "relevance of the class the frame resembles (blue)."));
}

void RelevancePlot::clear()
{
    resetPlot(m_plot);
    m_plot->replot();
}

void RelevancePlot::showNeurons(const NeuronExplanation &neurons, const QString &className, int count)
{
    resetPlot(m_plot);
    const std::vector<int64_t> top = neurons.topContributors(count);
    QVector<double> ticks, frame, centroid;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (size_t i = 0; i < top.size(); ++i) {
        ticks << double(i);
        frame << neurons.relevance[top[i]].item<double>();
        centroid << neurons.centroid[top[i]].item<double>();
        ticker->addTick(double(i), QString::number(top[i]));
    }
    auto *classBars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    auto *frameBars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    auto *group = new QCPBarsGroup(m_plot);
    classBars->setBarsGroup(group);
    frameBars->setBarsGroup(group);
    classBars->setWidth(0.35);
    frameBars->setWidth(0.35);
    classBars->setData(ticks, centroid);
    frameBars->setData(ticks, frame);
    classBars->setName(tr("mean of class %1").arg(className));
    frameBars->setName(tr("this frame"));
    classBars->setBrush(QColor(31, 119, 180, 160));
    frameBars->setBrush(QColor(255, 127, 14, 200));
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setLabel(tr("neuron (by contribution to NERO's distance)"));
    m_plot->yAxis->setLabel(tr("relevance"));
    m_plot->rescaleAxes();
    m_plot->xAxis->setRange(-0.7, top.size() - 0.3);
    m_plot->legend->setVisible(true);
    m_plot->replot();
}

} // namespace ood
