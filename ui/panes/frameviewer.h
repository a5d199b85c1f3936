#pragma once
// The selected frame: first the verdict in words (unusual for this model or not, how often the
// rule flags normal frames, and what "nothing unusual" does not say), then its title
// (prediction), the heatmap over it (method in plain words, opacity, per-image or fixed range,
// legend with units, the value under the cursor, a second method side by side), and under it,
// for a frame of a video, the score along that video (click to jump).

#include "image/imagedecoder.h"

#include <QImage>
#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSlider;

namespace ood {

class ImageView;
class TimelinePlot;
struct FrameExplanation;
struct FrameRecord;
class InspectionSession;

class FrameViewer : public QWidget
{
    Q_OBJECT

  public:
    explicit FrameViewer(QWidget *parent = nullptr);

    ImageView *imageView() const { return m_view; }
    ImageView *compareView() const { return m_compareView; }
    TimelinePlot *timelinePlot() const { return m_timeline; }

    /// Decodes the frame and shows it under its verdict (by `session`'s rule) and title; the
    /// heatmap goes until showExplanation() brings the frame's. Returns the decoded frame, null
    /// (with `error` set) when it cannot be read.
    RgbImage showFrame(const FrameRecord &frame, const InspectionSession &session, QString *error = nullptr);
    /// The heatmaps of the shown frame (null: none); the method picked stays picked.
    void showExplanation(std::shared_ptr<const FrameExplanation> explanation);
    /// The heatmap method picked ("lrp" until there is a choice).
    QString heatmapMethod() const;
    /// The verdict over the frame as plain text (empty while the frame is unscored).
    QString verdictText() const;
    QLabel *verdictLabel() const { return m_verdict; }

    /// Under the frame, for `frames[row]` of a video: that video's score of `detectorId` along
    /// it. For another frame, a one-line hint while the session has videos; else nothing.
    void showTimelineOf(const InspectionSession &session, const std::vector<FrameRecord> &frames, int row,
                        const QString &detectorId);
    /// The shown frame's title and verdict again, after it was scored or its flags were recounted
    /// (showFrame shows them too).
    void showResult(const FrameRecord &frame, const InspectionSession &session);
    /// A video's timeline is on screen (not a hint, not hidden).
    bool isTimelineShown() const;

  private:
    void hideTimeline();
    void refreshHeatmap();
    void showCursor(bool valid, QPoint pixel, double value, const QString &unit);
    void showVerdict(const FrameRecord &frame, const InspectionSession &session);

    QLabel *m_verdict;
    QLabel *m_title;
    QComboBox *m_methodBox;
    QComboBox *m_compareBox;
    QSlider *m_opacity;
    QComboBox *m_rangeMode;
    QDoubleSpinBox *m_fixedRange;
    ImageView *m_view;
    ImageView *m_compareView;
    QLabel *m_legendBar;
    QLabel *m_legendText;
    QLabel *m_cursorValue;
    TimelinePlot *m_timeline;
    QImage m_frame;
    std::shared_ptr<const FrameExplanation> m_explanation;
};

} // namespace ood
