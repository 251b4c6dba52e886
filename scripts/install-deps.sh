#!/usr/bin/env bash
# Installs what locus needs from Debian 12 packages (docs/building.md says why each is there).
# Idempotent, and quiet when everything is already installed. Needs root or sudo for apt-get.
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build ccache pkg-config git
  libjemalloc-dev libeigen3-dev libboost-dev libmpfr-dev libgmp-dev libflint-arb-dev libflint-dev
  libfmt-dev libceres-dev libsundials-dev libnlopt-dev libcli11-dev nlohmann-json3-dev doctest-dev
  liblapacke-dev libopenblas-dev libspectra-dev libopenmpi-dev openmpi-bin slepc-dev
  clang-format python3-numpy gnuplot-nox
  pybind11-dev python3-dev python3-mpmath python3-torch python3-sklearn python3-sympy
  python3-venv python3-pip python3-setuptools python3-wheel python3-build
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "install-deps: need root (or sudo) to apt-get install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
