#!/usr/bin/env bash
# Checks that every #include of a locus header points down the layer order of docs/architecture.md:
#
#   scalar(0) -> core(1) | linalg(1) -> io(2) -> solve(3) | parallel(3) -> constructions(4)
#   -> claims(5) -> reproductions(6) -> api(7) -> cli(8) -> python(9)
#
# core and linalg are side by side, and so are solve and parallel: neither may include the other. Tests, benchmarks, examples and
# fuzzers may include anything. Prints every violation and exits 1 if there is one.
#
#   bash scripts/check-layers.sh [SOURCE_DIR]
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"

# The layer of a source file, from its path; empty for files outside the layers.
file_layer() {
  case "$1" in
    lib/include/locus/scalar/* | lib/src/scalar/* | lib/src/error.cpp | lib/src/version.cpp | \
      lib/include/locus/error.hpp | lib/include/locus/version.hpp) echo scalar ;;
    lib/include/locus/core/* | lib/src/core/* | lib/src/instantiate/derivatives_*) echo core ;;
    lib/include/locus/linalg/* | lib/src/linalg/* | lib/src/instantiate/dense_*) echo linalg ;;
    lib/include/locus/io/* | lib/src/io/*) echo io ;;
    lib/include/locus/solve/* | lib/src/solve/* | lib/include/locus/locus.hpp) echo solve ;;
    lib/include/locus/parallel/* | lib/src/parallel/*) echo parallel ;;
    constructions/*) echo constructions ;;
    proofs-check/*) echo claims ;;
    reproductions/*) echo reproductions ;;
    api/*) echo api ;;
    cli/*) echo cli ;;
    python/*) echo python ;;
    *) echo "" ;;
  esac
}

# The layer of an included path ("locus/core/network.hpp", or a private "linalg/dense_impl.hpp").
include_layer() {
  local p="${1#locus/}"
  case "$p" in
    scalar/* | error.hpp | version.hpp | config.hpp) echo scalar ;;
    core/*) echo core ;;
    linalg/*) echo linalg ;;
    io/*) echo io ;;
    solve/* | locus.hpp) echo solve ;;
    parallel/*) echo parallel ;;
    constructions/*) echo constructions ;;
    claims/*) echo claims ;;
    reproductions/*) echo reproductions ;;
    api/*) echo api ;;
    *) echo "" ;;
  esac
}

rank() {
  case "$1" in
    scalar) echo 0 ;; core | linalg) echo 1 ;; io) echo 2 ;; solve | parallel) echo 3 ;;
    constructions) echo 4 ;; claims) echo 5 ;; reproductions) echo 6 ;; api) echo 7 ;;
    cli) echo 8 ;; python) echo 9 ;;
  esac
}

violations=0
checked=0
while IFS= read -r file; do
  from=$(file_layer "$file")
  [ -n "$from" ] || continue
  while IFS= read -r inc; do
    to=$(include_layer "$inc")
    [ -n "$to" ] || continue
    checked=$((checked + 1))
    if [ "$(rank "$to")" -gt "$(rank "$from")" ] ||
      { [ "$from" != "$to" ] && [ "$(rank "$to")" -eq "$(rank "$from")" ]; }; then
      echo "$file ($from) includes $inc ($to): includes must point down the layers"
      violations=$((violations + 1))
    fi
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
done < <(git ls-files --cached --others --exclude-standard '*.hpp' '*.cpp' '*.h' 2>/dev/null || find . -name '*.[ch]pp' | sed 's|^\./||')

if [ "$violations" -gt 0 ]; then
  echo "check-layers: $violations upward include(s) in $checked checked"
  exit 1
fi
echo "check-layers: $checked includes checked, all point down"
