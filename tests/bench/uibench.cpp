// Timing of the desktop application that used to be asserted by ui tests (docs/benchmarks.md,
// "Bench executables"): the frame table with 10,000 rows (ui_frametablemodeltest), the window on
// the demo and on 10,000 frames (ui_mainwindowtest), and the scoring job's cancel, destructor and
// event-loop gaps on 600 demo frames (ui_scoringjobtest). The tests keep checking the results.
// Usage: ui-bench [table] [window] [job]   (no argument: all); offscreen unless QT_QPA_PLATFORM says
// otherwise. Needs the demo assets (resources/demo/build-assets.sh) for `window` and `job`.

#include "bench/benchreport.h"
#include "calib/profile.h"
#include "data/samplelist.h"
#include "jobs/scoringjob.h"
#include "mainwindow.h"
#include "model/modelloader.h"
#include "models/framefilterproxy.h"
#include "models/frametablemodel.h"

#include <QApplication>
#include <QBuffer>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <string>

using namespace ood;
using bench::report;

namespace {

constexpr const char *kBench = "ui-bench";
const QString kAssets = QStringLiteral(OOD_SOURCE_DIR "/resources/demo/assets");

/// Milliseconds since `clock` was started.
double ms(const QElapsedTimer &clock)
{
    return double(clock.nsecsElapsed()) / 1e6;
}

/// Longest gap between ticks of a 10 ms timer while `until` is false (at most `timeoutMs`): how
/// long the event loop was blocked.
qint64 longestEventLoopGap(const std::function<bool()> &until, int timeoutMs)
{
    QElapsedTimer clock, total;
    clock.start();
    total.start();
    qint64 longest = 0;
    QTimer timer;
    timer.setInterval(10);
    QObject::connect(&timer, &QTimer::timeout, [&] { longest = std::max(longest, clock.restart()); });
    timer.start();
    while (!until() && total.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    return longest;
}

/// The session of ui_frametablemodeltest tenThousandFrames: 10 videos of 1,000 frames, every
/// tenth frame unscored, N(0,1) scores, review marks cycling through the four states.
std::vector<FrameRecord> largeSession(int count, int detectors)
{
    std::mt19937 rng(12345);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<FrameRecord> frames(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
        FrameRecord &frame = frames[static_cast<size_t>(i)];
        frame.path = QStringLiteral("/session/video%1.mp4").arg(i / 1000);
        frame.videoFrame = i % 1000;
        frame.displayName = QStringLiteral("video%1.mp4 #%2").arg(i / 1000).arg(i % 1000);
        frame.scores.assign(static_cast<size_t>(detectors), std::numeric_limits<double>::quiet_NaN());
        frame.mark = static_cast<ReviewMark>(i % 4);
        if (i % 10 == 9)
            continue;
        frame.scored = true;
        frame.prediction = i % 5;
        frame.confidence = uniform(rng);
        for (int d = 0; d < detectors; ++d) {
            frame.scores[static_cast<size_t>(d)] = normal(rng);
            frame.flaggedBy += frame.scores[static_cast<size_t>(d)] > 2.0 ? 1 : 0;
        }
    }
    return frames;
}

bool benchTable()
{
    const int count = 10000, detectors = 20;
    const std::vector<FrameRecord> frames = largeSession(count, detectors);
    std::vector<std::string> ids;
    QStringList names;
    for (int d = 0; d < detectors; ++d) {
        ids.push_back("det" + std::to_string(d));
        names << QStringLiteral("Detector %1").arg(d);
    }
    FrameTableModel model;
    model.setDetectors(ids, names, std::vector<double>(detectors, 2.0));
    model.setClassNames({"a", "b", "c", "d", "e"});
    FrameFilterProxy proxy;
    proxy.setSourceModel(&model);
    const std::string what = "table: 10,000 rows x 20 detectors, ";

    QElapsedTimer clock;
    clock.start();
    model.setFrames(frames);
    report(kBench, what + "setFrames", ms(clock), "ms");
    clock.restart();
    proxy.sort(model.detectorColumn(7), Qt::DescendingOrder);
    report(kBench, what + "sort by a detector", ms(clock), "ms");
    clock.restart();
    proxy.setFlaggingDetector(7);
    proxy.setMarkFilter(ReviewMark::None);
    report(kBench, what + "filter by detector and mark", ms(clock), "ms",
           std::to_string(proxy.rowCount()) + " rows left");
    proxy.clearFilters();
    QTableView view;
    view.resize(1000, 700);
    clock.restart();
    view.setModel(&proxy);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view))
        return false;
    QCoreApplication::processEvents();
    report(kBench, what + "table view shown", ms(clock), "ms");
    return proxy.rowCount() == count;
}

bool benchWindow()
{
    // As ui_mainwindowtest: test-mode paths and settings of its own, so the user's are untouched.
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/demo")
        .removeRecursively();

    MainWindow window;
    window.show();
    if (!window.openDemo())
        return false;
    const int demoRows = window.frameModel()->rowCount();
    const qint64 demoGap = longestEventLoopGap([&] { return !window.isScoring(); }, 180000);
    if (window.isScoring())
        return false;
    report(kBench, "window: longest event-loop gap while scoring the demo", double(demoGap), "ms",
           std::to_string(demoRows) + " frames, " +
               std::to_string(window.scoringJob()->detectorIds().size()) + " detectors");

    QTemporaryDir dir;
    QImage tiny(8, 8, QImage::Format_RGB888);
    tiny.fill(Qt::gray);
    QByteArray png;
    {
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        tiny.save(&buffer, "PNG");
    }
    for (int i = 0; i < 10000; ++i) {
        QFile file(dir.filePath(QString("f%1.png").arg(i, 5, 10, QLatin1Char('0'))));
        if (!file.open(QIODevice::WriteOnly))
            return false;
        file.write(png);
    }
    QElapsedTimer clock;
    clock.start();
    if (!window.openFrames({dir.path()}))
        return false;
    QCoreApplication::processEvents();
    report(kBench, "window: 10,000 frames scanned and listed (openFrames)", ms(clock), "ms");
    const qint64 gap = longestEventLoopGap([] { return false; }, 1500);
    report(kBench, "window: longest event-loop gap while scoring 10,000 frames", double(gap), "ms",
           "first 1.5 s");
    window.scoringJob()->cancel();
    longestEventLoopGap([&] { return !window.isScoring(); }, 60000);
    return window.frameModel()->rowCount() == demoRows + 10000;
}

/// Runs the event loop until the job has sent its final signal.
bool waitForEnd(ScoringJob &job, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (job.isRunning() && clock.elapsed() < timeoutMs)
        QTest::qWait(5);
    return !job.isRunning();
}

bool benchJob()
{
    const auto profile = std::make_shared<Profile>(loadProfile(kAssets + "/demo.oodprofile"));
    const std::shared_ptr<Backbone> backbone =
        loadModel((kAssets + "/model.pt").toStdString(), profile->model.architecture).backbone;
    QDirIterator it(kAssets + "/frames", {"*.png"}, QDir::Files, QDirIterator::Subdirectories);
    QStringList files;
    while (it.hasNext())
        files << it.next();
    files.sort();
    std::vector<Sample> samples; // the 60 demo frames ten times over, as ui_scoringjobtest
    for (int t = 0; t < 10; ++t)
        for (const QString &file : files)
            samples.push_back({file, -1});
    const auto options = [](int batchSize) {
        RunOptions o;
        o.batchSize = batchSize;
        o.decodeWorkers = 1;
        return o;
    };

    {
        ScoringJob job;
        qint64 cancelNs = -1;
        QObject::connect(&job, &ScoringJob::batchScored, [&] {
            if (cancelNs >= 0)
                return;
            QElapsedTimer clock;
            clock.start();
            job.cancel();
            cancelNs = clock.nsecsElapsed();
        });
        if (!job.start(backbone, profile, samples, options(8)) || !waitForEnd(job, 120000) || cancelNs < 0)
            return false;
        report(kBench, "job: cancel() on the GUI thread while the worker scores", double(cancelNs) / 1000,
               "us");
    }
    {
        QElapsedTimer clock;
        {
            ScoringJob job;
            if (!job.start(backbone, profile, samples, options(8)))
                return false;
            QTest::qWait(50);
            clock.start();
        }
        report(kBench, "job: destroying a running job", ms(clock), "ms", "50 ms after start, batches of 8");
    }
    {
        ScoringJob job;
        int ticks = 0;
        QElapsedTimer sinceTick, total;
        qint64 longestGap = 0;
        QTimer timer;
        timer.setInterval(10);
        QObject::connect(&timer, &QTimer::timeout, [&] {
            longestGap = std::max(longestGap, sinceTick.restart());
            ++ticks;
        });
        total.start();
        if (!job.start(backbone, profile, samples, options(32)))
            return false;
        sinceTick.start();
        timer.start();
        if (!waitForEnd(job, 300000))
            return false;
        timer.stop();
        const std::string detectors = std::to_string(job.detectorIds().size()) + " detectors";
        report(kBench, "job: 600 demo frames, batches of 32, wall", ms(total) / 1000, "s", detectors);
        report(kBench, "job: 600 demo frames, batches of 32, longest event-loop gap", double(longestGap),
               "ms", std::to_string(ticks) + " ticks of a 10 ms timer, " + detectors);
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName("OOD Inspector Tests");
    QCoreApplication::setApplicationName("ui-bench");
    std::set<std::string> parts;
    for (int i = 1; i < argc; ++i)
        parts.insert(argv[i]);
    for (const std::string &part : parts)
        if (part != "table" && part != "window" && part != "job") {
            std::fprintf(stderr, "usage: ui-bench [table] [window] [job]\n");
            return 2;
        }
    const auto wanted = [&](const char *part) { return parts.empty() || parts.count(part) > 0; };
    if ((wanted("window") || wanted("job")) && !QFile::exists(kAssets + "/demo.oodprofile")) {
        std::fprintf(stderr, "no demo assets in %s (resources/demo/build-assets.sh)\n", qPrintable(kAssets));
        return 1;
    }
    torch::set_num_threads(2);
    bool ok = true;
    try {
        if (wanted("table"))
            ok = benchTable() && ok;
        if (wanted("window"))
            ok = benchWindow() && ok;
        if (wanted("job"))
            ok = benchJob() && ok;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    if (!ok)
        std::fprintf(stderr, "a bench did not get the expected result\n");
    return ok ? 0 : 1;
}
