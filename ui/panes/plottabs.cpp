#include "panes/plottabs.h"

#include "detect/detectorwords.h"
#include "explain/frameexplainer.h"
#include "session/inspectionsession.h"
#include "widgets/explanationplots.h"
#include "widgets/scorepanel.h"
#include "widgets/sessionplots.h"

#include <QLabel>
#include <QScrollArea>
#include <QTabBar>
#include <QVBoxLayout>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ood {

namespace {

QString technicalName(const FrameExplanation &explanation, const std::string &id)
{
    for (const DetectorVerdict &v : explanation.verdicts)
        if (v.id == id)
            return QString::fromStdString(v.displayName);
    return QString::fromStdString(id);
}

/// The detector's plain name (detect/detectorwords.h); the technical name for an id without words.
QString displayName(const FrameExplanation &explanation, const std::string &id)
{
    if (const DetectorWords words = detectorWords(QString::fromStdString(id)); !words.description.isEmpty())
        return words.plainName;
    return technicalName(explanation, id);
}

} // namespace

PlotTabs::PlotTabs(QWidget *parent)
    : QTabWidget(parent), m_scores(new ScorePanel(this)), m_density(new DensityPlot(this)),
      m_landscape(new LandscapePlot(this)), m_relevance(nullptr), m_neuronSummary(nullptr),
      m_roc(new RocPlot(this)), m_labels(nullptr)
{
    // Every tab in view with its whole label, rather than elided or behind scroll arrows: the tab
    // bar's width is then part of the pane's minimum width.
    setUsesScrollButtons(false);
    setElideMode(Qt::ElideNone);
    tabBar()->setExpanding(false);
    auto *neurons = new QWidget(this);
    auto *neuronLayout = new QVBoxLayout(neurons);
    m_neuronSummary = new QLabel(neurons);
    m_neuronSummary->setWordWrap(true);
    m_relevance = new RelevancePlot(neurons);
    neuronLayout->addWidget(m_neuronSummary);
    neuronLayout->addWidget(m_relevance, 1);
    addTab(m_scores, tr("Scores"));
    addTab(m_density, tr("Density"));
    addTab(m_landscape, tr("Landscape"));
    addTab(neurons, tr("Neurons"));
    addTab(m_roc, tr("ROC"));
    auto *words = new QScrollArea(this);
    m_labels = new QLabel(words);
    m_labels->setWordWrap(true);
    m_labels->setTextFormat(Qt::RichText);
    m_labels->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_labels->setMargin(8);
    words->setWidget(m_labels);
    words->setWidgetResizable(true);
    m_labelsTab = addTab(words, tr("Words"));
    setTabToolTip(m_labelsTab, tr("A CLIP model's verdict in words: which expected classes and which other "
                                  "words the frame resembles"));
    setTabVisible(m_labelsTab, false);
    setTabToolTip(0, tr("The verdict and every check on this frame: how it compares with normal frames, "
                        "its score and threshold"));
    setTabToolTip(1, tr("Where the frame falls in a detector's ID validation distribution"));
    setTabToolTip(2, tr("How the score changes around the frame"));
    setTabToolTip(3, tr("NERO: which neurons make the frame unlike the class it resembles"));
    setTabToolTip(4, tr("ROC curves of the detectors when the open folders say which frames are ID "
                        "(a folder named id) and which OOD (ood, near-ood, far-ood)"));
    connect(m_scores, &ScorePanel::detectorChosen, this, &PlotTabs::detectorChosen);
}

void PlotTabs::showVerdicts(const FrameExplanation &explanation, const InspectionSession &session)
{
    std::vector<DetectorVerdict> shown;
    std::vector<double> percent;
    const QStringList ids = session.detectorIds();
    const std::shared_ptr<const Profile> profile = session.profile();
    for (const DetectorVerdict &verdict : explanation.verdicts) {
        if (!session.isDetectorEnabled(int(ids.indexOf(QString::fromStdString(verdict.id)))))
            continue;
        shown.push_back(verdict);
        // Where the frame falls among the normal frames, strictly below: the panel says "higher
        // than", which a tie does not make true.
        std::vector<double> validation;
        if (const ProfileDetector *d = profile ? profile->find(verdict.id) : nullptr;
            d && d->validationScores.defined()) {
            const at::Tensor scores = d->validationScores.to(torch::kFloat64).contiguous();
            validation.assign(scores.data_ptr<double>(), scores.data_ptr<double>() + scores.numel());
        }
        percent.push_back(percentBelow(validation, verdict.score));
    }
    m_scores->showVerdicts(shown, percent, session.isOpen() ? &session.verdict() : nullptr);
}

void PlotTabs::showExplaining()
{
    m_scores->showExplaining();
    // Another frame's landscape and neurons would be read as this one's until its own arrive.
    m_landscape->clear();
    m_relevance->clear();
    m_neuronSummary->clear();
}

void PlotTabs::clearVerdicts()
{
    m_scores->clear();
}

void PlotTabs::showDensity(const FrameExplanation &explanation, const QString &detectorId)
{
    for (const auto &[id, density] : explanation.densities)
        if (QString::fromStdString(id) == detectorId) {
            m_density->showDensity(density, displayName(explanation, id));
            return;
        }
}

void PlotTabs::showExplanation(const FrameExplanation &explanation, const InspectionSession &session,
                               const QString &detectorId)
{
    showVerdicts(explanation, session);
    showDensity(explanation, detectorId);
    showLandscape(explanation);
    showNeurons(explanation, session);
}

void PlotTabs::showLandscape(const FrameExplanation &explanation, const QString &note)
{
    if (explanation.landscape)
        m_landscape->showLandscape(*explanation.landscape,
                                   displayName(explanation, explanation.landscape->detectorId), note);
    else
        m_landscape->clear();
}

void PlotTabs::showNeurons(const FrameExplanation &explanation, const InspectionSession &session)
{
    showLabels(explanation);
    if (!explanation.neurons) {
        m_relevance->clear();
        m_neuronSummary->setText(tr("No NERO detector in this profile."));
        return;
    }
    const NeuronExplanation &n = *explanation.neurons;
    const QStringList classNames = session.classNames();
    const QString nearest = n.nearestClass >= 0 && n.nearestClass < classNames.size()
                                ? classNames[int(n.nearestClass)]
                                : QString::number(n.nearestClass);
    m_relevance->showNeurons(n, nearest);
    m_neuronSummary->setText(tr("Nearest class <b>%1</b>: relevance distance %2, bias term %3, feature-norm "
                                "factor %4, NERO score %5.")
                                 .arg(nearest.toHtmlEscaped())
                                 .arg(n.relevanceDistance, 0, 'g', 4)
                                 .arg(n.biasScale * std::abs(n.biasRelevance), 0, 'g', 4)
                                 .arg(n.featureNormFactor, 0, 'g', 3)
                                 .arg(n.score, 0, 'g', 4));
}

void PlotTabs::showLabels(const FrameExplanation &explanation)
{
    setTabVisible(m_labelsTab, explanation.labels.has_value());
    if (!explanation.labels) {
        m_labels->clear();
        return;
    }
    const LabelMatches &labels = *explanation.labels;
    auto rows = [](const std::vector<LabelMatch> &matches, const QString &colour) {
        QString html = QStringLiteral("<table cellspacing='4'>");
        double top = 0;
        for (const LabelMatch &m : matches)
            top = std::max(top, m.cosine);
        for (const LabelMatch &m : matches) {
            const int width = top > 0 ? int(std::round(120 * std::max(0.0, m.cosine) / top)) : 0;
            html += QStringLiteral("<tr><td>%1</td><td><table cellspacing='0' cellpadding='0'><tr><td "
                                   "bgcolor='%2' width='%3' height='10'></td></tr></table></td><td "
                                   "align='right'>%4</td></tr>")
                        .arg(QString::fromStdString(m.label).toHtmlEscaped(), colour)
                        .arg(std::max(1, width))
                        .arg(m.cosine, 0, 'f', 3);
        }
        return html + QStringLiteral("</table>");
    };
    QString html = tr("<p><b>Expected classes</b>, most similar first (cosine similarity of the picture and "
                      "the words):</p>") +
                   rows(labels.idLabels, QStringLiteral("#2e7d32"));
    if (labels.negativeLabels.empty()) {
        html += tr("<p>This profile has no list of other words (fit NegLabel or NegRefine to get one).</p>");
    } else {
        html += tr("<p><b>Other words</b> the picture resembles most. When these come close to the expected "
                   "classes, the frame is flagged as unfamiliar:</p>") +
                rows(labels.negativeLabels, QStringLiteral("#c62828"));
        html += tr("<p style='color:gray'>Words from %1 (%2).</p>")
                    .arg(technicalName(explanation, labels.negativesFrom).toHtmlEscaped(),
                         QString::fromStdString(labels.negativeSource).toHtmlEscaped());
    }
    m_labels->setText(html);
}

bool PlotTabs::isRocShown() const
{
    return currentWidget() == m_roc;
}

void PlotTabs::showRoc(const SessionRoc &roc)
{
    if (!roc.available()) {
        m_roc->showUnavailable(tr("ROC curves need open frames of both kinds: put ID frames under a folder "
                                  "named <i>id</i> and unusual ones under <i>ood</i> (or near-ood, far-ood) "
                                  "and open the parent folder. Open now: %1 ID, %2 OOD.")
                                   .arg(roc.idFrames)
                                   .arg(roc.oodFrames));
        return;
    }
    m_roc->showCurves(roc.curves, roc.highlighted, roc.idFrames, roc.oodFrames);
}

} // namespace ood
