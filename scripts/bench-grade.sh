#!/usr/bin/env bash
# Batch grading at scale: builds N synthetic submissions (default 200) from
# the samples in testdata/submissions, each with its own variations (extra
# modules with N+1 loops, bare excepts, HTTP calls without timeouts,
# renamed identifiers, a unique comment in every file), then runs
# `rubric grade` over the first 50, 100 and all N of them and prints, per
# batch, wall time, CPU time and peak memory, and per submission the
# CPU time: linear grading keeps the per-submission figures flat, and
# memory bounded by one submission at a time keeps the peak flat.
#
#   scripts/bench-grade.sh            # N=200, sizes 50 100 200
#   N=400 SIZES="100 400" scripts/bench-grade.sh
#   KEEP=1 scripts/bench-grade.sh     # keep the generated submissions (path printed)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${N:-200}"
sizes="${SIZES:-50 100 $n}"
[ -x bin/rubric ] || { echo "bench-grade: build bin/rubric first (make build)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench-grade: /usr/bin/time is missing (Debian: apt-get install time)" >&2; exit 1; }
work="$(mktemp -d)"
if [ -n "${KEEP:-}" ]; then echo "bench-grade: work directory $work"; else trap 'rm -rf "$work"' EXIT; fi

bases=(testdata/submissions/*/)
for ((i = 0; i < n; i++)); do
  base="${bases[$((i % ${#bases[@]}))]}"
  sub="$work/subs/candidate-$(printf '%04d' "$i")"
  mkdir -p "$sub"
  cp -R "$base". "$sub"
  # Every file differs from every other submission's.
  find "$sub" -name '*.py' -exec sh -c 'printf "\n# candidate %s\n" "$1" >> "$2"' _ "$i" {} \;
  # Renamed identifiers: the same code under other names.
  find "$sub" -name '*.py' -exec sed -i "s/\bamount\b/amount_$((i % 7))/g; s/\buser\b/user_$((i % 3))/g" {} \;
  # Extra modules, as many as i mod 5, with what reviewers flag.
  for ((k = 0; k < i % 5; k++)); do
    cat > "$sub/extra_${k}.py" <<EOF
import requests

from .models import *  # noqa: F401,F403


def sync_$k(items):
    for item in items:
        try:
            requests.post("https://api.example.com/$i/$k", json={"id": item.pk})
        except:
            pass


def report_$k(queryset):
    return [row.owner.name for row in queryset.all()]
EOF
  done
done
echo "bench-grade: $n submissions built from ${#bases[@]} samples in $work/subs"

printf '%-6s %9s %9s %9s %14s\n' size "wall s" "CPU s" "peak MB" "CPU ms/subm."
for size in $sizes; do
  mapfile -t subs < <(find "$work/subs" -mindepth 1 -maxdepth 1 -type d | sort | head -n "$size")
  rm -rf "$work/out"
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" ./bin/rubric grade --out "$work/out" "${subs[@]}" >/dev/null 2>&1 || true
  read -r wall user sys rss < "$work/time"
  awk -v s="$size" -v w="$wall" -v u="$user" -v y="$sys" -v r="$rss" \
    'BEGIN { printf "%-6d %9.2f %9.2f %9.1f %14.1f\n", s, w, u + y, r / 1024, 1000 * (u + y) / s }'
  reports=$(find "$work/out" -name 'candidate-*.md' | wc -l)
  [ "$reports" -eq "$size" ] || echo "bench-grade: $reports reports for $size submissions" >&2
done
