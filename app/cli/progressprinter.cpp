#include "progressprinter.h"

#include <cstdio>
#include <unistd.h>

namespace ood::cli {

namespace {

std::string formatSeconds(double seconds)
{
    if (!(seconds >= 0) || seconds > 1e7)
        return "--:--";
    const auto s = static_cast<long>(seconds + 0.5);
    char buffer[32];
    if (s >= 3600)
        std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else
        std::snprintf(buffer, sizeof buffer, "%02ld:%02ld", s / 60, s % 60);
    return buffer;
}

} // namespace

ProgressPrinter::ProgressPrinter(bool quiet) : m_quiet(quiet), m_terminal(isatty(STDERR_FILENO) != 0) {}

bool ProgressPrinter::operator()(const Progress &progress)
{
    if (m_quiet)
        return true;
    // A stage that starts again (the label lists of two detectors, one after the other) counts anew.
    if (progress.stage != m_stage || progress.done < m_lastDone) {
        finish();
        m_stage = progress.stage;
        m_stageTimer.start();
        m_lastPrintMs = -1;
    }
    m_lastDone = progress.done;
    const qint64 elapsedMs = m_stageTimer.elapsed();
    const bool last = progress.done >= progress.total;
    const qint64 interval = m_terminal ? 200 : 5000;
    if (!last && m_lastPrintMs >= 0 && elapsedMs - m_lastPrintMs < interval)
        return true;
    if (m_lastPrintMs < 0 && progress.done == 0 && !m_terminal) {
        m_lastPrintMs = 0;
        return true;
    }
    m_lastPrintMs = elapsedMs;
    const double seconds = static_cast<double>(elapsedMs) / 1000.0;
    const double rate = seconds > 0 ? static_cast<double>(progress.done) / seconds : 0.0;
    const double eta = rate > 0 ? static_cast<double>(progress.total - progress.done) / rate : -1.0;
    const double percent =
        progress.total ? 100.0 * static_cast<double>(progress.done) / static_cast<double>(progress.total)
                       : 100.0;
    const char *unit = progress.stage == "label embeddings" ? "texts/s" : "img/s";
    std::fprintf(stderr, "%s%-10s %6zu/%-6zu %5.1f%%  %7.1f %s  elapsed %s  ETA %s%s", m_terminal ? "\r" : "",
                 progress.stage.c_str(), progress.done, progress.total, percent, rate, unit,
                 formatSeconds(seconds).c_str(), last ? "00:00" : formatSeconds(eta).c_str(),
                 m_terminal ? "" : "\n");
    std::fflush(stderr);
    m_lineOpen = m_terminal;
    return true;
}

void ProgressPrinter::finish()
{
    if (m_lineOpen) {
        std::fputc('\n', stderr);
        m_lineOpen = false;
    }
}

} // namespace ood::cli
