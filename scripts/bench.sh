#!/usr/bin/env bash
# Times rubric over a large real corpus that a fresh machine has: the
# Python standard library (pyenv's full one when present, else Debian's).
# Set CORPUS to use another tree.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${CORPUS:-}"
if [ -z "$corpus" ]; then
  for c in /root/.pyenv/versions/3.11*/lib/python3.11 /usr/lib/python3.[0-9]* /usr/lib/python3/dist-packages/django; do
    [ -d "$c" ] && corpus="$c" && break
  done
fi
if [ -z "$corpus" ]; then
  echo "bench: no corpus found; set CORPUS=/path/to/python/tree" >&2
  exit 1
fi
echo "bench: corpus $corpus"
./bin/rubric bench --rounds "${ROUNDS:-3}" "$corpus"
