#!/usr/bin/env python3
"""Times whole processes, interleaved round by round so that machine noise hits every contender alike, and prints a
markdown table of medians and peak memory (max RSS, from wait4). Standard library only.

usage: compare.py DATA_DIR [ROUNDS]
DATA_DIR holds manifest.json and run_results.json; the cowork binaries are taken from build/."""
import os
import statistics
import subprocess
import sys
import time

data = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
manifest = os.path.join(data, "manifest.json")
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
once = os.path.join(root, "build", "bench", "cowork_bench_once")
cowork = os.path.join(root, "build", "cowork")

contenders = [
    ("python3 json.load (the Python floor)", ["python3", "-c", f"import json; json.load(open({manifest!r}))"]),
    ("simdjson bare DOM parse", [once, "dom", manifest]),
    ("cowork: load manifest + build graph", [once, "graph", manifest]),
    ("cowork: load manifest + graph, one thread", [once, "graph", manifest], {"COWORK_THREADS": "1"}),
    ("cowork: load manifest + graph, no huge pages", [once, "graph", manifest], {"COWORK_HUGE_PAGES": "0"}),
    ("cowork incidents (manifest + run_results, json out)",
     [cowork, "incidents", "--target-path", data, "--format", "json"]),
]


def run(argv, extra_env):
    env = dict(os.environ, **extra_env)
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{argv[0]} failed with exit code {code}")
    return elapsed, usage.ru_maxrss / 1024.0


times = {c[0]: [] for c in contenders}
memory = {c[0]: [] for c in contenders}
for _ in range(rounds):
    for contender in contenders:
        name, argv = contender[0], contender[1]
        extra = contender[2] if len(contender) > 2 else {}
        seconds, rss = run(argv, extra)
        times[name].append(seconds)
        memory[name].append(rss)

size_mb = os.path.getsize(manifest) / 1e6
floor = statistics.median(times[contenders[0][0]])
bare = statistics.median(times[contenders[1][0]])
print(f"manifest: {manifest} ({size_mb:.1f} MB), {rounds} rounds, medians\n")
print("| what | median | min | peak RSS | vs Python floor | vs bare simdjson | RSS / file size |")
print("|---|---|---|---|---|---|---|")
for name, _ in [(c[0], None) for c in contenders]:
    median = statistics.median(times[name])
    rss = max(memory[name])
    print(f"| {name} | {median * 1000:.0f} ms | {min(times[name]) * 1000:.0f} ms | {rss:.0f} MB | "
          f"{floor / median:.1f}x | {median / bare:.2f}x | {rss / size_mb:.2f}x |")
