#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer (CMake preset `asan`,
# build/asan). Any sanitizer report fails the test that caused it. docs/hardening.md records the
# times and what the build found.
#
#   bash packaging/run-asan-tests.sh              # configure, build, run every test
#   bash packaging/run-asan-tests.sh -R core_lrp  # extra arguments go to ctest
#
# Expects the packages of packaging/install-deps.sh (run-tests.sh installs them first).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# The precompiled torch headers make every compile "uncacheable" for ccache unless it may ignore
# the PCH's macros and timestamps; with them a rebuild of build/asan takes minutes, not an hour.
export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}"

# halt_on_error: the first report ends the process, so a test cannot pass past one.
# exitcode=66: the sanitizers' default exit code, 1, is also ood-inspect's "job failed", which the
# CLI tests expect of their bad-input runs; a report in a child would pass for the expected failure.
# detect_leaks with suppressions for third-party libraries only (lsan.supp says why, entry by entry).
# print_stacktrace: UBSan reports say where, not just what.
export ASAN_OPTIONS="halt_on_error=1:exitcode=66:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$root/packaging/sanitizers/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=66${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export QT_QPA_PLATFORM=offscreen

start=$(date +%s)
cmake --preset asan >/dev/null
# The lock keeps two runs in a shared tree from building build/asan at once; nice keeps
# interactive builds of build/dev responsive on small machines.
flock /tmp/ood-build-asan.lock nice -n 5 cmake --build --preset asan
built=$(date +%s)
echo "asan build: $((built - start)) s"

status=0
(cd build/asan && ctest --timeout 1800 --output-on-failure -j1 "$@") || status=$?
echo "asan build: $((built - start)) s, asan tests: $(($(date +%s) - built)) s"
exit $status
