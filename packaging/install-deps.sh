#!/usr/bin/env bash
# Installs every Debian 12 package that OOD Inspector's build, tests and programs need.
# Idempotent and non-interactive; run as root (uses sudo only when not root).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git clang-format
  qt6-base-dev qt6-tools-dev qt6-l10n-tools libqt6sql6-sqlite
  libqcustomplot-dev libqcustomplot2.1-qt6
  libtorch-dev libopencv-dev libeigen3-dev libfaiss-dev zlib1g-dev
  # WordNet 3.0, the vocabulary the zero-shot detectors mine negative labels from
  wordnet-base
  # test-suite only: real data, the Python reference (torch/torchvision/PIL), a virtual display
  dataset-fashion-mnist python3-torch python3-torchvision python3-pil xvfb xauth
  # test-suite only, the package test (packaging/test-package.sh): CPack's Depends, desktop entry,
  # AppStream and MIME checks
  dpkg-dev file desktop-file-utils appstream shared-mime-info xdg-utils libfile-mimeinfo-perl
  # test-suite only: a private single-node Slurm cluster for the sharded-scoring test
  slurmctld slurmd slurm-client munge
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -q
as_root apt-get install -y -q "${missing[@]}"
