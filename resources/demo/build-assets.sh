#!/usr/bin/env bash
# Rebuilds the demo assets that ood-inspect embeds (resources/demo/assets/), deterministically:
#   1. ood-make-demo trains the demo model on Debian's Fashion-MNIST (fixed seed, sorted files),
#   2. ood-inspect fit fits a profile with every detector at input size 32,
#   3. 20 ID test frames, 20 near-OOD frames (held-out classes) and 20 far-OOD frames are picked
#      (every k-th file of each sorted list), and a MANIFEST with sha256 sums is written.
# Refuses (exit 1, nothing written to the output) when the assets exceed 8 MB.
#
# Usage: resources/demo/build-assets.sh [options] [ood-make-demo options...]
#   --out DIR             where the assets go (default resources/demo/assets)
#   --work DIR            scratch folder for the full demo set (default build/demo-assets-work)
#   --inspect BIN         ood-inspect to use   } both given: nothing is built; otherwise the
#   --make-demo BIN       ood-make-demo to use } dev preset builds them (build/dev)
#   --arch ARCH           architecture for 'fit' (default resnet18)
#   --input-size N        network input side, for ood-make-demo and fit (default 32)
#   --frames-per-group N  frames per group (default 20)
#   --allow-large         write the assets even when they exceed 8 MB (for local experiments)
# Every other argument goes to ood-make-demo unchanged (e.g. --epochs 1 --train-per-class 60).
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
out="$repo/resources/demo/assets"
work="$repo/build/demo-assets-work"
inspect=""
make_demo=""
arch="resnet18"
input_size=32
per_group=20
allow_large=0
limit_bytes=$((8 * 1000 * 1000))
make_demo_args=()

while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --inspect) inspect="$2"; shift 2 ;;
    --make-demo) make_demo="$2"; shift 2 ;;
    --arch) arch="$2"; shift 2 ;;
    --input-size) input_size="$2"; shift 2 ;;
    --frames-per-group) per_group="$2"; shift 2 ;;
    --allow-large) allow_large=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) make_demo_args+=("$1"); shift ;;
  esac
done

# Both folders are replaced as a whole: never when they hold something this script did not make.
refuse_foreign() {
  local dir="$1" mark="$2"
  if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] && [ ! -e "$dir/$mark" ]; then
    echo "build-assets: $dir is not empty and has no $mark; refusing to replace it" >&2
    exit 1
  fi
}
refuse_foreign "$out" MANIFEST
refuse_foreign "$work" data

now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
start_all=$(now)

if [ -z "$inspect" ] || [ -z "$make_demo" ]; then
  t=$(now)
  [ -f "$repo/build/dev/CMakeCache.txt" ] || (cd "$repo" && cmake --preset dev)
  (cd "$repo" && cmake --build --preset dev --target ood-inspect ood-make-demo)
  inspect="${inspect:-$repo/build/dev/app/ood-inspect}"
  make_demo="${make_demo:-$repo/build/dev/resources/ood-make-demo}"
  echo "build-assets: built the programs in $(took "$t")"
fi

rm -rf "$work"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

t=$(now)
"$make_demo" --out "$work" --input-size "$input_size" ${make_demo_args[@]+"${make_demo_args[@]}"}
echo "build-assets: ood-make-demo took $(took "$t")"

t=$(now)
"$inspect" fit --model "$work/model.pt" --arch "$arch" --input-size "$input_size" --methods all \
  --train "$work/data/train" --val "$work/data/valid" --out "$work/demo.oodprofile"
echo "build-assets: fit took $(took "$t")"

stage="$work/assets"
rm -rf "$stage"
mkdir -p "$stage/frames"
cp "$work/model.pt" "$work/demo.oodprofile" "$stage/"

# Every k-th image of the byte-order sorted list (k = count / per_group), so that each class and
# each kind of foreign image is represented and the choice never depends on the file system.
pick() {
  local from="$1" to="$2"
  local files=()
  mapfile -t files < <(cd "$from" && find . -type f -name '*.png' | LC_ALL=C sort)
  local n=${#files[@]}
  if [ "$n" -lt "$per_group" ]; then
    echo "build-assets: $from has $n images, fewer than $per_group" >&2
    exit 1
  fi
  local k=$((n / per_group)) i
  for ((i = 0; i < per_group; i++)); do
    local f="${files[$((i * k))]#./}"
    mkdir -p "$to/$(dirname "$f")"
    cp "$from/$f" "$to/$f"
  done
}
pick "$work/data/test-id" "$stage/frames/id"
pick "$work/data/ood-near" "$stage/frames/near-ood"
pick "$work/data/ood-far" "$stage/frames/far-ood"

{
  echo "# OOD Inspector demo assets, made by resources/demo/build-assets.sh"
  echo "# git revision: $(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
  echo "# ood-make-demo --input-size $input_size ${make_demo_args[*]-}"
  echo "# ood-inspect fit --arch $arch --input-size $input_size --methods all"
  echo "# frames: $per_group per group, every k-th file of data/test-id, data/ood-near, data/ood-far"
  echo "# demo.oodprofile records when it was made, so its digest changes with every rebuild."
  (cd "$stage" && find . -type f ! -name MANIFEST | LC_ALL=C sort | sed 's|^\./||' | xargs -d '\n' sha256sum)
} > "$work/MANIFEST"
mv "$work/MANIFEST" "$stage/MANIFEST"

model_bytes=$(stat -c %s "$stage/model.pt")
profile_bytes=$(stat -c %s "$stage/demo.oodprofile")
frame_bytes=$(find "$stage/frames" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
total_bytes=$(find "$stage" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
frame_count=$(find "$stage/frames" -type f | wc -l)
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1e6 }'; }
echo "build-assets: model.pt $(mb "$model_bytes"), demo.oodprofile $(mb "$profile_bytes"), $frame_count frames $(mb "$frame_bytes"), total $(mb "$total_bytes") (limit $(mb "$limit_bytes"))"

if [ "$total_bytes" -gt "$limit_bytes" ] && [ "$allow_large" -eq 0 ]; then
  echo "build-assets: the assets exceed $(mb "$limit_bytes"); nothing written to $out (a smaller model, or --allow-large for a local try)" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$stage" "$out"
echo "build-assets: wrote $out in $(took "$start_all")"
echo "build-assets: rebuild ood-inspect to embed them: cmake --build --preset dev --target ood-inspect"
