#!/usr/bin/env bash
# The investigation of every demo fault with verification of all its options (see BENCHMARKS.md): for each fault a
# fresh demo workspace, then `cowork investigate ID --format json` ROUNDS times (default 3); prints the median wall
# time and the time per phase (the sum of the steps' milliseconds by agent: investigator, diagnostician,
# fix_proposer, verifier) of the median run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cowork="$root/build/cowork"
rounds="${ROUNDS:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
printf '%-22s %8s %13s %15s %13s %10s %8s %s\n' fault wall investigator diagnostician fix_proposer verifier options recommended
for fault in new_room_type null_host_ids zero_minimum_nights duplicate_listings orphan_reviews renamed_column; do
  ws="$work/$fault"
  "$cowork" demo init "$ws" --force >/dev/null
  "$cowork" demo inject "$fault" --project-dir "$ws" >/dev/null || true
  id="$({ "$cowork" incidents --project-dir "$ws" --format json || true; } | python3 -c 'import json,sys; print(json.load(sys.stdin)["incidents"][0]["id"])')"
  for ((i = 0; i < rounds; i++)); do
    start=$(date +%s%N)
    "$cowork" investigate "$id" --project-dir "$ws" --format json >"$ws/report_$i.json"
    end=$(date +%s%N)
    echo "$(((end - start) / 1000000)) $ws/report_$i.json"
  done | sort -n | sed -n "$(((rounds + 1) / 2))p" | {
    read -r ms report
    python3 - "$fault" "$ms" "$report" <<'PY'
import json, sys
fault, ms, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
report = json.load(open(path))
phases = {}
for step in report["steps"]:
    phases[step["agent"]] = phases.get(step["agent"], 0) + step["ms"]
fixes = report["fixes"]
rec = next(f for f in fixes if f["recommended"])
print(f'{fault:<22} {ms/1000:7.2f}s {phases.get("investigator",0):11d}ms {phases.get("diagnostician",0):13d}ms '
      f'{phases.get("fix_proposer",0):11d}ms {phases.get("verifier",0):8d}ms {len(fixes):8d} '
      f'{rec["strategy"]} ({rec["verification"]["status"]})')
PY
  }
done
