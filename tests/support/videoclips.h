#pragma once
// Video files for tests, written with OpenCV's FFmpeg back-end.

#include <QString>

#include <opencv2/core/mat.hpp>

#include <vector>

namespace ood::test {

/// Writes `frames` (8-bit BGR, all of the first frame's size) as MJPG in AVI, where every frame
/// is a key frame. False when OpenCV cannot write the file here.
bool writeMjpegVideo(const QString &path, const std::vector<cv::Mat> &frames, double fps);

} // namespace ood::test
