"""Bronwijzer next to the plain LangChain RAG tutorial pipeline, scored by our own harness.

    .venv/bin/python benchmarks/baseline_rag.py [SET.jsonl ...] [--split tune|test] [--k 5] [--json out/baseline.json]

Default sets: every `evals/sets/*.jsonl`. Both systems answer every question through
`evals.runner.run_eval` and are scored by `evals.metrics`; one table shows recall@k, MRR,
nDCG@10 and the number of answerable questions per set, split (tune, test, and all when a set
has both) and system, with Bronwijzer minus the tutorial for recall@k and MRR and the 95%
interval of that difference over the questions (paired per question). All figures
go to the JSON file too.

The tutorial pipeline, as in LangChain's RAG tutorial (docs.langchain.com/oss/python/langchain/rag):
- every `*.txt` of the corpus directory read raw (no cleaning) into one `Document` with
  metadata `source` = file name;
- `RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)`,
  default separators, length in characters;
- `langchain_chroma.Chroma` with the default collection settings (L2 distance);
  `add_documents`; at question time `similarity_search_with_relevance_scores(question, k)`
  (the same ranking as the tutorial's `similarity_search`), on the question as it is:
  no history, so a follow-up is searched without its context;
- the embedding model Bronwijzer uses (`rag.retrieval.embeddings.SentenceTransformerEmbedder`, the
  bundled multilingual-e5-small with its "query: "/"passage: " prefixes), so the difference
  is everything around the model: cleaning, chunking, hybrid retrieval, follow-ups.

The tutorial index is kept under `$BRONWIJZER_HOME/baseline-chroma/<key>`, the key a hash of
the corpus files, the splitter settings and the model, so a second run reuses it. Bronwijzer
is scored on its own index (`bronwijzer ingest` first). Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from evals.clients import EngineClient, EvalAnswer, EvalPassage
from evals.question_set import SPLITS
from evals.report import format_interval
from evals.runner import EvalRun, run_eval, scored_items
from evals.uncertainty import difference_intervals
from rag.types import Turn

REPO = Path(__file__).resolve().parent.parent
COLLECTION = "tutorial"
COMPLETE_MARKER = "complete.json"
TUTORIAL_NAME = "LangChain-tutorial"
BRONWIJZER_NAME = "Bronwijzer"
_ADD_BATCH = 64


@dataclass(frozen=True)
class SplitterSettings:
    """The tutorial's splitter; the test uses smaller chunks for its short texts."""

    chunk_size: int = 1000
    chunk_overlap: int = 200
    add_start_index: bool = True


@dataclass(frozen=True)
class TutorialIndex:
    """The tutorial's vector store and how it came about (`built` False: reused from disk)."""

    store: Chroma
    directory: Path
    chunks: int
    built: bool
    seconds: float


def load_corpus(corpus_dir: Path) -> list[Document]:
    """Every `*.txt` in `corpus_dir`, raw, one Document each with `source` = file name."""
    paths = sorted(Path(corpus_dir).glob("*.txt"))
    if not paths:
        raise ValueError(f"corpus_dir must hold .txt files, got none in {corpus_dir}")
    return [Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": p.name}) for p in paths]


def split_corpus(documents: Sequence[Document], splitter: SplitterSettings = SplitterSettings()) -> list[Document]:
    return RecursiveCharacterTextSplitter(
        chunk_size=splitter.chunk_size, chunk_overlap=splitter.chunk_overlap, add_start_index=splitter.add_start_index
    ).split_documents(list(documents))


def index_key(corpus_dir: Path, splitter: SplitterSettings, model: str) -> str:
    """Hash of the corpus files (names and bytes), the splitter settings and the model."""
    digest = hashlib.sha256()
    for path in sorted(Path(corpus_dir).glob("*.txt")):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    digest.update(json.dumps([asdict(splitter), model], sort_keys=True).encode())
    return digest.hexdigest()[:16]


def model_identity(embeddings: Embeddings, model_name: str) -> str:
    """The model name plus the prefixes the embedder puts before texts: both change the vectors."""
    prefixes = (getattr(embeddings, "query_prefix", ""), getattr(embeddings, "passage_prefix", ""))
    return json.dumps([model_name, *prefixes])


def _open_store(directory: Path, embeddings: Embeddings) -> Chroma:
    from chromadb.config import Settings as ChromaSettings

    # As the tutorial, apart from telemetry: nothing may leave this machine.
    return Chroma(
        collection_name=COLLECTION,
        embedding_function=embeddings,
        persist_directory=str(directory),
        client_settings=ChromaSettings(anonymized_telemetry=False),
    )


def build_tutorial_index(
    corpus_dir: Path,
    persist_root: Path,
    embeddings: Embeddings,
    model_name: str,
    *,
    splitter: SplitterSettings = SplitterSettings(),
    progress: bool = False,
) -> TutorialIndex:
    """The tutorial's Chroma store over `corpus_dir`, under `persist_root/<key>`.

    A store finished earlier for the same corpus, splitter and model is opened as it is (no
    embedding); an unfinished one (a run stopped half-way) is emptied and built again.
    """
    started = time.perf_counter()
    key = index_key(corpus_dir, splitter, model_identity(embeddings, model_name))
    directory = Path(persist_root) / key
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / COMPLETE_MARKER
    with FileLock(str(Path(persist_root) / f"{key}.lock")):
        store = _open_store(directory, embeddings)
        if marker.exists():
            chunks = json.loads(marker.read_text(encoding="utf-8"))["chunks"]
            return TutorialIndex(store, directory, chunks, False, time.perf_counter() - started)
        store.reset_collection()
        splits = split_corpus(load_corpus(corpus_dir), splitter)
        _add_in_batches(store, splits, progress)
        marker.write_text(json.dumps({
            "chunks": len(splits), "splitter": asdict(splitter), "model": model_name,
            "documents": sorted({d.metadata["source"] for d in splits}),
        }, indent=1), encoding="utf-8")
    return TutorialIndex(store, directory, len(splits), True, time.perf_counter() - started)


def _add_in_batches(store: Chroma, splits: list[Document], progress: bool) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    # Deterministic ids (file name and start offset): a re-run upserts instead of duplicating.
    ids = [f"{d.metadata['source']}:{d.metadata.get('start_index', i)}" for i, d in enumerate(splits)]
    bar = Progress(TextColumn("[bold]Tutorial-index[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), disable=not progress, transient=True)
    with bar:
        task = bar.add_task("", total=len(splits))
        for start in range(0, len(splits), _ADD_BATCH):
            store.add_documents(splits[start:start + _ADD_BATCH], ids=ids[start:start + _ADD_BATCH])
            bar.advance(task, len(splits[start:start + _ADD_BATCH]))


class BaselineClient:
    """The tutorial pipeline as an evaluation client: the top k chunks, no answer text."""

    def __init__(self, store: Chroma, description: str = "LangChain RAG tutorial pipeline") -> None:
        self._store = store
        self._description = description

    @property
    def description(self) -> str:
        return self._description

    def ask(self, question: str, history: Sequence[Turn], k: int) -> EvalAnswer:
        # The tutorial has no history: a follow-up is searched as it stands.
        started = time.perf_counter()
        hits = self._store.similarity_search_with_relevance_scores(question, k=k)
        latency_ms = (time.perf_counter() - started) * 1000
        passages = tuple(
            EvalPassage(document=doc.metadata["source"], title=doc.metadata["source"], text=doc.page_content,
                        score=float(score))
            for doc, score in hits
        )
        return EvalAnswer(text="", refused=False, mode="baseline", citations=(), passages=passages,
                          latency_ms=latency_ms)


# --- the comparison -----------------------------------------------------------------------


ALL = "alle"


def _groups(run: EvalRun) -> dict[str, dict]:
    """tune/test figures, plus the whole run when it holds both splits."""
    groups = {s: run.by_split[s] for s in SPLITS if s in run.by_split}
    if len(groups) > 1:
        groups[ALL] = run.figures
    return groups


def _difference(a, b) -> float | None:
    return None if a is None or b is None else a - b


def _paired(tutorial: EvalRun, ours: EvalRun, split: str) -> tuple[list, list]:
    """The questions of `split` (every question for `ALL`) both runs asked, as pairs of items."""
    mine = {r.question.id: r for r in ours.results}
    pairs = [(r, mine[r.question.id]) for r in tutorial.results
             if r.question.id in mine and (split == ALL or r.question.split == split)]
    return scored_items(a for a, _ in pairs), scored_items(b for _, b in pairs)


def compare(runs: dict[str, dict[str, EvalRun]], k: int) -> list[dict]:
    """One row per set, split and system; Bronwijzer rows carry Bronwijzer − tutorial, with its
    95% interval over the questions both answered (`evals.uncertainty`, paired per question)."""
    recall = f"recall@{k}"
    rows = []
    for set_name, by_system in runs.items():
        tutorial, ours = _groups(by_system[TUTORIAL_NAME]), _groups(by_system[BRONWIJZER_NAME])
        for split in tutorial:
            for system, figures in ((TUTORIAL_NAME, tutorial[split]), (BRONWIJZER_NAME, ours.get(split, {}))):
                row = {"set": set_name, "split": split, "system": system, recall: figures.get(recall),
                       "mrr": figures.get("mrr"), "ndcg@10": figures.get("ndcg@10"),
                       "answerable": figures.get("answerable"), "errors": figures.get("errors")}
                if system == BRONWIJZER_NAME:
                    bounds = difference_intervals(*_paired(by_system[TUTORIAL_NAME], by_system[BRONWIJZER_NAME], split), k)
                    row[f"diff_{recall}"] = _difference(figures.get(recall), tutorial[split].get(recall))
                    row["diff_mrr"] = _difference(figures.get("mrr"), tutorial[split].get("mrr"))
                    row[f"interval_{recall}"] = bounds.get(recall)
                    row["interval_mrr"] = bounds.get("mrr")
                rows.append(row)
    return rows


def format_table(rows: list[dict], k: int) -> str:
    recall = f"recall@{k}"
    header = ["set", "split", "system", recall, "MRR", "nDCG@10", "n answerable", f"Δ {recall}", "95%", "Δ MRR", "95%"]

    def number(value, signed=False) -> str:
        if value is None:
            return ""
        return f"{value:+.3f}" if signed else f"{value:.3f}"

    def interval(bounds) -> str:
        return "" if bounds is None else format_interval(bounds, signed=True)

    lines = [[r["set"], r["split"], r["system"], number(r[recall]), number(r["mrr"]), number(r["ndcg@10"]),
              str(r["answerable"] if r["answerable"] is not None else ""),
              number(r.get(f"diff_{recall}"), True), interval(r.get(f"interval_{recall}")),
              number(r.get("diff_mrr"), True), interval(r.get("interval_mrr"))] for r in rows]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *lines)]
    left = 3  # set, split, system left-aligned; figures right-aligned

    def render(cells) -> str:
        return "  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [render(header), "  ".join("-" * w for w in widths)]
    previous_set = None
    for row, cells in zip(rows, lines):
        if previous_set is not None and row["set"] != previous_set:
            out.append("")
        previous_set = row["set"]
        out.append(render(cells))
    out.append("\n95%: the interval of Bronwijzer − tutorial over the questions both answered, paired per question "
               "(evals.uncertainty); an interval that holds 0 may be chance.")
    return "\n".join(out)


def _run_summary(run: EvalRun) -> dict:
    return {"client": run.client, "set_path": run.set_path, "set_sha256": run.set_sha256, "k": run.k,
            "split": run.split, "duration_s": run.duration_s, "figures": run.figures, "by_split": run.by_split,
            "by_type": run.by_type, "by_document": run.by_document}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", type=Path, help="question sets (default: evals/sets/*.jsonl)")
    parser.add_argument("--split", choices=SPLITS, help="only this split of every set")
    parser.add_argument("--k", type=int, default=5, help="passages per question (default 5)")
    parser.add_argument("--json", type=Path, default=Path("out/baseline.json"), help="where all figures go")
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error(f"--k must be greater than 0, got {args.k}")
    sets = args.sets or sorted((REPO / "evals" / "sets").glob("*.jsonl"))

    from rag.pipeline import build

    started = time.perf_counter()
    parts = build()
    settings = parts.settings
    if not parts.store.documents():
        print(f"Bronwijzer heeft nog niets geïndexeerd in {parts.store.location}: voer eerst "
              "`.venv/bin/bronwijzer ingest` uit en start dit script daarna opnieuw.", file=sys.stderr)
        return 2
    parts.engine.warm_up()  # also loads the embedder the tutorial pipeline shares
    index = build_tutorial_index(settings.corpus_dir, settings.home / "baseline-chroma", parts.embedder,
                                 settings.embedding_model, progress=True)
    print(f"Tutorial-index: {index.chunks} chunks in {index.directory} "
          f"({'gebouwd' if index.built else 'hergebruikt'} in {index.seconds:.1f} s)", file=sys.stderr)

    clients = {
        TUTORIAL_NAME: BaselineClient(index.store),
        BRONWIJZER_NAME: EngineClient(parts.engine, "Bronwijzer (in-process engine)"),
    }
    runs: dict[str, dict[str, EvalRun]] = {}
    for path in sets:
        for system, client in clients.items():
            run = run_eval(path, client, k=args.k, split=args.split)
            runs.setdefault(run.set_name, {})[system] = run
    rows = compare(runs, args.k)
    total_s = time.perf_counter() - started

    print(format_table(rows, args.k))
    print(f"\nTutorial-index {'gebouwd' if index.built else 'hergebruikt'} in {index.seconds:.1f} s "
          f"({index.chunks} chunks); totale looptijd {total_s:.1f} s.")
    report = {
        "k": args.k,
        "split": args.split,
        "tutorial": {
            "splitter": asdict(SplitterSettings()), "collection": COLLECTION, "model": settings.embedding_model,
            "directory": str(index.directory), "chunks": index.chunks, "built": index.built,
            "index_seconds": round(index.seconds, 3),
        },
        "rows": rows,
        "runs": {
            name: {system: _run_summary(run) for system, run in by_system.items()} for name, by_system in runs.items()
        },
        "total_seconds": round(total_s, 3),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"Alle cijfers: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
