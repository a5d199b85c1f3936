#pragma once
// What scoring one frame produced, as the scoring job hands it to the GUI thread. Plain data,
// no LibTorch, so the item models can take it without pulling the core's heavy headers in.

#include "session/framerecord.h"

#include <QMetaType>
#include <QString>

#include <cmath>
#include <vector>

namespace ood {

struct FrameResult
{
    bool scored = false;
    QString error;       ///< why the frame could not be scored; empty when it was
    int prediction = -1; ///< class index
    double confidence = std::nan("");
    std::vector<double> scores; ///< one per detector of the job, in its order; NaN when not scored
    int flaggedBy = 0;          ///< detectors whose threshold the frame exceeds (score > threshold)
};

/// Copies the result into the record; review mark and note stay as they are.
inline void applyResult(FrameRecord &record, const FrameResult &result)
{
    record.scored = result.scored;
    record.error = result.error;
    record.prediction = result.prediction;
    record.confidence = result.confidence;
    record.scores = result.scores;
    record.flaggedBy = result.flaggedBy;
}

} // namespace ood

Q_DECLARE_METATYPE(ood::FrameResult)
Q_DECLARE_METATYPE(std::vector<ood::FrameResult>)
