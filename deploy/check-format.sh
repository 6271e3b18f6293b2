#!/usr/bin/env bash
# Fails, naming each file and line, when a C++ file of the tree differs from
# .clang-format (clang-format 14, from Debian). To fix: deploy/check-format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}"; then
  echo "check-format: the files above differ from .clang-format; deploy/check-format.sh --fix formats them" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files match .clang-format"
