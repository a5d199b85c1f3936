#!/usr/bin/env bash
# Fails when a tracked C++ file differs from the committed .clang-format (Debian 12's clang-format 14).
# Fix with: git ls-files '*.cpp' '*.h' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "check-format: not a git checkout, skipped"
  exit 0
fi
report=$(git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format --dry-run 2>&1 | grep 'warning:' || true)
if [ -n "$report" ]; then
  echo "$report" | cut -d: -f1,2 | sort -u | head -40
  echo "check-format: $(echo "$report" | wc -l) lines differ from .clang-format (run clang-format -i on the files above)"
  exit 1
fi
echo "check-format: every C++ file follows .clang-format"
