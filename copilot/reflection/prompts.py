"""Reflection prompts after a session: 3–5 questions, each grounded in a moment of this session.

The copilot can recognise states; feeling and caring are the therapist's. So every prompt turns
the therapist toward their own response — what they felt, where they felt pulled to fix or to
stay, the alliance (goals, tasks, bond), whether the session met what the client asked for on
the tools-versus-connection axis, their own care — and never tells them what they felt.

Each prompt carries the moment's time and a verbatim quote from the transcript. An aspect with
no moment to stand on is left out rather than filled with a generic question, so a very short
session can get fewer than three prompts.

Local templates word the questions. When the therapist has turned Claude on, a `Wording` hook may
reword them: it receives the grounded prompts and returns prompts with only `question` changed;
anything else it changes, and any question that tells the therapist what they felt, is refused
and the local wording kept.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from copilot.domain import (
    Aspect,
    KeyMoment,
    NeedsMap,
    ReflectionPrompt,
    Role,
    SessionExport,
    SessionSummary,
    Utterance,
)
from copilot.reflection.wording import Wording, claude_wording
from copilot.settings import Settings
from copilot.storage.repository import SessionStore
from copilot.timefmt import clock

ASPECTS: tuple[Aspect, ...] = ("felt", "pull", "alliance", "needs", "care")
MAX_PROMPTS = 5
QUOTE_MAX_CHARS = 220
QUESTION_MAX_CHARS = 600
ECHO_MAX_CHARS = 70


@dataclass(frozen=True)
class Moment:
    start: float
    seq: int | None
    role: Role
    quote: str
    truncated: bool
    seen: str = ""


# what to look for --------------------------------------------------------------------------------

_FIXING = re.compile(
    r"\b(you (?:could|might|should|can) (?:try|start|do|think about|write|call|ask)|have you "
    r"tried|what if you|try (?:to|this|that|doing)|one thing (?:you|that)|let'?s (?:try|make|"
    r"plan|work out)|homework|a plan|next step|i'?d suggest|i suggest|my suggestion|exercise)\b",
    re.IGNORECASE,
)
_ALLIANCE: dict[str, re.Pattern[str]] = {
    "bond": re.compile(
        r"\b(trust (?:you|this|me)|with you|you (?:get|understand) me|you (?:don'?t|do not) "
        r"(?:get|understand|listen)|comfortable (?:here|with you|talking)|safe (?:here|with you|"
        r"to say)|glad i (?:came|told you)|(?:hard|easier) to (?:say|tell you)|judge me|"
        r"(?:angry|annoyed|upset|frustrated) with you)\b",
        re.IGNORECASE,
    ),
    "goals": re.compile(
        r"\b(goals?|what (?:i|you) want(?:ed)? (?:from|out of) (?:this|therapy|coming here)|"
        r"why (?:i'?m|you'?re) here|work on|working towards?|hoping (?:for|to|this)|the point of "
        r"(?:this|coming))\b",
        re.IGNORECASE,
    ),
    "tasks": re.compile(
        r"\b(homework|exercises?|worksheet|diary|journal(?:ling)?|practi[cs]e (?:it|this|that)|"
        r"between sessions|the way we(?:'re| are) (?:doing|working)|this approach|(?:this|that|"
        r"it) (?:isn'?t|is not|wasn'?t|was not) (?:working|helping))\b",
        re.IGNORECASE,
    ),
}

# the questions: a few wordings each, chosen by the moment so sessions do not read alike. Each
# names its moment by time and echoes its words ({echo}, verbatim), so no question is generic.

_FELT = (
    "At {time} the client said “{echo}”{seen_clause}. What did you notice in yourself right "
    "then — in your body, your thoughts, any urge to move toward or away?",
    "Go back to {time}, to “{echo}”{seen_clause}. What was happening in you as you heard this, "
    "and did any of it show in how you answered?",
    "At {time}, hearing “{echo}”{seen_clause}: what was your own response in that moment, "
    "before you chose what to say?",
)
_PULL_FIXING = (
    "At {time} you offered something to do: “{echo}”. What pulled you toward it at that point — "
    "and what might staying a little longer with what the client had just said have given "
    "them, or you?",
    "At {time} you moved toward a solution with “{echo}”. Looking back, was that pull coming "
    "from the client's need, from your own discomfort, or from somewhere else?",
)
_PULL_STAYING = (
    "At {time} you answered “{echo}”. Was there a pull to fix or to offer something here, and "
    "what did you do with it?",
    "At {time}, after what the client had just said, you said “{echo}”. What did you want to do "
    "in that moment, and what helped you choose between doing something and staying with them?",
)
_PULL_CLIENT = (
    "When the client said “{echo}” at {time}, did you feel pulled to answer it, to fix it, or "
    "to stay with it? What did you do with that pull?",
)
_ALLIANCE_Q = {
    "goals": (
        "At {time} the talk touched on what the work is for: “{echo}”. How closely do you think "
        "you and the client agree on the goals right now — and how would you find out?",
        "At {time} the client spoke about what they want from this: “{echo}”. Are you working "
        "toward the same thing? Where might your goals and theirs differ?",
    ),
    "tasks": (
        "At {time} the talk turned to how you work together: “{echo}”. How much is the client "
        "with you on the tasks — this way of working, these steps — and how do you know?",
        "At {time} the client spoke about what you do in or between sessions: “{echo}”. What "
        "does this say about your agreement on the tasks of therapy, and does it call for a "
        "conversation?",
    ),
    "bond": (
        "At {time} something was said about the two of you: “{echo}”. How was the bond between "
        "you in this session, and what do you notice in yourself when you come back to it?",
        "At {time} the client spoke about being with you: “{echo}”. What was happening in the "
        "relationship here — and how much of it was the client's, how much yours?",
    ),
}
_NEEDS_Q = {
    "tools": (
        "At {time} the client asked for something practical: “{echo}”.{balance} Across the "
        "session, how much of what you offered met that, and how much went toward connection? "
        "What do you make of that balance for this client now?",
    ),
    "connection": (
        "At {time} the client spoke of wanting to be heard or understood: “{echo}”.{balance} Did "
        "the session give them that, and where did it turn toward tools or advice? Which did "
        "this client need today?",
    ),
}
_CARE = (
    "Near {time}, late in the session, the client said “{echo}”{seen_clause}. What are you still "
    "carrying from this session, if anything, and what would help you set it down before your "
    "next one?",
    "The session drew toward its end around {time}, with “{echo}”{seen_clause}. Before the next "
    "client or the end of your day: what do you need right now, and what will you do to get it?",
)

_QUOTED = re.compile(r"“[^”]*”")
_DOUBLE_STOP = re.compile(r"([.?!…])”\.")
_SCRIPTING = re.compile(
    r"\byou (?:must|probably|surely|likely|clearly|obviously)(?: have)? (?:felt|feel|been)\b|"
    r"\byou (?:felt|were feeling|must be feeling)\b|\byou should (?:feel|have felt)\b",
    re.IGNORECASE,
)


# building ----------------------------------------------------------------------------------------


def build_prompts(
    export: SessionExport, summary: SessionSummary | None = None
) -> list[ReflectionPrompt]:
    """3–5 prompts for this session, each on a moment of it, in the order of the aspects."""
    summary = summary or export.summary
    utterances = sorted(export.utterances, key=lambda u: (u.start, u.seq))
    by_seq = {u.seq: u for u in utterances}
    used: set[tuple[float, str]] = set()
    found: list[ReflectionPrompt] = []
    for aspect in ASPECTS:
        prompt = _BUILDERS[aspect](export, summary, utterances, by_seq, used)
        if prompt is not None and grounded(prompt, utterances):
            used.add((prompt.start, prompt.quote))
            found.append(prompt)
    return found[:MAX_PROMPTS]


def grounded(prompt: ReflectionPrompt, utterances: Sequence[Utterance]) -> bool:
    """The quote is non-empty and occurs verbatim in the utterance it points at."""
    if not prompt.quote.strip():
        return False
    texts = [u.text for u in utterances if prompt.utterance_seq in (None, u.seq)]
    return any(prompt.quote in t for t in texts)


def excerpt(text: str) -> tuple[str, bool]:
    """A verbatim stretch of an utterance: all of it, or its opening cut at a word boundary."""
    text = text.strip()
    if len(text) <= QUOTE_MAX_CHARS:
        return text, False
    cut = text.rfind(" ", 0, QUOTE_MAX_CHARS)
    return text[: cut if cut > 0 else QUOTE_MAX_CHARS].rstrip(" ,;:"), True


def echo(quote: str) -> str:
    """The moment's words inside its question: all of a short quote, else its verbatim opening."""
    if len(quote) <= ECHO_MAX_CHARS:
        return quote
    cut = quote.rfind(" ", 0, ECHO_MAX_CHARS)
    return quote[: cut if cut > 0 else ECHO_MAX_CHARS].rstrip(" ,;:.") + " …"


def _utt(by_seq: dict[int, Utterance], seq: int | None) -> Utterance | None:
    return None if seq is None else by_seq.get(seq)


def _moment(u: Utterance, seen: str = "") -> Moment:
    quote, truncated = excerpt(u.text)
    return Moment(u.start, u.seq, u.role, quote, truncated, seen)


def _from_key(k: KeyMoment, by_seq: dict[int, Utterance]) -> Moment | None:
    utt = _utt(by_seq, k.utterance_seq)
    if utt is None:
        return None
    if k.kind == "risk" and k.quote and k.quote in utt.text:
        return Moment(k.start, utt.seq, utt.role, k.quote, False, k.observation)
    return _moment(utt, k.observation)


def _free(m: Moment | None, used: set[tuple[float, str]]) -> bool:
    return m is not None and (m.start, m.quote) not in used


def _pick(template: Sequence[str], m: Moment, session_id: str, aspect: str) -> str:
    key = f"{session_id}|{aspect}|{m.seq}|{m.start}".encode()
    return template[int(hashlib.sha256(key).hexdigest(), 16) % len(template)]


def _make(
    export: SessionExport, aspect: Aspect, m: Moment, template: str, facet: str = "", **extra: str
) -> ReflectionPrompt:
    seen_clause = f" (noted: {m.seen})" if m.seen else ""
    question = template.format(
        time=clock(m.start), echo=echo(m.quote), seen_clause=seen_clause, **extra
    )
    question = _DOUBLE_STOP.sub(r"\1”", question)  # “… the end.”. reads “… the end.”
    ident = f"{export.session.id}|{aspect}|{facet}|{m.seq}|{m.start}|{m.quote}"
    return ReflectionPrompt(
        id=hashlib.sha256(ident.encode()).hexdigest()[:16],
        session_id=export.session.id,
        aspect=aspect,
        facet=facet,
        start=m.start,
        utterance_seq=m.seq,
        speaker=m.role,
        quote=m.quote,
        truncated=m.truncated,
        seen=m.seen,
        question=question,
    )


def _ranked_moments(
    summary: SessionSummary | None, export: SessionExport, by_seq: dict[int, Utterance]
) -> list[Moment]:
    """The session's moments, strongest first: the summary's key moments, then the readings."""
    out: list[Moment] = []
    if summary:
        keys = sorted(summary.key_moments, key=lambda k: (-k.confidence, k.start))
        out += [m for k in keys if (m := _from_key(k, by_seq)) is not None]
    readings = sorted(export.emotions, key=lambda r: -(abs(r.valence) + r.arousal))
    out += [_moment(by_seq[r.utterance_seq]) for r in readings if r.utterance_seq in by_seq]
    clients = [u for u in by_seq.values() if u.role == "client"]
    out += [_moment(u) for u in sorted(clients, key=lambda u: -len(u.text))]
    return out


def _felt(
    export: SessionExport,
    summary: SessionSummary | None,
    utterances: list[Utterance],
    by_seq: dict[int, Utterance],
    used: set[tuple[float, str]],
) -> ReflectionPrompt | None:
    ranked = _ranked_moments(summary, export, by_seq)
    m = next((m for m in ranked if m.role == "client" and _free(m, used)), None)
    if m is None:
        return None
    return _make(export, "felt", m, _pick(_FELT, m, export.session.id, "felt"))


def _pull(
    export: SessionExport,
    summary: SessionSummary | None,
    utterances: list[Utterance],
    by_seq: dict[int, Utterance],
    used: set[tuple[float, str]],
) -> ReflectionPrompt | None:
    """The therapist's answer to a charged client moment; a fixing answer first."""
    charged = [m for m in _ranked_moments(summary, export, by_seq) if m.role == "client"]
    replies = [r for m in charged if (r := _reply_to(m, utterances)) is not None]
    replies = [r for r in replies if _free(_moment(r), used)]
    fixing = [r for r in replies if _FIXING.search(r.text)]
    sid = export.session.id
    if fixing or replies:
        reply = (fixing or replies)[0]
        m = _moment(reply)
        template = _PULL_FIXING if fixing else _PULL_STAYING
        return _make(export, "pull", m, _pick(template, m, sid, "pull"), "fixing" if fixing else "")
    # No therapist turn to stand on (one speaker, or roles unknown): the client's own asking.
    asked = [_utt(by_seq, e.utterance_seq) for e in _needs(summary, utterances).tools]
    candidates = [u for u in asked if u is not None] + [
        u for m in charged if (u := _utt(by_seq, m.seq))
    ]
    for utt in candidates:
        if _free(_moment(utt), used):
            m = _moment(utt)
            return _make(export, "pull", m, _pick(_PULL_CLIENT, m, sid, "pull"))
    return None


def _reply_to(m: Moment, utterances: list[Utterance]) -> Utterance | None:
    after = [u for u in utterances if u.start >= m.start and u.seq != m.seq]
    for u in after[:3]:  # the therapist's next turn, if it came before the client went on
        if u.role == "therapist":
            return u
    return None


def _alliance(
    export: SessionExport,
    summary: SessionSummary | None,
    utterances: list[Utterance],
    by_seq: dict[int, Utterance],
    used: set[tuple[float, str]],
) -> ReflectionPrompt | None:
    sid = export.session.id
    for cue in summary.alliance if summary else []:  # a language model's cues, when present
        utt = _utt(by_seq, cue.evidence.utterance_seq)
        if utt is not None and cue.evidence.quote in utt.text:
            m = Moment(utt.start, utt.seq, utt.role, cue.evidence.quote, False, cue.observation)
            if _free(m, used):
                template = _pick(_ALLIANCE_Q[cue.aspect], m, sid, "alliance")
                return _make(export, "alliance", m, template, cue.aspect)
    ordered = sorted(utterances, key=lambda u: (u.role != "client", u.start))
    for facet, pattern in _ALLIANCE.items():
        for u in ordered:
            if pattern.search(u.text) and _free(_moment(u), used):
                m = _moment(u)
                return _make(
                    export, "alliance", m, _pick(_ALLIANCE_Q[facet], m, sid, "alliance"), facet
                )
    return None


def _needs(summary: SessionSummary | None, utterances: list[Utterance]) -> NeedsMap:
    if summary and summary.needs_map is not None:
        return summary.needs_map
    from copilot.analysis.summary import needs_map

    return needs_map(utterances)


def _needs_prompt(
    export: SessionExport,
    summary: SessionSummary | None,
    utterances: list[Utterance],
    by_seq: dict[int, Utterance],
    used: set[tuple[float, str]],
) -> ReflectionPrompt | None:
    needs = _needs(summary, utterances)
    sides = {"tools": needs.tools, "connection": needs.connection}
    order = ["connection", "tools"] if (needs.position or 0) >= 0 else ["tools", "connection"]
    balance = (
        f" (In the whole session the analysis heard {len(needs.tools)} request(s) for tools and "
        f"{len(needs.connection)} for connection.)"
    )
    for facet in order:
        for evidence in sides[facet]:
            utt = _utt(by_seq, evidence.utterance_seq)
            if utt is None or evidence.quote not in utt.text:
                continue
            m = _moment(utt)
            if _free(m, used):
                template = _pick(_NEEDS_Q[facet], m, export.session.id, "needs")
                return _make(export, "needs", m, template, facet, balance=balance)
    return None


def _care(
    export: SessionExport,
    summary: SessionSummary | None,
    utterances: list[Utterance],
    by_seq: dict[int, Utterance],
    used: set[tuple[float, str]],
) -> ReflectionPrompt | None:
    """The last heavy moment of the final third, else the client's closing words."""
    end = max((u.end for u in utterances), default=0.0)
    ranked = [m for m in _ranked_moments(summary, export, by_seq) if m.role == "client"]
    late = [m for m in ranked[:8] if m.start >= end * 2 / 3]
    closing = [_moment(u) for u in reversed(utterances) if u.role == "client"]
    for m in sorted(late, key=lambda m: -m.start) + closing:
        if _free(m, used):
            return _make(export, "care", m, _pick(_CARE, m, export.session.id, "care"))
    return None


_Builder = Callable[
    [
        SessionExport,
        SessionSummary | None,
        list[Utterance],
        dict[int, Utterance],
        set[tuple[float, str]],
    ],
    ReflectionPrompt | None,
]
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
    settings: Settings | None = None,
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
    settings = settings or Settings.load()
    if not prompts or settings.session_analyser != "claude":
        return prompts, None
    if wording is None:
        wording, notice = claude_wording(settings, export.session.id)
        if wording is None:
            return prompts, notice
    return reword(prompts, wording)


# rewording ---------------------------------------------------------------------------------------


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


# showing -----------------------------------------------------------------------------------------


def render(prompt: ReflectionPrompt, number: int | None = None) -> str:
    """A prompt as plain text: the moment (time, who, the quote), then the question."""
    head = f"{number}. " if number is not None else ""
    who = {"therapist": "you", "client": "client"}.get(prompt.speaker, "someone")
    tail = " …" if prompt.truncated else ""
    return f"{head}[{clock(prompt.start)}] {who}: “{prompt.quote}{tail}”\n   {prompt.question}"
