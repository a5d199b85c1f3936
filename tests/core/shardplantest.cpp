// Shard plans: every frame in exactly one shard, the same plan whatever order the inputs come in,
// and shard ids parsed strictly.

#include "results/shardplan.h"
#include "support/errors.h"

#include <QtTest>

#include <algorithm>
#include <random>

using namespace ood;

namespace {

Sample frame(const QString &path, int videoFrame = -1, int label = -1)
{
    Sample sample;
    sample.path = path;
    sample.videoFrame = videoFrame;
    sample.label = label;
    return sample;
}

/// A job's inputs as they might be listed: images, frames of two videos, repeats (a folder and a
/// file inside it) and labels.
std::vector<Sample> listedFrames()
{
    std::vector<Sample> frames;
    for (int i = 0; i < 30; ++i)
        frames.push_back(frame(QString("/data/train/img%1.png").arg(i, 3, 10, QLatin1Char('0')), -1, i % 3));
    for (int f = 0; f < 100; f += 10)
        frames.push_back(frame("/data/videos/run1.mp4", f));
    for (int f = 0; f < 40; f += 7)
        frames.push_back(frame("/data/videos/run0.mp4", f));
    frames.push_back(frame("/data/train/img007.png", -1, 2)); // listed again with another label
    frames.push_back(frame("/data/videos/run1.mp4", 30));
    frames.push_back(frame("/data/train/img012.png"));
    return frames;
}

} // namespace

class ShardPlanTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void rangesCoverEveryFrameOnce_data()
    {
        QTest::addColumn<qulonglong>("total");
        QTest::addColumn<int>("count");
        const std::pair<qulonglong, int> cases[] = {
            {0, 1},   {0, 7},      {1, 1},       {1, 4},       {3, 7},      {10, 4},     {20, 4},
            {100, 7}, {999, 1000}, {1000, 1000}, {1001, 1000}, {12345, 17}, {5, 100000}, {100000, 3}};
        for (const auto &[total, count] : cases)
            QTest::addRow("%llu/%d", total, count) << total << count;
    }

    void rangesCoverEveryFrameOnce()
    {
        QFETCH(qulonglong, total);
        QFETCH(int, count);
        std::vector<int> seen(static_cast<size_t>(total), 0);
        size_t next = 0, smallest = SIZE_MAX, largest = 0;
        for (int k = 0; k < count; ++k) {
            const FrameRange range = shardRange(total, {k, count});
            QCOMPARE(range.first, next); // no gap, no overlap
            for (size_t i = range.first; i < range.first + range.count; ++i)
                ++seen.at(i);
            next = range.first + range.count;
            smallest = std::min(smallest, range.count);
            largest = std::max(largest, range.count);
        }
        QCOMPARE(next, static_cast<size_t>(total));
        QVERIFY(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
        QVERIFY(largest - smallest <= 1);
        // The sizes are floor(total/N) or that plus one.
        QCOMPARE(smallest, static_cast<size_t>(total / static_cast<qulonglong>(count)));
    }

    void rangesByHand()
    {
        // first = floor(K*10/4): 0, floor(2.5) = 2, 5, floor(7.5) = 7, and 10 for K = N.
        const std::pair<size_t, size_t> expected[] = {{0, 2}, {2, 3}, {5, 2}, {7, 3}};
        for (int k = 0; k < 4; ++k) {
            const FrameRange range = shardRange(10, {k, 4});
            QCOMPARE(range.first, expected[k].first);
            QCOMPARE(range.count, expected[k].second);
        }
        // More shards than frames: floor(K*2/5) = 0,0,0,1,1 -> frames go to shards 2 and 4.
        const size_t counts[] = {0, 0, 1, 0, 1};
        for (int k = 0; k < 5; ++k)
            QCOMPARE(shardRange(2, {k, 5}).count, counts[k]);
    }

    void rangesOfHugeListsDoNotOverflow()
    {
        // total = 3 * 2^61: K * total passes 2^64 from K = 3 on, yet first = K * total / 6 = K * 2^60.
        const size_t total = size_t(3) << 61;
        for (int k = 0; k < 6; ++k) {
            const FrameRange range = shardRange(total, {k, 6});
            QCOMPARE(range.first, static_cast<size_t>(k) << 60);
            QCOMPARE(range.count, size_t(1) << 60);
        }
    }

    void shardRangeRefusesNonShards()
    {
        QVERIFY(!test::errorOf([] { shardRange(10, {4, 4}); }).isEmpty());
        QVERIFY(!test::errorOf([] { shardRange(10, {0, 0}); }).isEmpty());
        QVERIFY(!test::errorOf([] { shardRange(10, {-1, 4}); }).isEmpty());
    }

    void canonicalOrderByHand()
    {
        const std::vector<Sample> listed = {
            frame("b.png"),    frame("a.mp4", 10), frame("a.png", -1, 1), frame("a.mp4", 0),
            frame("A.png"),    frame("a.mp4", 5),  frame("b.png", -1, 0), frame("a.mp4", 0),
            frame("c.mp4", 3), frame("c.mp4", -1),
        };
        size_t repeats = 99;
        const std::vector<Sample> canonical = canonicalFrames(listed, &repeats);
        // By path as strings ('A' < 'a'; "a.mp4" < "a.png"), then frame with a still image first.
        const std::vector<std::pair<QString, int>> expected = {{"A.png", -1}, {"a.mp4", 0},  {"a.mp4", 5},
                                                               {"a.mp4", 10}, {"a.png", -1}, {"b.png", -1},
                                                               {"c.mp4", -1}, {"c.mp4", 3}};
        QCOMPARE(repeats, size_t(2));
        QCOMPARE(canonical.size(), expected.size());
        for (size_t i = 0; i < expected.size(); ++i) {
            QCOMPARE(canonical[i].path, expected[i].first);
            QCOMPARE(canonical[i].videoFrame, expected[i].second);
            QCOMPARE(canonical[i].label, -1);
        }
        QVERIFY(frameBefore(frame("a.mp4", -1), frame("a.mp4", 0)));
        QVERIFY(!frameBefore(frame("a.mp4", 0), frame("a.mp4", 0)));
        QVERIFY(frameBefore(frame("Z.png"), frame("a.png")));
    }

    void canonicalListDoesNotDependOnOrder_data()
    {
        QTest::addColumn<unsigned>("seed");
        for (unsigned seed : {1u, 2u, 3u, 17u, 4242u})
            QTest::addRow("seed %u", seed) << seed;
    }

    void canonicalListDoesNotDependOnOrder()
    {
        QFETCH(unsigned, seed);
        const std::vector<Sample> listed = listedFrames();
        size_t repeats = 0;
        const std::vector<Sample> reference = canonicalFrames(listed, &repeats);
        QCOMPARE(repeats, size_t(3));
        QCOMPARE(reference.size(), listed.size() - 3);
        QVERIFY(std::is_sorted(reference.begin(), reference.end(), frameBefore));

        std::vector<Sample> shuffled = listed;
        // Listing everything twice more (a folder given twice) changes nothing either.
        shuffled.insert(shuffled.end(), listed.begin(), listed.end());
        shuffled.insert(shuffled.end(), listed.begin(), listed.end());
        std::mt19937 random(seed);
        std::shuffle(shuffled.begin(), shuffled.end(), random);
        const std::vector<Sample> canonical = canonicalFrames(shuffled, &repeats);
        QCOMPARE(repeats, shuffled.size() - reference.size());
        QCOMPARE(canonical.size(), reference.size());
        for (size_t i = 0; i < canonical.size(); ++i) {
            QCOMPARE(canonical[i].path, reference[i].path);
            QCOMPARE(canonical[i].videoFrame, reference[i].videoFrame);
        }
        QCOMPARE(inputsDigest(canonical), inputsDigest(reference));
    }

    void digestByHand()
    {
        // Python: hashlib.sha256(b"").hexdigest() and
        // hashlib.sha256("a.png\t-1\nvidéo.mp4\t3\n".encode()).hexdigest()
        QCOMPARE(inputsDigest({}),
                 QString("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(inputsDigest({frame("a.png"), frame(QString::fromUtf8("vidéo.mp4"), 3)}),
                 QString("9e6015790274d6dc3b5f90accee5b172afe184ffe5b20db50bb61b9ace466ec1"));
    }

    void digestNamesTheList()
    {
        const std::vector<Sample> canonical = canonicalFrames(listedFrames());
        const QString digest = inputsDigest(canonical);
        QCOMPARE(digest.size(), 64);

        std::vector<Sample> added = listedFrames();
        added.push_back(frame("/data/videos/run1.mp4", 95));
        QVERIFY(inputsDigest(canonicalFrames(added)) != digest);

        std::vector<Sample> removed = canonical;
        removed.pop_back();
        QVERIFY(inputsDigest(removed) != digest);

        // The same path as an image instead of a video frame is another frame.
        std::vector<Sample> still = canonical;
        still.back().videoFrame = -1;
        QVERIFY(inputsDigest(still) != digest);
    }

    void parseGoodShardIds_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("index");
        QTest::addColumn<int>("count");
        QTest::newRow("only shard") << "0/1" << 0 << 1;
        QTest::newRow("last of four") << "3/4" << 3 << 4;
        QTest::newRow("largest count") << "99999/100000" << 99999 << 100000;
        QTest::newRow("first of many") << "0/100000" << 0 << 100000;
        QTest::newRow("leading zero") << "07/12" << 7 << 12;
    }

    void parseGoodShardIds()
    {
        QFETCH(QString, text);
        QFETCH(int, index);
        QFETCH(int, count);
        const ShardId shard = parseShardId(text);
        QCOMPARE(shard.index, index);
        QCOMPARE(shard.count, count);
        QCOMPARE(ShardId({index, count}).text(), QString("%1/%2").arg(index).arg(count));
    }

    void parseBadShardIds_data()
    {
        QTest::addColumn<QString>("text");
        for (const char *text :
             {"",     "1",     "/4",    "1/",       "4/4",           "5/4",  "1/0",  "0/0",
              "-1/4", "1/-4",  "+1/4",  " 1/4",     "1/4 ",          "1 /4", "1/ 4", "a/4",
              "1/b",  "1/4/5", "1.0/4", "0/100001", "1/99999999999", "١/٤",  "1\\4", "1,4"})
            QTest::newRow(text[0] ? text : "(empty)") << QString::fromUtf8(text);
    }

    void parseBadShardIds()
    {
        QFETCH(QString, text);
        const QString message = test::errorOf([&] { parseShardId(text); });
        QVERIFY2(!message.isEmpty(), qPrintable("no error for '" + text + "'"));
        QVERIFY2(message.contains("'" + text + "'"), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(ShardPlanTest)
#include "shardplantest.moc"
