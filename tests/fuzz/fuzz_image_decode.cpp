// libFuzzer: any bytes through decodeImageFile, the decoder behind every image the programs read.
// Only ood::Error may come out; a crash, a sanitizer report, another exception or a wrong-sized
// result is a finding.

#include "base/error.h"
#include "image/imagedecoder.h"

#include "fuzzinput.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString &path = ood::fuzz::writeInput("image", data, size);
    ood::DecodeLimits limits;
    // Small enough that a legitimately huge image stays far below libFuzzer's 2 GB RSS limit;
    // the header check in front of OpenCV is what is being exercised.
    limits.maxPixels = 4 * 1024 * 1024;
    try {
        const ood::RgbImage image = ood::decodeImageFile(path, limits);
        if (image.isNull() || static_cast<int64_t>(image.width) * image.height > limits.maxPixels ||
            image.pixels.size() != static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 3)
            std::abort();
    } catch (const ood::Error &) {
    }
    return 0;
}
