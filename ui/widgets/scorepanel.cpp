#include "widgets/scorepanel.h"

#include "explain/frameexplainer.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ood {

ScorePanel::ScorePanel(QWidget *parent)
    : QWidget(parent), m_consensus(new QLabel(this)), m_table(new QTableWidget(0, 5, this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_consensus->setWordWrap(true);
    m_consensus->setToolTip(tr("How many detectors flag this frame (score above their threshold)."));
    layout->addWidget(m_consensus);
    layout->addWidget(m_table);
    m_table->setHorizontalHeaderLabels(
        {tr("Detector"), tr("Score"), tr("Threshold"), tr("Percentile"), tr("Flag")});
    m_table->horizontalHeaderItem(1)->setToolTip(tr("Higher means more unusual, for every detector."));
    m_table->horizontalHeaderItem(2)->setToolTip(
        tr("Scores above it are flagged (chosen so that the target share "
           "of ID validation frames pass)."));
    m_table->horizontalHeaderItem(3)->setToolTip(
        tr("Share of ID validation frames with a lower or equal score."));
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setToolTip(tr("Pick a detector to see its density plot."));
    connect(m_table, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (row >= 0 && m_table->item(row, 0))
            Q_EMIT detectorChosen(m_table->item(row, 0)->data(Qt::UserRole).toString());
    });
    clear();
}

void ScorePanel::clear()
{
    m_table->setRowCount(0);
    m_table->setEnabled(true);
    m_consensus->setText(tr("No frame selected."));
}

void ScorePanel::showExplaining()
{
    m_table->setEnabled(false);
    m_consensus->setText(tr("Explaining…"));
}

QString ScorePanel::consensusText() const
{
    return m_consensus->text();
}

void ScorePanel::showVerdicts(const std::vector<DetectorVerdict> &verdicts)
{
    const QSignalBlocker block(m_table);
    m_table->setEnabled(true);
    m_table->setRowCount(static_cast<int>(verdicts.size()));
    int flagged = 0;
    for (int row = 0; row < static_cast<int>(verdicts.size()); ++row) {
        const DetectorVerdict &v = verdicts[static_cast<size_t>(row)];
        flagged += v.flagged ? 1 : 0;
        auto *name = new QTableWidgetItem(QString::fromStdString(v.displayName));
        name->setData(Qt::UserRole, QString::fromStdString(v.id));
        name->setToolTip(QString::fromStdString(v.id));
        m_table->setItem(row, 0, name);
        auto number = [](double value) {
            auto *item = new QTableWidgetItem(QString::number(value, 'g', 5));
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            return item;
        };
        m_table->setItem(row, 1, number(v.score));
        m_table->setItem(row, 2, number(v.threshold));
        auto *percentile = new QTableWidgetItem(QString::number(v.percentile, 'f', 1));
        percentile->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_table->setItem(row, 3, percentile);
        auto *flag = new QTableWidgetItem(v.flagged ? tr("flagged") : tr("—"));
        m_table->setItem(row, 4, flag);
        if (v.flagged) {
            flag->setForeground(QColor(180, 30, 30));
            for (int c = 0; c < 5; ++c)
                m_table->item(row, c)->setBackground(QColor(255, 230, 230));
        }
    }
    m_consensus->setText(tr("Flagged by %1 of %2 detectors.").arg(flagged).arg(verdicts.size()));
}

} // namespace ood
