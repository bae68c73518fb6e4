"""Each answer-quality change as an A/B, on tune and on test side by side.

    .venv/bin/python benchmarks/quality_ab.py [--sets evals/sets/*.jsonl] [--k 5] [--json out/quality_ab.json]

Every variant is fitted on the tune questions only (as `python -m evals.fit` does) and then
scored on tune and on test; a change counts when it helps on test too. Variants:

* ranking: reciprocal rank fusion (the old fusion) | the fitted ranker over the two searches'
  signals only | the ranker with the source signals (does the question name the passage's
  document?) | the shipped ranker; and the shipped ranker with at most 3 passages of one
  document instead of 4;
* the lead sentence: key-term overlap (the old core) | the fitted sentence model;
* refusal: the old rules (a name, number or rare word missing, coverage < 0.3, cosine <
  0.855) | the fitted refusal model.

Needs the corpus indexed (`bronwijzer ingest`). Prints tables and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from evals.fit import (  # noqa: E402
    SETS_DIR,
    _components,
    fit_ranker,
    fit_refusal,
    fit_sentences,
    gather_ranker_examples,
    gather_refusal_examples,
    gather_sentence_examples,
    rank_figures,
)
from evals.question_set import load_question_set  # noqa: E402
from rag.fitting import ALL_FEATURES, FEATURES, UNUSED, rrf_model  # noqa: E402
from rag.fitting import REFUSAL_FEATURES  # noqa: E402

SPLITS = ("tune", "test")


def _questions(paths, split):
    return [q for p in paths for q in load_question_set(p).questions if q.split == split]


def _table(title: str, header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))  # noqa: E731
    return "\n".join([title, line(header), *(line(r) for r in rows), ""])


def ranking_ab(parts, paths, k: int) -> dict:
    from rag.fitting import HybridRetriever

    retriever = HybridRetriever(parts.store, parts.embedder, parts.retriever.live, ranker=rrf_model())
    examples = {s: gather_ranker_examples(_questions(paths, s), retriever, parts.engine) for s in SPLITS}
    cap3 = SimpleNamespace(diversity=replace(retriever.diversity, per_document=3))
    searches = ["dense", "dense_rel", "dense_rrf", "bm25", "bm25_rrf"]
    variants = {"rrf (old fusion)": (rrf_model(), retriever)}
    for name, features in (("ranker: search signals only", searches), ("ranker with source signals", FEATURES + UNUSED),
                           ("ranker (shipped)", FEATURES)):
        model, _ = fit_ranker(examples["tune"], k, retriever, features, quiet=True)
        variants[name] = (model, retriever)
    variants["ranker, at most 3 per document"] = (variants["ranker (shipped)"][0], cap3)
    results = {}
    for name, (model, div) in variants.items():
        columns = [ALL_FEATURES.index(f) for f in model.features]
        results[name] = {
            s: np.mean([rank_figures(ex, model.probability(ex.x[:, columns]), k, div) for ex in examples[s]], axis=0).round(3).tolist()
            for s in SPLITS
        }
    return {"ranking": results}


def sentences_ab(parts, paths, k: int) -> dict:
    from rag.fitting import SENTENCE_FEATURES

    examples = {s: gather_sentence_examples(_questions(paths, s), parts.engine, k) for s in SPLITS}
    model, _ = fit_sentences(examples["tune"])
    overlap = SENTENCE_FEATURES.index("overlap")
    out = {}
    for s in SPLITS:
        ex = examples[s]
        out[s] = {
            "overlap (old core)": round(float(np.mean([e.shares[int(np.argmax(e.x[:, overlap]))] for e in ex])), 3),
            "fitted sentence model": round(float(np.mean([e.shares[int(np.argmax((e.x / np.asarray(model.scale)) @ np.asarray(model.coef)))] for e in ex])), 3),
            "best single sentence (oracle)": round(float(np.mean([e.shares.max() for e in ex])), 3),
            "questions": len(ex),
        }
    return out


def refusal_ab(parts, paths, k: int) -> dict:
    data = {s: gather_refusal_examples(_questions(paths, s), parts.engine, k)[:2] for s in SPLITS}
    model, _ = fit_refusal(*data["tune"])
    col = {f: REFUSAL_FEATURES.index(f) for f in REFUSAL_FEATURES}
    out = {}
    for s in SPLITS:
        x, y = data[s]
        old = (x[:, col["missing_specific"]] > 0) | (x[:, col["coverage"]] < 0.3) | (x[:, col["top_dense"]] < 0.855)
        new = model.probability(x) >= model.threshold
        out[s] = {
            name: {"unanswerable_refused": round(float(r[y == 1].mean()), 3), "answerable_refused": round(float(r[y == 0].mean()), 3)}
            for name, r in (("old rules", old), ("fitted model", new))
        } | {"unanswerable": int(y.sum()), "answerable": int((y == 0).sum())}
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", type=Path, default=sorted(SETS_DIR.glob("*.jsonl")))
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--json", type=Path, default=REPO / "out" / "quality_ab.json")
    args = parser.parse_args(argv)
    parts = _components()
    result = {"ranking": ranking_ab(parts, args.sets, args.k)}
    result["sentences"] = sentences_ab(parts, args.sets, args.k)
    result["refusal"] = refusal_ab(parts, args.sets, args.k)

    rows = [[name, *(f"{v[s][0]:.3f} / {v[s][1]:.3f}" for s in SPLITS)] for name, v in result["ranking"]["ranking"].items()]
    print(_table(f"Retrieval, recall@{args.k} / MRR", ["variant", "tune", "test"], rows))
    sn = result["sentences"]
    rows = [[name, *(f"{sn[s][name]:.3f}" for s in SPLITS)] for name in ("overlap (old core)", "fitted sentence model", "best single sentence (oracle)")]
    print(_table("Lead sentence: share of the gold figures (or key terms) in the chosen sentence", ["variant", "tune", "test"], rows))
    rf = result["refusal"]
    rows = [[name, *(f"{rf[s][name]['unanswerable_refused']:.3f} / {rf[s][name]['answerable_refused']:.3f}" for s in SPLITS)]
            for name in ("old rules", "fitted model")]
    print(_table("Refusal: unanswerable refused / answerable refused", ["variant", "tune", "test"], rows))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"JSON: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
