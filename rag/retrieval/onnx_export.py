"""ONNX copies (fp32 and int8) of a sentence-transformers model, made locally on first use.

The converted e5 (`rag.retrieval.e5_conversion`) runs in torch at fp32. ONNX Runtime runs the same
encoder at fp32 about 1.5x as fast on a CPU, with the same vectors (cosine 0.9999995 with
torch), and with int8 weights about twice as fast, with cosines 0.999 with fp32
(`benchmarks/embed_throughput.py` measures all of them, and the retrieval quality of each).

sentence-transformers' own ONNX export (`backend="onnx"`) needs `optimum-onnx`, which
requires transformers < 4.58 while sentence-transformers 6 requires transformers >= 5, so
the export is done here with the two pieces optimum itself uses: `torch.onnx.export` of the
encoder with mean pooling and L2 normalisation inside the graph (the sentence-transformers
modules the model declares). The fp32 copy has the operators of each layer fused by ONNX
Runtime's transformer optimizer (attention, layer norms, GELU: a quarter faster on passages,
the same vectors, checked at export); the int8 copy is ONNX Runtime's dynamic quantisation
of the graph as exported, per output channel (per-tensor scales cost e5 three times as much
cosine), after SmoothQuant's smoothing (`smooth`): activations quantised per tensor cannot hold
the outlier channels of the layer norms' and GELU's outputs, so each matrix product's input
channels are divided by a factor that its weights' rows take on. Calibrated on texts of the
shipped documents (`rag/models/calibration-nl.txt`), every matrix product can be int8: on
sentences of documents the calibration did not see, the mean cosine with fp32 is 0.9990 and
embedding is about a quarter faster than with the twelve feed-forward output projections kept
in fp32, the previous way (0.9989); without smoothing, all int8 gives 0.9959. Nothing is
downloaded: the source is a local model directory.

The result is a directory next to the model with `model.onnx`, the model's
`tokenizer.json` and `embedder.json` (dimension, sequence length, where it came from). It
is built in a temporary directory and renamed into place under a file lock, and a marker
written last tells a finished export from an interrupted one, as for the conversion.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from filelock import FileLock

from rag.errors import ConfigurationError
from rag.retrieval.e5_conversion import swap_into_place

log = logging.getLogger(__name__)

#: Written last into an export; without it the directory is redone.
MARKER_NAME = ".bronwijzer-onnx.json"
#: Bump when the export itself changes, so that existing exports are redone.
EXPORT_VERSION = "5"
#: The models inside an export directory, by precision.
MODEL_FILES = {"fp32": "model-fp32.onnx", "int8": "model-int8.onnx"}
_OPSET = 17
#: What the int8 export calibrates its smoothing on (`scripts/calibration_texts.py`).
CALIBRATION_FILE = Path(__file__).resolve().parent.parent / "models" / "calibration-nl.txt"
#: SmoothQuant's migration strength: how much of an input channel's range moves into the
#: weights (0: none, 1: all). Chosen on the cosine with fp32 of sentences of the shipped
#: documents, calibrated on one document and measured on the other four (0.5-1.0 tried).
SMOOTHING = 0.75


def onnx_dir_for(model_dir: Path) -> Path:
    """Where the ONNX export of `model_dir` lives: a sibling directory named after it."""
    model_dir = Path(model_dir)
    return model_dir.parent / f"{model_dir.name}-onnx-v{EXPORT_VERSION}"


def _read_json(path: Path) -> dict | list:
    return json.loads(path.read_text(encoding="utf-8"))


def _pooling_of(model_dir: Path) -> tuple[int, int]:
    """(dimension, max sequence length) of a mean-pooling sentence-transformers directory."""
    modules_file = model_dir / "modules.json"
    if not modules_file.is_file():
        raise ConfigurationError(
            f"'{model_dir}' is geen sentence-transformers-map (modules.json ontbreekt); "
            "int8 kan alleen van een lokaal model worden gemaakt. Zet BRONWIJZER_EMBEDDING_PRECISION=fp32."
        )
    modules = _read_json(modules_file)
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    pooling = next((m for m in modules if m["type"].endswith("Pooling")), None)
    config = _read_json(model_dir / pooling["path"] / "config.json") if pooling else {}
    if kinds[:2] != ["Transformer", "Pooling"] or not config.get("pooling_mode_mean_tokens", config.get("pooling_mode") == "mean"):
        raise ConfigurationError(
            f"Het model in '{model_dir}' gebruikt geen gemiddelde pooling ({', '.join(kinds)}); de int8-versie "
            "ondersteunt alleen Transformer + gemiddelde pooling. Zet BRONWIJZER_EMBEDDING_PRECISION=fp32."
        )
    st_config = model_dir / "sentence_bert_config.json"
    max_length = int(_read_json(st_config).get("max_seq_length") or 512) if st_config.is_file() else 512
    return int(config.get("word_embedding_dimension") or 0), max_length


def _export_fp32(model_dir: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()

    class MeanPooled(torch.nn.Module):
        """Encoder, mean over the real tokens, unit length: what the sentence-transformers modules do."""

        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    # Eager attention: its graph is the one ONNX Runtime's transformer optimizer fuses (`_fuse`).
    encoder = AutoModel.from_pretrained(str(model_dir), add_pooling_layer=False, attn_implementation="eager")
    module = MeanPooled(encoder).eval()
    # Two rows of different length, so that padding is part of the traced graph.
    ids = torch.tensor([[0, 100, 200, 2], [0, 100, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    with torch.no_grad(), warnings.catch_warnings():
        # The TorchScript exporter is deprecated in favour of the dynamo one, which needs onnxscript
        # and does not handle this encoder's masks yet; its tracer warnings are about branches that
        # do not depend on the input here.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module, (ids, mask), str(target),
            input_names=["input_ids", "attention_mask"], output_names=["sentence_embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                          "sentence_embedding": {0: "batch"}},
            opset_version=_OPSET, dynamo=False,
        )


def feed_forward_outputs(model_file: Path, intermediate: int, hidden: int) -> list[str]:
    """The MatMul nodes that project the feed-forward layer back to the hidden size (weight
    `intermediate x hidden`): their input is the GELU output, whose outliers int8 cannot hold."""
    import onnx

    model = onnx.load(str(model_file))
    shapes = {init.name: tuple(init.dims) for init in model.graph.initializer}
    return [
        node.name for node in model.graph.node
        if node.op_type == "MatMul" and any(shapes.get(x) == (intermediate, hidden) for x in node.input)
    ]


def _same_vectors(source: Path, target: Path, feed: dict) -> bool:
    """Whether two graphs give the same unit vectors for `feed` (cosine 0.99999 on every row)."""
    import onnxruntime as ort

    before, after = (ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]).run(None, feed)[0] for p in (source, target))
    return bool(((before * after).sum(axis=1) > 0.99999).all())


def padded(rows: Sequence[Sequence[int]], pad: int) -> dict:
    """The model's feed for token id `rows` of any lengths: ids padded with `pad` to the longest
    row, and the attention mask of the real tokens (int64, as the export takes them)."""
    import numpy as np

    ids = np.full((len(rows), max(len(r) for r in rows)), pad, dtype=np.int64)
    mask = np.zeros(ids.shape, dtype=np.int64)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    return {"input_ids": ids, "attention_mask": mask}


def _calibration_batches(texts: list[str], tokenizer_file: Path, max_length: int, batch_size: int = 8):
    """Padded batches of `texts` as the embedder feeds them: (feed, mask of the real tokens)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.enable_truncation(max_length)
    tokenizer.no_padding()
    pad = tokenizer.token_to_id("<pad>") or 0
    encodings = sorted(tokenizer.encode_batch(texts), key=lambda e: len(e.ids))
    for start in range(0, len(encodings), batch_size):
        feed = padded([e.ids for e in encodings[start : start + batch_size]], pad)
        yield feed, feed["attention_mask"].astype(bool)


def smooth(source: Path, target: Path, texts: list[str], tokenizer_file: Path, max_length: int, alpha: float = SMOOTHING) -> int:
    """Write `source` with SmoothQuant's smoothing (Xiao et al., 2023) of every matrix product
    with a weight of its own: its input is divided per channel by s = max|x|^alpha /
    max|w|^(1 - alpha), x over the calibration `texts`, w the weight's row for that channel, and
    the weight's rows are multiplied by s. The graph computes the same function (checked:
    cosine 0.99999 on the texts), but its activations have no channels far outside the rest,
    which per-tensor int8 could not hold. Returns how many products were smoothed."""
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import helper, numpy_helper

    model = onnx.load(str(source))
    weights = {init.name: init for init in model.graph.initializer}
    uses: dict[str, int] = {}
    for node in model.graph.node:
        for name in node.input:
            uses[name] = uses.get(name, 0) + 1
    products = [
        node for node in model.graph.node
        if node.op_type == "MatMul" and node.input[1] in weights and len(weights[node.input[1]].dims) == 2
        and uses[node.input[1]] == 1  # a weight shared with another product cannot take on one product's scale
    ]
    inputs = sorted({node.input[0] for node in products})
    outputs = len(model.graph.output)
    model.graph.output.extend(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None) for name in inputs)
    probe_file = target.with_name(f"{target.stem}.probe.onnx")
    onnx.save(model, str(probe_file))  # the graph with the products' inputs as outputs
    del model.graph.output[outputs:]
    try:
        session = ort.InferenceSession(str(probe_file), providers=["CPUExecutionProvider"])
        ranges: dict[str, np.ndarray] = {}
        for feed, real in _calibration_batches(texts, tokenizer_file, max_length):
            for name, values in zip(inputs, session.run(inputs, feed)):
                if values.ndim != 3:
                    raise ValueError(f"the input of a matrix product, {name}, is not (batch, tokens, channels)")
                top = np.abs(values[real]).max(axis=0)
                ranges[name] = np.maximum(ranges[name], top) if name in ranges else top
        del session
    finally:
        probe_file.unlink(missing_ok=True)
    scaled: dict[int, object] = {}
    for k, node in enumerate(products):
        weight = numpy_helper.to_array(weights[node.input[1]])
        factor = np.maximum(ranges[node.input[0]], 1e-5) ** alpha / np.maximum(np.abs(weight).max(axis=1), 1e-5) ** (1 - alpha)
        factor = factor.clip(1e-3, 1e3).astype(np.float32)
        weights[node.input[1]].CopyFrom(numpy_helper.from_array((weight * factor[:, None]).astype(np.float32), node.input[1]))
        divisor = f"smoothing_{k}"
        model.graph.initializer.append(numpy_helper.from_array((1 / factor).astype(np.float32), divisor))
        smoothed = f"{node.input[0]}_smoothed_{k}"
        scaled[id(node)] = helper.make_node("Mul", [node.input[0], divisor], [smoothed], name=f"Smoothing_{k}")
        node.input[0] = smoothed
    nodes = []
    for node in model.graph.node:
        if id(node) in scaled:  # by identity: a node's name may be empty
            nodes.append(scaled[id(node)])
        nodes.append(node)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    onnx.save(model, str(target))
    feed, _ = next(_calibration_batches(texts[:: max(1, len(texts) // 8)][:8], tokenizer_file, max_length))
    if not _same_vectors(source, target, feed):
        raise ValueError("smoothing changes the vectors")
    return len(products)


def _int8(source: Path, target: Path, config: dict, tokenizer_file: Path, max_length: int, passage_prefix: str) -> str:
    """Write the int8 model of `source` to `target`: smoothed, every product int8; if smoothing
    fails (another architecture, no calibration texts), the feed-forward output projections
    stay fp32 instead. Returns how it was made, for `embedder.json`."""
    smoothed = target.with_name(f"{target.stem}.smoothed.onnx")
    try:
        products = smooth(source, smoothed, calibration_texts(passage_prefix), tokenizer_file, max_length)
        _quantize(smoothed, target, [])
        return f"all {products} matrix products int8, after smoothing (SmoothQuant, alpha {SMOOTHING})"
    except Exception as exc:
        log.warning("Smoothing %s for int8 failed (%s); its feed-forward output projections stay fp32", source.name, exc)
        keep_fp32 = feed_forward_outputs(source, int(config["intermediate_size"]), int(config["hidden_size"]))
        _quantize(source, target, keep_fp32)
        return f"the {len(keep_fp32)} feed-forward output projections stay fp32"
    finally:
        smoothed.unlink(missing_ok=True)


def calibration_texts(prefix: str = "") -> list[str]:
    """The calibration texts of `CALIBRATION_FILE`, each after `prefix` (the model's passage prefix)."""
    lines = CALIBRATION_FILE.read_text(encoding="utf-8").splitlines()
    return [prefix + line for line in lines if line.strip() and not line.startswith("#")]


#: Texts of other lengths, padded in one batch, on which a fused graph must give the vectors of
#: the graph it came from.
_FUSION_CHECK = ("Een korte zin.", "Een wat langere zin over de vijvers in het park en de kikkers die er wonen. " * 8)


def _fuse(source: Path, target: Path, config: dict, tokenizer_file: Path, max_length: int) -> list[str]:
    """Write `source` with the attention, layer norms and GELU of each layer fused into single
    operators (ONNX Runtime's transformer optimizer, BERT family): a quarter faster on passages
    of chunk length. The fused graph is kept only if it gives the same vectors (cosine 0.99999
    on a padded batch); otherwise `source` is copied. Returns the fused operators."""
    # The optimizer logs every pass at INFO under loggers of its own modules' names.
    for name in ("onnx_model", "onnx_model_bert", "fusion_base", "fusion_utils"):
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        from onnxruntime.transformers.optimizer import optimize_model

        optimized = optimize_model(
            str(source), model_type="bert", num_heads=int(config["num_attention_heads"]),
            hidden_size=int(config["hidden_size"]), opt_level=1, use_gpu=False,
        )
        optimized.save_model_to_file(str(target))
        fused = sorted(k for k, v in optimized.get_fused_operator_statistics().items() if v)
        feed, _ = next(_calibration_batches(list(_FUSION_CHECK), tokenizer_file, max_length, len(_FUSION_CHECK)))
        if not _same_vectors(source, target, feed):
            raise ValueError("the fused graph changes the vectors")
    except Exception as exc:  # an architecture the optimizer does not know, no optimizer, other vectors: run it as exported
        log.warning("ONNX fusion of %s failed (%s); using the unfused export", source, exc)
        shutil.copy2(source, target)
        return []
    return fused


def _quantize(source: Path, target: Path, keep_fp32: list[str]) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The quantizer logs on the root logger: a line at INFO for every tensor and matrix product
    # (about 100 for e5-small, which flood `bronwijzer -v ingest`) and, at WARNING, advice to
    # run shape pre-processing first, which this graph does without (the int8 vectors are
    # checked against fp32 in tests/rag/test_onnx_embeddings.py). Its other warnings pass.
    chatter = _QuantizerChatter()
    logging.getLogger().addFilter(chatter)
    try:
        quantize_dynamic(str(source), str(target), per_channel=True, weight_type=QuantType.QInt8, nodes_to_exclude=keep_fp32)
    finally:
        logging.getLogger().removeFilter(chatter)


class _QuantizerChatter(logging.Filter):
    """Drops onnxruntime.quantization's records below WARNING and its pre-processing advice."""

    ADVICE = "pre-processing before quantization"

    def filter(self, record: logging.LogRecord) -> bool:
        if f"onnxruntime{os.sep}quantization" not in record.pathname:
            return True
        return record.levelno >= logging.WARNING and self.ADVICE not in record.getMessage()


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def export_onnx(model_dir: Path, target_dir: Path, passage_prefix: str = "") -> Path:
    """Write the fp32 and int8 ONNX exports of the sentence-transformers model in `model_dir` to
    `target_dir`; the int8 smoothing is calibrated on texts after `passage_prefix`, as they are embedded."""
    model_dir, target_dir = Path(model_dir), Path(target_dir)
    dimension, max_length = _pooling_of(model_dir)
    if not (model_dir / "tokenizer.json").is_file():
        raise ConfigurationError(f"'{model_dir}' heeft geen tokenizer.json; zet BRONWIJZER_EMBEDDING_PRECISION=fp32.")
    started = time.perf_counter()
    log.info("Exporting %s to ONNX (fp32, int8), once per model: about a minute", model_dir.name)
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.", dir=target_dir.parent))
    try:
        building.chmod(0o755)
        exported = building / "exported.onnx"
        _export_fp32(model_dir, exported)
        config = _read_json(model_dir / "config.json")
        # The quantiser cannot read the fused operators: int8 comes from the graph as exported.
        int8 = _int8(exported, building / MODEL_FILES["int8"], config, model_dir / "tokenizer.json", max_length, passage_prefix)
        fused = _fuse(exported, building / MODEL_FILES["fp32"], config, model_dir / "tokenizer.json", max_length)
        exported.unlink()
        for name in MODEL_FILES.values():
            (building / name).chmod(0o644)
        shutil.copy2(model_dir / "tokenizer.json", building / "tokenizer.json")
        info = {
            "dimension": dimension,
            "max_seq_length": max_length,
            "pooling": "mean",
            "normalized": True,
            "fp32": f"fused: {', '.join(fused)}" if fused else "as exported",
            "int8": f"dynamic int8, per channel (onnxruntime.quantization.quantize_dynamic); {int8}",
            "source": str(model_dir),
            "export_version": EXPORT_VERSION,
            "versions": {name: _version(name) for name in ("torch", "transformers", "onnx", "onnxruntime")},
        }
        (building / "embedder.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        (building / MARKER_NAME).write_text(json.dumps({"exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}) + "\n")
        swap_into_place(building, target_dir)
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
    log.info("Exported %s to ONNX (fp32, int8) in %s (%.1f s)", model_dir.name, target_dir, time.perf_counter() - started)
    return target_dir


def onnx_exported(model_dir: Path) -> bool:
    """Whether the ONNX export of `model_dir` is finished (its marker)."""
    return (onnx_dir_for(model_dir) / MARKER_NAME).is_file()


def ensure_onnx(model_dir: Path, passage_prefix: str = "") -> Path:
    """The ONNX export of `model_dir`, made on first use; concurrent callers wait for the one export.
    `passage_prefix`: what the model's passages start with (e5: "passage: "), for the calibration."""
    target = onnx_dir_for(model_dir)
    if onnx_exported(model_dir):
        return target
    with FileLock(str(target.parent / f"{target.name}.lock")):
        if not onnx_exported(model_dir):
            export_onnx(model_dir, target, passage_prefix)
    return target
