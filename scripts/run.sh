#!/usr/bin/env bash
# The main job (README quick start, first command): install what is missing, build locus, run it.
# For now: `locus scalars` (the arithmetics built in) and `locus demo` (a matrix with eigenvalues
# 2, 1e-30, 0, -1 in every arithmetic). The claims suite `locus check` takes over when it lands.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" --target locus -j"$(nproc)"
"$BUILD_DIR/lib/cli/locus" --version
"$BUILD_DIR/lib/cli/locus" scalars
echo
"$BUILD_DIR/lib/cli/locus" demo
