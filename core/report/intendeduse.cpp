#include "report/intendeduse.h"

#include <QCoreApplication>

namespace ood {

QString intendedUseStatement()
{
    // The second half matters as much as the first: a frame the verdict passes is not thereby
    // normal, only not unusual for this model.
    return QCoreApplication::translate(
        "IntendedUse",
        "OOD Inspector is a research tool. It is not a medical device and must not be used for "
        "diagnosis or treatment decisions. Its verdict says only whether a frame is unusual for the "
        "model it was set up with, not whether the frame is normal or what it shows.");
}

} // namespace ood
