"""How a risk sentence is said: negated, someone else's, in the past, with a child involved.

Markers never drop a flag: "I'm not going to kill myself tonight" is exactly what a therapist
wants to hear twice. Text is normalised first (lower case, apostrophes dropped: "I'm" -> "im").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NEGATION = re.compile(
    r"\b(?:not|never|no|dont|doesnt|didnt|wont|wouldnt|havent|hasnt|hadnt|isnt|arent|"
    r"stopped|no longer|no intention|no plans?|without)\b"
)
# "I can't stop thinking about it" is not a negation of what follows.
NOT_A_NEGATION = re.compile(r"\b(?:cant|couldnt|can not|cannot) stop\b|\bno one\b|\bno point\b")
# Risk said in a negative form: the negation is the risk, not a denial of it.
NEGATIVE_FORM_RISK = re.compile(
    r"\b(?:dont|do not|didnt|dont really) (?:want|wanna) to (?:be here|be alive|exist|live|wake "
    r"up|go on|keep going|carry on|be around|do this)|\b(?:wont|not|never) (?:wake up|be here|be "
    r"around|make it|see (?:it|the))\b|\bno (?:point|reason|way out|future|way forward|other way)"
    r"\b|\bnothing (?:left )?to live for\b|\b(?:cant|couldnt|cannot) (?:go on|do this|see|keep|"
    r"take|cope|promise)\b|\b(?:wouldnt|dont|do not) (?:mind|care|look|fight)\b|\bnot (?:be|being"
    r") (?:here|alive|around)\b|\bnever (?:been born|waking)\b|\bwouldnt be the worst\b|"
    r"\bnot that bothered\b|\bnobody (?:knows|would|will|sees)\b|\bno (?:one|body) (?:knows|sees)"
    r"\b|\bdont let\b|\bwont let\b|\bwithout me\b|\bwasnt (?:around|here|there|in)\b|"
    r"\bdont need\b|\bwont need\b|\bnot (?:scared|going to be around)\b|\bi would never want\b|"
    r"\bi dont want to\b(?=.{0,40}\b(?:thoughts?|pictures?|images?|comes?|just)\b)"
)
REPORTING = re.compile(
    r"\b(?:said|says|say|told me|tells me|telling me|posted|wrote|mentioned|according to|"
    r"heard that|texted|keeps saying|found (?:him|her|them))\b"
)
THIRD_PERSON_SUBJECT = re.compile(
    r"^(?:.*\b)?(?:my|a|the|her|his|their) (?:\w+ ){0,3}?(?:friend|brother|sister|mum|mom|"
    r"dad|father|mother|cousin|daughter|son|girl|boy|guy|character|flatmate|neighbour|neighbor|"
    r"colleague|aunt|uncle|partner|husband|wife|niece|nephew|mate|classmate)s?\b"
)
THIRD_PERSON_SELF = re.compile(
    r"\b(?:himself|herself|themselves|themself|his (?:own )?life|her (?:own )?life|his (?:pills|"
    r"tablets|meds|arms|wrists|legs|things)|her (?:pills|tablets|meds|arms|wrists|legs|things)|"
    r"(?:she|he) (?:wants|wishes|is going|keeps|says|has been|had|tried|took|posted))\b"
)
FIRST_PERSON = re.compile(r"\b(?:i|im|ive|id|ill|me|myself|my life)\b")
PAST = re.compile(
    r"\b(?:used to|years ago|(?:a|one|two|three|few|couple of) (?:years?|months?) ago|last "
    r"(?:year|spring|summer|autumn|winter|time)|in my (?:teens|twenties|thirties)|as a (?:kid|"
    r"child|teenager|teen|little (?:girl|boy))|growing up|back then|when i was (?:\w+ ){0,2}?"
    r"(?:a (?:kid|child|teenager|teen|little|baby|girl|boy)|little|small|tiny|young|younger|"
    r"\d+|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|at (?:school|uni))|i was (?:only )?(?:\d+|five|six|seven|"
    r"eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|tiny|little|"
    r"small|a kid|a child|a little (?:girl|boy))\b|(?:tried|attempted|tried before|the last time)|"
    r"\bonce\b|in (?:year|primary|secondary)\b|after (?:my|the) (?:divorce|son|daughter))"
)
NOT_PAST = re.compile(r"\b(?:again|now|still|anymore|tonight|today|right now|this week)\b")
CHILD = re.compile(
    r"\b(?:baby|babies|newborn|infant|toddler|child|children|kid|kids|son|daughter|little one|"
    r"little (?:boy|girl|brother|sister)|niece|nephew|stepdaughter|stepson|pupil|nappy|pram|"
    r"cot|bath times?)\b|\bwhen i was (?:\w+ ){0,2}?(?:a (?:kid|child|little|girl|boy)|little|"
    r"small|tiny|young|\d|1[0-7]|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen)\b|\bi was (?:only )?(?:\d|1[0-7]|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|tiny|little|small|a kid|a "
    r"child)\b|\b(?:as a|was a) (?:kid|child|little girl|little boy)\b|\bprimary school\b"
)
OTHERS_DO_IT = ("abuse", "neglect", "harm_thought", "harm_intent", "harm_means")
CLAUSE_BREAK = re.compile(r"[,;:]|\bbut\b|\bjust\b|\band\b|\bif\b")


@dataclass(frozen=True)
class Markers:
    negated: bool = False
    reported_speech: bool = False
    past: bool = False
    child_involved: bool = False


def normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("'", "")
    text = re.sub(r"[^a-z0-9,;:.!? -]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def clause_before(sentence: str, start: int) -> str:
    """The words before a match back to the start of its clause."""
    before = sentence[:start]
    cuts = [m.end() for m in CLAUSE_BREAK.finditer(before)]
    return before[cuts[-1] :] if cuts else before


def negated_before(sentence: str, start: int) -> bool:
    """A negation among the last words of the clause before a rule's match."""
    clause = NOT_A_NEGATION.sub(" ", clause_before(sentence, start))
    return bool(NEGATION.search(" ".join(clause.split()[-6:])))


def negated_sentence(sentence: str) -> bool:
    """A denial anywhere in the sentence, unless the negation is itself the risk said."""
    rest = NEGATIVE_FORM_RISK.sub(" ", NOT_A_NEGATION.sub(" ", sentence))
    return bool(NEGATION.search(rest))


def reported_sentence(sentence: str, kind: str) -> bool:
    """Someone else's words or acts: a reporting verb, or a third person as the subject,
    and the speaker not the one at risk. Abuse and harm name someone else by nature: for
    them only a reporting verb counts."""
    if kind in OTHERS_DO_IT:
        return bool(REPORTING.search(sentence))
    third = bool(THIRD_PERSON_SELF.search(sentence)) or bool(
        THIRD_PERSON_SUBJECT.match(sentence.split(",")[0])
    )
    if REPORTING.search(sentence) and (third or not FIRST_PERSON.search(sentence)):
        return True
    if not third:
        return False
    after_subject = re.sub(r"\b(?:my|told me|tells me|texted me|found)\b", " ", sentence)
    return not FIRST_PERSON.search(after_subject)


def past_sentence(sentence: str) -> bool:
    return bool(PAST.search(sentence)) and not NOT_PAST.search(sentence)


def child_involved(sentence: str) -> bool:
    return bool(CHILD.search(sentence))


def sentence_markers(sentence: str, kind: str) -> Markers:
    """Markers read from the whole (normalised) sentence, for a hit with no rule span."""
    return Markers(
        negated=negated_sentence(sentence),
        reported_speech=reported_sentence(sentence, kind),
        past=past_sentence(sentence),
        child_involved=child_involved(sentence),
    )


# A third person as the subject of a rule's match, with the speaker nowhere after it.
RULE_THIRD_PERSON = re.compile(
    r"^(?:.*\b)?(?:my|a|the|her|his|their) (?:\w+ ){0,3}?(?:friend|brother|sister|mum|mom|"
    r"dad|cousin|daughter|son|girl|boy|guy|character|flatmate|neighbour|neighbor|colleague|"
    r"aunt|uncle)s?\b(?!.*\b(?:me|my|i|im)\b)"
)


def reported_at(sentence: str, start: int, end: int, kind: str) -> bool:
    """For a rule's match: a reporting verb before it, or a third person doing to themselves
    what the rule names. Abuse and harm name someone else by nature, so only the verb counts."""
    matched = sentence[start:end]
    target_is_speaker = re.search(r"\b(?:me|us|myself|my life|i)\b", matched) is not None
    before = sentence[:start]
    if REPORTING.search(before) and not target_is_speaker:
        return True
    if kind in OTHERS_DO_IT:
        return False
    if re.search(r"\b(?:himself|herself|themselves|his (?:pills|tablets|meds))\b", matched):
        return True
    subject = before.split(",")[-1]
    return bool(RULE_THIRD_PERSON.match(subject)) and not target_is_speaker
