#pragma once
// A frame with an optional heatmap on top: zoom with the wheel (around the cursor), pan by
// dragging, fit to the window or 1:1, R resets, H toggles the heatmap; reports the image
// coordinate and heatmap value under the cursor.

#include <QImage>
#include <QWidget>

namespace ood {

class ImageView : public QWidget
{
    Q_OBJECT

  public:
    explicit ImageView(QWidget *parent = nullptr);

    /// The frame at its own resolution. Resets the view to "fit".
    void setFrame(const QImage &frame);
    /// The coloured heatmap already at the frame's size (null: none), and its raw values at any
    /// resolution (row-major, `valueWidth` x `valueHeight`) for the value under the cursor.
    void setHeatmap(const QImage &overlay, std::vector<float> values, int valueWidth, int valueHeight,
                    const QString &unit);
    void clearHeatmap();
    void setOverlayOpacity(double opacity); ///< 0..1
    void setOverlayVisible(bool visible);
    bool overlayVisible() const { return m_overlayVisible; }
    bool hasHeatmap() const { return !m_overlay.isNull(); }

    double zoom() const { return m_zoom; }
    bool isFitted() const { return m_fit; }
    QPointF offset() const { return m_offset; }

  public Q_SLOTS:
    void fitToWindow();
    void actualSize();
    void resetView() { fitToWindow(); }
    void zoomBy(double factor, QPointF anchor = QPointF(-1, -1));
    void toggleOverlay() { setOverlayVisible(!m_overlayVisible); }

  Q_SIGNALS:
    /// Image pixel under the cursor (outside: valid = false) and the heatmap value there
    /// (NaN without a heatmap).
    void hovered(bool valid, QPoint pixel, double value, const QString &unit);
    void viewChanged();

  protected:
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

  private:
    double fitZoom() const;
    QPointF toImage(QPointF widgetPoint) const;
    void clampOffset();

    QImage m_frame;
    QImage m_overlay;
    std::vector<float> m_values;
    int m_valueWidth = 0, m_valueHeight = 0;
    QString m_unit;
    double m_opacity = 0.6;
    bool m_overlayVisible = true;
    double m_zoom = 1.0;
    bool m_fit = true;
    QPointF m_offset; ///< widget position of the image's top-left corner
    QPoint m_dragStart;
    QPointF m_offsetAtDrag;
    bool m_dragging = false;
};

} // namespace ood
