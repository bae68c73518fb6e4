"""What the OpenAPI schema cannot say, told to schemathesis (tests/app/test_schema_fuzz.py).

Two rules span several fields, which JSON Schema cannot express: a year range must not run
backwards, and a chat completion's last user/assistant message must be a question from the
user. The API refuses both with a Dutch 422 (tested in test_api.py); the fuzzer's positive
cases keep to them, so that "valid data is accepted" means what it says.
"""

from __future__ import annotations

import schemathesis


def _text(content) -> str:
    if isinstance(content, list):
        return "".join(p.get("text") or "" for p in content if isinstance(p, dict) and p.get("type") == "text")
    return content if isinstance(content, str) else ""


@schemathesis.hook
def filter_body(ctx, body) -> bool:
    operation = ctx.operation
    if operation is None or not isinstance(body, dict):
        return True
    if operation.path in ("/api/ask", "/api/ask/stream", "/api/search"):
        filters = body.get("filters")
        if isinstance(filters, dict):
            start, end = filters.get("year_from"), filters.get("year_to")
            if type(start) is int and type(end) is int and start and end:
                return start <= end
    if operation.path == "/v1/chat/completions":
        messages = body.get("messages")
        if isinstance(messages, list) and all(isinstance(m, dict) for m in messages):
            conversation = [m for m in messages if m.get("role") in ("user", "assistant")]
            return bool(conversation) and conversation[-1].get("role") == "user" and bool(_text(conversation[-1].get("content")).strip())
    return True
