#pragma once
// Decoding one sample of a job, whether it is an image file or a frame of a video, so batch
// scoring, thumbnails and the viewer treat both alike.

#include "data/samplelist.h"
#include "image/imagedecoder.h"

namespace ood {

/// The sample's pixels as 8-bit RGB: the image file, or frame `sample.videoFrame` of the video
/// file. Throws ood::Error naming the file (and the frame) when it cannot be decoded or exceeds
/// `limits`.
///
/// Each thread keeps the video it read last open (reopened when the file changes on disk), so a
/// worker that steps forward through a video reads on instead of opening the file and seeking
/// from the preceding key frame for every frame.
RgbImage decodeSample(const Sample &sample, const DecodeLimits &limits = {});

} // namespace ood
