"""Cold, unchanged and edited ingest of corpus/ through the real CLI: wall clock, chunks/s, peak memory.

    .venv/bin/python benchmarks/ingest_corpus.py [--fresh-model] [--json out/ingest.json]
    .venv/bin/python benchmarks/ingest_corpus.py --sentence-overhead 3 [--fresh-model]

Cold: an empty data directory (the converted model and its ONNX export are reused from the
model cache unless --fresh-model, which also times the one-off conversion and export).
Unchanged: the same command again, which must embed nothing. Edited: one corpus file with a
sentence added at its end, so only the chunks around the edit are embedded again. The load
average is printed before and after each run. Targets: cold <= 90 s (issue 11), unchanged
<= 10 s with 0 chunks embedded.

--sentence-overhead N: what the ranker's sentence vectors add to a cold ingest (issue 8: at
most 25%). N rounds of two cold ingests, with BRONWIJZER_SENTENCE_VECTORS true and false in
turn, each into an empty data directory; the medians and their ratio are printed. Runs of one
mode differ by about 10 s on a shared host, so one pair proves little. Each run with sentence
vectors also reports how long its sentence pass took (`sentence_seconds` of the ingest's JSON);
that pass against the rest of the same run is a second, less noisy estimate of the overhead,
since nothing else differs between the two modes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_ingest(env: dict, paths: list[str] | None = None) -> tuple[float, dict, float]:
    """Wall clock, the JSON report and the peak RSS of this one ingest process (its own
    rusage from wait4, so an earlier child such as the model's conversion does not count)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "app.cli", "ingest", "--json", *(paths or [])],
                                env=env, cwd=REPO, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"ingest failed ({proc.returncode}):\n{err.read()[-3000:]}")
        return seconds, json.loads(out.read()), usage.ru_maxrss / 1024


def prepare_model(env: dict) -> None:
    """Convert and export the model where `env` keeps it, outside any timed run."""
    subprocess.run([sys.executable, "-c", "from rag.pipeline import build; build().embedder.prepare()"],
                   env=env, cwd=REPO, check=True)


def sentence_overhead(rounds: int, fresh_model: bool, out: Path) -> None:
    """Cold ingests with and without sentence vectors, alternating, and the median overhead."""
    seconds: dict[str, list[float]] = {"true": [], "false": []}
    in_run: list[float] = []  # a run's sentence pass against the rest of that run
    with tempfile.TemporaryDirectory() as tmp:
        shared_models = Path(tmp) / "models"
        if not fresh_model:
            prepare_model(os.environ | {"BRONWIJZER_HOME": str(Path(tmp) / "warm"), "BRONWIJZER_MODEL_CACHE": str(shared_models)})
        print("| round | sentence vectors | wall s | sentence pass s | chunks embedded | sentences embedded | load average before |")
        print("|---:|---|---:|---:|---:|---:|---:|")
        for round_ in range(1, rounds + 1):
            for mode in ("true", "false"):
                run_dir = Path(tmp) / f"{mode}-{round_}"
                models = run_dir / "models" if fresh_model else shared_models
                env = os.environ | {"BRONWIJZER_HOME": str(run_dir / "home"), "BRONWIJZER_MODEL_CACHE": str(models),
                                    "BRONWIJZER_SENTENCE_VECTORS": mode}
                load = os.getloadavg()[0]
                wall, report, _ = run_ingest(env, [str(REPO / "corpus")])
                seconds[mode].append(wall)
                pass_s = report.get("sentence_seconds", 0.0)
                if mode == "true":
                    in_run.append(pass_s / (wall - pass_s))
                print(f"| {round_} | {mode} | {wall:.1f} | {pass_s:.1f} | {report['chunks_embedded']} | "
                      f"{report.get('sentences_embedded', 0)} | {load:.2f} |", flush=True)
                shutil.rmtree(run_dir, ignore_errors=True)
    with_, without = statistics.median(seconds["true"]), statistics.median(seconds["false"])
    overhead = with_ / without - 1
    print(f"machine: {os.cpu_count()} cores; {'includes' if fresh_model else 'excludes'} the model's conversion and export")
    print(f"median cold ingest: {with_:.1f} s with sentence vectors, {without:.1f} s without: {overhead:+.1%} "
          f"(target +25% at most: {'met' if overhead <= 0.25 else 'NOT met'})")
    print(f"within each run with sentence vectors, the sentence pass against the rest: median {statistics.median(in_run):+.1%} "
          f"({min(in_run):+.1%} to {max(in_run):+.1%})")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"seconds": seconds, "fresh_model": fresh_model, "overhead": overhead, "in_run_overhead": in_run}, indent=2) + "\n",
                   encoding="utf-8")
    print(f"JSON: {out}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fresh-model", action="store_true", help="convert and export the bundled model anew (timed)")
    parser.add_argument("--sentence-overhead", type=int, metavar="ROUNDS",
                        help="compare cold ingests with and without sentence vectors, ROUNDS of each")
    parser.add_argument("--json", type=Path, default=Path("out/ingest.json"))
    args = parser.parse_args()
    if args.sentence_overhead:
        sentence_overhead(args.sentence_overhead, args.fresh_model, args.json)
        return
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {"BRONWIJZER_HOME": str(Path(tmp) / "home")}
        if args.fresh_model:
            env["BRONWIJZER_MODEL_CACHE"] = str(Path(tmp) / "models")
        else:
            # Make sure the shared model exists so that "cold" measures indexing, not conversion.
            prepare_model(env)
        corpus = Path(tmp) / "corpus"
        shutil.copytree(REPO / "corpus", corpus)
        for name in ("cold", "unchanged", "edited"):
            if name == "edited":
                target = sorted(corpus.glob("*.txt"))[0]
                target.write_text(target.read_text(encoding="utf-8") + "\n\nEen zin die na de eerste run is toegevoegd.\n", encoding="utf-8")
            load = os.getloadavg()[0]
            seconds, report, peak = run_ingest(env, [str(corpus)])
            runs[name] = {"seconds": seconds, "peak_rss_mb": peak, "load_before": load, "load_after": os.getloadavg()[0],
                          "chunks_embedded": report["chunks_embedded"], "chunks_reused": report.get("chunks_reused", 0),
                          "sentences_embedded": report.get("sentences_embedded", 0),
                          "indexed": report["indexed"], "unchanged": report["unchanged"],
                          "chunks_per_s": report["chunks_embedded"] / seconds if report["chunks_embedded"] else None}
    print(f"machine: {os.cpu_count()} cores{'; includes model conversion and export' if args.fresh_model else ''}")
    print("| run | wall s | chunks embedded | reused | sentences embedded | chunks/s | peak RSS MB | load average before -> after |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, r in runs.items():
        rate = f"{r['chunks_per_s']:.1f}" if r["chunks_per_s"] else "–"
        print(f"| {name} | {r['seconds']:.1f} | {r['chunks_embedded']} | {r['chunks_reused']} | {r['sentences_embedded']} | {rate} | {r['peak_rss_mb']:.0f} | "
              f"{r['load_before']:.2f} -> {r['load_after']:.2f} |")
    ok = runs["cold"]["seconds"] <= 90 and runs["unchanged"]["seconds"] <= 10 and runs["unchanged"]["chunks_embedded"] == 0
    print("targets (cold <= 90 s, unchanged <= 10 s with 0 embedded):", "met" if ok else "NOT met")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"runs": runs, "targets_met": ok}, indent=2) + "\n", encoding="utf-8")
    print(f"JSON: {args.json}")


if __name__ == "__main__":
    main()
