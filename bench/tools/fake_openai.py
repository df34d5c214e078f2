#!/usr/bin/env python3
"""A scripted OpenAI-compatible model on 127.0.0.1 for bench/llm_bench.sh (stdlib only).

It plays the three agents of an investigation of the demo's room-type fault: the investigator calls column_profile
and kb_search in one turn, then writes an account; the diagnostician answers with a JSON diagnosis; the fix proposer
with one option. NARRATIVE_BYTES makes the account that long, streamed in CHUNK-byte deltas, to measure what
streaming costs on cowork's side. Usage: fake_openai.py PORT [NARRATIVE_BYTES] [CHUNK]
"""
import http.server
import json
import sys

PORT = int(sys.argv[1])
NARRATIVE = int(sys.argv[2]) if len(sys.argv) > 2 else 200
CHUNK = int(sys.argv[3]) if len(sys.argv) > 3 else 16


def event(obj):
    return ("data: " + json.dumps(obj) + "\n\n").encode()


def text(t):
    return {"choices": [{"index": 0, "delta": {"content": t}}]}


def done(reason):
    return {"choices": [{"index": 0, "delta": {}, "finish_reason": reason}],
            "usage": {"prompt_tokens": 1000, "completion_tokens": 100}}


DIAGNOSIS = {"root_cause": {"node": "src_listings", "column": "room_type", "category": "data",
                            "summary": "A new label 'Entire place' arrived in the raw listings.", "confidence": 0.9},
             "evidence": [{"tool": "column_profile", "summary": "rows with 'Entire place'"}]}
OPTION = {"title": "Normalise 'Entire place' with replace() in src_listings", "strategy": "map_values",
          "category": "data", "risk": "low", "pros": ["one line"], "cons": ["exact label only"],
          "when_to_use": "now", "rationale": "DQ-114", "kb_refs": ["DQ-114"],
          "edits": [{"path": "models/src/src_listings.sql", "find": "    room_type,\n",
                     "replace": "    replace(room_type, 'Entire place', 'Entire home/apt') as room_type,\n"}]}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        system = body["messages"][0]["content"]
        tool_results = sum(1 for m in body["messages"] if m["role"] == "tool")
        if "You are the investigator" in system and tool_results == 0:
            calls = [{"index": 0, "id": "a", "type": "function",
                      "function": {"name": "column_profile",
                                   "arguments": json.dumps({"model": "src_listings", "column": "room_type"})}},
                     {"index": 1, "id": "b", "type": "function",
                      "function": {"name": "kb_search", "arguments": json.dumps({"query": "room type"})}}]
            chunks = [{"choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": calls}}]},
                      done("tool_calls")]
        elif "You are the investigator" in system:
            account = ("src_listings has rows with room_type 'Entire place'. " * (NARRATIVE // 53 + 1))[:NARRATIVE]
            chunks = [text(account[i:i + CHUNK]) for i in range(0, len(account), CHUNK)] + [done("stop")]
        elif "You are the diagnostician" in system:
            chunks = [text(json.dumps(DIAGNOSIS)), done("stop")]
        else:
            chunks = [text(json.dumps({"options": [OPTION]})), done("stop")]
        payload = b"".join(event(c) for c in chunks) + b"data: [DONE]\n\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
