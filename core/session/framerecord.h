#pragma once
// One frame of an inspection session: where it comes from, what the model and the detectors said
// (its FrameResult), and what the reviewer decided. Plain data, no LibTorch.

#include "pipeline/frameresult.h"
#include "review/reviewmark.h"

#include <QString>

namespace ood {

/// Where a frame sits in an evaluation with known groups (folders named id/ood, ...), for ROC.
enum class FrameTruth { Unknown = -1, InDistribution = 0, OutOfDistribution = 1 };

struct FrameRecord : FrameResult
{
    QString path;        ///< the image file, or the video file for a video frame
    int videoFrame = -1; ///< frame index within the video; -1 for a still image
    QString displayName; ///< file name, or "name.mp4 #123"
    FrameTruth truth = FrameTruth::Unknown;

    ReviewMark mark = ReviewMark::None;
    QString note;

    /// Takes a new scoring result; where the frame comes from and the review stay as they are.
    void setResult(const FrameResult &result) { static_cast<FrameResult &>(*this) = result; }
    /// The key the review store files marks under: the path, plus "#frame" for video frames.
    QString reviewKey() const
    {
        return videoFrame < 0 ? path : path + QLatin1Char('#') + QString::number(videoFrame);
    }
};

} // namespace ood
