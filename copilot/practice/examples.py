"""Feeling words per state, and one example complex reflection built from the client's own words.

The example is deterministic: a key phrase of the client's turn (the clause that carries the most
of its own words, preferring one with a feeling word), turned to the second person, set in a
template over the state the model read. It is labelled as an example, never a script: a way a
reflection could add meaning, for the trainee to find their own words.
"""

from __future__ import annotations

import re

from copilot.analysis.behaviour import content_words, words

# Words that name each therapist-readable state (copilot.analysis.emotion.THERAPIST_STATES).
STATE_WORDS: dict[str, tuple[str, ...]] = {
    "sadness": ("sad", "sadness", "down", "low", "heavy", "hurt", "hurts", "grief", "grieving",
                "loss", "miss", "missing", "upset", "disappointed", "heartbroken", "tearful",
                "lonely", "loneliest", "loneliness", "alone", "isolated"),
    "anxiety/fear": ("anxious", "anxiety", "worried", "worry", "worrying", "scared", "afraid",
                     "frightened", "fear", "nervous", "panic", "panicky", "tense", "dread",
                     "on edge", "uneasy", "stressed", "overwhelmed"),
    "anger/irritation": ("angry", "anger", "furious", "frustrated", "frustrating", "irritated",
                         "annoyed", "fed up", "resentful", "resentment", "cross", "rage"),
    "shame/guilt": ("ashamed", "shame", "guilty", "guilt", "embarrassed", "blame", "failure",
                    "humiliated", "humiliating", "not good enough"),
    "hopelessness": ("hopeless", "hopelessness", "no way out", "pointless", "giving up",
                     "defeated", "stuck", "no point", "helpless"),
    "emptiness/numbness": ("empty", "emptiness", "numb", "flat", "hollow", "disconnected",
                           "nothing", "going through the motions"),
    "joy/relief": ("relieved", "relief", "lighter", "glad", "happy", "hopeful", "proud", "joy",
                   "pleased", "excited"),
    "gratitude/warmth": ("grateful", "thankful", "warm", "close", "cared for", "touched",
                         "appreciated"),
    "confusion": ("confused", "unsure", "lost", "torn", "mixed up", "puzzled"),
    "neutral": (),
}  # fmt: skip

# Two endings per state: after the client's phrase in the second person ("You feel like you are
# slowing them down, and ..."), or after their own words quoted ("When you say “a bit
# embarrassed”, it sounds like ...") when the phrase is too short to stand as a clause.
TEMPLATES: dict[str, tuple[str, str]] = {
    "sadness": (
        "and underneath it there seems to be a lot of hurt",
        "there's a real sadness in that, maybe a sense of something lost",
    ),
    "anxiety/fear": (
        "and the worry about it never quite lets you rest",
        "part of you is bracing for something bad to happen",
    ),
    "anger/irritation": (
        "and there's anger in that, as if something that matters to you was brushed aside",
        "you're fed up with carrying this",
    ),
    "shame/guilt": (
        "and you seem to be holding yourself responsible for more than your share",
        "you feel you've let someone down",
    ),
    "hopelessness": (
        "and right now it's hard to see how anything could change",
        "you're worn down from hoping",
    ),
    "emptiness/numbness": (
        "as if the feeling has drained out of things",
        "you're going through the motions without really being in them",
    ),
    "joy/relief": (
        "and there's relief in that, maybe even a little pride",
        "something has started to lift",
    ),
    "gratitude/warmth": (
        "and that connection clearly means a great deal to you",
        "you feel less alone with it",
    ),
    "confusion": (
        "and you're pulled in different directions, not sure which way is yours",
        "nothing quite adds up yet",
    ),
    "neutral": (
        "and I wonder what that has been like for you underneath",
        "there's more to this for you than the facts",
    ),
}
EXAMPLE_NOTE = (
    "An example, not a script: one way a complex reflection could add meaning to the client's "
    "own words. Find your own."
)

_SWAP = {
    "i": "you", "i'm": "you're", "im": "you're", "i've": "you've", "i'd": "you'd",
    "i'll": "you'll", "me": "you", "my": "your", "mine": "yours", "myself": "yourself",
    "am": "are", "we": "you", "our": "your", "us": "you",
}  # fmt: skip
_CLAUSE = re.compile(r"[.!?;]+|,\s*(?:and|but|so|because)\s+|\s+(?:but|because)\s+")
_TOKEN = re.compile(r"[A-Za-z']+|[^A-Za-z'\s]+")
MAX_PHRASE_WORDS = 12


def feeling_words(text: str, states: list[str] | None = None) -> list[str]:
    """Feeling words in `text` from the given states' vocabularies (all states by default)."""
    low = " " + " ".join(words(text)) + " "
    found = []
    for state in states or list(STATE_WORDS):
        for word in STATE_WORDS.get(state, ()):
            if f" {word} " in low and word not in found:
                found.append(word)
    return found


def key_phrase(text: str) -> str:
    """The clause of the client's turn that carries most of its own words, a feeling word
    counting double; ties go to the later clause (nearer the pause). A long clause is read again
    split at its commas; at most 12 words."""
    best = _best_clause([c for c in _CLAUSE.split(text) if c.strip(" ,")]) or text.strip()
    if len(best.split()) > MAX_PHRASE_WORDS and "," in best:
        best = _best_clause(best.split(","))
    return " ".join(best.split()[:MAX_PHRASE_WORDS])


def _best_clause(clauses: list[str]) -> str:
    scored = [
        (len(content_words(c)) + 2 * len(feeling_words(c)), i, c.strip(" ,"))
        for i, c in enumerate(clauses)
        if c.strip(" ,")
    ]
    return max(scored)[2] if scored else ""


def second_person(phrase: str) -> str:
    """The client's first person turned to the therapist's second ("I feel" -> "you feel")."""
    out = []
    for token in _TOKEN.findall(phrase):
        low = token.lower().replace("’", "'")
        out.append(_SWAP.get(low, token if low != "i" else "you"))
    text = " ".join(out)
    text = re.sub(r"\s+([,;:.!?'])", r"\1", text)
    text = re.sub(r"\byou was\b", "you were", text)
    return text.strip()


_OPENERS = re.compile(r"^(?:(?:and|but|so|then|well|honestly|actually|look|yes|no|yeah)\b[,]?\s*)+",
                      re.IGNORECASE)  # fmt: skip
CLAUSE_WORDS = 5


def example_reflection(client_text: str, state: str) -> str:
    """One complex reflection from the client's words and the state the model read."""
    own = _OPENERS.sub("", key_phrase(client_text)).strip(" .!?,;") or client_text.strip()
    clause, quoted = TEMPLATES.get(state, TEMPLATES["neutral"])
    phrase = second_person(own)
    if len(phrase.split()) >= CLAUSE_WORDS and " you" in f" {phrase.lower()}":
        return f"{phrase[0].upper()}{phrase[1:]}, {clause}."
    return f"When you say “{own[0].lower()}{own[1:]}”, it sounds like {quoted}."
