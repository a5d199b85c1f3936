#include "review/reviewmark.h"

#include <QCoreApplication>

namespace ood {

QString reviewMarkKey(ReviewMark mark)
{
    switch (mark) {
    case ReviewMark::ConfirmedUnusual:
        return QStringLiteral("confirmed-unusual");
    case ReviewMark::FalseAlarm:
        return QStringLiteral("false-alarm");
    case ReviewMark::Unsure:
        return QStringLiteral("unsure");
    case ReviewMark::None:
        break;
    }
    return QStringLiteral("none");
}

ReviewMark reviewMarkFromKey(const QString &key)
{
    for (ReviewMark mark : {ReviewMark::ConfirmedUnusual, ReviewMark::FalseAlarm, ReviewMark::Unsure})
        if (key == reviewMarkKey(mark))
            return mark;
    return ReviewMark::None;
}

QString markLabel(ReviewMark mark, MarkLabelCase letterCase)
{
    // Whole strings, not a capitalised lowercase one: the translation decides the case.
    const bool capitalized = letterCase == MarkLabelCase::Capitalized;
    switch (mark) {
    case ReviewMark::ConfirmedUnusual:
        return capitalized ? QCoreApplication::translate("ReviewMark", "Confirmed unusual")
                           : QCoreApplication::translate("ReviewMark", "confirmed unusual");
    case ReviewMark::FalseAlarm:
        return capitalized ? QCoreApplication::translate("ReviewMark", "False alarm")
                           : QCoreApplication::translate("ReviewMark", "false alarm");
    case ReviewMark::Unsure:
        return capitalized ? QCoreApplication::translate("ReviewMark", "Unsure")
                           : QCoreApplication::translate("ReviewMark", "unsure");
    case ReviewMark::None:
        break;
    }
    return capitalized ? QCoreApplication::translate("ReviewMark", "Not reviewed")
                       : QCoreApplication::translate("ReviewMark", "not reviewed");
}

} // namespace ood
