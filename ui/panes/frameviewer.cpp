#include "panes/frameviewer.h"

#include "data/sampledecoder.h"
#include "detect/detectorwords.h"
#include "explain/frameexplainer.h"
#include "panes/actionsupport.h"
#include "pipeline/verdict.h"
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
#include <QTextDocumentFragment>
#include <QVBoxLayout>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ood {

namespace {

/// What a heatmap value means in plain words; the core's technical unit for a method without
/// words.
QString unitWords(const Heatmap &map)
{
    const QString plain = heatmapWords(QString::fromStdString(map.method)).unit;
    return plain.isEmpty() ? QString::fromStdString(map.unit) : plain;
}

} // namespace

FrameViewer::FrameViewer(QWidget *parent)
    : QWidget(parent), m_verdict(new QLabel(this)), m_title(new QLabel(this)),
      m_methodBox(new QComboBox(this)), m_compareBox(new QComboBox(this)),
      m_opacity(new QSlider(Qt::Horizontal, this)), m_rangeMode(new QComboBox(this)),
      m_fixedRange(new QDoubleSpinBox(this)), m_view(new ImageView(this)), m_compareView(new ImageView(this)),
      m_legendBar(new QLabel(this)), m_legendText(new QLabel(this)), m_cursorValue(new QLabel(this)),
      m_timeline(new TimelinePlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    // The verdict leads: it is the one answer a reviewer acts on; the rest explains it.
    m_verdict->setTextFormat(Qt::RichText);
    m_verdict->setWordWrap(true);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_verdict->hide();
    layout->addWidget(m_verdict);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true);
    layout->addWidget(m_title);

    m_methodBox->setToolTip(tr("What the colours over the frame show. Point at a choice for what it means."));
    m_compareBox->setToolTip(tr("What the colours over the second view show."));
    // Wide enough for the plain names ("Class activation (Grad-CAM)") once they are in.
    for (QComboBox *box : {m_methodBox, m_compareBox})
        box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_compareBox->hide();
    m_opacity->setRange(0, 100);
    m_opacity->setValue(60);
    m_opacity->setMinimumWidth(70);
    m_opacity->setMaximumWidth(100);
    m_opacity->setToolTip(tr("Opacity of the heatmap"));
    m_rangeMode->addItems({tr("Per-image range"), tr("Fixed range")});
    m_rangeMode->setToolTip(tr("Per-image: the colours span this frame's values. Fixed: they span the value "
                               "set on the right, so frames can be compared."));
    m_fixedRange->setDecimals(6);
    m_fixedRange->setRange(1e-9, 1e9);
    m_fixedRange->setValue(1.0);
    m_fixedRange->setToolTip(tr("Largest |value| of the fixed colour range"));
    // Shown only for a fixed range: the method's plain name needs the room in a 1366 px window.
    m_fixedRange->setVisible(false);
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
        m_fixedRange->setVisible(mode == 1);
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
    showResult(frame, session);
    return decoded;
}

void FrameViewer::showResult(const FrameRecord &frame, const InspectionSession &session)
{
    const QStringList classNames = session.classNames();
    if (!frame.scored)
        m_title->setText(frame.error.isEmpty()
                             ? tr("<b>%1</b> — not scored yet").arg(frame.displayName.toHtmlEscaped())
                             : tr("<b>%1</b> — could not be scored: %2")
                                   .arg(frame.displayName.toHtmlEscaped(), frame.error.toHtmlEscaped()));
    else
        m_title->setText(tr("<b>%1</b> — the model predicts %2 (confidence %3%)")
                             .arg(frame.displayName.toHtmlEscaped(),
                                  frame.prediction >= 0 && frame.prediction < classNames.size()
                                      ? classNames[frame.prediction].toHtmlEscaped()
                                      : tr("—"))
                             .arg(frame.confidence * 100, 0, 'f', 1));
    m_title->setToolTip(frame.path);
    showVerdict(frame, session);
}

void FrameViewer::showVerdict(const FrameRecord &frame, const InspectionSession &session)
{
    if (!frame.scored) {
        m_verdict->clear();
        m_verdict->hide();
        return;
    }
    m_verdict->show();
    const VerdictRule &rule = session.verdict();
    const auto headline = [](const QString &words, const char *colour) {
        return QStringLiteral("<span style='font-size:x-large; font-weight:bold; color:%1'>%2</span>")
            .arg(QLatin1String(colour), words.toHtmlEscaped());
    };
    if (!rule.canDecide()) {
        m_verdict->setText(headline(tr("No verdict"), "#555555") + QStringLiteral("<br>") +
                           tr("This profile was made without normal frames to compare with, so it cannot "
                              "tell what is unusual for the model. The checks' scores are in the Scores tab.")
                               .toHtmlEscaped());
        m_verdict->setToolTip(tr("Ask for a profile fitted with validation frames (normal frames the model "
                                 "was not trained on)."));
        return;
    }
    const bool unusual = frame.isFlagged();
    const int enabled = int(session.enabledDetectorIds().size());
    const QString decider = rule.detectorId.empty()
                                ? QString()
                                : detectorWords(QString::fromStdString(rule.detectorId)).plainName;
    QString text = headline(verdictWords(unusual), unusual ? "#b71c1c" : "#37474f") + QStringLiteral("<br>") +
                   tr("Called unusual when %1; for this frame %2 of %3 checks do. The rule was set so that "
                      "%4.")
                       .arg(verdictRuleWords(rule, enabled, decider))
                       .arg(frame.flaggedBy)
                       .arg(enabled)
                       .arg(falseAlarmWords(rule.falseAlarmRate))
                       .toHtmlEscaped();
    // "Nothing unusual" is the answer most easily over-read: the checks only know what the model
    // was trained on, and miss what they were not made for.
    const QString notNormal =
        tr("This does not mean the frame is normal: the checks can miss what is unusual. "
           "Look at the frame yourself.");
    if (!unusual)
        text += QStringLiteral("<br><span style='color:#555555'>%1</span>").arg(notNormal.toHtmlEscaped());
    m_verdict->setText(text);
    m_verdict->setToolTip(unusual
                              ? tr("The frame is unlike the frames the model knows. Check it yourself; the "
                                   "model's answer on it should not be trusted.")
                              : notNormal);
}

QString FrameViewer::verdictText() const
{
    return m_verdict->isHidden() ? QString()
                                 : QTextDocumentFragment::fromHtml(m_verdict->text()).toPlainText();
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
            const HeatmapWords words = heatmapWords(id);
            const QString tip = words.description.isEmpty()
                                    ? id
                                    : tr("%1\nMethod: %2; values: %3")
                                          .arg(words.description, id, QString::fromStdString(map.unit));
            for (QComboBox *box : {m_methodBox, m_compareBox}) {
                box->addItem(words.name, id);
                box->setItemData(box->count() - 1, tip, Qt::ToolTipRole);
            }
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
                         int(values.size(1)), int(values.size(0)), unitWords(*map));
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
                                      .arg(unitWords(*map)));
            m_legendText->setToolTip(tr("%1: %2").arg(heatmapWords(QString::fromStdString(map->method)).name,
                                                      QString::fromStdString(map->unit)));
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
        TimelineData data = session.timeline(frames, size_t(row), detectorId);
        // The session names the detector it plotted (another when `detectorId` is off) by its
        // technical name; reviewers read the plain one.
        const int detector = int(session.detectorNames().indexOf(data.detectorName));
        if (detector >= 0 && detector < session.detectorIds().size()) {
            const DetectorWords words = detectorWords(session.detectorIds()[detector]);
            if (!words.description.isEmpty())
                data.detectorName = words.plainName;
        }
        m_timeline->showTimeline(data);
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
