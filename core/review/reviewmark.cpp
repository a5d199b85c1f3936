#include "review/reviewmark.h"

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

} // namespace ood
