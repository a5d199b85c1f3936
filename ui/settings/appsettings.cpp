#include "settings/appsettings.h"

#include "pipeline/scoringrun.h"

#include <QSettings>

#include <algorithm>
#include <thread>

namespace ood {

namespace {

// A procedure video runs at 25-30 frames per second; every 5th frame still sees every second of it
// several times at a fifth of the cost.
constexpr int kDefaultVideoEvery = 5;
constexpr int kDefaultLandscapeGrid = 21;

} // namespace

int AppSettings::coreCount()
{
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int AppSettings::threads() const
{
    return QSettings().value("threads", coreCount()).toInt();
}

void AppSettings::setThreads(int threads)
{
    QSettings().setValue("threads", threads);
}

int AppSettings::batchSize() const
{
    // The GUI scores as the CLI does unless the user chose otherwise.
    return QSettings().value("batchSize", RunOptions{}.batchSize).toInt();
}

void AppSettings::setBatchSize(int frames)
{
    QSettings().setValue("batchSize", frames);
}

int AppSettings::landscapeGrid() const
{
    return QSettings().value("landscapeSize", kDefaultLandscapeGrid).toInt() | 1;
}

void AppSettings::setLandscapeGrid(int points)
{
    QSettings().setValue("landscapeSize", points | 1);
}

int AppSettings::videoEvery() const
{
    return QSettings().value("videoEvery", kDefaultVideoEvery).toInt();
}

void AppSettings::setVideoEvery(int n)
{
    QSettings().setValue("videoEvery", n);
}

QStringList AppSettings::disabledDetectors() const
{
    return QSettings().value("disabledDetectors").toStringList();
}

void AppSettings::setDisabledDetectors(const QStringList &ids)
{
    QSettings().setValue("disabledDetectors", ids);
}

QString AppSettings::precision() const
{
    return QSettings().value("precision", QStringLiteral("float32")).toString();
}

void AppSettings::setPrecision(const QString &precision)
{
    QSettings().setValue("precision", precision);
}

InferenceOptions AppSettings::inference(QString *note) const
{
    InferenceOptions options;
    if (precision() != QLatin1String("bf16"))
        return options;
    const std::string refusal = bfloat16Unsupported();
    if (refusal.empty())
        options.precision = Precision::BFloat16;
    else if (note)
        *note = QString::fromStdString(refusal);
    return options;
}

QString AppSettings::language() const
{
    return QSettings().value("language").toString();
}

void AppSettings::setLanguage(const QString &language)
{
    QSettings settings;
    if (language.isEmpty())
        settings.remove("language");
    else
        settings.setValue("language", language);
}

QStringList AppSettings::recentFiles() const
{
    return QSettings().value("recent").toStringList();
}

void AppSettings::addRecentFile(const QString &path)
{
    QStringList recent = recentFiles();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    QSettings().setValue("recent", recent);
}

QString AppSettings::reviewerName() const
{
    return QSettings().value("reviewerName").toString();
}

void AppSettings::setReviewerName(const QString &name)
{
    QSettings settings;
    if (name.trimmed().isEmpty())
        settings.remove("reviewerName");
    else
        settings.setValue("reviewerName", name.trimmed());
}

QString AppSettings::modelLocation(const QString &sha256) const
{
    return QSettings().value(QStringLiteral("modelLocations/") + sha256.toLower()).toString();
}

void AppSettings::setModelLocation(const QString &sha256, const QString &path)
{
    QSettings settings;
    const QString key = QStringLiteral("modelLocations/") + sha256.toLower();
    if (path.isEmpty())
        settings.remove(key);
    else
        settings.setValue(key, path);
}

} // namespace ood
