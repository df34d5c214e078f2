#!/usr/bin/env bash
# The native engine's speed (see BENCHMARKS.md): parse+compile in process (bench/compile_once.cpp), then whole
# `cowork compile` and `cowork build` runs timed by /usr/bin/time, on examples/airbnb and on a generated project of
# 2,000 models (bench/tools/generate_project.py, cached in bench/data/). ROUNDS=N sets the rounds (default 5);
# BUILD_2000=1 also builds the 2,000-model project on DuckDB (about a minute).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
rounds="${ROUNDS:-5}"
cowork="$root/build/cowork"
data="bench/data"
project="$data/project-2000"
if [[ ! -f "$project/dbt_project.yml" ]]; then
  python3 bench/tools/generate_project.py "$project" --models 2000
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r examples/airbnb "$work/airbnb"
rm -rf "$work/airbnb/target" "$work/airbnb/"*.duckdb
cp -r "$project" "$work/project-2000"

# Median wall seconds and the largest peak RSS over `rounds` runs of a command in a folder.
timed() {  # label dir rounds command...
  local label="$1" dir="$2" n="$3"
  shift 3
  local times=() peak=0
  for ((i = 0; i < n; i++)); do
    local out
    out="$(cd "$dir" && /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1)"
    times+=("${out% *}")
    local rss="${out#* }"
    ((rss > peak)) && peak="$rss"
  done
  local median
  median="$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((n + 1) / 2))p")"
  printf '%-44s median %6.2f s   peak RSS %5d MB   (%d runs)\n' "$label" "$median" "$((peak / 1024))" "$n"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
echo
echo "parse+compile in process (no warehouse, no artifacts):"
printf '  examples/airbnb:  '; build/bench/cowork_bench_compile "$work/airbnb" "$rounds"
printf '  project-2000:     '; build/bench/cowork_bench_compile "$work/project-2000" "$rounds"
echo
echo "whole commands:"
"$cowork" build --project-dir "$work/airbnb" --profiles-dir "$work/airbnb" >/dev/null || true  # warm the database
timed "examples/airbnb: cowork compile" "$work/airbnb" "$rounds" "$cowork" compile
timed "examples/airbnb: cowork build" "$work/airbnb" "$rounds" "$cowork" build
timed "examples/airbnb: cowork build --full-refresh" "$work/airbnb" "$rounds" "$cowork" build --full-refresh
timed "project-2000: cowork compile" "$work/project-2000" "$rounds" "$cowork" compile
if [[ "${BUILD_2000:-0}" == 1 ]]; then
  timed "project-2000: cowork build" "$work/project-2000" 1 "$cowork" build
fi
