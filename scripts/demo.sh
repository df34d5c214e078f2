#!/usr/bin/env bash
# The demo of what cowork does today, on real artifacts from a public dbt project (tests/fixtures/corpus): a
# `dbt build` where a source test failed and 48 models and tests were skipped, and a singular test errored.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cowork="$root/build/cowork"
artifacts="$root/tests/fixtures/corpus/ChrisAdan__sprint__v12-build-fail-error-skipped"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step cowork incidents --target-path "${artifacts#"$root"/}"
"$cowork" incidents --target-path "$artifacts"

step cowork lineage event_session --down 2 --target-path "${artifacts#"$root"/}"
"$cowork" lineage event_session --down 2 --target-path "$artifacts"

step cowork ls --select "source:sprint_raw.event_session+" --resource-type model --target-path "${artifacts#"$root"/}"
"$cowork" ls --select "source:sprint_raw.event_session+" --resource-type model --target-path "$artifacts"

step cowork incidents --format json --target-path "${artifacts#"$root"/}"  "(first incident)"
"$cowork" incidents --format json --target-path "$artifacts" | python3 -c '
import json, sys
incident = json.load(sys.stdin)["incidents"][0]
incident["skipped"] = incident["skipped"][:3] + ["..."]
print(json.dumps(incident, indent=2))'
exit 0
