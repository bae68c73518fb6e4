"""Optional LLM-judge figures: faithfulness and answer relevancy.

Only when an OpenAI-compatible endpoint is configured (`BRONWIJZER_LLM_BASE_URL`); without
one the figures are skipped and the report says so. The prompts are ours and small (ragas
pulls in a large stack and wants network access): the judge returns JSON, which is parsed
strictly; an unparsable verdict counts as "not judged", never as a score.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Protocol

from rag.settings import Settings

FAITHFULNESS_PROMPT = """Je beoordeelt of een antwoord gesteund wordt door bronpassages.
Splits het ANTWOORD in losse feitelijke beweringen. Tel per bewering of ze volledig volgt uit de PASSAGES.
Geef alleen JSON: {{"claims": <aantal beweringen>, "supported": <aantal gesteunde beweringen>}}

VRAAG: {question}

PASSAGES:
{passages}

ANTWOORD: {answer}"""

RELEVANCY_PROMPT = """Je beoordeelt of een antwoord ingaat op de gestelde vraag (niet of het klopt).
Score 1 = gaat er niet op in, 5 = beantwoordt precies wat gevraagd is.
Geef alleen JSON: {{"score": <1-5>}}

VRAAG: {question}

ANTWOORD: {answer}"""

_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


class Judge(Protocol):
    """Scores an answer from 0 to 1; None when it could not judge. `name` goes in the report."""

    @property
    def name(self) -> str: ...

    def faithfulness(self, question: str, answer: str, passages: Sequence[str]) -> float | None: ...

    def answer_relevancy(self, question: str, answer: str) -> float | None: ...


def _verdict(text: str) -> dict | None:
    match = _JSON_OBJECT.search(text)
    if not match:
        return None
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


class LLMJudge:
    """Our two prompts, sent to an OpenAI-compatible chat endpoint through langchain-openai."""

    def __init__(self, base_url: str, model: str, api_key: str = "not-needed", timeout: float = 60.0) -> None:
        from langchain_openai import ChatOpenAI  # only needed when judging

        self._model_name = model
        self._base_url = base_url
        self._chat = ChatOpenAI(
            base_url=base_url, model=model, api_key=api_key, temperature=0, timeout=timeout, max_retries=2
        )

    @property
    def name(self) -> str:
        return f"LLM-beoordelaar {self._model_name} via {self._base_url} (eigen prompts, evals/judge.py)"

    def _ask(self, prompt: str) -> dict | None:
        reply = self._chat.invoke(prompt)
        return _verdict(reply.content if isinstance(reply.content, str) else str(reply.content))

    def faithfulness(self, question: str, answer: str, passages: Sequence[str]) -> float | None:
        numbered = "\n\n".join(f"[{i}] {p}" for i, p in enumerate(passages, start=1))
        verdict = self._ask(FAITHFULNESS_PROMPT.format(question=question, passages=numbered, answer=answer))
        try:
            claims, supported = int(verdict["claims"]), int(verdict["supported"])  # type: ignore[index]
        except (TypeError, KeyError, ValueError):
            return None
        if claims <= 0:
            return None
        return max(0.0, min(1.0, supported / claims))

    def answer_relevancy(self, question: str, answer: str) -> float | None:
        verdict = self._ask(RELEVANCY_PROMPT.format(question=question, answer=answer))
        try:
            score = float(verdict["score"])  # type: ignore[index]
        except (TypeError, KeyError, ValueError):
            return None
        return max(0.0, min(1.0, (score - 1) / 4))


def judge_from_settings(settings: Settings) -> LLMJudge | None:
    """The LLM judge when an endpoint is configured, else None (judge figures skipped)."""
    if not settings.llm_base_url:
        return None
    return LLMJudge(settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout)
