#!/usr/bin/env bash
# The test command (README quick start, second command; .ci/run calls it): install what is missing,
# build everything in Release with warnings as errors, run the whole test suite in parallel.
# Slow reproductions carry the ctest label `slow` and are skipped here: run them with
#   ctest --test-dir build -L slow
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLOCUS_WARNINGS_AS_ERRORS=ON \
  -DLOCUS_BUILD_TESTS=ON -DLOCUS_BUILD_EXAMPLES=ON >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS"
ctest --test-dir "$BUILD_DIR" -j"$JOBS" --output-on-failure -LE slow
