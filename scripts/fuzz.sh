#!/usr/bin/env bash
# libFuzzer on the readers (docs/fuzzing.md): the problem-file reader with the tangent-basis and
# path readers (fuzz_problem), and the exact number parser with the exact JSON reader
# (fuzz_number). A separate clang build of the reading layer, with ASan and UBSan.
#   bash scripts/fuzz.sh [SECONDS_PER_HARNESS [RUNS_PER_HARNESS [SEED]]]
# CI runs 30 s per harness; the documented campaign runs 1000000 runs per harness.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-30}
RUNS=${2:--1}
SEED=${3:-1}
bash scripts/install-deps.sh
if ! command -v clang++ >/dev/null || ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null |
  grep -q "install ok installed"; then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev >/dev/null
fi
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
cmake -S fuzz -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$BUILD" -j"$(nproc)" >/dev/null
# Seed corpora: every problem file the project ships (good and bad), and number literals.
mkdir -p "$BUILD/corpus/fuzz_problem" "$BUILD/corpus/fuzz_number"
cp examples/problems/*.json tests/data/*.json tests/data/bad/* "$BUILD/corpus/fuzz_problem/"
i=0
for s in 0 -0 0.1 -1/3 1e400 -2.5E-400 123456789012345678901234567890 1e99999 '[1e5, "7/3", 0.25]'; do
  printf '%s' "$s" >"$BUILD/corpus/fuzz_number/seed$i"
  i=$((i + 1))
done
failed=0
for h in fuzz_problem fuzz_number; do
  echo "== $h: seed $SEED, ${SECONDS_EACH}s, runs $RUNS"
  if ! "$BUILD/$h" -seed="$SEED" -max_total_time="$SECONDS_EACH" -runs="$RUNS" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 "$BUILD/corpus/$h" 2>"$BUILD/$h.log"; then
    failed=$((failed + 1))
    tail -40 "$BUILD/$h.log"
  fi
  grep -E "^(Done|stat::number_of_executed_units|#[0-9]+ +DONE)" "$BUILD/$h.log" || true
done
echo "fuzz: $((2 - failed)) passed, $failed failed"
exit $((failed > 0))
