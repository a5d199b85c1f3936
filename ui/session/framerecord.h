#pragma once
// One frame of an inspection session as the window shows it: where it comes from, what the model
// and the detectors said, and what the reviewer decided. Plain data, no LibTorch.

#include "review/reviewmark.h"

#include <QString>

#include <cmath>
#include <vector>

namespace ood {

/// Where a frame sits in an evaluation with known groups (folders named id/ood, ...), for ROC.
enum class FrameTruth { Unknown = -1, InDistribution = 0, OutOfDistribution = 1 };

struct FrameRecord
{
    QString path;        ///< the image file, or the video file for a video frame
    int videoFrame = -1; ///< frame index within the video; -1 for a still image
    QString displayName; ///< file name, or "name.mp4 #123"
    FrameTruth truth = FrameTruth::Unknown;

    bool scored = false;
    QString error;       ///< why the frame could not be scored; empty otherwise
    int prediction = -1; ///< class index
    double confidence = std::nan("");
    std::vector<double> scores; ///< one per detector of the session, in its order; NaN until scored
    int flaggedBy = 0;          ///< detectors whose threshold the frame exceeds

    ReviewMark mark = ReviewMark::None;
    QString note;

    bool isFlagged() const { return flaggedBy > 0; }
    /// The key the review store files marks under: the path, plus "#frame" for video frames.
    QString reviewKey() const
    {
        return videoFrame < 0 ? path : path + QLatin1Char('#') + QString::number(videoFrame);
    }
};

} // namespace ood
