"""The optional LLM judge against an OpenAI-compatible endpoint on loopback."""

from __future__ import annotations

from pathlib import Path


from evals.clients import EngineClient
from evals.judge import LLMJudge, judge_from_settings
from evals.report import render_html
from evals.runner import run_eval
from rag.settings import Settings
from tests.evals.conftest import ScriptedEngine, good_script, serve


def chat_completion(content: str) -> dict:
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "rechter",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def verdicts(path, body):
    prompt = body["messages"][-1]["content"]
    if "PASSAGES" in prompt:
        return 200, chat_completion('Oordeel: {"claims": 4, "supported": 3}')
    return 200, chat_completion('{"score": 4}')


def test_llm_judge_scores_faithfulness_and_relevancy():
    with serve(verdicts) as (url, requests):
        judge = LLMJudge(url + "/v1", "rechter")
        assert judge.faithfulness("Vraag?", "Antwoord.", ["passage een", "passage twee"]) == 0.75
        assert judge.answer_relevancy("Vraag?", "Antwoord.") == 0.75  # (4 - 1) / 4
    assert requests[0][0] == "/v1/chat/completions" and requests[0][1]["temperature"] == 0
    assert "[2] passage twee" in requests[0][1]["messages"][-1]["content"]
    assert "rechter" in judge.name


def test_an_unparsable_verdict_is_not_a_score():
    with serve(lambda path, body: (200, chat_completion("Ik weet het niet."))) as (url, _):
        judge = LLMJudge(url, "rechter")
        assert judge.faithfulness("V?", "A.", ["p"]) is None
        assert judge.answer_relevancy("V?", "A.") is None


def test_no_judge_without_an_endpoint(tmp_path: Path):
    assert judge_from_settings(Settings(_env_file=None, home=tmp_path)) is None
    judge = judge_from_settings(Settings(_env_file=None, home=tmp_path, llm_base_url="http://127.0.0.1:9/v1"))
    assert isinstance(judge, LLMJudge)


def test_run_with_a_judge_fills_the_judge_figures(small_set: Path):
    with serve(verdicts) as (url, requests):
        run = run_eval(small_set, EngineClient(ScriptedEngine(good_script())), progress=False,
                       judge=LLMJudge(url, "rechter"))
    # Two answers were not refused (q1, q2): two prompts each; refusals are not judged.
    assert len(requests) == 4
    assert run.figures["faithfulness"] == 0.75 and run.figures["answer_relevancy"] == 0.75
    assert run.results[0].scores.faithfulness == 0.75 and run.results[2].scores.faithfulness is None
    html = render_html(run)
    assert "LLM-beoordelaar rechter" in html and "niet gemeten" not in html
