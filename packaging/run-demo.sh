#!/usr/bin/env bash
# The main job on the demo, on a fresh Debian 12 machine: installs packages, builds, makes the
# demo set and model from Debian's Fashion-MNIST (deterministic), fits a profile, evaluates every
# detector on near OOD (held-out Fashion-MNIST classes) and far OOD (synthetic patterns), and
# scores the far-OOD frames into a CSV.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
cmake --preset dev
cmake --build --preset dev --target ood-inspect ood-make-demo

bin=build/dev
demo=build/demo
"$bin/resources/ood-make-demo" --out "$demo"
"$bin/app/ood-inspect" fit --model "$demo/model.pt" --arch resnet18 --input-size 32 \
    --train "$demo/data/train" --val "$demo/data/valid" --out "$demo/demo.oodprofile"
echo "== near OOD (Pullover, Sneaker vs. T-shirt/top, Trouser, Bag)"
"$bin/app/ood-inspect" evaluate --profile "$demo/demo.oodprofile" \
    --id "$demo/data/test-id" --ood "$demo/data/ood-near" --json "$demo/metrics-near.json"
echo "== far OOD (noise, stripes, checkerboards, blobs)"
"$bin/app/ood-inspect" evaluate --profile "$demo/demo.oodprofile" \
    --id "$demo/data/test-id" --ood "$demo/data/ood-far" --json "$demo/metrics-far.json"
"$bin/app/ood-inspect" score --profile "$demo/demo.oodprofile" --input "$demo/data/ood-far" \
    --out "$demo/scores-far.csv" --quiet
echo "per-image scores: $demo/scores-far.csv; metrics: $demo/metrics-near.json, $demo/metrics-far.json"
