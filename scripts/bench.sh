#!/usr/bin/env bash
# make bench: rubric against the tree-sitter parse floor, as whole processes
# (see `rubric bench --help`), on the Python standard library (pyenv's full
# one when present, else Debian's) and, when SALEOR names a checkout of
# saleor/saleor, on saleor. CORPUS replaces the standard library;
# ROUNDS (default 5) sets the number of alternating rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${CORPUS:-}"
if [ -z "$corpus" ]; then
  for c in /root/.pyenv/versions/3.11*/lib/python3.11 /usr/lib/python3.[0-9]*; do
    [ -d "$c" ] && corpus="$c" && break
  done
fi
if [ -z "$corpus" ]; then
  echo "bench: no standard library found; set CORPUS=/path/to/python/tree" >&2
  exit 1
fi
rounds="${ROUNDS:-5}"
echo "bench: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
./bin/rubric bench --rounds "$rounds" --name stdlib "$corpus"
if [ -n "${SALEOR:-}" ]; then
  ./bin/rubric bench --rounds "$rounds" --name saleor "$SALEOR"
else
  echo
  echo "bench: SALEOR is not set; saleor skipped (SALEOR=/path/to/saleor make bench)"
fi
