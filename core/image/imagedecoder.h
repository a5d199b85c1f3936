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

/// JPEG, PNG, BMP, TIFF, WebP (whatever this OpenCV reads). Applies EXIF orientation; turns grey,
/// palette and 16-bit images into 8-bit RGB; drops alpha as PIL's convert("RGB") does (which is
/// what torchvision's ImageFolder loader calls).
/// Throws ood::Error with a message naming the file and the reason (missing, unreadable,
/// empty, too large, not an image, truncated/corrupt, too many pixels).
RgbImage decodeImageFile(const QString &path, const DecodeLimits &limits = {});

} // namespace ood
