#!/usr/bin/env bash
# Fails, naming each one, when a C++ file of the tree is over 500 lines or a
# function (a test case counts as one) is over 80. Functions are found by
# their shape: a line ending in `) {` (or `) const {`, `) noexcept {`…, or
# `{` alone after a line ending in `)`) that is not an if, for, while,
# switch, catch or lambda; the body is counted to its closing brace. Only the
# outermost function is measured: a lambda inside belongs to it.
set -euo pipefail
cd "$(dirname "$0")/.."
max_file=500
max_function=80
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h')
status=0
for f in "${files[@]}"; do
  lines=$(wc -l <"$f")
  if [ "$lines" -gt "$max_file" ]; then
    echo "$f: $lines lines (at most $max_file)"
    status=1
  fi
done
awk -v max="$max_function" '
  FNR == 1 { depth = 0; top = 0; prev = "" }
  {
    code = $0
    # Characters, then strings, then comments: a quote character must not
    # open a string, and "ipc://" must not start a comment.
    gsub(/'"'"'([^'"'"'\\]|\\[^'"'"']*)'"'"'/, "x", code)
    gsub(/"([^"\\]|\\.)*"/, "\"\"", code)
    sub(/\/\/.*/, "", code)
    n = length(code)
    for (i = 1; i <= n; i++) {
      c = substr(code, i, 1)
      if (c == "{") {
        is_func = (code ~ /^[ \t]*TEST_CASE/) ||
                  (code ~ /\)[ \t]*(const)?[ \t]*(noexcept)?[ \t]*(override)?[ \t]*(->[ \t]*[A-Za-z_:<>]+)?[ \t]*\{/) ||
                  (prev ~ /\)[ \t]*(const|noexcept|override)?[ \t]*$/ && code ~ /^[ \t]*\{/)
        if (code ~ /(^|[^A-Za-z_])(if|for|while|switch|catch)[ \t]*\(/ || code ~ /\]\(/ || code ~ /\][ \t]*\{/) is_func = 0
        depth++
        if (is_func && top == 0) { top = depth; start = FNR; head = $0 }
      } else if (c == "}") {
        if (top == depth && top > 0) {
          len = FNR - start + 1
          if (len > max) { gsub(/^[ \t]+/, "", head); printf "%s:%d: a function of %d lines (at most %d): %s\n", FILENAME, start, len, max, substr(head, 1, 80); bad = 1 }
          top = 0
        }
        depth--
      }
    }
    prev = code
  }
  END { exit bad }
' "${files[@]}" || status=1
if [ "$status" -ne 0 ]; then
  echo "check-size: split what is named above (docs/development.md, Size limits)" >&2
  exit 1
fi
echo "check-size: ${#files[@]} files within $max_file lines, their functions within $max_function"
