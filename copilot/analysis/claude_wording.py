"""Claude's wording of the reflection questions: the function behind the contract in
`copilot/reflection/wording.py`, which reaches it as `copilot.analysis.claude`'s
`reword_reflection_prompts`.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from copilot.analysis.claude_client import make_client, messages_url
from copilot.analysis.claude_logged import EgressLog, parse_logged, timeout_of
from copilot.analysis.redaction import Redaction
from copilot.settings import Settings
from copilot.storage.repository import SessionStore

WORDING_PROMPT = "reflection_wording"
WORDING_MAX_TOKENS = 2_048


class _Reworded(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    question: str


class _Rewordings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rewordings: list[_Reworded]


def reword_reflection_prompts(
    prompts: list[dict[str, Any]], settings: Settings, store: SessionStore, session_id: str
) -> dict[str, str]:
    """New wording for the therapist's reflection questions: {prompt id: question}.

    The quotes and questions are redacted (the client's label) before they are sent and the
    request is logged like every other; placeholders are restored in what comes back. Raises
    `AnalyserError` with one line on any failure; the caller keeps the local wording."""
    from copilot.prompts import load

    if not prompts:
        return {}
    prompt = load(WORDING_PROMPT)
    client = make_client(settings)
    redaction = Redaction(client_label=store.get(session_id).client_label)
    items = [
        {k: redaction.redact(v) if k in ("quote", "question") else v for k, v in p.items()}
        for p in prompts
    ]
    text = prompt.render(
        prompt.meta["user"],
        count=len(items),
        prompts_json=json.dumps(items, ensure_ascii=False, indent=1),
    )
    request = {
        "model": settings.claude_model,
        "max_tokens": WORDING_MAX_TOKENS,
        "system": [{"type": "text", "text": prompt.render(t)} for t in prompt.meta["system"]],
        "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}],
    }
    destination = messages_url(client)
    log = EgressLog(store, session_id, destination, settings.claude_model, prompt)
    answer = parse_logged(
        client.with_middleware(log), log, store, request, _Rewordings, timeout_of(client)
    )
    wanted = {str(p["id"]) for p in prompts}
    return {
        r.id: redaction.restore(r.question.strip())
        for r in answer.rewordings
        if r.id in wanted and r.question.strip()
    }
