"""Claude's wording of the reflection prompts: used only when the therapist has turned Claude on.

The one thing this needs from the Claude module is a single function, imported lazily:

    copilot.analysis.claude.reword_reflection_prompts(
        prompts: list[dict[str, Any]], settings: Settings, store: SessionStore, session_id: str
    ) -> dict[str, str]

Each prompt it receives is a plain dict — `id`, `aspect`, `facet`, `time` ("m:ss"), `speaker`,
`quote` (the client's or therapist's words, verbatim: the function redacts them before anything
is sent, and logs what it sent, like every request to Claude) and `question` (the local wording).
It returns the new question for each prompt id it reworded; a prompt it leaves out keeps the
local wording. It raises on any failure (a `CopilotError` with one line saying why, ideally).

If the function is missing, cannot be imported, or fails, the local prompts stand and the
therapist sees one line saying so. Nothing here ever stops the prompts from being shown.

`reword` applies a hook under checks: only `question` may change, and a question that tells the
therapist what they felt instead of asking is refused; the local wording stays wherever it strays.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from copilot.domain import ReflectionPrompt
from copilot.settings import Settings
from copilot.storage.repository import SessionStore
from copilot.timefmt import clock

QUESTION_MAX_CHARS = 600
_QUOTED = re.compile(r"“[^”]*”")
_SCRIPTING = re.compile(
    r"\byou (?:must|probably|surely|likely|clearly|obviously)(?: have)? (?:felt|feel|been)\b|"
    r"\byou (?:felt|were feeling|must be feeling)\b|\byou should (?:feel|have felt)\b",
    re.IGNORECASE,
)
CLAUDE_MODULE = "copilot.analysis.claude"
CLAUDE_FUNCTION = "reword_reflection_prompts"
Wording = Callable[[list[ReflectionPrompt]], list[ReflectionPrompt]]


def claude_on(settings: Settings) -> bool:
    return settings.session_analyser == "claude"


def claude_wording(
    settings: Settings, store: SessionStore, session_id: str
) -> tuple[Wording | None, str | None]:
    """The Claude wording hook when Claude is on and available; else None and, when Claude is
    on but unavailable, one line saying why the local wording is shown."""
    if not claude_on(settings):
        return None, None
    try:
        import copilot.analysis.claude as module  # CLAUDE_MODULE; the optional extra lives there

        function = getattr(module, CLAUDE_FUNCTION)
    except Exception as exc:  # a missing extra, a module mid-change: the local wording stands
        return None, f"Claude's wording is unavailable ({_why(exc)}); showing the local prompts"
    if not callable(function):
        return None, f"Claude's wording is unavailable ({CLAUDE_FUNCTION} is not a function)"

    def hook(prompts: list[ReflectionPrompt]) -> list[ReflectionPrompt]:
        wire = [to_wire(p) for p in prompts]
        returned = function(wire, settings=settings, store=store, session_id=session_id)
        if not isinstance(returned, dict):
            raise TypeError(f"{CLAUDE_FUNCTION} returned {type(returned).__name__}, not a dict")
        return [
            p.model_copy(update={"question": str(returned[p.id])}) if p.id in returned else p
            for p in prompts
        ]

    return hook, None


def to_wire(prompt: ReflectionPrompt) -> dict[str, Any]:
    """What the Claude function receives for one prompt: plain data, no reflection types."""
    return {
        "id": prompt.id,
        "aspect": prompt.aspect,
        "facet": prompt.facet,
        "time": clock(prompt.start),
        "speaker": prompt.speaker,
        "quote": prompt.quote,
        "question": prompt.question,
    }


def _why(exc: BaseException) -> str:
    if isinstance(exc, AttributeError):
        return f"{CLAUDE_MODULE} has no {CLAUDE_FUNCTION} yet"
    if isinstance(exc, ImportError):
        return f"{CLAUDE_MODULE} cannot be imported: {type(exc).__name__}"
    line = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {line}" if line else type(exc).__name__


def scripts_feelings(question: str) -> bool:
    """A question that tells the therapist what they felt, instead of asking. Quoted words
    (“…”) are the session's own and are not counted."""
    return bool(_SCRIPTING.search(_QUOTED.sub("", question)))


def reword(
    prompts: list[ReflectionPrompt], wording: Wording, name: str = "claude"
) -> tuple[list[ReflectionPrompt], str | None]:
    """Apply a wording hook; keep the local wording wherever the hook fails or strays.

    Only `question` may change. Returns the prompts and a one-line notice when the hook failed.
    """
    if not prompts:
        return prompts, None
    try:
        returned = wording([p.model_copy() for p in prompts])
    except Exception as exc:  # the hook is optional; the therapist keeps the local prompts
        line = (str(exc).splitlines() or [""])[0]
        why = f"{type(exc).__name__}: {line}" if line else type(exc).__name__
        return prompts, f"{name} wording did not arrive ({why}); showing the local prompts"
    by_id = {p.id: p for p in returned if isinstance(p, ReflectionPrompt)}
    out = []
    for local in prompts:
        candidate = by_id.get(local.id)
        out.append(_accepted(local, candidate, name) if candidate else local)
    return out, None


def _accepted(local: ReflectionPrompt, candidate: ReflectionPrompt, name: str) -> ReflectionPrompt:
    fixed = local.model_dump(exclude={"question", "wording"})
    if candidate.model_dump(exclude={"question", "wording"}) != fixed:
        return local
    question = candidate.question.strip()
    if question == local.question:
        return local
    if not question or len(question) > QUESTION_MAX_CHARS or scripts_feelings(question):
        return local
    return local.model_copy(update={"question": question, "wording": name})
