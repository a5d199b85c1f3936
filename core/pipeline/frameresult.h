#pragma once
// What scoring one frame produced: the one shape a scored frame has everywhere (the CLI's rows,
// the window's frame records, reports). Plain data, no LibTorch, so item models can take it
// without pulling the core's heavy headers in.

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
    std::vector<double> scores; ///< one per detector of the run, in its order; NaN when not scored
    int flaggedBy = 0;          ///< detectors whose threshold the frame exceeds (pipeline/verdict.h)

    bool isFlagged() const { return flaggedBy > 0; }
};

} // namespace ood

Q_DECLARE_METATYPE(ood::FrameResult)
Q_DECLARE_METATYPE(std::vector<ood::FrameResult>)
