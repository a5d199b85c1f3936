#pragma once
// The statement of intended use, worded once for every place that shows it: the window's About
// box and user guide, the review report, the CLI's demo report and the AppStream metainfo (which
// repeats it by hand: keep them in step).

#include <QString>

namespace ood {

/// "OOD Inspector is a research tool. It is not a medical device ...", in the application's
/// language (QCoreApplication::translate, context "IntendedUse"). Plain text, no markup.
QString intendedUseStatement();

} // namespace ood
