#include "widgets/sessionplots.h"

#include "widgets/plotsupport.h"
#include "widgets/qcustomplotinclude.h"

#include <QLabel>
#include <QTextDocumentFragment>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ood {

namespace {

/// A caption above a plot and a legend line under it, all filling `owner`. The legend is a line
/// of text rather than QCustomPlot's box: the plots are low, and a box would hide the data.
QCustomPlot *captionedPlot(QWidget *owner, QLabel *&caption, QLabel *&legend)
{
    auto *plotHolder = new QWidget(owner);
    QCustomPlot *plot = makePlotIn(plotHolder);
    caption = new QLabel(owner);
    caption->setWordWrap(true);
    legend = new QLabel(owner);
    legend->setWordWrap(true);
    legend->setTextFormat(Qt::RichText);
    auto *layout = new QVBoxLayout(owner);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(caption);
    layout->addWidget(plotHolder, 1);
    layout->addWidget(legend);
    return plot;
}

/// A legend entry: a sample of the line or band in its colour, then what it is.
QString legendEntry(const QString &sample, const QColor &colour, const QString &meaning)
{
    return QStringLiteral("<span style='color:%1'><b>%2</b></span>&nbsp;%3")
        .arg(colour.name(), sample, meaning.toHtmlEscaped());
}

QString plainText(const QLabel *label)
{
    return QTextDocumentFragment::fromHtml(label->text()).toPlainText();
}

// Samples drawn with characters, so the legend needs no images: a solid line, a dashed line, a
// dotted line, a band and a vertical line.
const QString kSolid = QStringLiteral("\u2501\u2501");
const QString kDashed = QStringLiteral("\u254d\u254d");
const QString kDotted = QStringLiteral("\u2508\u2508");
const QString kBand = QStringLiteral("\u2588\u2588");
const QString kVertical = QStringLiteral("\u2503");

} // namespace

RocPlot::RocPlot(QWidget *parent) : QWidget(parent)
{
    m_plot = captionedPlot(this, m_caption, m_legend);
    setToolTip(
        tr("ROC curves of every detector on the open frames, with OOD frames as positives: grey for all, "
           "colour for the detector chosen in the Scores tab."));
}

QString RocPlot::caption() const
{
    return m_caption->text();
}

QString RocPlot::legendText() const
{
    return plainText(m_legend);
}

void RocPlot::showUnavailable(const QString &why)
{
    resetPlot(m_plot);
    m_caption->setText(why);
    m_legend->clear();
    m_plot->replot();
}

void RocPlot::showCurves(const std::vector<RocCurveData> &curves, int highlighted, int idFrames,
                         int oodFrames)
{
    resetPlot(m_plot);
    auto addCurve = [this](const RocCurveData &curve, const QPen &pen) {
        QVector<double> fpr, tpr;
        for (const RocPoint &point : curve.points) {
            fpr << point.fpr;
            tpr << point.tpr;
        }
        // QCPCurve keeps the points in order: a ROC curve may rise vertically at one FPR.
        auto *line = new QCPCurve(m_plot->xAxis, m_plot->yAxis);
        line->setData(fpr, tpr);
        line->setPen(pen);
        line->setName(tr("%1 (AUROC %2)").arg(curve.detectorName).arg(curve.auroc, 0, 'f', 3));
        return line;
    };
    for (int i = 0; i < static_cast<int>(curves.size()); ++i)
        if (i != highlighted)
            addCurve(curves[size_t(i)], QPen(QColor(160, 160, 160), 1))->removeFromLegend();
    auto *chance = new QCPItemStraightLine(m_plot);
    chance->point1->setCoords(0, 0);
    chance->point2->setCoords(1, 1);
    chance->setPen(QPen(Qt::gray, 1, Qt::DotLine));
    if (highlighted >= 0 && highlighted < static_cast<int>(curves.size())) {
        addCurve(curves[size_t(highlighted)], QPen(QColor(214, 39, 40), 2.5));
        m_plot->legend->setVisible(true);
        m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    }
    int best = -1;
    for (int i = 0; i < static_cast<int>(curves.size()); ++i)
        if (best < 0 || curves[size_t(i)].auroc > curves[size_t(best)].auroc)
            best = i;
    m_caption->setText(best < 0 ? tr("No detector has scores on both groups yet.")
                                : tr("%1 ID and %2 OOD frames (from the folder names). Best AUROC: %3, %4.")
                                      .arg(idFrames)
                                      .arg(oodFrames)
                                      .arg(curves[size_t(best)].detectorName)
                                      .arg(curves[size_t(best)].auroc, 0, 'f', 3));
    QStringList legend;
    if (highlighted >= 0 && highlighted < static_cast<int>(curves.size()))
        legend << legendEntry(
            kSolid, QColor(214, 39, 40),
            tr("%1, the detector chosen in the Scores tab").arg(curves[size_t(highlighted)].detectorName));
    if (curves.size() > (highlighted >= 0 ? 1u : 0u))
        legend << legendEntry(kSolid, QColor(160, 160, 160), tr("the other detectors"));
    legend << legendEntry(kDotted, Qt::gray, tr("chance: a detector that guesses"));
    m_legend->setText(legend.join(QStringLiteral(" &nbsp; ")));
    m_legend->setToolTip(tr("A curve further to the top left separates the OOD frames from the ID frames "
                            "better; AUROC 1 is perfect, 0.5 is chance."));
    m_plot->xAxis->setLabel(tr("false positive rate (ID frames flagged)"));
    m_plot->yAxis->setLabel(tr("true positive rate (OOD frames flagged)"));
    m_plot->xAxis->setRange(0, 1);
    m_plot->yAxis->setRange(0, 1.02);
    m_plot->replot();
}

std::vector<std::pair<int, int>> flaggedStretches(const std::vector<int> &frames,
                                                  const std::vector<bool> &flagged)
{
    std::vector<std::pair<int, int>> runs;
    const size_t n = std::min(frames.size(), flagged.size());
    for (size_t i = 0; i < n; ++i) {
        if (!flagged[i])
            continue;
        if (i > 0 && flagged[i - 1] && !runs.empty())
            runs.back().second = frames[i];
        else
            runs.emplace_back(frames[i], frames[i]);
    }
    return runs;
}

TimelinePlot::TimelinePlot(QWidget *parent) : QWidget(parent)
{
    m_plot = captionedPlot(this, m_caption, m_legend);
    // Dragging would fight with clicking to jump; the wheel still zooms the time axis.
    m_plot->setInteractions(QCP::iRangeZoom);
    setToolTip(
        tr("The chosen detector's score along the video; red bands are stretches the verdict calls unusual, "
           "the dashed line is the detector's threshold. Click to jump to a frame; the wheel zooms."));
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent *event) {
        if (event->button() != Qt::LeftButton || m_frames.empty() || !m_plot->xAxis)
            return;
        const int frame = nearestFrame(m_plot->xAxis->pixelToCoord(event->position().x()));
        if (frame >= 0)
            Q_EMIT frameClicked(frame);
    });
}

QString TimelinePlot::caption() const
{
    return m_caption->text();
}

QString TimelinePlot::legendText() const
{
    return plainText(m_legend);
}

int TimelinePlot::nearestFrame(double frameCoordinate) const
{
    if (m_frames.empty())
        return -1;
    const auto above = std::lower_bound(m_frames.begin(), m_frames.end(), frameCoordinate,
                                        [](int frame, double x) { return frame < x; });
    if (above == m_frames.begin())
        return *above;
    if (above == m_frames.end())
        return m_frames.back();
    const int before = *(above - 1);
    return frameCoordinate - before <= *above - frameCoordinate ? before : *above;
}

void TimelinePlot::showUnavailable(const QString &why)
{
    m_frames.clear();
    resetPlot(m_plot);
    m_caption->setText(why);
    m_legend->clear();
    m_legend->hide();
    // Only the line that says why: an empty plot would take the room of the frame above it.
    m_plot->parentWidget()->hide();
}

void TimelinePlot::showTimeline(const TimelineData &data)
{
    m_plot->parentWidget()->show();
    m_legend->show();
    m_frames = data.frames;
    resetPlot(m_plot);
    QVector<double> x, y;
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (size_t i = 0; i < data.frames.size() && i < data.scores.size(); ++i) {
        x << data.frames[i];
        y << data.scores[i]; // NaN leaves a gap, which is what an unscored frame is
        if (std::isfinite(data.scores[i])) {
            low = std::min(low, data.scores[i]);
            high = std::max(high, data.scores[i]);
        }
    }
    if (!std::isfinite(low)) {
        low = data.threshold - 1;
        high = data.threshold + 1;
    }
    low = std::min(low, data.threshold);
    high = std::max(high, data.threshold);
    const double pad = std::max(1e-9, (high - low) * 0.08);
    const auto runs = flaggedStretches(data.frames, data.flagged);
    // A lone flagged sample still gets a visible band: half a sampling step either side.
    const double halfStep = data.frames.size() > 1 ? 0.5 * (data.frames[1] - data.frames[0]) : 0.5;
    for (const auto &[first, last] : runs) {
        auto *band = new QCPItemRect(m_plot);
        band->topLeft->setCoords(first - halfStep, high + pad);
        band->bottomRight->setCoords(last + halfStep, low - pad);
        band->setPen(Qt::NoPen);
        band->setBrush(QColor(214, 39, 40, 50));
        band->setLayer(QStringLiteral("background"));
    }
    QCPGraph *graph = m_plot->addGraph();
    graph->setData(x, y, true);
    graph->setPen(QPen(QColor(31, 119, 180), 1.5));
    graph->setName(data.detectorName);
    auto *threshold = new QCPItemStraightLine(m_plot);
    threshold->point1->setCoords(0, data.threshold);
    threshold->point2->setCoords(1, data.threshold);
    threshold->setPen(QPen(Qt::red, 1.2, Qt::DashLine));
    if (data.currentFrame >= 0) {
        auto *current = new QCPItemStraightLine(m_plot);
        current->point1->setCoords(data.currentFrame, 0);
        current->point2->setCoords(data.currentFrame, 1);
        current->setPen(QPen(Qt::black, 1.5));
    }
    int flaggedFrames = 0;
    for (bool f : data.flagged)
        flaggedFrames += f ? 1 : 0;
    const QString length = data.fps > 0 && !data.frames.empty()
                               ? tr(", %1 s").arg(data.frames.back() / data.fps, 0, 'f', 1)
                               : QString();
    QStringList legend{legendEntry(kSolid, QColor(31, 119, 180), tr("score of %1").arg(data.detectorName)),
                       legendEntry(kDashed, Qt::red, tr("its threshold")),
                       // The band's translucent red as it shows over the white plot.
                       legendEntry(kBand, QColor(247, 213, 213), tr("frames called unusual"))};
    if (data.currentFrame >= 0)
        legend << legendEntry(kVertical, Qt::black, tr("the selected frame"));
    m_legend->setText(legend.join(QStringLiteral(" &nbsp; ")));
    m_caption->setText(tr("%1: %2 sampled frames%3; %4 unusual in %5 stretches. Score: %6.")
                           .arg(data.videoName)
                           .arg(data.frames.size())
                           .arg(length)
                           .arg(flaggedFrames)
                           .arg(runs.size())
                           .arg(data.detectorName));
    m_plot->xAxis->setLabel(tr("video frame"));
    m_plot->yAxis->setLabel(tr("%1 score").arg(data.detectorName));
    m_plot->xAxis->setRange(data.frames.empty() ? 0 : data.frames.front() - halfStep,
                            data.frames.empty() ? 1 : data.frames.back() + halfStep);
    m_plot->yAxis->setRange(low - pad, high + pad);
    m_plot->replot();
}

} // namespace ood
