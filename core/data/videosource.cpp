#include "data/videosource.h"

#include "base/error.h"

#include <QFile>
#include <QFileInfo>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <opencv2/videoio/registry.hpp>

#include <cmath>

namespace ood {

const QStringList &videoExtensions()
{
    static const QStringList extensions{
        QStringLiteral("mp4"),  QStringLiteral("avi"),  QStringLiteral("mkv"),
        QStringLiteral("mov"),  QStringLiteral("webm"), QStringLiteral("mpg"),
        QStringLiteral("mpeg"), QStringLiteral("m4v"),  QStringLiteral("wmv")};
    return extensions;
}

bool isVideoPath(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix();
    return !QFileInfo(path).completeBaseName().isEmpty() &&
           videoExtensions().contains(suffix, Qt::CaseInsensitive);
}

namespace {

/// Consecutive unreadable frames after which the rest of the file counts as lost.
constexpr int kFailuresBeforeLost = 3;
/// Reading forward up to this many frames is cheaper than a seek (which decodes from a key frame).
constexpr int kMaxGrabAhead = 32;

} // namespace

struct VideoSource::Impl
{
    QString path;
    std::string name;
    DecodeLimits limits;
    cv::VideoCapture capture;
    int frameCount = 0;
    double fps = 0;
    int width = 0;
    int height = 0;
    /// Index of the frame the next grab() returns; -1 when unknown.
    int next = 0;
    /// Set once a frame of this file failed to decode. OpenCV's seek reaches its target by
    /// reading on from an earlier point and stops early at a broken frame, so after one has been
    /// seen a seek can land on another frame than it reports: positions are then reached by
    /// reading (found by the bad-input test, tests/core/badinputtest.cpp).
    bool brokenFrameSeen = false;

    std::string frameName(int index) const { return name + " frame " + std::to_string(index); }

    void openCapture()
    {
        capture.release();
        // FFmpeg explicitly: it recognises files by content, and the GStreamer back-end (tried
        // first by CAP_ANY) could not open plain MP4/AVI files on Debian 12 without extra plugins.
        // Names go through the file-system encoding, so undecodable names work.
        const std::string localName = QFile::encodeName(path).toStdString();
        const int backend = cv::videoio_registry::hasBackend(cv::CAP_FFMPEG) ? cv::CAP_FFMPEG : cv::CAP_ANY;
        bool opened = false;
        try {
            opened = capture.open(localName, backend);
        } catch (const cv::Exception &e) {
            throw Error(name + ": cannot be opened as a video (" + e.msg + ")");
        }
        if (!opened)
            throw Error(name + ": not a video this program can read (unknown format, or corrupt)");
        next = 0;
    }

    /// Positions the capture so that the next grab() returns frame `index`.
    bool seek(int index)
    {
        if (index == next)
            return true;
        bool done = false;
        try {
            done = capture.set(cv::CAP_PROP_POS_FRAMES, index);
        } catch (const cv::Exception &) {
            done = false;
        }
        next = done ? index : -1;
        return done;
    }

    /// Makes the next grab() return frame `index`: reading on when it is a little ahead, seeking
    /// otherwise, and reading again from the first frame when the back-end cannot seek. False when
    /// the file ends (or breaks) before `index`.
    bool positionAt(int index)
    {
        if (next == index)
            return true;
        const bool forward = next >= 0 && index > next;
        if (!brokenFrameSeen && !(forward && index - next <= kMaxGrabAhead) && seek(index))
            return true;
        if (!forward)
            openCapture();
        while (next >= 0 && next < index)
            grab();
        return next == index;
    }

    bool grab()
    {
        bool grabbed = false;
        try {
            grabbed = capture.grab();
        } catch (const cv::Exception &) {
            grabbed = false;
        }
        // A frame that fails to decode is consumed all the same (OpenCV's FFmpeg reader gives up
        // on that one packet), so the next grab returns the frame after it.
        if (!grabbed)
            brokenFrameSeen = true;
        next = next >= 0 ? next + 1 : -1;
        return grabbed;
    }

    /// The grabbed frame as RGB; throws ood::Error naming the frame.
    RgbImage retrieve(int index)
    {
        cv::Mat decoded;
        try {
            if (!capture.retrieve(decoded))
                decoded.release();
        } catch (const cv::Exception &e) {
            throw Error(frameName(index) + ": cannot be decoded (" + e.msg + ")");
        }
        if (decoded.empty())
            throw Error(frameName(index) + ": cannot be decoded (corrupt data)");
        if (static_cast<int64_t>(decoded.cols) * decoded.rows > limits.maxPixels)
            throw Error(frameName(index) + ": " + std::to_string(decoded.cols) + "x" +
                        std::to_string(decoded.rows) + " pixels, more than the limit of " +
                        std::to_string(limits.maxPixels));
        if (decoded.depth() != CV_8U) {
            cv::Mat eight;
            decoded.convertTo(eight, CV_8U, decoded.depth() == CV_16U ? 1.0 / 257.0 : 1.0);
            decoded = eight;
        }
        RgbImage image;
        image.width = decoded.cols;
        image.height = decoded.rows;
        image.pixels.resize(static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 3);
        cv::Mat rgb(image.height, image.width, CV_8UC3, image.pixels.data());
        switch (decoded.channels()) {
        case 1:
            cv::cvtColor(decoded, rgb, cv::COLOR_GRAY2RGB);
            break;
        case 3:
            cv::cvtColor(decoded, rgb, cv::COLOR_BGR2RGB);
            break;
        case 4:
            cv::cvtColor(decoded, rgb, cv::COLOR_BGRA2RGB);
            break;
        default:
            throw Error(frameName(index) + ": has " + std::to_string(decoded.channels()) + " channels");
        }
        return image;
    }
};

VideoSource::VideoSource(const QString &path, const DecodeLimits &limits) : d(std::make_unique<Impl>())
{
    d->path = path;
    d->name = path.toStdString();
    d->limits = limits;
    const std::string &name = d->name;
    const QFileInfo info(path);
    if (!info.exists())
        throw Error(name + ": file does not exist");
    if (info.isDir())
        throw Error(name + ": is a folder, not a video");
    if (info.size() == 0)
        throw Error(name + ": file is empty");
    if (!info.isReadable())
        throw Error(name + ": cannot be read (permission denied)");
    d->openCapture();

    const double width = d->capture.get(cv::CAP_PROP_FRAME_WIDTH);
    const double height = d->capture.get(cv::CAP_PROP_FRAME_HEIGHT);
    if (!(width >= 1 && height >= 1 && width < 1e6 && height < 1e6))
        throw Error(name + ": the video declares no frame size; not a video this program can read");
    d->width = static_cast<int>(width);
    d->height = static_cast<int>(height);
    if (static_cast<int64_t>(d->width) * d->height > limits.maxPixels)
        throw Error(name + ": frames of " + std::to_string(d->width) + "x" + std::to_string(d->height) +
                    " pixels, more than the limit of " + std::to_string(limits.maxPixels));
    const double fps = d->capture.get(cv::CAP_PROP_FPS);
    d->fps = std::isfinite(fps) && fps > 0 ? fps : 0;

    const double count = d->capture.get(cv::CAP_PROP_FRAME_COUNT);
    if (std::isfinite(count) && count >= 1 && count < 2147483647.0) {
        d->frameCount = static_cast<int>(std::llround(count));
    } else {
        // No count in the container and no duration to estimate it from: count by reading.
        int counted = 0;
        while (d->grab())
            ++counted;
        d->brokenFrameSeen = false; // that failed grab was the end of the file
        d->openCapture();
        d->frameCount = counted;
    }
    if (d->frameCount <= 0)
        throw Error(name + ": the video holds no frames");
}

VideoSource::~VideoSource() = default;

const QString &VideoSource::path() const
{
    return d->path;
}
int VideoSource::frameCount() const
{
    return d->frameCount;
}
double VideoSource::fps() const
{
    return d->fps;
}
int VideoSource::width() const
{
    return d->width;
}
int VideoSource::height() const
{
    return d->height;
}

std::vector<int> VideoSource::sampledFrames(int every) const
{
    if (every < 1)
        throw Error(d->name + ": frame step must be at least 1, got " + std::to_string(every));
    std::vector<int> frames;
    frames.reserve(static_cast<size_t>(d->frameCount / every + 1));
    for (int64_t index = 0; index < d->frameCount; index += every)
        frames.push_back(static_cast<int>(index));
    return frames;
}

void VideoSource::readSampled(int every, const std::function<bool(VideoFrame &frame)> &visit)
{
    const std::vector<int> frames = sampledFrames(every);
    if (d->next != 0)
        d->openCapture();

    int failures = 0;
    QString lost;
    size_t nextSampled = 0;
    for (int index = 0; index < d->frameCount && nextSampled < frames.size(); ++index) {
        const bool sampled = frames[nextSampled] == index;
        if (!lost.isEmpty() && !sampled)
            continue;
        VideoFrame frame{index, {}, lost};
        if (lost.isEmpty()) {
            // A broken frame is consumed by its failed grab; a seek only when the position is lost.
            const bool positioned = d->next == index || (!d->brokenFrameSeen && d->seek(index));
            // Frames in between are only grabbed: demuxed and decoded (later frames may depend on
            // them), never converted.
            if (positioned && d->grab()) {
                failures = 0;
                if (!sampled)
                    continue;
                try {
                    frame.image = d->retrieve(index);
                } catch (const Error &e) {
                    frame.error = QString::fromStdString(e.what());
                }
            } else if (++failures >= kFailuresBeforeLost) {
                lost =
                    QString::fromStdString(d->frameName(index)) +
                    QStringLiteral(" and later: cannot be read (the file ends early: truncated or corrupt)");
                frame.error = lost;
            } else {
                frame.error = QString::fromStdString(d->frameName(index) +
                                                     ": cannot be read (corrupt or truncated file)");
            }
        }
        if (sampled) {
            ++nextSampled;
            if (!visit(frame))
                return;
        }
    }
}

RgbImage VideoSource::frame(int index)
{
    if (index < 0 || index >= d->frameCount)
        throw Error(d->frameName(index) + ": out of range (the video has " + std::to_string(d->frameCount) +
                    " frames)");
    if (!d->positionAt(index) || !d->grab())
        throw Error(d->frameName(index) + ": cannot be read (corrupt or truncated file)");
    return d->retrieve(index);
}

} // namespace ood
