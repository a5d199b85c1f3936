#pragma once
// What every QCustomPlot panel of the window shares: a plot filling its owner, and a reset that
// leaves one axis rect with an inset legend (panels rebuild their content on every change).

#include <QVector>

#include <vector>

class QCustomPlot;
class QWidget;

namespace ood {

/// A QCustomPlot filling `owner` (which gets a layout), draggable and zoomable.
QCustomPlot *makePlotIn(QWidget *owner);
/// Removes every plottable, item and layout element; adds one axis rect with a hidden legend.
void resetPlot(QCustomPlot *plot);
QVector<double> toQVector(const std::vector<double> &values);

} // namespace ood
