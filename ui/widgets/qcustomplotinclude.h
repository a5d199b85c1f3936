#pragma once
// QCustomPlot's header uses Qt's keyword macros, which the project turns off because LibTorch uses
// those names: define them for its header only.

#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
