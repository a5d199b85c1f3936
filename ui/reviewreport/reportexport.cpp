#include "reviewreport/reportexport.h"

#include "base/error.h"
#include "model/backbone.h"
#include "data/sampledecoder.h"
#include "explain/frameexplainer.h"
#include "image/preprocess.h"
#include "models/frametablemodel.h"
#include "session/inspectionsession.h"
#include "settings/appsettings.h"
#include "widgets/heatmapimage.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPromise>
#include <QtConcurrent>

#include <algorithm>

namespace ood {

namespace {

QString wordsOf(const LabelMatches &labels)
{
    QStringList ids, others;
    for (const LabelMatch &m : labels.idLabels)
        ids << QStringLiteral("%1 %2").arg(QString::fromStdString(m.label)).arg(m.cosine, 0, 'f', 3);
    for (size_t i = 0; i < labels.negativeLabels.size() && i < 5; ++i)
        others << QStringLiteral("%1 %2")
                      .arg(QString::fromStdString(labels.negativeLabels[i].label))
                      .arg(labels.negativeLabels[i].cosine, 0, 'f', 3);
    QString text = QCoreApplication::translate("ReviewReport", "expected classes: %1")
                       .arg(ids.join(QStringLiteral(", ")));
    if (!others.isEmpty())
        text += QCoreApplication::translate("ReviewReport", "; other words: %1")
                    .arg(others.join(QStringLiteral(", ")));
    return text;
}

/// Runs in a worker: the thumbnail and the heatmap of `method` over each flagged frame.
void makeHeatmaps(QPromise<void> &promise, std::shared_ptr<ReviewReportData> data,
                  std::vector<size_t> flagged, std::shared_ptr<Backbone> backbone,
                  std::shared_ptr<const Profile> profile, std::string method)
{
    promise.setProgressRange(0, int(flagged.size()));
    ExplainOptions options;
    options.verdicts = false;
    options.parts = {method == "lrp"             ? ExplainPart::Lrp
                     : method == "grad-cam"      ? ExplainPart::GradCam
                     : method == "deviation-cam" ? ExplainPart::DeviationCam
                                                 : ExplainPart::RelevanceCam};
    if (method == "deviation-cam")
        options.parts.push_back(ExplainPart::Neurons);
    // A CLIP's vision transformer has no feature maps for the CAMs: its frames get the input-gradient
    // saliency map, and the verdict in words.
    const bool zeroShot = backbone->asClip() != nullptr;
    if (zeroShot) {
        method = "saliency";
        options.parts = {ExplainPart::Saliency, ExplainPart::Labels};
    }
    int done = 0;
    for (size_t i : flagged) {
        if (promise.isCanceled())
            return;
        ReviewReportFrame &frame = data->frames[i];
        try {
            const RgbImage image = decodeSample({frame.record.path, -1, frame.record.videoFrame});
            frame.thumbnail = toQImage(image);
            const FrameExplanation e =
                explainFrame(*backbone, *profile, preprocessImage(image, profile->model.input), options);
            if (const Heatmap *map = e.heatmap(method))
                frame.heatmap =
                    toQImage(overlayHeatmap(image, *map, 0.6, naturalRange(*map), naturalColourMap(*map)));
            if (e.labels)
                frame.words = wordsOf(*e.labels);
        } catch (const std::exception &) {
            // The report says "not available" for a picture that could not be made.
        }
        promise.setProgressValue(++done);
    }
}

} // namespace

ReportExport::ReportExport(const InspectionSession &session, const FrameTableModel &model, QWidget *window)
    : QObject(window), m_session(session), m_model(model), m_window(window)
{
    connect(&m_watcher, &QFutureWatcherBase::progressValueChanged, this,
            [this](int done) { Q_EMIT progress(done, m_total); });
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &ReportExport::heatmapsDone);
}

ReportExport::~ReportExport()
{
    m_watcher.cancel();
    m_watcher.waitForFinished();
}

ReviewReportData ReportExport::reportData(const QString &title) const
{
    ReviewReportData data;
    const Profile &profile = *m_session.profile();
    data.title = title;
    data.created = QDateTime::currentDateTime();
    data.architecture = QString::fromStdString(profile.model.architecture);
    data.modelPath = m_session.modelPath();
    data.modelSha256 = m_session.modelSha256();
    data.classNames = m_session.classNames();
    data.inputWidth = profile.model.input.width;
    data.inputHeight = profile.model.input.height;
    data.profilePath = m_session.profilePath();
    data.profileSha256 = m_session.profileSha256();
    data.reviewer = AppSettings().reviewerName();
    data.verdict = m_session.verdict();
    const std::vector<bool> enabled = m_session.enabledDetectors();
    data.enabledDetectors = int(std::count(enabled.begin(), enabled.end(), true));
    const std::vector<FrameRecord> &frames = m_model.frames();
    for (const DetectorSummary &summary : m_session.detectorSummaries(frames))
        data.detectors.push_back(summary);
    for (const FrameRecord &f : frames)
        data.frames.push_back({f, QImage(), QImage()});
    return data;
}

bool ReportExport::start(const QString &path, const QString &title, const QString &method)
{
    if (m_running)
        return false;
    m_data = std::make_shared<ReviewReportData>(reportData(title));
    std::vector<size_t> flagged;
    for (size_t i = 0; i < m_data->frames.size(); ++i)
        if (m_data->frames[i].record.scored && m_data->frames[i].record.isFlagged())
            flagged.push_back(i);
    m_path = path;
    m_total = int(flagged.size());
    m_running = true;
    m_cancelled = false;
    Q_EMIT progress(0, m_total);
    if (m_cancelled) // the progress receiver may cancel at once
        flagged.clear();
    m_watcher.setFuture(QtConcurrent::run(makeHeatmaps, m_data, std::move(flagged), m_session.backbone(),
                                          m_session.profile(), method.toStdString()));
    return true;
}

void ReportExport::cancel()
{
    if (!m_running)
        return;
    m_cancelled = true;
    m_watcher.cancel();
}

void ReportExport::heatmapsDone()
{
    const std::shared_ptr<ReviewReportData> data = std::move(m_data);
    m_running = false;
    if (m_cancelled) {
        Q_EMIT finished(false, {});
        return;
    }
    try {
        if (m_path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive))
            writeReviewReportPdf(m_path, *data, /*overwrite=*/true);
        else
            writeReviewReportHtml(m_path, *data, /*overwrite=*/true);
    } catch (const std::exception &e) {
        Q_EMIT finished(false, QString::fromUtf8(e.what()));
        return;
    }
    Q_EMIT finished(true, {});
}

bool ReportExport::writeReport(const QString &path, const QString &title, const QString &method,
                               const std::function<bool(int, int)> &progressCallback)
{
    QEventLoop loop;
    bool ended = false, written = false;
    QString error;
    const auto onProgress = connect(this, &ReportExport::progress, &loop, [&](int done, int total) {
        if (progressCallback && !progressCallback(done, total))
            cancel();
    });
    const auto onFinished = connect(this, &ReportExport::finished, &loop, [&](bool ok, const QString &why) {
        ended = true;
        written = ok;
        error = why;
        loop.quit();
    });
    const bool started = start(path, title, method);
    if (started && !ended)
        loop.exec();
    disconnect(onProgress);
    disconnect(onFinished);
    if (!started)
        throw Error("a report is being written already");
    if (!error.isEmpty())
        throw Error(error.toStdString());
    return written;
}

void ReportExport::exportReport(const QString &title, const QString &method, bool scoring)
{
    if (!m_session.isOpen() || m_model.rowCount() == 0) {
        Q_EMIT statusMessage(tr("Nothing to report yet: open frames first."));
        return;
    }
    if (scoring) {
        QMessageBox::information(
            m_window, tr("Scoring is running"),
            tr("Wait until every frame is scored (or cancel scoring) before writing a report."));
        return;
    }
    if (m_running)
        return;
    const QString path = QFileDialog::getSaveFileName(
        m_window, tr("Export report"), QStringLiteral("ood-report.pdf"), tr("PDF (*.pdf);;HTML (*.html)"));
    if (path.isEmpty())
        return;
    auto *dialog =
        new QProgressDialog(tr("Making the heatmaps of the flagged frames…"), tr("Cancel"), 0, 1, m_window);
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setMinimumDuration(300);
    connect(this, &ReportExport::progress, dialog, [dialog](int done, int total) {
        dialog->setMaximum(std::max(1, total));
        dialog->setValue(done);
    });
    connect(dialog, &QProgressDialog::canceled, this, &ReportExport::cancel);
    connect(this, &ReportExport::finished, dialog, [this, dialog, path](bool written, const QString &error) {
        dialog->disconnect(this); // closing the dialog must not cancel anything
        dialog->deleteLater();
        if (!error.isEmpty())
            QMessageBox::critical(m_window, tr("Export failed"), error);
        else
            Q_EMIT statusMessage(written ? tr("Wrote the report %1.").arg(path)
                                         : tr("Report cancelled; nothing written."));
    });
    start(path, title, method);
}

void ReportExport::exportCsv(const QString &title)
{
    if (!m_session.isOpen() || m_model.rowCount() == 0) {
        Q_EMIT statusMessage(tr("Nothing to export yet: open frames first."));
        return;
    }
    // The dialog asks before replacing a file, so the write may replace it.
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export scores"),
                                                      QStringLiteral("scores.csv"), tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    try {
        writeScoresCsv(path, reportData(title), /*overwrite=*/true);
        Q_EMIT statusMessage(tr("Wrote %1.").arg(path));
    } catch (const std::exception &e) {
        QMessageBox::critical(m_window, tr("Export failed"), QString::fromUtf8(e.what()));
    }
}

} // namespace ood
