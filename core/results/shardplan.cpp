#include "results/shardplan.h"

#include "base/error.h"

#include <QCryptographicHash>

#include <algorithm>

namespace ood {

namespace {

constexpr int kMaxShards = 100000;

/// A whole number of ASCII digits only: no sign, no space, nothing a shell or a job script could
/// have mangled into something that still parses.
bool parseDigits(const QString &text, int &value)
{
    // Seven digits already exceed the largest count, and keep the sum below far from overflow.
    if (text.isEmpty() || text.size() > 7)
        return false;
    value = 0;
    for (const QChar c : text) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return false;
        value = value * 10 + (c.unicode() - '0');
    }
    return true;
}

} // namespace

QString ShardId::text() const
{
    return QString("%1/%2").arg(index).arg(count);
}

ShardId parseShardId(const QString &text)
{
    const qsizetype slash = text.indexOf(QLatin1Char('/'));
    ShardId shard;
    if (slash < 0 || !parseDigits(text.left(slash), shard.index) ||
        !parseDigits(text.mid(slash + 1), shard.count))
        throw Error("shard '" + text.toStdString() + "' is not K/N (two whole numbers, e.g. 0/4)");
    if (shard.count < 1 || shard.count > kMaxShards)
        throw Error("shard '" + text.toStdString() + "': the shard count N must be 1 to " +
                    std::to_string(kMaxShards));
    if (shard.index >= shard.count)
        throw Error("shard '" + text.toStdString() + "': the shard index K must be 0 to N-1 (" +
                    std::to_string(shard.count - 1) + ")");
    return shard;
}

bool frameBefore(const Sample &a, const Sample &b)
{
    const int byPath = QString::compare(a.path, b.path, Qt::CaseSensitive);
    return byPath < 0 || (byPath == 0 && a.videoFrame < b.videoFrame);
}

std::vector<Sample> canonicalFrames(std::vector<Sample> frames, size_t *repeats)
{
    for (Sample &frame : frames)
        frame.label = -1;
    std::stable_sort(frames.begin(), frames.end(), frameBefore);
    const auto end = std::unique(frames.begin(), frames.end(), [](const Sample &a, const Sample &b) {
        return a.videoFrame == b.videoFrame && a.path == b.path;
    });
    if (repeats)
        *repeats = static_cast<size_t>(frames.end() - end);
    frames.erase(end, frames.end());
    return frames;
}

QString inputsDigest(const std::vector<Sample> &canonical)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray line;
    for (const Sample &frame : canonical) {
        line = frame.path.toUtf8();
        line += '\t';
        line += QByteArray::number(frame.videoFrame);
        line += '\n';
        hash.addData(line);
    }
    return QString::fromLatin1(hash.result().toHex());
}

FrameRange shardRange(size_t total, const ShardId &shard)
{
    if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count)
        throw Error("shard " + shard.text().toStdString() + " is not a shard: K/N needs 0 <= K < N");
    // floor(K * total / N) in 128 bits: K * total overflows 64 bits for large lists before the
    // division brings it back.
    auto start = [total, &shard](int index) {
        return static_cast<size_t>(static_cast<unsigned __int128>(index) * total /
                                   static_cast<unsigned>(shard.count));
    };
    FrameRange range;
    range.first = start(shard.index);
    range.count = start(shard.index + 1) - range.first;
    return range;
}

} // namespace ood
