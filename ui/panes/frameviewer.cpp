#include "panes/frameviewer.h"

#include "data/sampledecoder.h"
#include "explain/frameexplainer.h"
#include "panes/actionsupport.h"
#include "session/framerecord.h"
#include "session/inspectionsession.h"
#include "widgets/heatmapimage.h"
#include "widgets/imageview.h"
#include "widgets/qcustomplotinclude.h"
#include "widgets/sessionplots.h"

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QVBoxLayout>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ood {

FrameViewer::FrameViewer(QWidget *parent)
    : QWidget(parent), m_title(new QLabel(this)), m_methodBox(new QComboBox(this)),
      m_compareBox(new QComboBox(this)), m_opacity(new QSlider(Qt::Horizontal, this)),
      m_rangeMode(new QComboBox(this)), m_fixedRange(new QDoubleSpinBox(this)), m_view(new ImageView(this)),
      m_compareView(new ImageView(this)), m_legendBar(new QLabel(this)), m_legendText(new QLabel(this)),
      m_cursorValue(new QLabel(this)), m_timeline(new TimelinePlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true);
    layout->addWidget(m_title);

    m_methodBox->setToolTip(tr("Heatmap method: NERO relevance CAM, its deviation from the nearest class, "
                               "Grad-CAM or LRP (docs/explanations.md)."));
    m_compareBox->setToolTip(tr("Heatmap method of the second view."));
    m_compareBox->hide();
    m_opacity->setRange(0, 100);
    m_opacity->setValue(60);
    m_opacity->setMinimumWidth(70);
    m_opacity->setMaximumWidth(120);
    m_opacity->setToolTip(tr("Opacity of the heatmap"));
    m_rangeMode->addItems({tr("Per-image range"), tr("Fixed range")});
    m_rangeMode->setToolTip(tr("Per-image: the colours span this frame's values. Fixed: they span the value "
                               "set on the right, so frames can be compared."));
    m_fixedRange->setDecimals(6);
    m_fixedRange->setRange(1e-9, 1e9);
    m_fixedRange->setValue(1.0);
    m_fixedRange->setToolTip(tr("Largest |value| of the fixed colour range"));
    m_fixedRange->setEnabled(false);
    // Wide enough for the values a heatmap has; its range (up to 1e9) would make it twice as wide.
    m_fixedRange->setMaximumWidth(
        m_fixedRange->fontMetrics().horizontalAdvance(QStringLiteral("0000.000000")) + 30);
    auto *heatmapBar = new QHBoxLayout;
    heatmapBar->addWidget(new QLabel(tr("Heatmap:"), this));
    heatmapBar->addWidget(m_methodBox);
    heatmapBar->addWidget(new QLabel(tr("Opacity:"), this));
    heatmapBar->addWidget(m_opacity);
    heatmapBar->addWidget(m_rangeMode);
    heatmapBar->addWidget(m_fixedRange);
    heatmapBar->addStretch();
    layout->addLayout(heatmapBar);

    // The second view's method picker sits over it, so the bar above keeps its width when the
    // views are compared.
    auto *views = new QGridLayout;
    m_compareView->hide();
    views->addWidget(m_compareBox, 0, 1, Qt::AlignLeft);
    views->addWidget(m_view, 1, 0);
    views->addWidget(m_compareView, 1, 1);
    views->setRowStretch(1, 1);
    layout->addLayout(views, 1);

    auto *legend = new QHBoxLayout;
    m_legendBar->setToolTip(tr("Colour scale of the heatmap"));
    // Long method names wrap instead of widening the centre column past what 1366 px leave.
    m_legendText->setWordWrap(true);
    m_cursorValue->setToolTip(tr("Pixel under the cursor and the heatmap value there"));
    legend->addWidget(m_legendBar);
    legend->addWidget(m_legendText, 1);
    legend->addWidget(m_cursorValue);
    layout->addLayout(legend);

    // Under the frame, where a reviewer looks: the frame's place in its video. At most a fifth of
    // a 768 px screen, so the frame keeps most of the column.
    m_timeline->setMaximumHeight(210);
    m_timeline->plot()->setMinimumHeight(150);
    layout->addWidget(m_timeline);
    hideTimeline();

    connect(m_methodBox, qOverload<int>(&QComboBox::currentIndexChanged), this, &FrameViewer::refreshHeatmap);
    connect(m_compareBox, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &FrameViewer::refreshHeatmap);
    connect(m_rangeMode, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int mode) {
        m_fixedRange->setEnabled(mode == 1);
        refreshHeatmap();
    });
    connect(m_fixedRange, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
            &FrameViewer::refreshHeatmap);
    connect(m_opacity, &QSlider::valueChanged, this, [this](int value) {
        m_view->setOverlayOpacity(value / 100.0);
        m_compareView->setOverlayOpacity(value / 100.0);
    });
    connect(m_view, &ImageView::hovered, this, &FrameViewer::showCursor);
    connect(m_compareView, &ImageView::hovered, this, &FrameViewer::showCursor);

    auto make = [this](const char *name, const QString &text, const QKeySequence &key, const QString &tip) {
        return addPaneAction(this, name, text, key, tip);
    };
    QAction *fit = make("fit", tr("&Fit to Window"), QKeySequence(tr("R")), tr("Show the whole frame."));
    connect(fit, &QAction::triggered, m_view, &ImageView::fitToWindow);
    QAction *actual = make("actualSize", tr("&Actual Size"), QKeySequence(tr("Ctrl+1")),
                           tr("One frame pixel per screen pixel."));
    connect(actual, &QAction::triggered, m_view, &ImageView::actualSize);
    QAction *toggle = make("toggleHeatmap", tr("Show &Heatmap"), QKeySequence(tr("H")),
                           tr("Show or hide the heatmap over the frame."));
    toggle->setCheckable(true);
    toggle->setChecked(true);
    connect(toggle, &QAction::triggered, this, [this, toggle] {
        m_view->toggleOverlay();
        m_compareView->setOverlayVisible(m_view->overlayVisible());
        toggle->setChecked(m_view->overlayVisible());
    });
    QAction *compare = make("compare", tr("&Compare Two Heatmaps"), QKeySequence(tr("C")),
                            tr("Show a second heatmap method side by side."));
    compare->setCheckable(true);
    connect(compare, &QAction::triggered, this, [this, compare] {
        m_compareView->setVisible(compare->isChecked());
        m_compareBox->setVisible(compare->isChecked());
        refreshHeatmap();
    });
}

RgbImage FrameViewer::showFrame(const FrameRecord &frame, const InspectionSession &session, QString *error)
{
    RgbImage decoded;
    try {
        decoded = decodeSample({frame.path, -1, frame.videoFrame});
    } catch (const std::exception &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
    }
    m_frame = toQImage(decoded);
    m_explanation.reset(); // another frame's heatmaps must not be drawn over this one
    m_view->setFrame(m_frame);
    m_compareView->setFrame(m_frame);
    const QStringList classNames = session.classNames();
    if (!frame.scored)
        m_title->setText(frame.error.isEmpty()
                             ? tr("<b>%1</b> — not scored yet").arg(frame.displayName.toHtmlEscaped())
                             : tr("<b>%1</b> — could not be scored: %2")
                                   .arg(frame.displayName.toHtmlEscaped(), frame.error.toHtmlEscaped()));
    else
        m_title->setText(tr("<b>%1</b> — predicted %2 (%3), flagged by %4 of %5 detectors")
                             .arg(frame.displayName.toHtmlEscaped(),
                                  frame.prediction >= 0 && frame.prediction < classNames.size()
                                      ? classNames[frame.prediction]
                                      : tr("—"))
                             .arg(frame.confidence, 0, 'f', 3)
                             .arg(frame.flaggedBy)
                             .arg(session.detectorIds().size()));
    m_title->setToolTip(frame.path);
    return decoded;
}

void FrameViewer::showExplanation(std::shared_ptr<const FrameExplanation> explanation)
{
    m_explanation = std::move(explanation);
    if (m_explanation) {
        const QString previous = m_methodBox->currentData().toString();
        const QString previousCompare = m_compareBox->currentData().toString();
        const QSignalBlocker a(m_methodBox), b(m_compareBox);
        m_methodBox->clear();
        m_compareBox->clear();
        for (const Heatmap &map : m_explanation->heatmaps) {
            const QString id = QString::fromStdString(map.method);
            m_methodBox->addItem(id, id);
            m_compareBox->addItem(id, id);
        }
        const int keep = m_methodBox->findData(previous.isEmpty() ? QStringLiteral("lrp") : previous);
        m_methodBox->setCurrentIndex(std::max(0, keep));
        const int keepCompare =
            m_compareBox->findData(previousCompare.isEmpty() ? QStringLiteral("grad-cam") : previousCompare);
        m_compareBox->setCurrentIndex(std::max(0, keepCompare));
    }
    refreshHeatmap();
}

QString FrameViewer::heatmapMethod() const
{
    const QString method = m_methodBox->currentData().toString();
    return method.isEmpty() ? QStringLiteral("lrp") : method;
}

void FrameViewer::refreshHeatmap()
{
    if (!m_explanation || m_frame.isNull()) {
        m_view->clearHeatmap();
        m_compareView->clearHeatmap();
        return;
    }
    auto apply = [this](ImageView *view, const QString &method, bool legend) {
        const Heatmap *map = m_explanation->heatmap(method.toStdString());
        if (!map) {
            view->clearHeatmap();
            return;
        }
        ColourRange range = naturalRange(*map);
        if (m_rangeMode->currentIndex() == 1) {
            const double extent = m_fixedRange->value();
            range = map->isSigned ? ColourRange{-extent, extent} : ColourRange{0, extent};
        }
        const ColourMap colours = naturalColourMap(*map);
        const at::Tensor values = map->values.to(torch::kFloat32).contiguous();
        std::vector<float> raw(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
        view->setHeatmap(heatmapOverlayImage(*map, m_frame.size(), range, colours), std::move(raw),
                         int(values.size(1)), int(values.size(0)), QString::fromStdString(map->unit));
        view->setOverlayOpacity(m_opacity->value() / 100.0);
        if (legend) {
            // Drawn at the display's pixel density, so the bar stays sharp on HiDPI screens.
            const qreal ratio = devicePixelRatioF();
            QImage bar = colourBarImage(range, colours, QSize(int(160 * ratio), int(12 * ratio)));
            bar.setDevicePixelRatio(ratio);
            m_legendBar->setPixmap(QPixmap::fromImage(bar));
            m_legendText->setText(tr("%1 … %2  (%3)")
                                      .arg(range.low, 0, 'g', 3)
                                      .arg(range.high, 0, 'g', 3)
                                      .arg(QString::fromStdString(map->unit)));
        }
    };
    apply(m_view, m_methodBox->currentData().toString(), true);
    if (m_compareView->isVisible())
        apply(m_compareView, m_compareBox->currentData().toString(), false);
}

void FrameViewer::showCursor(bool valid, QPoint pixel, double value, const QString &unit)
{
    m_cursorValue->setText(
        !valid ? QString()
        : std::isnan(value)
            ? tr("x %1, y %2").arg(pixel.x()).arg(pixel.y())
            : tr("x %1, y %2: %3 %4").arg(pixel.x()).arg(pixel.y()).arg(value, 0, 'g', 4).arg(unit));
}

void FrameViewer::showTimelineOf(const InspectionSession &session, const std::vector<FrameRecord> &frames,
                                 int row, const QString &detectorId)
{
    if (row >= 0 && size_t(row) < frames.size() && frames[size_t(row)].videoFrame >= 0) {
        m_timeline->show();
        m_timeline->showTimeline(session.timeline(frames, size_t(row), detectorId));
    } else if (std::any_of(frames.begin(), frames.end(),
                           [](const FrameRecord &f) { return f.videoFrame >= 0; })) {
        m_timeline->show();
        m_timeline->showUnavailable(
            tr("Select a frame of a video (File > Open Video) to see its score along the video."));
    } else {
        hideTimeline();
    }
}

void FrameViewer::hideTimeline()
{
    m_timeline->hide();
}

bool FrameViewer::isTimelineShown() const
{
    return !m_timeline->isHidden() && m_timeline->plot()->isVisibleTo(m_timeline);
}

} // namespace ood
