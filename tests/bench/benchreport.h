#pragma once
// The benches print one line per measure, "<bench> | <what> | <value> <unit> | <note>", so that two
// runs (two machines, two commits) can be put side by side with diff or grep on <what>.

#include <chrono>
#include <cstdio>
#include <string>

namespace ood::bench {

inline double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline void report(const char *bench, const std::string &what, double value, const char *unit,
                   const std::string &note = {})
{
    std::printf("%s | %-66s | %10.4g %-5s|%s%s\n", bench, what.c_str(), value, unit, note.empty() ? "" : " ",
                note.c_str());
    // Flushed per line: a long bench shows its figures as they come, and a crash keeps them.
    std::fflush(stdout);
}

} // namespace ood::bench
