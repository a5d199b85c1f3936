// Merging the shards of a large scoring job (core/results/resultsfile.h mergeShards): 4 shard files
// holding 1,000,000 rows with 27 detector columns together, written the way `score --shard` writes
// them, then merged. Also the costs around it: the canonical order and digest of the list, and the
// writing of the shards themselves.
// Usage: merge-bench [rows]   (default 1000000), files under a temporary folder (~1 GB).

#include "bench/benchreport.h"
#include "base/error.h"
#include "detect/registry.h"
#include "results/resultsfile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>

#include <cstdio>
#include <random>
#include <string>

using namespace ood;
using bench::report;
using bench::secondsSince;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char *kBench = "merge-bench";
constexpr int kShards = 4;
constexpr int kDetectors = 27;

/// A capsule-endoscopy job: labelled still images in class folders and frames of whole videos, one
/// in 25, as a --video-every run lists them.
std::vector<Sample> listFrames(size_t rows)
{
    const char *classes[] = {"Ampulla of vater",
                             "Angiectasia",
                             "Blood - fresh",
                             "Erosion",
                             "Erythema",
                             "Foreign body",
                             "Ileocecal valve",
                             "Lymphangiectasia",
                             "Normal clean mucosa",
                             "Polyp",
                             "Pylorus",
                             "Reduced mucosal view",
                             "Ulcer"};
    std::vector<Sample> frames;
    frames.reserve(rows);
    std::mt19937_64 random(7);
    const size_t images = rows * 3 / 5;
    for (size_t i = 0; i < images; ++i) {
        Sample sample;
        sample.path = QString("/scratch/project_2004/kvasir-capsule/labelled_images/%1/%2_%3.jpg")
                          .arg(QLatin1String(classes[i % 13]))
                          .arg(random() & 0xffffffffffffULL, 12, 16, QLatin1Char('0'))
                          .arg(i % 97, 4, 10, QLatin1Char('0'));
        frames.push_back(sample);
    }
    for (size_t i = images, video = 0; i < rows; ++video)
        for (int f = 0; f < 1000 * 25 && i < rows; f += 25, ++i) {
            Sample sample;
            sample.path = QString("/scratch/project_2004/kvasir-capsule/videos/patient_%1.mp4")
                              .arg(video, 5, 10, QLatin1Char('0'));
            sample.videoFrame = f;
            frames.push_back(sample);
        }
    std::shuffle(frames.begin(), frames.end(), random); // as listed: in no particular order
    return frames;
}

Profile makeProfile(std::vector<std::string> &ids)
{
    Profile profile;
    profile.model.classNames = {"Ampulla of vater",
                                "Angiectasia",
                                "Blood - fresh",
                                "Erosion",
                                "Erythema",
                                "Foreign body",
                                "Ileocecal valve",
                                "Lymphangiectasia",
                                "Normal clean mucosa",
                                "Polyp",
                                "Pylorus",
                                "Reduced mucosal view",
                                "Ulcer",
                                "Ulcer, large"};
    profile.model.numClasses = static_cast<int>(profile.model.classNames.size());
    for (const std::string &id : detectorIds()) {
        if (ids.size() == kDetectors)
            break;
        ProfileDetector entry;
        entry.detector = createDetector(id);
        entry.threshold = 0.8;
        profile.detectors.push_back(std::move(entry));
        ids.push_back(id);
    }
    return profile;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    size_t rows = 1000000;
    if (argc > 2 || (argc == 2 && (rows = std::strtoull(argv[1], nullptr, 10)) < kShards)) {
        std::fprintf(stderr, "usage: merge-bench [rows >= %d]\n", kShards);
        return 2;
    }
    QTemporaryDir dir;
    if (!dir.isValid())
        return 1;
    try {
        std::vector<std::string> ids;
        const Profile profile = makeProfile(ids);
        if (ids.size() != kDetectors) {
            std::fprintf(stderr, "only %zu detectors in the registry\n", ids.size());
            return 1;
        }
        const std::vector<Sample> listed = listFrames(rows);
        auto start = Clock::now();
        const std::vector<Sample> frames = canonicalFrames(listed);
        report(kBench, "plan: canonical order of " + std::to_string(rows) + " listed frames",
               secondsSince(start), "s");
        start = Clock::now();
        const QString digest = inputsDigest(frames);
        report(kBench, "plan: inputs digest of " + std::to_string(rows) + " frames", secondsSince(start),
               "s");

        ResultsHeader job;
        job.profilePath = "/projects/kvasir/capsule.oodprofile";
        job.profileSha256 = QString(64, 'a');
        job.modelPath = "/projects/kvasir/resnet50.pt";
        job.modelSha256 = QString(64, 'b');
        job.inputsSha256 = digest;
        job.inputFrames = static_cast<qint64>(frames.size());
        job.columns = resultColumns(ids, true);

        std::mt19937_64 random(11);
        std::uniform_real_distribution<double> uniform(0, 1);
        QStringList paths;
        start = Clock::now();
        for (int k = 0; k < kShards; ++k) {
            const ShardId shard{k, kShards};
            const FrameRange range = shardRange(frames.size(), shard);
            ResultsHeader header = job;
            header.shard = shard;
            header.firstFrame = static_cast<qint64>(range.first);
            header.rows = static_cast<qint64>(range.count);
            paths << QDir(dir.path()).filePath(QString("scores.shard%1.csv").arg(k));
            ShardWriter writer(
                paths.back(), header,
                std::vector<Sample>(frames.begin() + static_cast<qsizetype>(range.first),
                                    frames.begin() + static_cast<qsizetype>(range.first + range.count)));
            QStringList batch;
            for (size_t i = range.first; i < range.first + range.count; ++i) {
                FrameResult result;
                result.scored = i % 5000 != 17;
                if (!result.scored)
                    result.error = "cannot decode: premature end of JPEG file";
                result.prediction = static_cast<int>(i % profile.model.classNames.size());
                result.confidence = uniform(random);
                for (int d = 0; d < kDetectors; ++d)
                    result.scores.push_back(uniform(random) * (d % 3 == 0 ? 1 : -40));
                batch << resultRow(frames[i], true, result, profile, ids);
                if (batch.size() == 10000) {
                    writer.append(batch);
                    batch.clear();
                }
            }
            writer.append(batch);
            writer.finish();
        }
        const double writing = secondsSince(start);
        qint64 bytes = 0;
        for (const QString &path : paths)
            bytes += QFileInfo(path).size();
        report(kBench, "write 4 shards: resultRow + ShardWriter, fsync every 10000 rows", writing, "s",
               std::to_string(bytes / 1000000) + " MB");

        const QString out = QDir(dir.path()).filePath("scores.csv");
        double best = 1e300;
        for (int run = 0; run < 3; ++run) {
            start = Clock::now();
            const MergeReport merged = mergeShards(paths, out, false);
            const double seconds = secondsSince(start);
            if (!merged.written || merged.rowsWritten != static_cast<qint64>(rows) ||
                !merged.refused.isEmpty()) {
                std::fprintf(stderr, "merge failed: %s\n", qPrintable(merged.refused.join('\n')));
                return 1;
            }
            best = std::min(best, seconds);
        }
        report(kBench, "merge 4 shards, " + std::to_string(rows) + " rows, 27 detectors", best, "s",
               "best of 3, files in the page cache");
        report(kBench, "merge rate", static_cast<double>(rows) / best, "row/s",
               std::to_string(static_cast<long long>(static_cast<double>(bytes) / best / 1e6)) +
                   " MB/s of shards");
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
