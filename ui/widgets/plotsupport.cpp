#include "widgets/plotsupport.h"

#include "widgets/qcustomplotinclude.h"

#include <QVBoxLayout>

namespace ood {

QCustomPlot *makePlotIn(QWidget *owner)
{
    auto *plot = new QCustomPlot(owner);
    auto *layout = new QVBoxLayout(owner);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot);
    plot->setMinimumHeight(160);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    return plot;
}

void resetPlot(QCustomPlot *plot)
{
    plot->clearPlottables();
    plot->clearItems();
    plot->plotLayout()->clear();
    plot->plotLayout()->addElement(0, 0, new QCPAxisRect(plot));
    plot->xAxis = plot->axisRect()->axis(QCPAxis::atBottom);
    plot->yAxis = plot->axisRect()->axis(QCPAxis::atLeft);
    plot->xAxis2 = plot->axisRect()->axis(QCPAxis::atTop);
    plot->yAxis2 = plot->axisRect()->axis(QCPAxis::atRight);
    plot->legend = new QCPLegend;
    plot->axisRect()->insetLayout()->addElement(plot->legend, Qt::AlignTop | Qt::AlignRight);
    plot->legend->setLayer(QLatin1String("legend"));
    plot->legend->setVisible(false);
}

QVector<double> toQVector(const std::vector<double> &values)
{
    return QVector<double>(values.begin(), values.end());
}

} // namespace ood
