#!/usr/bin/env bash
# What the LLM agents cost on cowork's side (see BENCHMARKS.md): the demo's room-type fault investigated with the
# playbook alone and with a scripted OpenAI-compatible model on 127.0.0.1 that answers at once (bench/tools/
# fake_openai.py), so the difference is cowork's own work: prompts, 4 model turns, 2 tool calls, checking the answers,
# verifying one more option. Then the same with the investigator's account streamed as 200 KB in 16-byte deltas
# (12,800 SSE events), which measures parsing the stream and storing its tokens as events. ROUNDS=N (default 5).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cowork="$root/build/cowork"
rounds="${ROUNDS:-5}"
work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start_model() {  # narrative bytes
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  python3 "$root/bench/tools/fake_openai.py" "$port" "$1" 16 &
  server_pid=$!
  for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.1)" 2>/dev/null && return
    sleep 0.1
  done
  echo "the fake model did not start on port $port" >&2
  exit 1
}

# median wall seconds and peak RSS of `cowork investigate` with the given flags
measure() {
  for ((i = 0; i < rounds; i++)); do
    /usr/bin/time -f "%e %M" -o "$work/time" env OPENAI_BASE_URL="http://127.0.0.1:$port/v1" \
      "$cowork" investigate "$id" --project-dir "$ws" --format json "$@" >"$work/report.json"
    cat "$work/time"
  done | sort -n | sed -n "$(((rounds + 1) / 2))p"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
ws="$work/ws"
"$cowork" demo init "$ws" --force >/dev/null
"$cowork" demo inject new_room_type --project-dir "$ws" >/dev/null || true
id="$({ "$cowork" incidents --project-dir "$ws" --format json || true; } | python3 -c 'import json,sys; print(json.load(sys.stdin)["incidents"][0]["id"])')"

printf '%-44s %9s %9s %s\n' run wall peak_rss engine
row() {  # label flags...
  local label="$1"
  shift
  read -r seconds rss < <(measure "$@")
  engine="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["engine"], (r.get("llm") or {}).get("turns", ""), "turns" if r.get("llm") else "")' "$work/report.json")"
  printf '%-44s %8.2fs %7.0fMB %s\n' "$label" "$seconds" "$((rss / 1024))" "$engine"
}
start_model 200
row "playbook, no verification" --llm none --no-verify
row "playbook + model, no verification" --llm openai --no-verify
row "playbook, every option verified" --llm none
row "playbook + model, every option verified" --llm openai
start_model 204800
row "+ model streaming a 200 KB account, no verif." --llm openai --no-verify
