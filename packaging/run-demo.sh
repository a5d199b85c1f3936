#!/usr/bin/env bash
# The main job, on a fresh Debian 12 machine: installs the packages, builds ood-inspect and runs
# the bundled demo (a small Fashion-MNIST classifier, its fitted profile and 60 frames, compiled
# into the program): every detector scores in-distribution, near-OOD (held-out classes) and
# far-OOD (foreign images) frames; the HTML report, scores.csv and metrics.json go to
# build/demo-report/. Where a display is present the desktop application then opens on the same
# demo (ood-inspector --demo); OOD_NO_GUI=1 skips that. No network beyond Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
cmake --preset dev
cmake --build --preset dev --target ood-inspect ood-inspector

demo_args=(--out build/demo-report)
if [ ! -f resources/demo/assets/model.pt ]; then
  # A checkout without the committed assets: make them in the build folder (a few minutes) and
  # run the demo from there instead of from the program.
  echo "run-demo: resources/demo/assets/ is empty; building the demo assets under build/demo-assets"
  cmake --build --preset dev --target ood-make-demo
  bash resources/demo/build-assets.sh --inspect build/dev/app/ood-inspect \
    --make-demo build/dev/resources/ood-make-demo --out build/demo-assets --allow-large
  demo_args+=(--assets build/demo-assets)
fi
build/dev/app/ood-inspect demo "${demo_args[@]}"
echo "run-demo: the report is $(pwd)/build/demo-report/report.html"
if [ -z "${OOD_NO_GUI:-}" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; } && [ -z "${demo_args[2]:-}" ]; then
  echo "run-demo: opening the desktop application on the demo"
  build/dev/app/ood-inspector --demo
fi
