#!/usr/bin/env bash
# The demo: the Airbnb example project copied into a workspace with its own git history, built green by the native
# engine, broken by realistic faults (new data and a teammate's commit), investigated, and restored.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cowork="$root/build/cowork"
workspace="${COWORK_DEMO_DIR:-$root/build/demo}"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
# The build's per-node progress is long; the demo shows its summary.
summary() { grep -v -E '^[0-9:]+  [0-9]+ of [0-9]+ (START|OK|PASS|SKIP)' ; }

cd "$root/build" || exit 2
shown="${workspace#"$root/build/"}"

step cowork demo init "$shown" --force
"$cowork" demo init "$workspace" --force | summary || exit 2

cd "$workspace" || exit 2
step cowork demo inject
"$cowork" demo inject | summary

step cowork incidents
"$cowork" incidents

step cowork lineage dim_listings_cleansed
"$cowork" lineage dim_listings_cleansed

step cowork sql "\"select room_type, count(*) as listings from dim_listings_cleansed group by 1 order by 2 desc\""
"$cowork" sql "select room_type, count(*) as listings from dim_listings_cleansed group by 1 order by 2 desc"

step git log --format='%h %an: %s' -3
git log --format='%h %an: %s' -3

# The room-type incident: investigated, its recommended fix applied, the build green again for that test.
incident="$("$cowork" incidents --format json | python3 -c '
import json, sys
for incident in json.load(sys.stdin)["incidents"]:
    if "room_type" in incident["title"]:
        print(incident["id"])
        break
')"
if [[ -n "$incident" ]]; then
  step cowork investigate "$incident"
  "$cowork" investigate "$incident"
  fix="$("$cowork" investigate "$incident" --format json --no-verify | python3 -c '
import json, sys
print(next(f["id"] for f in json.load(sys.stdin)["fixes"] if f["recommended"]))
')"
  step cowork apply "$fix" --git-branch fix/room-types
  "$cowork" apply "$fix" --git-branch fix/room-types
  step cowork build
  "$cowork" build | summary
fi

step cowork demo restore
"$cowork" demo restore | summary
printf '\nThe workspace stays in %s: cd there and try cowork build, cowork incidents, cowork demo inject FAULT.\n' "$workspace"
exit 0
