"""Which of two voices in a mono recording is the therapist: a stated rule, swappable.

Nothing in a voice says who is the therapist. The rule below is a guess from the words, written
into the session record so the therapist can see what was assumed; the UI and the CLI
(`--swap-roles`) swap it in one step. A different rule is a different `RoleRule`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from copilot.domain import Role, Utterance

ROLE_RULE = (
    "mono recording: two voices told apart by a speaker encoder, word by word; the voice with "
    "the larger share of questions is taken as the therapist (on a tie, the voice heard first)"
)
ONE_VOICE_RULE = "mono recording: one voice found; its role is unknown"

RoleRule = Callable[[Sequence[Utterance]], str]  # utterances -> the speaker taken as therapist


def questioner(utterances: Sequence[Utterance]) -> str:
    """The speaker (S1 or S2) with the larger share of utterances ending in a question mark."""
    share = {}
    for speaker in ("S1", "S2"):
        mine = [u for u in utterances if u.speaker == speaker]
        asked = sum(1 for u in mine if u.text.rstrip().endswith("?"))
        share[speaker] = asked / len(mine) if mine else 0.0
    return "S2" if share["S2"] > share["S1"] else "S1"


def assign_roles(
    utterances: list[Utterance],
    two_voices: bool,
    swap: bool = False,
    rule: RoleRule = questioner,
    stated: str = ROLE_RULE,
) -> str:
    """Set roles by `rule`; returns the rule as stated, for the session record."""
    if not two_voices:
        for u in utterances:
            u.role = "unknown"
        return ONE_VOICE_RULE
    therapist = rule(utterances)
    roles: dict[str, Role] = {therapist: "therapist", _other(therapist): "client"}
    if swap:
        roles = {k: ("client" if v == "therapist" else "therapist") for k, v in roles.items()}
    for u in utterances:
        u.role = roles.get(u.speaker or "", "unknown")
    return stated + ("; roles swapped on request" if swap else "")


def _other(speaker: str) -> str:
    return "S2" if speaker == "S1" else "S1"
