#include "image/imagedecoder.h"

#include "base/error.h"

#include <QFile>
#include <QFileInfo>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>
#include <string>

namespace ood {

namespace {

/// What the header of a file declares, read before any pixel is decoded, so that a tiny file
/// claiming 30000x30000 pixels is refused without allocating gigabytes. OpenCV's own guard
/// (OPENCV_IO_MAX_IMAGE_PIXELS) is read once when the library loads and allows 2^30 pixels, and a
/// deflate-compressed TIFF or a lossless WebP of that size is a few kilobytes: every format
/// OpenCV is allowed to see is checked here.
struct Header
{
    const char *format = nullptr; ///< null: not a format this program reads
    uint64_t width = 0, height = 0;
    std::string problem;    ///< set when the format is known but its header is unusable
    size_t frameHeader = 0; ///< JPEG: where the frame header (SOFn) starts
};

/// Bounds-checked reads: every offset comes from the file.
class Bytes
{
  public:
    explicit Bytes(const QByteArray &b)
        : m_p(reinterpret_cast<const uchar *>(b.constData())), m_n(static_cast<size_t>(b.size()))
    {
    }
    size_t size() const { return m_n; }
    bool has(size_t offset, size_t count) const { return offset <= m_n && count <= m_n - offset; }
    uchar at(size_t i) const { return i < m_n ? m_p[i] : 0; }
    bool startsWith(const char *magic, size_t count, size_t offset = 0) const
    {
        return has(offset, count) && std::memcmp(m_p + offset, magic, count) == 0;
    }
    uint64_t unsignedAt(size_t offset, int count, bool bigEndian) const
    {
        uint64_t v = 0;
        for (int k = 0; k < count; ++k)
            v = (v << 8) | at(offset + static_cast<size_t>(bigEndian ? k : count - 1 - k));
        return v;
    }

  private:
    const uchar *m_p;
    size_t m_n;
};

Header jpegHeader(const Bytes &b)
{
    // Marker segments up to the first frame header (SOFn); scan data never comes before it.
    size_t i = 2;
    while (b.has(i, 4)) {
        const uchar marker = b.at(i + 1);
        // Stray bytes between segments are skipped, as libjpeg does (with a warning).
        if (b.at(i) != 0xFF || marker == 0xFF) {
            ++i;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            i += 2;
            continue;
        }
        if (marker == 0xDA || marker == 0xD9)
            return {"JPEG", 0, 0, "corrupt header (image data before the frame header)"};
        const uint64_t length = b.unsignedAt(i + 2, 2, true);
        if (length < 2)
            return {"JPEG", 0, 0, "corrupt header (bad segment length)"};
        const bool startOfFrame =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (startOfFrame) {
            if (!b.has(i, 9))
                break;
            return {"JPEG", b.unsignedAt(i + 7, 2, true), b.unsignedAt(i + 5, 2, true), {}, i};
        }
        i += 2 + static_cast<size_t>(length);
    }
    return {"JPEG", 0, 0, "truncated before its frame header"};
}

/// Netpbm (P1-P7) and PFM: ASCII fields separated by white space and # comments.
Header netpbmHeader(const Bytes &b)
{
    size_t i = 2;
    auto token = [&]() -> std::string {
        std::string t;
        while (i < b.size()) {
            const auto c = static_cast<char>(b.at(i));
            if (c == '#' && t.empty()) {
                while (i < b.size() && b.at(i) != '\n' && b.at(i) != '\r')
                    ++i;
            } else if (std::isspace(static_cast<unsigned char>(c))) {
                ++i;
                if (!t.empty())
                    return t;
            } else {
                if (t.size() > 32)
                    return {};
                t.push_back(c);
                ++i;
            }
        }
        return t;
    };
    auto number = [](const std::string &t, uint64_t &out) {
        if (t.empty() || t.size() > 18 ||
            !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return false;
        out = std::stoull(t);
        return true;
    };
    Header h{"PNM", 0, 0, {}};
    if (b.at(1) == '7') { // PAM: WIDTH and HEIGHT lines up to ENDHDR
        bool width = false, height = false;
        for (std::string t = token(); !t.empty() && t != "ENDHDR"; t = token()) {
            if (t == "WIDTH")
                width = number(token(), h.width);
            else if (t == "HEIGHT")
                height = number(token(), h.height);
        }
        if (!width || !height)
            h.problem = "corrupt header (no WIDTH and HEIGHT)";
        return h;
    }
    if (!number(token(), h.width) || !number(token(), h.height))
        h.problem = "corrupt header (width and height are not numbers)";
    return h;
}

Header tiffHeader(const Bytes &b)
{
    const bool bigEndian = b.at(0) == 'M';
    const bool bigTiff = b.unsignedAt(2, 2, bigEndian) == 43;
    Header h{"TIFF", 0, 0, {}};
    const uint64_t ifd = bigTiff ? b.unsignedAt(8, 8, bigEndian) : b.unsignedAt(4, 4, bigEndian);
    const size_t countBytes = bigTiff ? 8 : 2, entryBytes = bigTiff ? 20 : 12, valueOffset = bigTiff ? 12 : 8;
    if (ifd >= b.size() || !b.has(static_cast<size_t>(ifd), countBytes)) {
        h.problem = "truncated or corrupt header (no image directory)";
        return h;
    }
    const uint64_t count = b.unsignedAt(static_cast<size_t>(ifd), static_cast<int>(countBytes), bigEndian);
    bool width = false, height = false;
    for (uint64_t e = 0; e < count && e < 4096; ++e) {
        const size_t entry = static_cast<size_t>(ifd) + countBytes + static_cast<size_t>(e) * entryBytes;
        if (!b.has(entry, entryBytes))
            break;
        const uint64_t tag = b.unsignedAt(entry, 2, bigEndian);
        if (tag != 256 && tag != 257) // ImageWidth, ImageLength
            continue;
        // SHORT (3), LONG (4) or LONG8 (16), left-justified in the value field.
        const uint64_t type = b.unsignedAt(entry + 2, 2, bigEndian);
        const int valueBytes = type == 3 ? 2 : type == 4 ? 4 : type == 16 ? 8 : 0;
        if (valueBytes == 0)
            break;
        (tag == 256 ? h.width : h.height) = b.unsignedAt(entry + valueOffset, valueBytes, bigEndian);
        (tag == 256 ? width : height) = true;
    }
    if (!width || !height)
        h.problem = "truncated or corrupt header (no width and height)";
    return h;
}

Header webpHeader(const Bytes &b)
{
    Header h{"WebP", 0, 0, {}};
    if (b.startsWith("VP8 ", 4, 12) && b.has(20, 10) && b.at(23) == 0x9D && b.at(24) == 0x01 &&
        b.at(25) == 0x2A) {
        h.width = b.unsignedAt(26, 2, false) & 0x3FFF;
        h.height = b.unsignedAt(28, 2, false) & 0x3FFF;
    } else if (b.startsWith("VP8L", 4, 12) && b.has(20, 5) && b.at(20) == 0x2F) {
        const uint64_t bits = b.unsignedAt(21, 4, false);
        h.width = (bits & 0x3FFF) + 1;
        h.height = ((bits >> 14) & 0x3FFF) + 1;
    } else if (b.startsWith("VP8X", 4, 12) && b.has(20, 10)) {
        h.width = b.unsignedAt(24, 3, false) + 1;
        h.height = b.unsignedAt(27, 3, false) + 1;
    } else {
        h.problem = "truncated or corrupt header";
    }
    return h;
}

Header readHeader(const QByteArray &bytes)
{
    const Bytes b(bytes);
    if (b.startsWith("\x89PNG\r\n\x1a\n", 8)) {
        if (!b.startsWith("IHDR", 4, 12) || !b.has(16, 8))
            return {"PNG", 0, 0, "truncated or corrupt header (no IHDR)"};
        return {"PNG", b.unsignedAt(16, 4, true), b.unsignedAt(20, 4, true), {}};
    }
    if (b.startsWith("\xFF\xD8", 2))
        return jpegHeader(b);
    if (b.startsWith("BM", 2)) {
        if (!b.has(14, 12))
            return {"BMP", 0, 0, "truncated header"};
        if (b.unsignedAt(14, 4, false) == 12) // OS/2 core header: 16-bit unsigned sizes
            return {"BMP", b.unsignedAt(18, 2, false), b.unsignedAt(20, 2, false), {}};
        // Signed 32-bit; a negative height means rows stored top-down.
        const auto width = static_cast<int32_t>(b.unsignedAt(18, 4, false));
        const auto height = static_cast<int32_t>(b.unsignedAt(22, 4, false));
        if (width <= 0 || height == 0 || height == INT32_MIN)
            return {"BMP", 0, 0, {}};
        return {"BMP",
                static_cast<uint64_t>(width),
                static_cast<uint64_t>(height < 0 ? -int64_t(height) : height),
                {}};
    }
    if (b.at(0) == 'P' && ((b.at(1) >= '1' && b.at(1) <= '7') || b.at(1) == 'F' || b.at(1) == 'f'))
        return netpbmHeader(b);
    if (b.startsWith("II*\0", 4) || b.startsWith("MM\0*", 4) || b.startsWith("II+\0", 4) ||
        b.startsWith("MM\0+", 4))
        return tiffHeader(b);
    if (b.startsWith("RIFF", 4) && b.startsWith("WEBP", 4, 8))
        return webpHeader(b);
    if (b.startsWith("\x59\xA6\x6A\x95", 4)) { // Sun raster
        if (!b.has(4, 8))
            return {"Sun raster", 0, 0, "truncated header"};
        return {"Sun raster", b.unsignedAt(4, 4, true), b.unsignedAt(8, 4, true), {}};
    }
    return {};
}

} // namespace

RgbImage decodeImageFile(const QString &path, const DecodeLimits &limits)
{
    const std::string name = path.toStdString();
    if (QFile::encodeName(path).size() >= PATH_MAX)
        throw Error(name + ": path is longer than the " + std::to_string(PATH_MAX) +
                    " bytes the system allows");
    const QFileInfo info(path);
    if (!info.exists())
        throw Error(name + ": file does not exist");
    if (info.isDir())
        throw Error(name + ": is a folder, not an image");
    if (!info.isFile())
        throw Error(name + ": is not a regular file (a pipe, socket or device), not an image");
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

    const Header header = readHeader(bytes);
    if (!header.format)
        throw Error(name +
                    ": not a readable image (not a format this program reads: JPEG, PNG, BMP, TIFF, WebP, "
                    "PNM, Sun raster)");
    if (!header.problem.empty())
        throw Error(name + ": not a readable image (" + header.format + ": " + header.problem + ")");
    if (header.width == 0 || header.height == 0)
        throw Error(name + ": the " + header.format + " header declares an empty image");
    // Divides instead of multiplying: two 32-bit sizes overflow a signed 64-bit product.
    const auto limit = static_cast<uint64_t>(std::max<int64_t>(limits.maxPixels, 0));
    if (header.width > limit || header.height > limit / header.width)
        throw Error(name + ": the " + header.format + " header declares " + std::to_string(header.width) +
                    "x" + std::to_string(header.height) + " pixels, more than the limit of " +
                    std::to_string(limits.maxPixels) + " (refused before decoding)");

    // libjpeg fills a cut-off JPEG with grey and calls it a success (PIL, which torchvision uses,
    // refuses it): a scan with no end-of-image marker after it is a truncated file.
    if (header.format == std::string("JPEG")) {
        const qsizetype scan =
            bytes.indexOf(QByteArray("\xFF\xDA", 2), static_cast<qsizetype>(header.frameHeader));
        if (scan < 0 || bytes.indexOf(QByteArray("\xFF\xD9", 2), scan + 2) < 0)
            throw Error(name +
                        ": not a readable image (JPEG: truncated, the end-of-image marker is missing)");
    }

    cv::Mat decoded;
    try {
        const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1,
                             const_cast<char *>(bytes.constData()));
        // IMREAD_COLOR applies the EXIF orientation, turns grey/palette/CMYK into 3 channels,
        // drops alpha and scales 16-bit samples to 8 bits.
        decoded = cv::imdecode(buffer, cv::IMREAD_COLOR);
    } catch (const cv::Exception &e) {
        throw Error(name + ": cannot be decoded (" + e.msg + ")");
    }
    if (decoded.empty())
        throw Error(name + ": not a readable image (" + header.format + ": truncated or corrupt data)");
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
