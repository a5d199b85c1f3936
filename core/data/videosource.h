#pragma once
// Frames of a video file as 8-bit RGB images: what the video holds (frames, rate, size), which
// frames to inspect (every n-th), a stream of those frames in order for batch scoring, and any
// single frame for the viewer. A broken frame is an error of that frame only, so a batch goes on
// past it.

#include "image/imagedecoder.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <vector>

namespace ood {

/// File extensions (lower case, no dot) that count as videos: mp4 avi mkv mov webm mpg mpeg m4v wmv.
const QStringList &videoExtensions();
/// True when the file name ends in one of videoExtensions() (any case). Does not open the file.
bool isVideoPath(const QString &path);

/// One frame delivered by VideoSource::readSampled: the image, or why it could not be decoded.
struct VideoFrame
{
    int index = -1;
    RgbImage image; ///< null when `error` is set
    QString error;  ///< names the file and the frame; empty when the frame was decoded

    bool ok() const { return error.isEmpty(); }
};

/// A video opened for reading, with OpenCV's FFmpeg back-end. Not thread-safe: use one instance
/// per thread (the viewer and a batch run each open their own).
class VideoSource
{
  public:
    /// Opens the file and reads its properties. Throws ood::Error naming the file when it is
    /// missing, empty, a folder, not a video OpenCV can read, without a frame size, or when a frame
    /// has more pixels than `limits.maxPixels` (checked before any frame is decoded here; OpenCV
    /// itself may decode a frame while probing the file). `limits.maxFileBytes` does not apply:
    /// videos are streamed, never read whole.
    explicit VideoSource(const QString &path, const DecodeLimits &limits = {});
    ~VideoSource();
    VideoSource(const VideoSource &) = delete;
    VideoSource &operator=(const VideoSource &) = delete;

    const QString &path() const;
    /// Frames in the file. Containers without an exact count (some MKV/WebM/MPEG files) give
    /// OpenCV's estimate, or, when there is none, the number counted by one pass over the file.
    int frameCount() const;
    double fps() const; ///< frames per second; 0 when the file does not say
    int width() const;
    int height() const;

    /// Indices 0, every, 2*every, ... below frameCount(). Throws ood::Error when every < 1.
    std::vector<int> sampledFrames(int every) const;

    /// Decodes frames 0, every, 2*every, ... in order, reading the file once from the start
    /// (grabbing the frames in between without converting them), and hands each to `visit`,
    /// which returns false to stop early. Frames that cannot be read come with `error` set and
    /// reading goes on with the next frame (OpenCV seeks are not used once a frame of the file
    /// failed: they can land on the wrong frame then); after three consecutive unreadable frames
    /// the rest of the file is taken as lost (truncated) and every remaining sampled frame is
    /// reported with that error without further reading. A frame cut by a truncation may decode partially:
    /// FFmpeg conceals the missing part and OpenCV reports success.
    void readSampled(int every, const std::function<bool(VideoFrame &frame)> &visit);

    /// Decodes one frame. Frames up to 32 ahead of the current position are read on (the viewer
    /// stepping forward costs one decode per frame); anything else is an OpenCV seek, which decodes
    /// from the preceding key frame (tests check the result is pixel-identical to the streamed
    /// frame for MJPEG/AVI and H.264/MP4). Throws ood::Error naming the file and the frame when the
    /// index is out of range or the frame cannot be decoded.
    RgbImage frame(int index);

  private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace ood
