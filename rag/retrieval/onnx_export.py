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
of the graph as exported, per output channel
(per-tensor scales cost e5 three times as much cosine), except the feed-forward output
projections: their input is the GELU output, whose outliers int8 cannot hold. Keeping those
twelve MatMuls in fp32 brings the mean cosine with fp32 from 0.9965 to 0.9990 for a fifth of
the speed-up. Nothing is downloaded: the source is a local model directory.

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
from importlib import metadata
from pathlib import Path

from filelock import FileLock

from rag.errors import ConfigurationError
from rag.retrieval.e5_conversion import swap_into_place

log = logging.getLogger(__name__)

#: Written last into an export; without it the directory is redone.
MARKER_NAME = ".bronwijzer-onnx.json"
#: Bump when the export itself changes, so that existing exports are redone.
EXPORT_VERSION = "4"
#: The models inside an export directory, by precision.
MODEL_FILES = {"fp32": "model-fp32.onnx", "int8": "model-int8.onnx"}
_OPSET = 17


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


#: Texts of other lengths, padded in one batch, on which a fused graph must give the vectors of
#: the graph it came from.
_FUSION_CHECK = ("Een korte zin.", "Een wat langere zin over de vijvers in het park en de kikkers die er wonen. " * 8)


def _fuse(source: Path, target: Path, config: dict, tokenizer_file: Path) -> list[str]:
    """Write `source` with the attention, layer norms and GELU of each layer fused into single
    operators (ONNX Runtime's transformer optimizer, BERT family): a quarter faster on passages
    of chunk length. The fused graph is kept only if it gives the same vectors (cosine 0.99999
    on a padded batch); otherwise `source` is copied. Returns the fused operators."""
    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer

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
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        pad = tokenizer.token_to_id("<pad>")
        tokenizer.enable_padding(**({"pad_id": pad, "pad_token": "<pad>"} if pad is not None else {}))  # as the embedder pads
        encodings = tokenizer.encode_batch(list(_FUSION_CHECK))
        feed = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64)}
        vectors = [ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, feed)[0] for path in (source, target)]
        if not ((vectors[0] * vectors[1]).sum(axis=1) > 0.99999).all():
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


def export_onnx(model_dir: Path, target_dir: Path) -> Path:
    """Write the fp32 and int8 ONNX exports of the sentence-transformers model in `model_dir` to `target_dir`."""
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
        keep_fp32 = feed_forward_outputs(exported, int(config["intermediate_size"]), int(config["hidden_size"]))
        # The quantiser cannot read the fused operators: int8 comes from the graph as exported.
        _quantize(exported, building / MODEL_FILES["int8"], keep_fp32)
        fused = _fuse(exported, building / MODEL_FILES["fp32"], config, model_dir / "tokenizer.json")
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
            "int8": "dynamic int8, per channel (onnxruntime.quantization.quantize_dynamic); "
            f"the {len(keep_fp32)} feed-forward output projections stay fp32",
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


def ensure_onnx(model_dir: Path) -> Path:
    """The ONNX export of `model_dir`, made on first use; concurrent callers wait for the one export."""
    target = onnx_dir_for(model_dir)
    if onnx_exported(model_dir):
        return target
    with FileLock(str(target.parent / f"{target.name}.lock")):
        if not onnx_exported(model_dir):
            export_onnx(model_dir, target)
    return target
