"""Load on a real `bronwijzer serve` process on 127.0.0.1: questions, searches, and questions
while a large upload is being ingested. Prints the time until ready, the first answer, errors,
p50/p95, throughput, the server's RSS and the load average, and writes them as JSON (--json).

    .venv/bin/python benchmarks/load.py                       # 20 x 60 s ask, 10 x 30 s search, 20 x 60 s ask during an upload
    .venv/bin/python benchmarks/load.py --ask-seconds 10 --search-seconds 5 --ingest-seconds 10 --warmup-seconds 3

Uses the index in $BRONWIJZER_HOME (run `bronwijzer ingest` first) and starts its own server
on a free port, with one API key per client (keys on, as in production) and rate limits raised
for the benchmark so that they do not throttle it. Figures to hold (issue 9): 0 errors; RSS
growth under 10% from after the warm-up to after the ask and search phases; question p95
during the upload at most twice the p95 without it. Issue 11: ready <= 15 s with an existing
index, RSS <= 1.5 GB, /api/search faster than /api/ask, >= 25 asks/s with p95 <= 1 s on an idle
machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from evals.question_set import all_questions

REPO = Path(__file__).resolve().parent.parent
ADMIN_KEY = "load-beheer-0123456789abcdef"


@dataclass
class Phase:
    name: str
    clients: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    wall_seconds: float = 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    def line(self) -> str:
        count = len(self.latencies_ms)
        errors = sum(self.errors.values())
        detail = f" {self.errors}" if errors else ""
        return (
            f"{self.name:<28} {self.clients:>3} clients x {self.seconds:>4.0f} s  requests {count:>5}  "
            f"errors {errors}{detail}  p50 {self.percentile(0.5):7.1f} ms  p95 {self.percentile(0.95):7.1f} ms  "
            f"throughput {count / self.wall_seconds if self.wall_seconds else 0:6.1f}/s"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def questions() -> list[str]:
    return all_questions(REPO / "evals" / "sets")


async def client_loop(http: httpx.AsyncClient, path: str, body_of, key: str, until: float, phase: Phase, offset: int) -> None:
    i = offset
    while time.monotonic() < until:
        body = body_of(i)
        i += 1
        started = time.perf_counter()
        try:
            response = await http.post(path, json=body, headers={"Authorization": f"Bearer {key}"})
            if response.status_code == 200:
                phase.latencies_ms.append((time.perf_counter() - started) * 1000)
            else:
                phase.errors[str(response.status_code)] = phase.errors.get(str(response.status_code), 0) + 1
        except httpx.HTTPError as exc:
            phase.errors[type(exc).__name__] = phase.errors.get(type(exc).__name__, 0) + 1


async def run_phase(url: str, path: str, body_of, keys: list[str], phase: Phase) -> Phase:
    limits = httpx.Limits(max_connections=phase.clients, max_keepalive_connections=phase.clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        started = time.monotonic()
        until = started + phase.seconds
        await asyncio.gather(*(
            client_loop(http, path, body_of, keys[n % len(keys)], until, phase, n * 7) for n in range(phase.clients)
        ))
        phase.wall_seconds = time.monotonic() - started
    return phase


def big_upload() -> bytes:
    """About 1 MB of real policy text under a new name: minutes of ingest work."""
    parts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus").glob("*.txt"))]
    return ("# Groot testdocument voor de belastingtest\n\n" + "\n\n".join(parts)).encode("utf-8")


def start_server(home: str, port: int, keys: list[str], job_timeout: float) -> tuple[subprocess.Popen, float]:
    env = {
        **os.environ, "BRONWIJZER_HOME": home, "BRONWIJZER_PORT": str(port),
        "BRONWIJZER_API_KEYS": ",".join(keys), "BRONWIJZER_ADMIN_KEYS": ADMIN_KEY,
        "BRONWIJZER_RATE_LIMIT_QUESTIONS": "1000000/minute", "BRONWIJZER_RATE_LIMIT_OTHER": "1000000/minute",
        "BRONWIJZER_INGEST_JOB_TIMEOUT": str(job_timeout),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve"], cwd=REPO, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    started = time.monotonic()
    deadline = started + 180
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return process, time.monotonic() - started
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit("the server did not become ready (is the index built? run `bronwijzer ingest`)")
        time.sleep(0.1)


def one_client(url: str, key: str, asked: list[str], count: int) -> dict[str, list[float]]:
    """`count` questions, each as /api/ask and as /api/search, in turn (which goes first alternates)."""
    times: dict[str, list[float]] = {"/api/ask": [], "/api/search": []}
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
        for i in range(count):
            order = [("/api/ask", {"question": asked[i % len(asked)]}), ("/api/search", {"query": asked[i % len(asked)], "top_k": 5})]
            for path, body in order if i % 2 else order[::-1]:
                started = time.perf_counter()
                http.post(path, json=body).raise_for_status()
                times[path].append((time.perf_counter() - started) * 1000)
    return times


def rss_mb(process: psutil.Process) -> float:
    return process.memory_info().rss / (1024 * 1024)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", default=os.environ.get("BRONWIJZER_HOME"), help="data directory with the index")
    parser.add_argument("--ask-clients", type=int, default=20)
    parser.add_argument("--ask-seconds", type=float, default=60)
    parser.add_argument("--search-clients", type=int, default=10)
    parser.add_argument("--search-seconds", type=float, default=30)
    parser.add_argument("--ingest-seconds", type=float, default=60, help="questions while the upload is ingested (0: skip)")
    parser.add_argument("--warmup-seconds", type=float, default=10)
    parser.add_argument("--sequential", type=int, default=100, help="questions asked one at a time as ask and as search")
    parser.add_argument("--json", type=Path, default=Path("out/load.json"))
    args = parser.parse_args()
    if not args.home:
        raise SystemExit("set BRONWIJZER_HOME or pass --home")

    asked = questions()
    keys = [f"load-lezen-{n:02d}-0123456789abcdef" for n in range(max(args.ask_clients, args.search_clients))]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    load_start = os.getloadavg()
    server, ready_seconds = start_server(args.home, port, keys, job_timeout=max(900, args.ingest_seconds * 3))
    proc = psutil.Process(server.pid)
    rss_ready = rss_mb(proc)
    started = time.perf_counter()
    first = httpx.post(f"{url}/api/ask", json={"question": asked[0]}, headers={"Authorization": f"Bearer {keys[0]}"}, timeout=60)
    first_ms = (time.perf_counter() - started) * 1000
    first.raise_for_status()
    print(f"ready after {ready_seconds:.1f} s (load average {load_start[0]:.2f}); first answer {first_ms:.0f} ms; RSS {rss_ready:.0f} MB", flush=True)
    ask_body = lambda i: {"question": asked[i % len(asked)]}  # noqa: E731
    search_body = lambda i: {"query": asked[i % len(asked)], "top_k": 5}  # noqa: E731
    phases: list[Phase] = []
    try:
        print(f"server pid {server.pid} on {url}; {len(asked)} questions; rate limits raised for the benchmark", flush=True)
        asyncio.run(run_phase(url, "/api/ask", ask_body, keys, Phase("warm-up (not counted)", args.ask_clients, args.warmup_seconds)))
        sequential = one_client(url, keys[0], asked, args.sequential)
        for name, xs in sequential.items():
            print(f"one client, {name:<12} {len(xs)} requests alternating: p50 {statistics.median(xs):.1f} ms, "
                  f"p95 {sorted(xs)[int(0.95 * (len(xs) - 1))]:.1f} ms", flush=True)
        rss_start = rss_mb(proc)
        phases.append(asyncio.run(run_phase(url, "/api/ask", ask_body, keys, Phase("POST /api/ask", args.ask_clients, args.ask_seconds))))
        print(phases[-1].line(), flush=True)
        rss_after_ask = rss_mb(proc)
        phases.append(asyncio.run(run_phase(url, "/api/search", search_body, keys, Phase("POST /api/search", args.search_clients, args.search_seconds))))
        print(phases[-1].line(), flush=True)
        rss_end = rss_mb(proc)
        print(f"server RSS: {rss_start:.0f} MB after warm-up, {rss_after_ask:.0f} MB after ask, {rss_end:.0f} MB after search "
              f"(growth {100 * (rss_end - rss_start) / rss_start:+.1f}%)", flush=True)

        job = None
        if args.ingest_seconds > 0:
            data = big_upload()
            admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
            name = f"groot-testdocument-{int(time.time())}.txt"
            response = httpx.post(f"{url}/api/documents", files={"file": (name, data, "text/plain")}, headers=admin, timeout=120)
            response.raise_for_status()
            job = response.json()
            while job["state"] == "queued" or job["stage"] in ("wachtrij", "lezen"):
                time.sleep(0.5)
                job = httpx.get(f"{url}/api/jobs/{job['id']}", headers=admin, timeout=30).json()
            print(f"uploaded {len(data) / 1e6:.1f} MB ({name}); job {job['state']}, stage {job['stage']}", flush=True)
            during = asyncio.run(run_phase(url, "/api/ask", ask_body, keys, Phase("POST /api/ask during ingest", args.ask_clients, args.ingest_seconds)))
            phases.append(during)
            print(during.line(), flush=True)
            job = httpx.get(f"{url}/api/jobs/{job['id']}", headers=admin, timeout=30).json()
            print(f"ingest job at the end of the phase: {job['state']}, stage {job['stage']}, {job['done']}/{job['total']} passages embedded", flush=True)
            if job["state"] == "succeeded":
                httpx.delete(f"{url}/api/documents/{name}", headers=admin, timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=60)

    errors = sum(sum(p.errors.values()) for p in phases)
    growth = 100 * (rss_end - rss_start) / rss_start
    print("\nsummary")
    for phase in phases:
        print("  " + phase.line())
    print(f"  errors: {errors} (must be 0)")
    print(f"  RSS growth after warm-up: {growth:+.1f}% (must be < 10%)")
    ok = errors == 0 and growth < 10
    if job is not None:
        ratio = phases[-1].percentile(0.95) / phases[0].percentile(0.95)
        print(f"  question p95 during ingest / without: {ratio:.2f}x (must be <= 2)")
        ok = ok and ratio <= 2
    print("  verdict:", "OK" if ok else "NOT MET")
    print(f"  load average at the end: {os.getloadavg()[0]:.2f} (at the start {load_start[0]:.2f})")
    summary = {
        "ready_seconds": ready_seconds, "first_answer_ms": first_ms,
        "one_client_p50_ms": {k: statistics.median(v) for k, v in sequential.items()}, "rss_mb": {"ready": rss_ready, "after_warmup": rss_start, "after_ask": rss_after_ask, "after_search": rss_end},
        "phases": [{"name": p.name, "clients": p.clients, "seconds": p.seconds, "requests": len(p.latencies_ms), "errors": p.errors,
                    "p50_ms": p.percentile(0.5), "p95_ms": p.percentile(0.95), "per_second": len(p.latencies_ms) / p.wall_seconds if p.wall_seconds else 0}
                   for p in phases],
        "load_average": {"start": load_start, "end": os.getloadavg()}, "ok": ok,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"  JSON: {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
