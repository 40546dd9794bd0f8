#!/usr/bin/env python3
"""Turns the fault tests' rows (JSON lines) into docs/RELIABILITY.md.

Usage: reliability_report.py ROWS OUT EXIT_STATUS
"""
import json
import platform
import subprocess
import sys
from datetime import datetime, timezone

rows_path, out_path, status = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [json.loads(line) for line in open(rows_path) if line.strip()]


def sh(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


cores = sh("nproc")
memory = sh("sh", "-c", "free -g | awk '/Mem:/ {print $2}'")
commit = sh("git", "rev-parse", "--short", "HEAD")
date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

lines = [
    "# Reliability: the fault tests",
    "",
    "Written by `deploy/dev faults` (do not edit by hand). Each row is one fault test: it",
    "starts caselog on a Postgres and nats-server of its own, keeps a command load on it,",
    "injects the fault, and ends with the oracle: every acknowledged event is in the log,",
    "no command's effect is in it twice, the JetStream stream holds exactly the log in",
    "order, and every read model equals its rebuild from the log. How the harness works",
    "and how to read a row: [docs/faults.md](faults.md).",
    "",
    f"Run: {date} · commit {commit} · {platform.system()} · {cores} cores · {memory} GiB · "
    f"nextest exit status {status}",
    "",
    "| fault | load | acknowledged commands | lost | duplicated | 5xx answers (503 with Retry-After) | 500 answers | recovery (s) |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
]
for row in rows:
    lines.append(
        f"| {row['fault']} | {row['load']} | {row['acknowledged']} | {row['lost']} | "
        f"{row['duplicated']} | {row['server_errors']} | {row['internal_errors']} | "
        f"{row['recovery_seconds']} |"
    )
if not rows:
    lines.append("| (no fault test finished) | | | | | | | |")
lines += [
    "",
    "Recovery is measured from the fault's end to the moment the part it broke works again:",
    "commands acknowledged again (Postgres killed or blackholed, answers to COMMIT lost, the",
    "projector bug), the relay caught up with the log (NATS paused, wiped or reset, an event",
    "too large, the relay killed), the projections caught up (the projection service",
    "killed). 5xx answers are all 503 with Retry-After, on any try. A row appears only for a",
    "test that got as far as its oracle; a failed test shows in the exit status above.",
    "",
]
open(out_path, "w").write("\n".join(lines))
