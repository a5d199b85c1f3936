#pragma once
// What a reviewer decided about a flagged frame.

#include <QString>

namespace ood {

enum class ReviewMark {
    None = 0,             ///< not reviewed yet
    ConfirmedUnusual = 1, ///< the model should not be trusted on this frame
    FalseAlarm = 2,       ///< the frame is ordinary; the detectors were wrong
    Unsure = 3,
};

/// Stable key for files and the database: "none", "confirmed-unusual", "false-alarm", "unsure".
QString reviewMarkKey(ReviewMark mark);
/// The mark of a key; ReviewMark::None for anything unknown.
ReviewMark reviewMarkFromKey(const QString &key);

/// A label on its own (a button, a menu entry) starts with a capital; inside the report's table
/// cells and sentences it does not.
enum class MarkLabelCase { Capitalized, Lowercase };

/// The mark for people ("Confirmed unusual", ..., "Not reviewed" for None), translated in the
/// context "ReviewMark".
QString markLabel(ReviewMark mark, MarkLabelCase letterCase = MarkLabelCase::Capitalized);

} // namespace ood
