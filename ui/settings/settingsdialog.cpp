#include "settings/settingsdialog.h"

#include "session/inspectionsession.h"
#include "detect/detectorwords.h"
#include "settings/appsettings.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QListWidget>
#include <QListWidgetItem>
#include <QSpinBox>
#include <QStandardItemModel>

#include <torch/torch.h>

#include <algorithm>

namespace ood {

SettingsDialog::SettingsDialog(const InspectionSession &session, QWidget *parent)
    : QDialog(parent), m_reviewer(new QLineEdit(this)), m_threads(new QSpinBox(this)),
      m_batch(new QSpinBox(this)), m_landscape(new QSpinBox(this)), m_tpr(new QDoubleSpinBox(this)),
      m_videoEvery(new QSpinBox(this)), m_language(new QComboBox(this)), m_precision(new QComboBox(this)),
      m_detectors(new QListWidget(this)), m_sessionOpen(session.isOpen())
{
    setWindowTitle(tr("Settings"));
    const AppSettings settings;
    m_reviewer->setText(settings.reviewerName());
    m_reviewer->setPlaceholderText(tr("e.g. Dr. A. Meier"));
    m_reviewer->setToolTip(tr("Your name as the reviewer: saved with every mark you set and printed in "
                              "the report. Leave it empty to stay unnamed."));
    m_threads->setRange(1, AppSettings::coreCount());
    m_threads->setValue(settings.threads());
    m_threads->setToolTip(tr("CPU threads for the network"));
    m_batch->setRange(1, 256);
    m_batch->setValue(settings.batchSize());
    m_batch->setToolTip(tr("Frames per forward pass while scoring"));
    m_landscape->setRange(3, 41);
    m_landscape->setSingleStep(2);
    m_landscape->setValue(settings.landscapeGrid());
    m_landscape->setToolTip(
        tr("Grid points per axis of the score landscape (odd); 21 costs 441 forward passes"));
    m_tpr->setRange(50.0, 99.9);
    m_tpr->setDecimals(1);
    m_tpr->setSuffix(QStringLiteral(" %"));
    m_tpr->setValue(session.targetTpr() * 100);
    m_tpr->setEnabled(m_sessionOpen);
    m_tpr->setToolTip(
        tr("Threshold policy: each detector's threshold lets this share of the ID validation frames "
           "pass (true positive rate on ID validation)."));
    m_videoEvery->setRange(1, 1000);
    m_videoEvery->setValue(settings.videoEvery());
    m_videoEvery->setToolTip(
        tr("Videos opened from now on are inspected at every n-th frame; 1 inspects every frame"));
    m_language->addItem(tr("System language"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    m_language->setCurrentIndex(std::max(0, m_language->findData(settings.language())));
    m_language->setToolTip(tr("Language of the interface; it changes when OOD Inspector starts next"));
    m_precision->addItem(tr("float32 (exact)"), QStringLiteral("float32"));
    m_precision->addItem(tr("bfloat16 (faster, scores shift slightly)"), QStringLiteral("bf16"));
    m_precision->setCurrentIndex(std::max(0, m_precision->findData(settings.precision())));
    if (const std::string refusal = bfloat16Unsupported(); !refusal.empty()) {
        // Shown, not hidden: the user learns the option exists and why this computer cannot use it.
        if (auto *model = qobject_cast<QStandardItemModel *>(m_precision->model()))
            model->item(1)->setEnabled(false);
        m_precision->setCurrentIndex(0);
        m_precision->setToolTip(QString::fromStdString(refusal));
    } else {
        m_precision->setToolTip(tr("Number format of the network. bfloat16 is faster on this processor; "
                                   "scores change slightly, so a profile fitted in float32 may flag a "
                                   "few frames differently."));
    }
    m_detectors->setToolTip(tr("Detectors that score the frames and count for flags. Leaving out the slow "
                               "ones (ODIN, PRO) makes scoring several times faster."));
    m_detectors->setMinimumHeight(160);
    const QStringList ids = session.detectorIds();
    const QStringList names = session.detectorNames();
    for (int d = 0; d < ids.size(); ++d) {
        // Plain words for the reviewer; the technical name for the researcher, in the tooltip.
        const DetectorWords words = detectorWords(ids[d]);
        auto *item = new QListWidgetItem(words.plainName.isEmpty() ? names[d] : words.plainName, m_detectors);
        const QString technical = tr("Technical name: %1 (%2)").arg(names[d], ids[d]);
        item->setToolTip(words.description.isEmpty() ? technical
                                                     : words.description + QLatin1Char('\n') + technical);
        item->setData(Qt::UserRole, ids[d]);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(session.isDetectorEnabled(d) ? Qt::Checked : Qt::Unchecked);
    }
    m_detectors->setEnabled(m_sessionOpen);

    auto *form = new QFormLayout(this);
    form->addRow(tr("Reviewer:"), m_reviewer);
    form->addRow(tr("Threads:"), m_threads);
    form->addRow(tr("ID frames accepted:"), m_tpr);
    form->addRow(tr("Detectors:"), m_detectors);
    form->addRow(tr("Batch size:"), m_batch);
    form->addRow(tr("Precision:"), m_precision);
    form->addRow(tr("Landscape grid:"), m_landscape);
    form->addRow(tr("Video: every n-th frame:"), m_videoEvery);
    form->addRow(tr("Language:"), m_language);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

double SettingsDialog::targetTpr() const
{
    return m_tpr->value() / 100.0;
}

QStringList SettingsDialog::disabledDetectors() const
{
    QStringList disabled = AppSettings().disabledDetectors();
    for (int i = 0; i < m_detectors->count(); ++i) {
        const QString id = m_detectors->item(i)->data(Qt::UserRole).toString();
        disabled.removeAll(id);
        if (m_detectors->item(i)->checkState() != Qt::Checked)
            disabled << id;
    }
    return disabled;
}

void SettingsDialog::save() const
{
    AppSettings settings;
    settings.setReviewerName(m_reviewer->text());
    settings.setThreads(m_threads->value());
    settings.setBatchSize(m_batch->value());
    settings.setLandscapeGrid(m_landscape->value());
    settings.setVideoEvery(m_videoEvery->value());
    settings.setLanguage(m_language->currentData().toString());
    settings.setPrecision(m_precision->currentData().toString());
    if (m_sessionOpen)
        settings.setDisabledDetectors(disabledDetectors());
    at::set_num_threads(m_threads->value());
}

} // namespace ood
