#include "widgets/scorepanel.h"

#include "detect/detectorwords.h"
#include "explain/frameexplainer.h"
#include "pipeline/verdict.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QTextDocumentFragment>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace ood {

double percentBelow(const std::vector<double> &validation, double score)
{
    if (std::isnan(score))
        return std::nan("");
    size_t counted = 0, below = 0;
    for (double v : validation) {
        if (std::isnan(v))
            continue;
        ++counted;
        below += v < score ? 1 : 0;
    }
    return counted == 0 ? std::nan("") : 100.0 * double(below) / double(counted);
}

QString percentBelowWords(double percent)
{
    if (std::isnan(percent))
        return ScorePanel::tr("—");
    if (percent >= 100)
        return ScorePanel::tr("higher than all");
    // Rounded down: "higher than 100%" for 99.96 would be false, and so would 98% for 97.9.
    if (percent >= 99)
        return ScorePanel::tr("higher than %1%").arg(std::floor(percent * 10) / 10, 0, 'f', 1);
    return ScorePanel::tr("higher than %1%").arg(std::floor(percent), 0, 'f', 0);
}

ScorePanel::ScorePanel(QWidget *parent)
    : QWidget(parent), m_consensus(new QLabel(this)), m_table(new QTableWidget(0, 5, this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_consensus->setWordWrap(true);
    m_consensus->setTextFormat(Qt::RichText);
    m_consensus->setToolTip(
        tr("The verdict of the profile's rule, and how many checks find the frame unusual "
           "on their own (score above their threshold)."));
    layout->addWidget(m_consensus);
    layout->addWidget(m_table);
    m_table->setHorizontalHeaderLabels(
        {tr("Check"), tr("Unusual?"), tr("Among normal frames"), tr("Score"), tr("Threshold")});
    m_table->horizontalHeaderItem(CheckColumn)
        ->setToolTip(tr("What each check looks at. Point at a name for what it means."));
    m_table->horizontalHeaderItem(NormalFramesColumn)
        ->setToolTip(tr("How the frame's score compares with the normal frames the profile was set up with "
                        "(frames like those the model was trained on, but not used for training): "
                        "\"higher than 97%\" means only 3% of normal frames score as high or higher."));
    m_table->horizontalHeaderItem(UnusualColumn)
        ->setToolTip(tr("The check finds the frame unusual when its score is above its threshold."));
    m_table->horizontalHeaderItem(ScoreColumn)
        ->setToolTip(tr("The check's raw score: higher means more unusual. Each check has a scale of its "
                        "own, so compare scores only with the same check's threshold."));
    m_table->horizontalHeaderItem(ThresholdColumn)
        ->setToolTip(tr("Scores above it count as unusual. It is set so that most normal frames stay "
                        "below it (the profile's target share)."));
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setToolTip(tr("Pick a check to see its density plot."));
    connect(m_table, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (row >= 0 && m_table->item(row, CheckColumn))
            Q_EMIT detectorChosen(m_table->item(row, CheckColumn)->data(Qt::UserRole).toString());
    });
    clear();
}

void ScorePanel::clear()
{
    m_table->setRowCount(0);
    m_table->setEnabled(true);
    m_consensus->setText(tr("No frame selected.").toHtmlEscaped());
}

void ScorePanel::showExplaining()
{
    m_table->setEnabled(false);
    m_consensus->setText(tr("Explaining…").toHtmlEscaped());
}

QString ScorePanel::consensusText() const
{
    return QTextDocumentFragment::fromHtml(m_consensus->text()).toPlainText();
}

void ScorePanel::showVerdicts(const std::vector<DetectorVerdict> &verdicts,
                              const std::vector<double> &percent, const VerdictRule *rule)
{
    const QSignalBlocker block(m_table);
    m_table->setEnabled(true);
    m_table->setRowCount(static_cast<int>(verdicts.size()));
    int flagged = 0;
    // The raw numbers come last and quieter: they matter to whoever checks the method, not to the
    // reviewer's decision.
    QFont numberFont = font();
    if (numberFont.pointSizeF() > 0)
        numberFont.setPointSizeF(numberFont.pointSizeF() * 0.9);
    const QColor numberColour = palette().color(QPalette::Disabled, QPalette::Text);
    for (int row = 0; row < static_cast<int>(verdicts.size()); ++row) {
        const DetectorVerdict &v = verdicts[static_cast<size_t>(row)];
        flagged += v.flagged ? 1 : 0;
        const QString id = QString::fromStdString(v.id);
        const QString technical = QString::fromStdString(v.displayName);
        const DetectorWords words = detectorWords(id);
        auto *name = new QTableWidgetItem(words.plainName);
        name->setData(Qt::UserRole, id);
        name->setToolTip(words.description.isEmpty()
                             ? tr("%1 (id %2)").arg(technical, id)
                             : tr("%1\nTechnical name: %2 (id %3)").arg(words.description, technical, id));
        m_table->setItem(row, CheckColumn, name);

        const double share = size_t(row) < percent.size() ? percent[size_t(row)] : std::nan("");
        auto *normal = new QTableWidgetItem(percentBelowWords(share));
        normal->setToolTip(std::isnan(share)
                               ? tr("The profile holds no normal frames to compare this check with.")
                               : tr("The frame's score is higher than %1% of the normal frames' scores.")
                                     .arg(share, 0, 'f', 1));
        m_table->setItem(row, NormalFramesColumn, normal);

        auto *flag = new QTableWidgetItem(v.flagged ? tr("yes") : tr("—"));
        flag->setToolTip(v.flagged
                             ? tr("This check finds the frame unusual: its score is above its threshold.")
                             : tr("This check finds nothing unusual: its score is not above its "
                                  "threshold."));
        m_table->setItem(row, UnusualColumn, flag);

        auto number = [&](double value) {
            auto *item = new QTableWidgetItem(QString::number(value, 'g', 5));
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            item->setFont(numberFont);
            item->setForeground(numberColour);
            return item;
        };
        m_table->setItem(row, ScoreColumn, number(v.score));
        m_table->setItem(row, ThresholdColumn, number(v.threshold));
        if (v.flagged) {
            flag->setForeground(QColor(180, 30, 30));
            for (int c = 0; c < m_table->columnCount(); ++c)
                m_table->item(row, c)->setBackground(QColor(255, 230, 230));
        }
    }
    const int checks = static_cast<int>(verdicts.size());
    const QString count = tr("%1 of %2 checks find the frame unusual on their own.").arg(flagged).arg(checks);
    if (!rule) {
        m_consensus->setText(count.toHtmlEscaped());
        return;
    }
    if (!rule->canDecide()) {
        m_consensus->setText(
            QStringLiteral("<b>%1</b><br>%2")
                .arg(tr("No verdict").toHtmlEscaped(),
                     tr("The profile has no normal frames to compare with, so it cannot tell "
                        "what is unusual for the model.")
                         .toHtmlEscaped()));
        return;
    }
    std::vector<std::string> ids;
    std::vector<double> scores, thresholds;
    for (const DetectorVerdict &v : verdicts) {
        ids.push_back(v.id);
        scores.push_back(v.score);
        thresholds.push_back(v.threshold);
    }
    const bool unusual = isUnusual(*rule, ids, scores, thresholds);
    const QString decider = rule->detectorId.empty()
                                ? QString()
                                : detectorWords(QString::fromStdString(rule->detectorId)).plainName;
    m_consensus->setText(QStringLiteral("<b style='color:%1'>%2</b><br>%3 %4")
                             .arg(unusual ? QStringLiteral("#b71c1c") : QStringLiteral("#37474f"),
                                  verdictWords(unusual).toHtmlEscaped(), count.toHtmlEscaped(),
                                  tr("Rule: called unusual when %1.")
                                      .arg(verdictRuleWords(*rule, checks, decider))
                                      .toHtmlEscaped()));
}

} // namespace ood
