#pragma once
// Turning explanation values into pictures: colour maps with an explicit range, overlays on the
// original frame (through the inverse of the stretch resize), and lossless files of the raw
// values. Shared by the CLI and the GUI; OpenCV only, no widgets.

#include "explain/heatmap.h"
#include "image/imagedecoder.h"

#include <QByteArray>
#include <QString>

#include <algorithm>
#include <cmath>

namespace ood {

/// The value range a colour map spans.
struct ColourRange
{
    double low = 0;
    double high = 1;
};

/// Signed maps: symmetric about 0, +-(99.5th percentile of |v|) (max|v| when that is 0), so
/// white/transparent means "no relevance" and a few extreme pixels do not wash out the rest.
/// Unsigned maps: (min(0, minimum), maximum). A flat map gets a unit-wide range.
ColourRange naturalRange(const Heatmap &map);

enum class ColourMap {
    Diverging, ///< blue - white - red, for signed values
    Inferno,   ///< black - purple - yellow, for magnitudes
};

/// The default colour map for a heatmap: Diverging when signed, Inferno otherwise.
ColourMap naturalColourMap(const Heatmap &map);

/// One colour per value of `values` [H,W] (any float type), clamped to `range`.
RgbImage colourise(const at::Tensor &values, ColourRange range, ColourMap colours);

/// The colour of a single value (legends, colour bars).
void colourOf(double value, ColourRange range, ColourMap colours, uint8_t rgb[3]);

/// How much of a heatmap pixel of value `value` covers the frame, before any overall opacity: for
/// a diverging map sqrt(|v|/extent) with extent = max(|low|, |high|), so that regions without
/// relevance show the frame unchanged (the square root keeps weak but real relevance visible next
/// to the strongest); 1 for any other map. The CLI's pictures and the GUI's overlay both use it.
inline double heatmapPixelOpacity(double value, ColourRange range, ColourMap colours)
{
    const double extent = std::max(std::abs(range.low), std::abs(range.high));
    if (colours == ColourMap::Diverging && extent > 0)
        return std::sqrt(std::min(1.0, std::abs(value) / extent));
    return 1.0;
}

/// The heatmap resized (bilinear) to the frame and blended over it. `opacity` in [0,1]. For a
/// diverging map each pixel's opacity also scales with sqrt(|v|/extent), so regions without relevance
/// show the frame unchanged.
RgbImage overlayHeatmap(const RgbImage &frame, const Heatmap &map, double opacity, ColourRange range,
                        ColourMap colours);

/// PNG bytes of an RGB image. Throws ood::Error when encoding fails.
QByteArray encodePng(const RgbImage &image);

/// A 32-bit float TIFF of `values` [H,W] (lossless; readable with tifffile, OpenCV, ImageJ).
QByteArray encodeFloatTiff(const at::Tensor &values);

} // namespace ood

namespace ood {

struct ScoreLandscape;

/// The landscape as a picture: one `cellPixels`-wide square per grid point coloured by score
/// (Inferno, the landscape's own range), the unperturbed frame marked at the centre, and a
/// colour bar on the right (low score at the bottom).
RgbImage landscapePicture(const ScoreLandscape &landscape, int cellPixels = 16);

} // namespace ood
