#include "data/sampledecoder.h"

#include "data/videosource.h"

#include <QDateTime>
#include <QFileInfo>

#include <memory>

namespace ood {

namespace {

struct OpenVideo
{
    QString path;
    QDateTime modified;
    qint64 size = -1;
    DecodeLimits limits;
    std::unique_ptr<VideoSource> source;

    bool matches(const QString &file, const QFileInfo &info, const DecodeLimits &wanted) const
    {
        return source && path == file && modified == info.lastModified() && size == info.size() &&
               limits.maxPixels == wanted.maxPixels && limits.maxFileBytes == wanted.maxFileBytes;
    }
};

VideoSource &videoFor(const QString &path, const DecodeLimits &limits)
{
    thread_local OpenVideo open;
    const QFileInfo info(path);
    if (!open.matches(path, info, limits)) {
        open.source.reset(); // release the old file before opening the next one
        open.source = std::make_unique<VideoSource>(path, limits);
        open.path = path;
        open.modified = info.lastModified();
        open.size = info.size();
        open.limits = limits;
    }
    return *open.source;
}

} // namespace

RgbImage decodeSample(const Sample &sample, const DecodeLimits &limits)
{
    if (sample.videoFrame < 0)
        return decodeImageFile(sample.path, limits);
    return videoFor(sample.path, limits).frame(sample.videoFrame);
}

} // namespace ood
