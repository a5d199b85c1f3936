#pragma once
// Decoding any common image file into 8-bit RGB, with limits checked before pixels are
// allocated.

#include <QString>

#include <cstdint>
#include <vector>

namespace ood {

struct DecodeLimits
{
    int64_t maxFileBytes = 512ll * 1024 * 1024; ///< larger files are refused unread
    int64_t maxPixels = 100ll * 1000 * 1000;    ///< width*height above this is refused undecoded
};

/// 8-bit RGB, interleaved, row-major, tightly packed (stride = 3*width).
struct RgbImage
{
    int width = 0;
    int height = 0;
    std::vector<uint8_t> pixels;

    bool isNull() const { return width <= 0 || height <= 0; }
};

/// JPEG, PNG, BMP, TIFF, WebP, PNM/PFM and Sun raster, recognised by content, whatever the file
/// is called. Applies EXIF orientation; turns grey, palette, CMYK and 16-bit images into 8-bit
/// RGB; drops alpha as PIL's convert("RGB") does (which is what torchvision's ImageFolder loader
/// calls). The size the header declares is checked against `limits.maxPixels` before OpenCV
/// sees the file; any other format is refused.
/// Throws ood::Error with a message naming the file and the reason (missing, not a regular file,
/// unreadable, empty, too large, not an image, corrupt header, truncated/corrupt, too many pixels).
RgbImage decodeImageFile(const QString &path, const DecodeLimits &limits = {});

} // namespace ood
