#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs packages, builds, runs CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
bash packaging/check-format.sh
cmake --preset dev
cmake --build --preset dev
export OOD_REQUIRE_REFERENCE=1 # a missing Python reference fails its tests here instead of skipping
QT_QPA_PLATFORM=offscreen ctest --preset dev --timeout 900
