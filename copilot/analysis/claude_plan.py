"""What Claude is asked, before anything is sent: the answer's structure, the redacted transcript
cut into time windows, and one request body per window. No network and no SDK here, so the
plan can be read, previewed and tested on its own.

The fixed prefix of every request (the system prompt and the instructions) is marked for prompt
caching, so each window after the first reads it from the cache instead of paying for it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from copilot.analysis.redaction import Redaction
from copilot.domain import SessionExport, Utterance
from copilot.prompts import Prompt, load
from copilot.settings import Settings
from copilot.timefmt import clock

PROMPT_NAME = "session_summary"
MAX_OUTPUT_TOKENS = 8_192
CHARS_PER_TOKEN = 3.5  # a cautious estimate for English; the API counts exactly
ROLE_NAMES = {"therapist": "Therapist", "client": "Client", "unknown": "Speaker"}


# The answer's structure, sent as the output format and validated by the SDK. ------------------


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Quote(Wire):
    quote: str = Field(description="words copied exactly from one line of the transcript")
    at: str = Field(description="the timestamp at the start of that line, e.g. 12:07")


class WireState(Wire):
    label: str = Field(description="an emotional state in everyday words")
    evidence: list[Quote]


class WireTheme(Wire):
    name: str
    evidence: list[Quote]


class WireNeed(Wire):
    need: str = Field(description="what the client said they want or need, in their terms")
    leaning: Literal["tools", "connection", "unclear"]
    evidence: Quote


class WireCue(Wire):
    aspect: Literal["goals", "tasks", "bond"]
    observation: str
    evidence: Quote


class WireUnsaid(Wire):
    observation: str = Field(description="a possibility, about words that are in the transcript")
    evidence: Quote


class WireMoment(Wire):
    kind: Literal["peak", "shift"]
    state: str
    observation: str
    confidence: float = Field(description="0 to 1: how sure the reading of this moment is")
    evidence: Quote


class WireSummary(Wire):
    narrative: str
    dominant_states: list[WireState]
    themes: list[WireTheme]
    expressed_needs: list[WireNeed]
    alliance: list[WireCue]
    possibly_unsaid: list[WireUnsaid]
    key_moments: list[WireMoment]
    observations: list[str]


# Time windows. ------------------------------------------------------------------------------


def parse_clock(text: str) -> float | None:
    parts = text.strip().strip("[]").split(":")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        return None
    value = 0.0
    for p in parts:
        value = value * 60 + int(p)
    return value


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


@dataclass
class Window:
    utterances: list[Utterance]
    lines: list[str]

    @property
    def start(self) -> float:
        return self.utterances[0].start

    @property
    def end(self) -> float:
        return self.utterances[-1].end


def split_windows(
    utterances: Sequence[Utterance], redaction: Redaction, budget: int
) -> list[Window]:
    """Consecutive utterances, each window's transcript within `budget` tokens (estimated)."""
    windows: list[Window] = []
    used = 0
    for u in sorted(utterances, key=lambda u: (u.start, u.seq)):
        line = f"[{clock(u.start, pad=True)}] {ROLE_NAMES[u.role]}: {redaction.redact(u.text)}"
        cost = estimate_tokens(line) + 1
        if not windows or used + cost > budget:
            windows.append(Window([], []))
            used = 0
        windows[-1].utterances.append(u)
        windows[-1].lines.append(line)
        used += cost
    return windows


# The plan. ----------------------------------------------------------------------------------


@dataclass
class Plan:
    """Everything needed to ask Claude about one session, before anything is sent."""

    model: str
    prompt: Prompt
    redaction: Redaction
    windows: list[Window]
    requests: list[dict[str, Any]]  # keyword arguments for messages.parse, one per window


def plan(export: SessionExport, settings: Settings, names: Sequence[str] = ()) -> Plan:
    prompt = load(PROMPT_NAME)
    redaction = Redaction(names=list(names), client_label=export.session.client_label)
    windows = split_windows(export.utterances, redaction, settings.claude_window_tokens)
    system: list[dict[str, Any]] = [
        {"type": "text", "text": prompt.render(t)} for t in prompt.meta["system"]
    ]
    system[-1]["cache_control"] = {"type": "ephemeral"}  # the fixed prefix ends here
    end = max((u.end for u in export.utterances), default=0.0)
    duration = clock(max(export.metrics.duration_s, end), pad=True)
    requests = [
        {
            "model": settings.claude_model,
            "max_tokens": MAX_OUTPUT_TOKENS,
            "system": system,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": _user(prompt, w, i, len(windows), duration)}
                    ],
                }
            ],
        }
        for i, w in enumerate(windows, start=1)
    ]
    for request in requests[1:]:
        request["system"] = [dict(block) for block in system]  # equal, not shared
    return Plan(settings.claude_model, prompt, redaction, windows, requests)


def _user(prompt: Prompt, w: Window, part: int, parts: int, duration: str) -> str:
    return prompt.render(
        prompt.meta["user"],
        part=part,
        parts=parts,
        window_start=clock(w.start, pad=True),
        window_end=clock(w.end, pad=True),
        duration=duration,
        lines=len(w.lines),
        client_lines=sum(u.role == "client" for u in w.utterances),
        transcript="\n".join(w.lines),
    )
