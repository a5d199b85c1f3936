#pragma once
// Progress with rate and ETA on stderr: a live line on a terminal, a line every few seconds
// otherwise (logs stay readable).

#include "pipeline/scoringrun.h"

#include <QElapsedTimer>

#include <string>

namespace ood::cli {

class ProgressPrinter
{
  public:
    explicit ProgressPrinter(bool quiet);
    /// Usable as a ProgressCallback; never cancels.
    bool operator()(const Progress &progress);
    void finish();

  private:
    bool m_quiet;
    bool m_terminal;
    std::string m_stage;
    QElapsedTimer m_stageTimer;
    qint64 m_lastPrintMs = -1;
    size_t m_lastDone = 0;
    bool m_lineOpen = false;
};

} // namespace ood::cli
