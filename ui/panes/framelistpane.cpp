#include "panes/framelistpane.h"

#include "data/sampledecoder.h"
#include "detect/detectorwords.h"
#include "models/framefilterproxy.h"
#include "models/frametablemodel.h"
#include "panes/actionsupport.h"
#include "pipeline/verdict.h"
#include "widgets/heatmapimage.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTextDocumentFragment>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <algorithm>

namespace ood {

FrameListPane::FrameListPane(FrameTableModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_proxy(new FrameFilterProxy(this)), m_view(new QTableView(this)),
      m_flaggedOnly(new QCheckBox(tr("Flagged only"), this)), m_nameFilter(new QLineEdit(this)),
      m_classFilter(new QComboBox(this)), m_markFilter(new QComboBox(this)),
      m_detectorFilter(new QComboBox(this)), m_legend(new QLabel(this))
{
    m_proxy->setSourceModel(m_model);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_flaggedOnly->setToolTip(tr("Show only frames the verdict calls unusual for this model."));
    m_nameFilter->setPlaceholderText(tr("Filter by name"));
    m_nameFilter->setToolTip(tr("Show only frames whose name contains this text."));
    m_classFilter->setToolTip(tr("Show only frames predicted as this class."));
    m_markFilter->setToolTip(tr("Show only frames with this review state."));
    m_markFilter->addItem(tr("Any review state"), -2);
    for (ReviewMark mark :
         {ReviewMark::None, ReviewMark::ConfirmedUnusual, ReviewMark::FalseAlarm, ReviewMark::Unsure})
        m_markFilter->addItem(markLabel(mark), int(mark));
    m_detectorFilter->setToolTip(tr("Show only frames that this detector flags."));
    auto *filters = new QGridLayout;
    filters->addWidget(m_flaggedOnly, 0, 0);
    filters->addWidget(m_nameFilter, 0, 1);
    filters->addWidget(m_classFilter, 1, 0);
    filters->addWidget(m_markFilter, 1, 1);
    filters->addWidget(m_detectorFilter, 2, 0, 1, 2);
    layout->addLayout(filters);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->setDefaultSectionSize(52);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setToolTip(tr("Every frame of the session. Click a header to sort; J/K or the arrow keys move."));
    layout->addWidget(m_view);
    // What the row tints mean, under the list where they are seen.
    const auto swatch = [](const QColor &colour) {
        return QStringLiteral("<span style='background-color:%1'>&nbsp;&nbsp;&nbsp;&nbsp;</span>")
            .arg(colour.name());
    };
    m_legend->setTextFormat(Qt::RichText);
    m_legend->setWordWrap(true);
    m_legend->setText(tr("%1 %2 &nbsp; %3 %4")
                          .arg(swatch(FrameTableModel::unusualRowColour()),
                               verdictWords(true).toHtmlEscaped(),
                               swatch(FrameTableModel::flaggingCellColour()),
                               tr("a detector's score above its threshold").toHtmlEscaped()));
    m_legend->setToolTip(tr("A tinted row is a frame the verdict calls unusual. A darker cell is a detector "
                            "that finds the frame unusual on its own; the verdict weighs them together."));
    layout->addWidget(m_legend);
    connect(m_flaggedOnly, &QCheckBox::toggled, m_proxy, &FrameFilterProxy::setFlaggedOnly);
    connect(m_nameFilter, &QLineEdit::textChanged, m_proxy, &FrameFilterProxy::setNameFilter);
    connect(m_classFilter, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { m_proxy->setPredictedClass(m_classFilter->currentData().toInt()); });
    connect(m_markFilter, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        const int value = m_markFilter->currentData().toInt();
        m_proxy->setMarkFilter(value == -2 ? std::nullopt : std::optional<ReviewMark>(ReviewMark(value)));
    });
    connect(m_detectorFilter, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { m_proxy->setFlaggingDetector(m_detectorFilter->currentData().toInt()); });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        const int row = currentSourceRow();
        if (row >= 0)
            Q_EMIT currentFrameChanged(row);
    });
    connect(m_model, &FrameTableModel::thumbnailNeeded, this, &FrameListPane::loadThumbnail,
            Qt::QueuedConnection);

    connect(addPaneAction(this, "next", tr("&Next Frame"), QKeySequence(tr("J")),
                          tr("Select the next frame in the list.")),
            &QAction::triggered, this, [this] { moveSelection(1); });
    connect(addPaneAction(this, "previous", tr("&Previous Frame"), QKeySequence(tr("K")),
                          tr("Select the previous frame in the list.")),
            &QAction::triggered, this, [this] { moveSelection(-1); });
}

void FrameListPane::loadThumbnail(int row)
{
    const FrameRecord &frame = m_model->frame(row);
    const Sample sample{frame.path, -1, frame.videoFrame};
    const QString key = frame.reviewKey();
    auto *watcher = new QFutureWatcher<QImage>(this);
    connect(watcher, &QFutureWatcher<QImage>::finished, this, [this, watcher, row, key] {
        if (row < m_model->rowCount() && m_model->frame(row).reviewKey() == key)
            m_model->setThumbnail(row, watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run([sample] {
        try {
            return toQImage(decodeSample(sample))
                .scaled(48, 48, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        } catch (const std::exception &) {
            return QImage();
        }
    }));
}

void FrameListPane::setChoices(const QStringList &classNames, const QStringList &detectorNames,
                               const std::vector<bool> &enabled)
{
    const QSignalBlocker a(m_classFilter), b(m_detectorFilter);
    const int classChoice =
        m_classFilter->currentData().isValid() ? m_classFilter->currentData().toInt() : -1;
    const int detectorChoice =
        m_detectorFilter->currentData().isValid() ? m_detectorFilter->currentData().toInt() : -1;
    m_classFilter->clear();
    m_classFilter->addItem(tr("Any predicted class"), -1);
    for (int c = 0; c < classNames.size(); ++c)
        m_classFilter->addItem(tr("Predicted %1").arg(classNames[c]), c);
    m_classFilter->setCurrentIndex(std::max(0, m_classFilter->findData(classChoice)));
    m_detectorFilter->clear();
    m_detectorFilter->addItem(tr("Flagged by any detector or none"), -1);
    for (int d = 0; d < detectorNames.size(); ++d)
        if (size_t(d) >= enabled.size() || enabled[size_t(d)]) {
            // The plain name when the model knows the detector's id; the name given otherwise.
            const QString name = d < m_model->detectorCount() ? m_model->detectorTitle(d) : detectorNames[d];
            m_detectorFilter->addItem(tr("Flagged by %1").arg(name), d);
            if (d < m_model->detectorCount())
                m_detectorFilter->setItemData(
                    m_detectorFilter->count() - 1,
                    detectorWords(QString::fromStdString(m_model->detectorIds()[size_t(d)])).description,
                    Qt::ToolTipRole);
        }
    m_detectorFilter->setCurrentIndex(std::max(0, m_detectorFilter->findData(detectorChoice)));
}

QString FrameListPane::legendText() const
{
    return QTextDocumentFragment::fromHtml(m_legend->text()).toPlainText();
}

void FrameListPane::showDetectorColumns(const std::vector<bool> &enabled)
{
    m_model->setEnabledDetectors(enabled);
    for (size_t d = 0; d < enabled.size(); ++d)
        m_view->setColumnHidden(m_model->detectorColumn(int(d)), !enabled[d]);
}

int FrameListPane::currentSourceRow() const
{
    const QModelIndex index = m_view->currentIndex();
    return index.isValid() ? m_proxy->mapToSource(index).row() : -1;
}

bool FrameListPane::selectSourceRow(int sourceRow)
{
    const QModelIndex proxyIndex = m_proxy->mapFromSource(m_model->index(sourceRow, 0));
    if (proxyIndex.isValid())
        m_view->setCurrentIndex(proxyIndex);
    return proxyIndex.isValid();
}

void FrameListPane::selectFirstIfNone()
{
    if (!m_view->currentIndex().isValid() && m_proxy->rowCount() > 0)
        m_view->selectRow(0);
}

void FrameListPane::moveSelection(int delta)
{
    const int rows = m_proxy->rowCount();
    if (rows == 0)
        return;
    const int current = m_view->currentIndex().isValid() ? m_view->currentIndex().row() : -1;
    m_view->selectRow(std::clamp(current + delta, 0, rows - 1));
}

} // namespace ood
