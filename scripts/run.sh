#!/usr/bin/env bash
# The main job (README quick start, first command): install what is missing, build locus and run
# the default claims suite, `locus check`: every registered claim with its instances, a table of
# verdicts (proved / refuted / evidence / inconclusive) and "N passed, M failed". Extra arguments
# go to `locus check` (e.g. --quick, --claim ID, --seed S, --json FILE, --junit FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" --target locus -j"$(nproc)"
"$BUILD_DIR/cli/locus" --version
"$BUILD_DIR/cli/locus" check --progress --counterexamples "$BUILD_DIR/counterexamples" "$@"
