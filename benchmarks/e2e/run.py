"""End to end: each app behind a real server, loaded with wrk over loopback.

    python benchmarks/e2e/run.py [--rounds 3] [--duration 5] [--connections 64]
                                 [--servers uvicorn,granian] [--apps "raw ASGI,AltAPI,..."]
                                 [--path /] [--json benchmarks/e2e/results.json]

Servers: uvicorn (httptools, uvloop) and Granian (ASGI interface), one worker
each, access log off, as a user would deploy them (AltAPI's GC tuning included:
it is applied at lifespan start-up). Apps: benchmarks/_apps.py, the same ones the
in-process benchmark times. Each round starts every server x app pair once, in a
shuffled order, warms it up for a second, then runs `wrk --latency` against the
path; rounds are interleaved so that a busy moment on a shared machine hits every
pair alike. Reported per server: median req/s, p50 and p99 over the rounds, the
server's CPU time per request (its process and its children, from /proc: the
figure least moved by other load on a shared machine), and their ratios to raw
ASGI under the same server. Needs wrk on PATH (Debian: wrk)
and the peers in benchmarks/requirements.txt. On demand only, never in tests.
Besides its own JSON (every sample), it records req/s, p99 and server CPU per
server in benchmarks/results/e2e.json, which benchmarks/charts.py draws for the docs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _apps import FACTORIES
from _harness import record

BENCHMARKS = Path(__file__).resolve().parents[1]

DEFAULT_APPS = ["raw ASGI", "raw ASGI (stdlib json)", "AltAPI", "BlackSheep", "Falcon", "Starlette"]
# The second baseline: the hand-written app encoding with the standard library's json
# (benchmarks/_apps.py says why); each server's table is followed by AltAPI's ratios to it.
STDLIB = "raw ASGI (stdlib json)"


def server_command(server: str, factory: str, port: int) -> list[str]:
    target = f"_apps:{factory}"
    if server == "uvicorn":
        return [
            *(sys.executable, "-m", "uvicorn", target, "--factory", "--port", str(port)),
            *("--http", "httptools", "--loop", "uvloop", "--no-access-log"),
            *("--log-level", "warning"),
        ]
    if server == "granian":
        return [
            *(sys.executable, "-m", "granian", target, "--factory", "--port", str(port)),
            *("--interface", "asgi", "--workers", "1", "--log-level", "warning"),
        ]
    raise ValueError(f"unknown server {server!r}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited during start-up ({process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the server did not answer")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children (Granian's
    workers are child processes). Unlike req/s, it hardly moves with the machine's load."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if found is None:
        raise RuntimeError(f"unexpected latency from wrk: {text!r}")
    return float(found.group(1)) * _UNITS[found.group(2)]


def wrk(url: str, duration: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    if errors:
        raise RuntimeError(f"wrk reported errors:\n{out}")
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "p99_ms": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
    }


def measure(server: str, app: str, path: str, duration: int, connections: int) -> dict:
    port = _free_port()
    factory = FACTORIES[app].__name__
    process = subprocess.Popen(
        server_command(server, factory, port),
        cwd=BENCHMARKS,
        env={**os.environ, "PYTHONPATH": str(BENCHMARKS), "PYTHONHASHSEED": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}{path}"
        _wait_ready(url, process)
        wrk(url, 1, connections)  # warm-up
        cpu_before = cpu_seconds(process.pid)
        figures = wrk(url, duration, connections)
        cpu = cpu_seconds(process.pid) - cpu_before
        figures["cpu_us"] = cpu / figures.pop("requests") * 1e6
        return figures
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def summarise(samples: dict[str, dict[str, list[dict]]]) -> dict:
    summary: dict = {}
    for server, apps in samples.items():
        medians = {
            app: {key: statistics.median(s[key] for s in runs) for key in runs[0]}
            for app, runs in apps.items()
        }
        base = medians.get("raw ASGI")
        for figures in medians.values():
            if base is not None:
                figures["rps_ratio"] = figures["rps"] / base["rps"]
                figures["p99_ratio"] = figures["p99_ms"] / base["p99_ms"]
                figures["cpu_ratio"] = figures["cpu_us"] / base["cpu_us"]
        summary[server] = medians
    return summary


def table(server: str, medians: dict) -> str:
    lines = [
        f"### {server}",
        "",
        "| app | req/s (median) | ratio to raw ASGI | p50 ms | p99 ms | p99 ratio "
        "| server CPU µs/request | CPU ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for app, f in sorted(medians.items(), key=lambda item: -item[1]["rps"]):
        lines.append(
            f"| {app} | {f['rps']:,.0f} | {f.get('rps_ratio', 0):.2f} | {f['p50_ms']:.2f} "
            f"| {f['p99_ms']:.2f} | {f.get('p99_ratio', 0):.2f} | {f['cpu_us']:.1f} "
            f"| {f.get('cpu_ratio', 0):.2f} |"
        )
    if STDLIB in medians and "AltAPI" in medians:
        ours, base = medians["AltAPI"], medians[STDLIB]
        lines.append(
            f"\nAltAPI / {STDLIB}: req/s {ours['rps'] / base['rps']:.2f}, "
            f"p99 {ours['p99_ms'] / base['p99_ms']:.2f}x, CPU {ours['cpu_us'] / base['cpu_us']:.2f}x"
        )
    return "\n".join(lines)


FIGURES = {  # summary key: what it is, its unit
    "rps": ("requests per second", "req/s"),
    "p99_ms": ("p99 latency", "ms"),
    "cpu_us": ("server CPU per request", "µs/request"),
}


def record_charts(summary: dict, path: str, connections: int, rounds: int, duration: int) -> None:
    """One table per server and figure in benchmarks/results/e2e.json, fastest app first."""
    setting = f"wrk -c{connections}, {duration} s, median of {rounds} round{'s' * (rounds > 1)}"
    for server, medians in summary.items():
        ranked = sorted(medians, key=lambda app: -medians[app]["rps"])
        for key, (name, unit) in FIGURES.items():
            results = {app: medians[app][key] for app in ranked}
            title = f"GET {path} under {server}, {name} ({setting})"
            record(title, unit, results, "raw ASGI" if "raw ASGI" in results else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per pair")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--servers", default="uvicorn,granian")
    parser.add_argument("--apps", default=",".join(DEFAULT_APPS))
    parser.add_argument("--path", default="/", help="GET / is the JSON route")
    parser.add_argument("--json", type=Path, default=Path(__file__).with_name("results.json"))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    servers = args.servers.split(",")
    apps = args.apps.split(",")
    samples: dict[str, dict[str, list[dict]]] = {s: {a: [] for a in apps} for s in servers}
    pairs = [(s, a) for s in servers for a in apps]
    for round_number in range(1, args.rounds + 1):
        random.shuffle(pairs)
        for server, app in pairs:
            figures = measure(server, app, args.path, args.duration, args.connections)
            samples[server][app].append(figures)
            print(f"round {round_number}: {server:8} {app:12} {figures}", flush=True)
    summary = summarise(samples)
    for server in servers:
        print()
        print(table(server, summary[server]))
    record_charts(summary, args.path, args.connections, args.rounds, args.duration)
    args.json.write_text(
        json.dumps(
            {
                "benchmark": "e2e",
                "path": args.path,
                "connections": args.connections,
                "duration_s": args.duration,
                "rounds": args.rounds,
                "python": sys.version.split()[0],
                "summary": summary,
                "samples": samples,
            },
            indent=1,
        )
        + "\n"
    )
    print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
