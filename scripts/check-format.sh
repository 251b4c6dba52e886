#!/usr/bin/env bash
# Fails (and lists the files) if any C++ source differs from .clang-format. Fix with --fix.
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT=${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format)}
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [[ "${1:-}" == "--fix" ]]; then
  "$CLANG_FORMAT" -i "${files[@]}"
  exit 0
fi
"$CLANG_FORMAT" --dry-run -Werror "${files[@]}"
echo "format: ${#files[@]} files clean"
