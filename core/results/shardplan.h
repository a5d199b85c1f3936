#pragma once
// Splitting one scoring job into N shards that separate processes (Slurm array tasks, or any other
// way of running them) score independently: the frames of the inputs in one canonical order, the
// contiguous range of that order each shard scores, and a digest that names the input list.
// Everything here depends only on the inputs, never on the node, the run or the argument order.

#include "data/samplelist.h"

#include <QString>

#include <cstddef>
#include <vector>

namespace ood {

/// Shard `index` of `count` (0-based: 0 .. count-1), written "K/N" on the command line.
struct ShardId
{
    int index = 0;
    int count = 1;

    QString text() const; ///< "K/N"
    bool operator==(const ShardId &other) const { return index == other.index && count == other.count; }
};

/// Parses "K/N" with 0 <= K < N <= 100000. Throws ood::Error quoting the text otherwise.
ShardId parseShardId(const QString &text);

/// The canonical order of frames: by path (as listed, compared as strings), then by video frame
/// (a still image, -1, first).
bool frameBefore(const Sample &a, const Sample &b);

/// The frames of a job in canonical order with repeats (the same path and frame listed twice, for
/// example a folder and a file inside it) removed; `repeats` gets how many were removed. Labels
/// are dropped: a shard is defined by where its frames come from only.
std::vector<Sample> canonicalFrames(std::vector<Sample> frames, size_t *repeats = nullptr);

/// Hex sha256 of the canonical frame list ("path\tframe\n" per frame, UTF-8), so shards of the same
/// job carry the same digest and shards of another job do not.
QString inputsDigest(const std::vector<Sample> &canonical);

/// Frames [first, first + count) of a canonical list of `total` frames. The ranges of shards
/// 0 .. N-1 follow one another without gap or overlap and differ in size by at most one; a long
/// video is split between shards by frame ranges.
struct FrameRange
{
    size_t first = 0;
    size_t count = 0;
};
FrameRange shardRange(size_t total, const ShardId &shard);

} // namespace ood
