"""The ONNX export of the bundled e5 and the embedder that runs it (real model, real ONNX Runtime)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from rag.retrieval.embedders import make_embedder, sentence_embedder
from rag.retrieval.embeddings import SentenceTransformerEmbedder
from rag.errors import ConfigurationError, EmbeddingModelMismatchError
from rag.retrieval.onnx_embeddings import OnnxEmbedder
from rag.retrieval.onnx_export import EXPORT_VERSION, MARKER_NAME, MODEL_FILES, ensure_onnx, onnx_dir_for
from rag.retrieval.store import ChromaStore

pytestmark = pytest.mark.slow

TEXTS = [
    "De kikkerstand in de vijvers van Kikkerdorp is gestegen tot 9.800 dieren.",
    "kort",
    "Schoolleiders besteden veel tijd aan personeelsbeleid en aan het vinden van vervangers. " * 20,
]


def test_default_embedder_is_onnx_fp32_with_the_model_identity_of_torch(make_settings):
    embedder = make_embedder(make_settings())
    assert isinstance(embedder, OnnxEmbedder) and embedder.precision == "fp32"
    assert embedder.model_name == make_embedder(make_settings(embedding_runtime="torch")).model_name
    assert make_embedder(make_settings(embedding_precision="int8")).model_name.endswith(f"@int8-v{EXPORT_VERSION}")
    with pytest.raises(ConfigurationError):
        make_embedder(make_settings(embedding_runtime="torch", embedding_precision="int8"))


def test_fp32_vectors_equal_torch_and_int8_stay_close(make_settings, embedder):
    torch_vectors = np.array(SentenceTransformerEmbedder(make_settings()).embed_documents(TEXTS))
    fp32 = np.array(embedder.embed_documents(TEXTS))
    int8 = np.array(OnnxEmbedder(make_settings(), precision="int8").embed_documents(TEXTS))
    assert np.allclose(np.linalg.norm(fp32, axis=1), 1.0, atol=1e-5)
    assert ((fp32 * torch_vectors).sum(axis=1) > 0.99999).all()
    cosines = (int8 * torch_vectors).sum(axis=1)
    assert (cosines > 0.99).all() and (cosines < 0.99999).any()  # int8 is really another model
    # Order and batching do not change a vector (batches are sorted by length inside).
    single = np.array([embedder.embed_documents([t])[0] for t in TEXTS])
    assert np.allclose(single, fp32, atol=1e-5)
    query = np.array(embedder.embed_query(TEXTS[0]))
    assert float(query @ fp32[0]) < 0.9999  # the query prefix is not the passage prefix


def test_the_int8_embedder_made_from_a_loaded_one_reads_no_second_tokenizer(make_settings, monkeypatch):
    fp32 = OnnxEmbedder(make_settings())
    before = fp32.with_precision("int8")  # made before fp32 has loaded, as a pipeline does
    fp32.embed_documents(TEXTS[:1])

    def no_second_read(path):
        raise AssertionError(f"tokenizer read again from {path}")

    monkeypatch.setattr("tokenizers.Tokenizer.from_file", no_second_read)
    vectors = np.array(before.embed_documents(TEXTS))
    assert before.precision == "int8" and before._tokenizer is fp32._tokenizer
    monkeypatch.undo()
    alone = np.array(OnnxEmbedder(make_settings(), precision="int8").embed_documents(TEXTS))
    assert np.allclose(vectors, alone, atol=1e-6)


def test_a_spread_embedder_runs_its_batches_side_by_side_with_the_same_vectors(make_settings):
    settings = make_settings(embed_threads=2, embed_batch_size=2)
    texts = [f"In vijver {i} van Kikkerdorp telden de tellers {i * 37} kikkers{' en padden' * i}." for i in range(9)]
    plain = OnnxEmbedder(settings, precision="int8")
    spread = OnnxEmbedder(settings).with_precision("int8", spread=True)
    expected = np.array(plain.embed_documents(texts))
    vectors = np.array(spread.embed_documents(texts))
    assert np.array_equal(vectors, expected)  # the same batches, so the same vectors
    assert set(spread._sessions) == {(1, 0), (1, 1)} and set(plain._sessions) == {(2, 0)}

    # A failing batch fails the call, whichever worker ran it.
    threads_seen: set[str] = set()

    class Failing:
        def run(self, *args):
            threads_seen.add(threading.current_thread().name)
            raise RuntimeError("kapotte sessie")

    spread._sessions[(1, 1)] = Failing()
    with pytest.raises(RuntimeError, match="kapotte sessie"):
        spread.embed_documents(texts)
    assert all(name.startswith("onnx-batch") for name in threads_seen)
    # One batch runs on the first session alone (the failing second one is not called); no
    # text, no rows.
    assert np.array_equal(np.array(spread.embed_documents(texts[:2])), expected[:2])
    assert spread.encode([], 2).shape == (0, spread.dimension)


def test_the_sentence_embedder_runs_batches_of_its_own_size(make_settings):
    settings = make_settings(embed_threads=2, embed_batch_size=4, sentence_batch_size=1)
    texts = [f"Vijver {i} van Kikkerdorp telde {i * 41} kikkers{' en enkele salamanders' * (i % 4)}." for i in range(7)]
    sentences = sentence_embedder(settings, make_embedder(settings))
    assert (sentences.precision, sentences.spread, sentences.batch_size) == ("int8", True, 1)
    int8 = OnnxEmbedder(settings, precision="int8")
    assert int8.batch_size == 4  # the chunks' batch size unless told otherwise
    alone = np.array([int8.embed_documents([t])[0] for t in texts])
    assert np.array_equal(np.array(sentences.embed_documents(texts)), alone)  # each text its own batch
    # In batches of 4 the vectors differ a little: int8 scales a batch by its own range.
    together = np.array(int8.embed_documents(texts))
    assert not np.array_equal(together, alone) and ((together * alone).sum(axis=1) > 0.99).all()


def test_export_is_made_once_under_a_lock_and_redone_when_unfinished(tmp_path, models_dir):
    source = SentenceTransformerEmbedder(make_settings_for(models_dir)).model_path()
    copy = tmp_path / "model"
    import shutil

    shutil.copytree(source, copy)
    results, errors = [], []

    def export() -> None:
        try:
            results.append(ensure_onnx(copy))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=export) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results[0] == results[1] == onnx_dir_for(copy)
    target = results[0]
    assert all((target / name).is_file() for name in MODEL_FILES.values())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no half-built leftovers
    marker_time = (target / MARKER_NAME).stat().st_mtime_ns
    assert ensure_onnx(copy) == target and (target / MARKER_NAME).stat().st_mtime_ns == marker_time
    (target / MARKER_NAME).unlink()  # as after a crash mid-export
    ensure_onnx(copy)
    assert (target / MARKER_NAME).is_file()


def make_settings_for(models_dir):
    from rag.settings import Settings

    return Settings(_env_file=None, home=models_dir.parent, model_cache=models_dir)


def test_an_index_built_at_int8_is_not_queried_at_fp32(make_settings, embedder):
    settings = make_settings()
    store = ChromaStore(settings)
    int8 = OnnxEmbedder(settings, precision="int8")
    store.ensure_model(int8.model_name, int8.dimension)
    with pytest.raises(EmbeddingModelMismatchError):
        store.ensure_model(embedder.model_name, embedder.dimension)


def test_a_model_without_mean_pooling_cannot_be_exported(tmp_path):
    from rag.retrieval.onnx_export import export_onnx

    (tmp_path / "modules.json").write_text('[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}]')
    with pytest.raises(ConfigurationError, match="pooling"):
        export_onnx(tmp_path, tmp_path.parent / "out")


def test_a_graph_the_optimizer_cannot_fuse_is_used_as_exported(tmp_path, monkeypatch, caplog):
    import onnxruntime.transformers.optimizer as optimizer

    from rag.retrieval.onnx_export import _fuse

    def unknown_architecture(*args, **kwargs):
        raise ValueError("no fusion for this graph")

    monkeypatch.setattr(optimizer, "optimize_model", unknown_architecture)
    source = tmp_path / "exported.onnx"
    source.write_bytes(b"the graph as exported")
    config = {"num_attention_heads": 2, "hidden_size": 8}
    assert _fuse(source, tmp_path / "model-fp32.onnx", config, tmp_path / "tokenizer.json", 512) == []
    assert (tmp_path / "model-fp32.onnx").read_bytes() == b"the graph as exported"
    assert "using the unfused export" in caplog.text


def test_quantizing_keeps_the_quantizer_chatter_out_of_the_operators_log(tmp_path, caplog):
    import logging

    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    from rag.retrieval.onnx_export import _quantize

    weights = numpy_helper.from_array(np.random.RandomState(0).randn(8, 4).astype(np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["h"]), helper.make_node("Relu", ["h"], ["y"])], "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 4])], [weights],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), tmp_path / "tiny.onnx")
    with caplog.at_level(logging.INFO):
        _quantize(tmp_path / "tiny.onnx", tmp_path / "tiny-int8.onnx", [])
        logging.getLogger().info("a line of our own")  # the filter is gone again
    assert [r.getMessage() for r in caplog.records] == ["a line of our own"]
    x = np.ones((1, 8), dtype=np.float32)
    assert ort.InferenceSession(str(tmp_path / "tiny-int8.onnx"), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0].shape == (1, 4)


def test_an_embedder_is_prepared_once_its_model_is_converted_and_exported(tmp_path, models_dir, embedder):
    from rag.retrieval.e5_conversion import bundled_model_name
    from rag.settings import Settings

    empty = Settings(_env_file=None, home=tmp_path / "home", model_cache=tmp_path / "empty")
    assert not SentenceTransformerEmbedder(empty).prepared
    assert not make_embedder(empty).prepared
    converted_only = tmp_path / "converted"  # the conversion done, the ONNX export not yet
    converted_only.mkdir()
    (converted_only / bundled_model_name()).symlink_to(models_dir / bundled_model_name())
    settings = Settings(_env_file=None, home=tmp_path / "home", model_cache=converted_only)
    assert SentenceTransformerEmbedder(settings).prepared
    assert not make_embedder(settings).prepared
    assert embedder.prepared  # the session's embedder has loaded: converted and exported
    assert not (tmp_path / "empty").exists()  # asking converts and exports nothing


@pytest.fixture
def tiny_encoder(tmp_path, models_dir):
    """An invented encoder over the bundled model's tokenizer, in tmp_path/tiny.onnx: token table
    -> a scale -> two matrix products -> mean over tokens -> unit length. The scale makes channel
    3 sixty times the others and its weights as much smaller, as a layer norm's output has a few
    such channels, which the next layer weighs little. Returns (model file, tokenizer file)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from tokenizers import Tokenizer

    from rag.retrieval.e5_conversion import bundled_model_name

    tokenizer = models_dir / bundled_model_name() / "tokenizer.json"
    outlier = 60.0
    rng = np.random.RandomState(0)
    table = rng.randn(Tokenizer.from_file(str(tokenizer)).get_vocab_size(), 8).astype(np.float32)
    scale = np.ones(8, dtype=np.float32)
    scale[3] = outlier
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["t"], name="embed"),
        helper.make_node("Mul", ["t", "scale"], ["x"], name="norm"),
        helper.make_node("MatMul", ["x", "w1"], ["h"], name="up"),
        helper.make_node("Relu", ["h"], ["r"], name="relu"),
        helper.make_node("MatMul", ["r", "w2"], ["y"], name="down"),
        helper.make_node("ReduceMean", ["y"], ["pooled"], axes=[1], keepdims=0),
        helper.make_node("LpNormalization", ["pooled"], ["sentence_embedding"], axis=1, p=2),
    ]
    first = rng.randn(8, 16).astype(np.float32)
    first[3] /= outlier
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [None, None]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, [None, None])],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, [None, 6])],
        [numpy_helper.from_array(table, "table"), numpy_helper.from_array(scale, "scale"), numpy_helper.from_array(first, "w1"),
         numpy_helper.from_array(rng.randn(16, 6).astype(np.float32), "w2")],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), tmp_path / "tiny.onnx")
    return tmp_path / "tiny.onnx", tokenizer


def test_smoothing_keeps_the_function_and_int8_loses_less_of_it(tmp_path, tiny_encoder):
    """SmoothQuant on an invented two-layer encoder with one outlier channel: the smoothed graph
    gives the same vectors, and quantised it is closer to fp32 than quantised as it was."""
    import onnxruntime as ort

    from rag.retrieval.onnx_export import _calibration_batches, _quantize, smooth

    model, tokenizer = tiny_encoder
    texts = ["De vijvers van het stadspark kregen in 2024 nieuwe oevers.", "Kikkers leggen eieren in ondiep water.",
             "Het parkbureau telde 412 bomen in de wijk Noord en 388 in de wijk Zuid, een kwart meer dan in 2019."]
    assert smooth(model, tmp_path / "smoothed.onnx", texts, tokenizer, 512) == 2
    _quantize(model, tmp_path / "plain-int8.onnx", [])
    _quantize(tmp_path / "smoothed.onnx", tmp_path / "smoothed-int8.onnx", [])
    feed, _ = next(_calibration_batches(["Een andere zin over de eendenkooi achter de molen.", *texts], tokenizer, 512))

    def vectors(name):
        return ort.InferenceSession(str(tmp_path / name), providers=["CPUExecutionProvider"]).run(None, feed)[0]

    fp32 = vectors("tiny.onnx")
    assert np.allclose(vectors("smoothed.onnx"), fp32, atol=1e-5)
    plain, smoothed = (1 - (vectors(f"{name}-int8.onnx") * fp32).sum(axis=1) for name in ("plain", "smoothed"))
    assert smoothed.mean() < plain.mean() / 10


def test_the_export_is_fused_at_fp32_and_smoothed_at_int8_close_to_fp32(make_settings, embedder):
    int8 = OnnxEmbedder(make_settings(), precision="int8")
    int8.warm_up()
    # Fusion is kept only when the fused graph gives the same vectors on a padded batch.
    assert int8._info["fp32"].startswith("fused: ") and "SkipLayerNormalization" in int8._info["fp32"]
    assert "after smoothing" in int8._info["int8"]
    texts = [t for t in TEXTS if len(t.split()) > 1] + ["Het parkbureau telde in 2023 ruim 400 bomen, een kwart meer dan in 2019."]
    cosines = (np.array(int8.embed_documents(texts)) * np.array(embedder.embed_documents(texts))).sum(axis=1)
    # With VNNI these texts come within 0.997 of fp32; without it ONNX Runtime's int8 products
    # lose a little more (0.9969 at worst on an AMD EPYC without VNNI, mean 0.9988 over 400 corpus
    # sentences). Without smoothing, all-int8 falls to a mean of 0.996.
    assert cosines.min() > 0.996 and cosines.mean() > 0.998


def test_without_calibration_texts_the_feed_forward_outputs_stay_fp32(tmp_path, tiny_encoder, monkeypatch, caplog):
    import onnx

    from rag.retrieval import onnx_export

    model, tokenizer = tiny_encoder
    config = {"intermediate_size": 16, "hidden_size": 6}
    made = onnx_export._int8(model, tmp_path / "int8.onnx", config, tokenizer, 512, "passage: ")
    assert made.startswith("all 2 matrix products int8")
    assert sum(node.name.startswith("Smoothing") for node in onnx.load(str(tmp_path / "int8.onnx")).graph.node) == 2
    monkeypatch.setattr(onnx_export, "CALIBRATION_FILE", tmp_path / "missing.txt")
    made = onnx_export._int8(model, tmp_path / "int8.onnx", config, tokenizer, 512, "passage: ")
    assert made == "the 1 feed-forward output projections stay fp32" and "Smoothing tiny.onnx for int8 failed" in caplog.text
    nodes = onnx.load(str(tmp_path / "int8.onnx")).graph.node
    assert [n.op_type for n in nodes].count("MatMul") == 1  # the second product stays fp32
    assert not any(n.name.startswith("Smoothing") for n in nodes)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["int8.onnx", "tiny.onnx"]
