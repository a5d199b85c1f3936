#include "image/imagedecoder.h"

#include "error.h"

#include <QFile>
#include <QFileInfo>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <mutex>
#include <optional>

namespace ood {

namespace {

uint32_t bigEndian32(const uchar *p) { return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3]; }
uint16_t bigEndian16(const uchar *p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

/// Width and height declared in a PNG or JPEG header, read before any pixel is decoded, so that
/// a tiny file claiming 30000x30000 pixels is refused without allocating gigabytes.
std::optional<std::pair<int64_t, int64_t>> declaredSize(const QByteArray &bytes)
{
    const auto *p = reinterpret_cast<const uchar *>(bytes.constData());
    const qsizetype n = bytes.size();
    static const uchar png[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    if (n >= 24 && std::equal(png, png + 8, p) && std::equal(p + 12, p + 16, reinterpret_cast<const uchar *>("IHDR")))
        return std::make_pair<int64_t, int64_t>(bigEndian32(p + 16), bigEndian32(p + 20));
    if (n >= 4 && p[0] == 0xFF && p[1] == 0xD8) {
        qsizetype i = 2;
        while (i + 9 < n) {
            if (p[i] != 0xFF) {
                ++i;
                continue;
            }
            const uchar marker = p[i + 1];
            if (marker == 0xFF) {
                ++i;
                continue;
            }
            // Standalone markers carry no length.
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                i += 2;
                continue;
            }
            const uint16_t length = bigEndian16(p + i + 2);
            const bool startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame)
                return std::make_pair<int64_t, int64_t>(bigEndian16(p + i + 7), bigEndian16(p + i + 5));
            if (length < 2)
                return std::nullopt;
            i += 2 + length;
        }
    }
    return std::nullopt;
}

void setOpenCvPixelLimitOnce(int64_t maxPixels)
{
    // OpenCV reads this once; it guards formats whose header we do not parse ourselves.
    static std::once_flag once;
    std::call_once(once, [maxPixels] {
        if (!std::getenv("OPENCV_IO_MAX_IMAGE_PIXELS"))
            setenv("OPENCV_IO_MAX_IMAGE_PIXELS", std::to_string(std::max<int64_t>(maxPixels, 1)).c_str(), 0);
    });
}

} // namespace

RgbImage decodeImageFile(const QString &path, const DecodeLimits &limits)
{
    const std::string name = path.toStdString();
    const QFileInfo info(path);
    if (!info.exists())
        throw Error(name + ": file does not exist");
    if (info.isDir())
        throw Error(name + ": is a folder, not an image");
    if (info.size() == 0)
        throw Error(name + ": file is empty");
    if (info.size() > limits.maxFileBytes)
        throw Error(name + ": file is " + std::to_string(info.size()) + " bytes, more than the limit of " +
                    std::to_string(limits.maxFileBytes));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(name + ": cannot be read (" + file.errorString().toStdString() + ")");
    const QByteArray bytes = file.readAll();
    if (bytes.size() != info.size())
        throw Error(name + ": could not read the whole file");

    if (const auto size = declaredSize(bytes)) {
        const auto [width, height] = *size;
        if (width <= 0 || height <= 0)
            throw Error(name + ": the header declares an empty image");
        if (width * height > limits.maxPixels)
            throw Error(name + ": the header declares " + std::to_string(width) + "x" + std::to_string(height) +
                        " pixels, more than the limit of " + std::to_string(limits.maxPixels));
    }
    setOpenCvPixelLimitOnce(limits.maxPixels);

    cv::Mat decoded;
    try {
        const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char *>(bytes.constData()));
        // IMREAD_COLOR applies the EXIF orientation, turns grey/palette into 3 channels, drops
        // alpha and scales 16-bit samples to 8 bits.
        decoded = cv::imdecode(buffer, cv::IMREAD_COLOR);
    } catch (const cv::Exception &e) {
        throw Error(name + ": cannot be decoded (" + e.msg + ")");
    }
    if (decoded.empty())
        throw Error(name + ": not a readable image (unknown format, truncated or corrupt)");
    if (static_cast<int64_t>(decoded.cols) * decoded.rows > limits.maxPixels)
        throw Error(name + ": " + std::to_string(decoded.cols) + "x" + std::to_string(decoded.rows) +
                    " pixels, more than the limit of " + std::to_string(limits.maxPixels));

    RgbImage image;
    image.width = decoded.cols;
    image.height = decoded.rows;
    image.pixels.resize(static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 3);
    cv::Mat rgb(image.height, image.width, CV_8UC3, image.pixels.data());
    cv::cvtColor(decoded, rgb, cv::COLOR_BGR2RGB);
    return image;
}

} // namespace ood
