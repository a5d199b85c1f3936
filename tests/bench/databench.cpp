// Timing of data handling whose speed used to be printed or asserted by unit tests
// (docs/benchmarks.md, "Bench executables"): refusing an oversized image header
// (core_imagedecodertest), listing a folder of 100,000 entries (core_badinputtest) and the review
// database (core_reviewstoretest). The tests keep checking the results; only the clock is here.
// Usage: data-bench [decode] [scan] [review]   (no argument: all), files under a temporary folder.

#include "bench/benchreport.h"
#include "data/samplelist.h"
#include "base/error.h"
#include "image/imagedecoder.h"
#include "review/reviewstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>

using namespace ood;
using bench::report;
using bench::secondsSince;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char *kBench = "data-bench";

bool benchDecode(const QDir &dir)
{
    // A 30000 x 30000 PNG header and nothing else: the limit must refuse it before any decoding.
    const QByteArray huge(
        "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x75\x30\x00\x00\x75\x30\x08\x02\x00\x00\x00", 29);
    const QString path = dir.filePath("huge.png");
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(huge) != huge.size())
        return false;
    file.close();
    double best = 1e300;
    for (int i = 0; i < 5; ++i) {
        const auto start = Clock::now();
        try {
            decodeImageFile(path);
            std::fprintf(stderr, "the 30000x30000 header was not refused\n");
            return false;
        } catch (const Error &) {
        }
        best = std::min(best, secondsSince(start));
    }
    report(kBench, "decode: refuse a 30000x30000 PNG header", best * 1000, "ms", "best of 5");
    return true;
}

bool benchScan(const QDir &dir)
{
    const QString folder = dir.filePath("many");
    QDir().mkpath(folder);
    const QByteArray native = QFile::encodeName(folder);
    const int dirFd = open(native.constData(), O_RDONLY | O_DIRECTORY);
    if (dirFd < 0)
        return false;
    for (int i = 0; i < 100000; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "frame%06d.%s", i, i % 10 == 9 ? "txt" : "png");
        const int fd = openat(dirFd, name, O_WRONLY | O_CREAT, 0644);
        if (fd < 0) {
            close(dirFd);
            return false;
        }
        close(fd);
    }
    close(dirFd);
    for (int run = 1; run <= 2; ++run) {
        const auto start = Clock::now();
        const SampleList list = scanInputs({folder});
        const double seconds = secondsSince(start);
        if (list.samples.size() != 90000) {
            std::fprintf(stderr, "scanInputs listed %zu images, not 90000\n", list.samples.size());
            return false;
        }
        report(kBench,
               "scan: scanInputs, folder of 100,000 entries (90,000 images), run " + std::to_string(run),
               seconds * 1000, "ms", run == 1 ? "directory just written" : "");
    }
    QDir(folder).removeRecursively();
    return true;
}

bool benchReview(const QDir &dir)
{
    const QString path = dir.filePath("marks.sqlite");
    constexpr int n = 10000, singles = 100;
    std::vector<ReviewUpdate> updates;
    for (int i = 0; i < n; ++i)
        updates.push_back({QStringLiteral("/data/folder %1/frame_%2.png").arg(i % 17).arg(i),
                           static_cast<ReviewMark>(1 + i % 3),
                           i % 5 == 0 ? QStringLiteral("note %1\nsecond line").arg(i) : QString(),
                           {}});
    {
        ReviewStore store(path);
        auto start = Clock::now();
        store.setMarks(updates);
        report(kBench, "review: 10,000 marks in one transaction", secondsSince(start) * 1000, "ms");
        start = Clock::now();
        for (int i = 0; i < singles; ++i)
            store.setMark(QStringLiteral("/single/%1.png").arg(i), ReviewMark::Unsure, {});
        report(kBench, "review: one mark, one durable commit", secondsSince(start) * 1000 / singles, "ms",
               "mean of 100");
    }
    const auto start = Clock::now();
    ReviewStore store(path);
    const auto all = store.allMarks();
    report(kBench, "review: reopen and read 10,100 marks", secondsSince(start) * 1000, "ms");
    if (all.size() != n + singles) {
        std::fprintf(stderr, "read %lld marks back, not %d\n", qlonglong(all.size()), n + singles);
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv); // the review database's SQLite driver is a Qt plugin
    std::set<std::string> parts;
    for (int i = 1; i < argc; ++i)
        parts.insert(argv[i]);
    for (const std::string &part : parts)
        if (part != "decode" && part != "scan" && part != "review") {
            std::fprintf(stderr, "usage: data-bench [decode] [scan] [review]\n");
            return 2;
        }
    QTemporaryDir dir;
    if (!dir.isValid())
        return 1;
    const auto wanted = [&](const char *part) { return parts.empty() || parts.count(part) > 0; };
    bool ok = true;
    try {
        if (wanted("decode"))
            ok = benchDecode(QDir(dir.path())) && ok;
        if (wanted("scan"))
            ok = benchScan(QDir(dir.path())) && ok;
        if (wanted("review"))
            ok = benchReview(QDir(dir.path())) && ok;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return ok ? 0 : 1;
}
