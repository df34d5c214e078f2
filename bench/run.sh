#!/usr/bin/env bash
# Benchmarks of loading large dbt artifacts (see BENCHMARKS.md for the figures and how to read them).
# Makes the data with bench/tools/scale_manifest.py from real corpus manifests (cached in bench/data/), then times
# whole processes round by round (bench/compare.py: Python's json.load, simdjson's bare parse, cowork) and runs the
# in-process Google Benchmark suite.   ROUNDS=N sets the rounds (default 7).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
data="bench/data"
corpus="tests/fixtures/corpus"

make_data() {  # name source-manifest
  if [[ ! -f "$data/$1/manifest.json" ]]; then
    echo "generating $data/$1 from $2"
    python3 bench/tools/scale_manifest.py "$2" "$data/$1" 50
  fi
}
make_data tuva-14500 "$corpus/tuva-health__tuva__docs-build-warn-v7-and-v11/2023-08-09_dbt-1.3.1_build-warn/manifest.json"
make_data hubspot-14000 "$corpus/fivetran__dbt_hubspot__package-docs-manifest-v1-to-v12/2023-02-03_dbt-1.3.1/manifest.json"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
for set in tuva-14500 hubspot-14000; do
  echo
  python3 bench/compare.py "$data/$set" "${ROUNDS:-7}"
done
echo
COWORK_BENCH_DIR="$data/tuva-14500" build/bench/cowork_bench_manifest
echo
echo "== the native engine (issue #3)"
bench/build_bench.sh
echo
echo "== investigations of the demo faults (issue #4)"
bench/investigate_bench.sh
echo
echo "== what the LLM agents add (issue #5)"
bench/llm_bench.sh
