"""Reflection prompts after a session: 3–5 questions, each grounded in a moment of this session.

The copilot can recognise states; feeling and caring are the therapist's. So every prompt turns
the therapist toward their own response — what they felt, where they felt pulled to fix or to
stay, the alliance (goals, tasks, bond), whether the session met what the client asked for on
the tools-versus-connection axis, their own care — and never tells them what they felt.

Each prompt carries the moment's time and a verbatim quote from the transcript. An aspect with
no moment to stand on is left out rather than filled with a generic question, so a very short
session can get fewer than three prompts.

Local templates word the questions (`questions.py`) on moments of the session (`moments.py`).
When the therapist has turned Claude on, a `Wording` hook may reword them (`wording.py`), under
checks that keep the local wording wherever the hook strays.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from copilot.domain import (
    Aspect,
    NeedsMap,
    ReflectionPrompt,
    SessionExport,
    SessionSummary,
    Utterance,
)
from copilot.fields import shared_fields
from copilot.reflection.moments import (
    Moment,
    echo,
    moment_of,
    ranked_moments,
    reply_to,
    utterance_at,
)
from copilot.reflection.questions import (
    ALLIANCE_CUES,
    ALLIANCE_Q,
    CARE,
    FELT,
    FIXING,
    NEEDS_Q,
    PULL_CLIENT,
    PULL_FIXING,
    PULL_STAYING,
)
from copilot.reflection.wording import Wording, claude_wording, reword
from copilot.settings import Settings
from copilot.storage.repository import SessionStore
from copilot.timefmt import clock

ASPECTS: tuple[Aspect, ...] = ("felt", "pull", "alliance", "needs", "care")
MAX_PROMPTS = 5
_DOUBLE_STOP = re.compile(r"([.?!…])”\.")


@dataclass(frozen=True)
class _Session:
    """What each aspect's builder looks at; `used` holds the moments earlier aspects took."""

    export: SessionExport
    summary: SessionSummary | None
    utterances: list[Utterance]  # by start
    by_seq: dict[int, Utterance]
    used: set[tuple[float, str]]


def build_prompts(
    export: SessionExport, summary: SessionSummary | None = None
) -> list[ReflectionPrompt]:
    """3–5 prompts for this session, each on a moment of it, in the order of the aspects."""
    summary = summary or export.summary
    utterances = sorted(export.utterances, key=lambda u: (u.start, u.seq))
    on = _Session(export, summary, utterances, {u.seq: u for u in utterances}, set())
    found: list[ReflectionPrompt] = []
    for aspect in ASPECTS:
        prompt = _BUILDERS[aspect](on)
        if prompt is not None and grounded(prompt, utterances):
            on.used.add((prompt.start, prompt.quote))
            found.append(prompt)
    return found[:MAX_PROMPTS]


def grounded(prompt: ReflectionPrompt, utterances: Sequence[Utterance]) -> bool:
    """The quote is non-empty and occurs verbatim in the utterance it points at."""
    if not prompt.quote.strip():
        return False
    texts = [u.text for u in utterances if prompt.utterance_seq in (None, u.seq)]
    return any(prompt.quote in t for t in texts)


def _free(m: Moment | None, used: set[tuple[float, str]]) -> bool:
    return m is not None and (m.start, m.quote) not in used


def _pick(template: Sequence[str], m: Moment, session_id: str, aspect: str) -> str:
    key = f"{session_id}|{aspect}|{m.utterance_seq}|{m.start}".encode()
    return template[int(hashlib.sha256(key).hexdigest(), 16) % len(template)]


def _make(
    export: SessionExport, aspect: Aspect, m: Moment, template: str, facet: str = "", **extra: str
) -> ReflectionPrompt:
    seen_clause = f" (noted: {m.seen})" if m.seen else ""
    question = template.format(
        time=clock(m.start), echo=echo(m.quote), seen_clause=seen_clause, **extra
    )
    question = _DOUBLE_STOP.sub(r"\1”", question)  # “… the end.”. reads “… the end.”
    ident = f"{export.session.id}|{aspect}|{facet}|{m.utterance_seq}|{m.start}|{m.quote}"
    return ReflectionPrompt(
        id=hashlib.sha256(ident.encode()).hexdigest()[:16],
        session_id=export.session.id,
        aspect=aspect,
        facet=facet,
        question=question,
        **shared_fields(m, ReflectionPrompt),
    )


def _felt(on: _Session) -> ReflectionPrompt | None:
    ranked = ranked_moments(on.summary, on.export, on.by_seq)
    m = next((m for m in ranked if m.speaker == "client" and _free(m, on.used)), None)
    if m is None:
        return None
    return _make(on.export, "felt", m, _pick(FELT, m, on.export.session.id, "felt"))


def _pull(on: _Session) -> ReflectionPrompt | None:
    """The therapist's answer to a charged client moment; a fixing answer first."""
    charged = [m for m in ranked_moments(on.summary, on.export, on.by_seq) if m.speaker == "client"]
    replies = [r for m in charged if (r := reply_to(m, on.utterances)) is not None]
    replies = [r for r in replies if _free(moment_of(r), on.used)]
    fixing = [r for r in replies if FIXING.search(r.text)]
    sid = on.export.session.id
    if fixing or replies:
        reply = (fixing or replies)[0]
        m = moment_of(reply)
        template = PULL_FIXING if fixing else PULL_STAYING
        return _make(
            on.export, "pull", m, _pick(template, m, sid, "pull"), "fixing" if fixing else ""
        )
    # No therapist turn to stand on (one speaker, or roles unknown): the client's own asking.
    asked = [
        utterance_at(on.by_seq, e.utterance_seq) for e in _needs(on.summary, on.utterances).tools
    ]
    candidates = [u for u in asked if u is not None] + [
        u for m in charged if (u := utterance_at(on.by_seq, m.utterance_seq))
    ]
    for utt in candidates:
        if _free(moment_of(utt), on.used):
            m = moment_of(utt)
            return _make(on.export, "pull", m, _pick(PULL_CLIENT, m, sid, "pull"))
    return None


def _alliance(on: _Session) -> ReflectionPrompt | None:
    sid = on.export.session.id
    for cue in on.summary.alliance if on.summary else []:  # a language model's cues, when present
        utt = utterance_at(on.by_seq, cue.evidence.utterance_seq)
        if utt is not None and cue.evidence.quote in utt.text:
            m = Moment(utt.start, utt.seq, utt.role, cue.evidence.quote, False, cue.observation)
            if _free(m, on.used):
                template = _pick(ALLIANCE_Q[cue.aspect], m, sid, "alliance")
                return _make(on.export, "alliance", m, template, cue.aspect)
    ordered = sorted(on.utterances, key=lambda u: (u.role != "client", u.start))
    for facet, pattern in ALLIANCE_CUES.items():
        for u in ordered:
            if pattern.search(u.text) and _free(moment_of(u), on.used):
                m = moment_of(u)
                return _make(
                    on.export, "alliance", m, _pick(ALLIANCE_Q[facet], m, sid, "alliance"), facet
                )
    return None


def _needs(summary: SessionSummary | None, utterances: list[Utterance]) -> NeedsMap:
    if summary and summary.needs_map is not None:
        return summary.needs_map
    from copilot.analysis.summary import needs_map

    return needs_map(utterances)


def _needs_prompt(on: _Session) -> ReflectionPrompt | None:
    needs = _needs(on.summary, on.utterances)
    sides = {"tools": needs.tools, "connection": needs.connection}
    order = ["connection", "tools"] if (needs.position or 0) >= 0 else ["tools", "connection"]
    balance = (
        f" (In the whole session the analysis heard {len(needs.tools)} request(s) for tools and "
        f"{len(needs.connection)} for connection.)"
    )
    for facet in order:
        for evidence in sides[facet]:
            utt = utterance_at(on.by_seq, evidence.utterance_seq)
            if utt is None or evidence.quote not in utt.text:
                continue
            m = moment_of(utt)
            if _free(m, on.used):
                template = _pick(NEEDS_Q[facet], m, on.export.session.id, "needs")
                return _make(on.export, "needs", m, template, facet, balance=balance)
    return None


def _care(on: _Session) -> ReflectionPrompt | None:
    """The last heavy moment of the final third, else the client's closing words."""
    end = max((u.end for u in on.utterances), default=0.0)
    ranked = [m for m in ranked_moments(on.summary, on.export, on.by_seq) if m.speaker == "client"]
    late = [m for m in ranked[:8] if m.start >= end * 2 / 3]
    closing = [moment_of(u) for u in reversed(on.utterances) if u.role == "client"]
    for m in sorted(late, key=lambda m: -m.start) + closing:
        if _free(m, on.used):
            return _make(on.export, "care", m, _pick(CARE, m, on.export.session.id, "care"))
    return None


_Builder = Callable[["_Session"], ReflectionPrompt | None]
_BUILDERS: dict[Aspect, _Builder] = {
    "felt": _felt,
    "pull": _pull,
    "alliance": _alliance,
    "needs": _needs_prompt,
    "care": _care,
}


def prompts_for_session(
    store: SessionStore,
    session_id: str,
    settings: Settings,
    wording: Wording | None = None,
) -> tuple[list[ReflectionPrompt], str | None]:
    """A stored session's prompts, and a one-line notice when Claude's wording did not arrive.

    Worded locally unless the therapist has turned Claude on; then by `wording` if given, else
    by the Claude module's function (see copilot.reflection.wording).
    """
    from copilot.analysis.run import build_export
    from copilot.analysis.summary import LocalSessionAnalyser

    export = build_export(store, store.get(session_id).id)
    summary = export.summary or LocalSessionAnalyser().summarise(export)
    prompts = build_prompts(export, summary)
    if not prompts or settings.session_analyser != "claude":
        return prompts, None
    if wording is None:
        wording, notice = claude_wording(settings, store, export.session.id)
        if wording is None:
            return prompts, notice
    return reword(prompts, wording)


# showing -----------------------------------------------------------------------------------------


def render(prompt: ReflectionPrompt, number: int | None = None) -> str:
    """A prompt as plain text: the moment (time, who, the quote), then the question."""
    head = f"{number}. " if number is not None else ""
    who = {"therapist": "you", "client": "client"}.get(prompt.speaker, "someone")
    tail = " …" if prompt.truncated else ""
    return f"{head}[{clock(prompt.start)}] {who}: “{prompt.quote}{tail}”\n   {prompt.question}"
