#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang with ASan+UBSan) in build/fuzz and runs each in
# turn for SECONDS_EACH seconds (default 600), one at a time, at low priority. Seeds are made from
# real files (demo frames, Fashion-MNIST, the demo profile and model); the grown corpora stay in
# build/fuzz/corpus/<target>/ so a second run goes on from there. A crash, sanitizer report,
# leak, timeout or out-of-memory stops that target, leaves the input in
# build/fuzz/findings/<target>/ and makes the script exit 1. Summary lines go to
# build/fuzz/summary.txt (the numbers of docs/hardening.md).
#
#   bash packaging/run-fuzzers.sh [SECONDS_EACH [TARGET...]]   (default: all three targets)
#
# FUZZ_EXTRA adds libFuzzer options, e.g. FUZZ_EXTRA="-fork=1 -ignore_crashes=1" to go on past
# findings and collect them all.
set -euo pipefail

seconds="${1:-600}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build/fuzz"
cd "$root"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

bash packaging/install-deps.sh
# clang and its libFuzzer/sanitizer runtimes (Debian 12: libclang-rt-14-dev), llvm-symbolizer.
missing=()
for p in clang llvm libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${missing[@]}"
fi
export PATH="$PATH:/usr/lib/llvm-14/bin" # llvm-symbolizer, for readable stacks

all=(fuzz_image_decode fuzz_profile_load fuzz_checkpoint_load)
targets=("${@:2}")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DOOD_BUILD_TESTS=OFF -DOOD_BUILD_FUZZERS=ON >/dev/null
nice -n 10 cmake --build "$build" --target "${all[@]}" make_fuzz_seeds

rm -rf "$build/seeds"
"$build/tests/fuzz/make_fuzz_seeds" "$root" "$build/seeds"

declare -A seedsOf=([fuzz_image_decode]=image [fuzz_profile_load]=profile [fuzz_checkpoint_load]=checkpoint)
# Inputs up to these sizes: a full image or a small profile/checkpoint, so that executions stay fast.
declare -A maxLen=([fuzz_image_decode]=65536 [fuzz_profile_load]=262144 [fuzz_checkpoint_load]=262144)

status=0
for target in "${targets[@]}"; do
  kind="${seedsOf[$target]}"
  corpus="$build/corpus/$kind"
  findings="$build/findings/$kind"
  mkdir -p "$corpus" "$findings"
  log="$build/$target.log"
  echo "run-fuzzers: $target for ${seconds}s (log: $log)"
  set +e
  (cd "$build" && nice -n 10 "$build/tests/fuzz/$target" "$corpus" "$build/seeds/$kind" \
    -max_total_time="$seconds" -max_len="${maxLen[$target]}" -timeout=30 -rss_limit_mb=2048 \
    -artifact_prefix="$findings/" -print_final_stats=1 ${FUZZ_EXTRA:-}) >"$log" 2>&1
  result=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
  files=$(find "$corpus" -type f | wc -l)
  found=$(find "$findings" -type f | wc -l)
  line="$(date -u +%FT%TZ) $target seconds=$seconds exit=$result runs=${runs:-?} exec/s=${rate:-?} peak_rss_mb=${rss:-?} ${cov:-} corpus_files=$files findings=$found"
  echo "$line" | tee -a "$build/summary.txt"
  if [ "$result" -ne 0 ] || [ "$found" -ne 0 ]; then
    echo "run-fuzzers: $target found a problem; see $log and $findings/" >&2
    status=1
  fi
done
exit $status
