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
    /// The verdict: the profile's calibrated rule (VerdictRule) calls the frame unusual. Every
    /// place that filters, tints, counts or reports flagged frames uses this, not flaggedBy.
    bool flagged = false;

    bool isFlagged() const { return flagged; }
};

} // namespace ood

Q_DECLARE_METATYPE(ood::FrameResult)
Q_DECLARE_METATYPE(std::vector<ood::FrameResult>)
