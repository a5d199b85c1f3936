#include "widgets/imageview.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace ood {

namespace {
constexpr double kMinZoom = 0.02, kMaxZoom = 64.0;
}

ImageView::ImageView(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(200, 150);
    setToolTip(
        tr("Wheel: zoom around the cursor. Drag: pan. R: fit to the window. H: show or hide the heatmap."));
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void ImageView::setFrame(const QImage &frame)
{
    m_frame = frame;
    clearHeatmap();
    fitToWindow();
}

void ImageView::setHeatmap(const QImage &overlay, std::vector<float> values, int valueWidth, int valueHeight,
                           const QString &unit)
{
    m_overlay = overlay;
    m_values = std::move(values);
    m_valueWidth = valueWidth;
    m_valueHeight = valueHeight;
    m_unit = unit;
    update();
}

void ImageView::clearHeatmap()
{
    m_overlay = QImage();
    m_values.clear();
    m_valueWidth = m_valueHeight = 0;
    update();
}

void ImageView::setOverlayOpacity(double opacity)
{
    m_opacity = std::clamp(opacity, 0.0, 1.0);
    update();
}

void ImageView::setOverlayVisible(bool visible)
{
    m_overlayVisible = visible;
    update();
}

double ImageView::fitZoom() const
{
    if (m_frame.isNull())
        return 1.0;
    return std::min(width() / double(m_frame.width()), height() / double(m_frame.height()));
}

void ImageView::fitToWindow()
{
    m_fit = true;
    m_zoom = fitZoom();
    m_offset = QPointF((width() - m_frame.width() * m_zoom) / 2, (height() - m_frame.height() * m_zoom) / 2);
    update();
    Q_EMIT viewChanged();
}

void ImageView::actualSize()
{
    // One frame pixel per device pixel: on a 2x display that is half a logical pixel.
    zoomBy(1.0 / (m_zoom * devicePixelRatioF()), QPointF(width() / 2.0, height() / 2.0));
}

void ImageView::zoomBy(double factor, QPointF anchor)
{
    if (m_frame.isNull())
        return;
    if (anchor.x() < 0)
        anchor = QPointF(width() / 2.0, height() / 2.0);
    const QPointF imagePoint = toImage(anchor);
    m_zoom = std::clamp(m_zoom * factor, kMinZoom, kMaxZoom);
    m_fit = false;
    // Keep the image point under the anchor where it was.
    m_offset = anchor - imagePoint * m_zoom;
    clampOffset();
    update();
    Q_EMIT viewChanged();
}

QPointF ImageView::toImage(QPointF widgetPoint) const
{
    return (widgetPoint - m_offset) / m_zoom;
}

void ImageView::clampOffset()
{
    // Keep at least a quarter of the view covered by the image, so it cannot be lost.
    const double w = m_frame.width() * m_zoom, h = m_frame.height() * m_zoom;
    const double marginX = width() * 0.75, marginY = height() * 0.75;
    m_offset.setX(std::clamp(m_offset.x(), -w + width() - marginX, marginX));
    m_offset.setY(std::clamp(m_offset.y(), -h + height() - marginY, marginY));
}

void ImageView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Dark));
    if (m_frame.isNull()) {
        painter.setPen(palette().color(QPalette::BrightText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No frame selected"));
        return;
    }
    painter.setRenderHint(QPainter::SmoothPixmapTransform, m_zoom < 2.0);
    const QRectF target(m_offset, QSizeF(m_frame.width() * m_zoom, m_frame.height() * m_zoom));
    painter.drawImage(target, m_frame);
    if (m_overlayVisible && !m_overlay.isNull()) {
        painter.setOpacity(m_opacity);
        painter.drawImage(target, m_overlay);
        painter.setOpacity(1.0);
    }
}

void ImageView::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0)
        zoomBy(std::pow(1.25, steps), event->position());
    event->accept();
}

void ImageView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        m_dragging = true;
        m_dragStart = event->position().toPoint();
        m_offsetAtDrag = m_offset;
        setCursor(Qt::ClosedHandCursor);
    }
}

void ImageView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_dragging) {
        m_offset = m_offsetAtDrag + (event->position() - QPointF(m_dragStart));
        m_fit = false;
        clampOffset();
        update();
        Q_EMIT viewChanged();
    }
    if (m_frame.isNull())
        return;
    const QPointF p = toImage(event->position());
    const bool inside = p.x() >= 0 && p.y() >= 0 && p.x() < m_frame.width() && p.y() < m_frame.height();
    double value = std::nan("");
    if (inside && m_valueWidth > 0 && m_valueHeight > 0) {
        // The values sit on the model's input grid, stretched over the frame.
        const int vx = std::clamp(int(p.x() * m_valueWidth / m_frame.width()), 0, m_valueWidth - 1);
        const int vy = std::clamp(int(p.y() * m_valueHeight / m_frame.height()), 0, m_valueHeight - 1);
        value = m_values[size_t(vy) * m_valueWidth + vx];
    }
    Q_EMIT hovered(inside, QPoint(int(p.x()), int(p.y())), value, m_unit);
}

void ImageView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        m_dragging = false;
        unsetCursor();
    }
}

void ImageView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_R:
        fitToWindow();
        break;
    case Qt::Key_H:
        toggleOverlay();
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomBy(1.25);
        break;
    case Qt::Key_Minus:
        zoomBy(0.8);
        break;
    case Qt::Key_1:
        actualSize();
        break;
    default:
        QWidget::keyPressEvent(event);
    }
}

void ImageView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (m_fit)
        fitToWindow();
}

} // namespace ood
