"""Risk language: always on, local, deterministic, fast.

High recall before precision. Each rule is a regular expression over a normalised sentence
(lower case, apostrophes dropped: "I'm" -> "im", "don't" -> "dont"), with an optional exclusion
for the everyday idioms that share its words ("this traffic is killing me"). A match preceded by
a negation in its clause is flagged and marked `negated`; one that reports someone else's words or
acts is flagged and marked `reported_speech`. Neither is ever dropped: "I'm not going to kill
myself tonight" is exactly what a therapist wants to hear twice.

Nothing here states that risk is absent: no flag means no rule matched, nothing more.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from copilot.domain import RiskCategory, RiskFlag, RiskSeverity, Utterance

SEVERITY_ORDER: dict[RiskSeverity, int] = {"low": 0, "moderate": 1, "high": 2}
SCANNED_ROLES = ("client", "unknown")

# Shared fragments. `ME` is the speaker; `OTHER` someone else; `SELF` any reflexive, so that
# reported acts ("my brother tried to kill himself") are caught and then marked as reported.
ME = r"(?:i|im|ive|id|ill|i will|i would|i am|i have|i had)"
SELF = r"(?:myself|himself|herself|themselves|themself|yourself)"
OTHER = (
    r"(?:him|her|them|someone|somebody|anyone|anybody|people|everyone|everybody|my (?:\w+ )?"
    r"(?:boss|husband|wife|partner|son|daughter|kids|children|child|baby|mum|mom|dad|father|"
    r"mother|brother|sister|ex|neighbour|neighbor|colleague|flatmate|boyfriend|girlfriend)|"
    r"the (?:baby|kids|children|neighbou?r|\w+ next door)|his \w+|her \w+)"
)
KILL = r"(?:kill|killing|killed|end|ending|ended|take|taking|took)"
SOON = r"(?:tonight|today|this (?:evening|weekend|week)|tomorrow|right now|after this)"


@dataclass(frozen=True)
class Rule:
    name: str
    category: RiskCategory
    severity: RiskSeverity
    pattern: re.Pattern[str]
    exclude: re.Pattern[str] | None = None


def _rule(
    name: str, category: RiskCategory, severity: RiskSeverity, pattern: str, exclude: str = ""
) -> Rule:
    return Rule(
        name,
        category,
        severity,
        re.compile(pattern),
        re.compile(exclude) if exclude else None,
    )


# fmt: off
RULES: tuple[Rule, ...] = (
    # --- immediate danger: a plan, means at hand, a time, or a threat happening now
    _rule("plan_with_time", "immediate_danger", "high",
          rf"(?:kill {SELF}|end it|take (?:them|it|all of them|"
          rf"the (?:pills|tablets|lot))|end my life|"
          rf"drive off|jump)\b.{{0,40}}\b{SOON}|{SOON}.{{0,30}}\b(?:kill {SELF}|end it all|"
          rf"drive off|jump off|do it)|\bdo it (?:tonight|right now|today|after this)"),
    _rule("means_at_hand", "immediate_danger", "high",
          r"(?:(?:have|got|saved|saved up|bought|stockpil\w*|hoard\w*|collect\w*)\b.{0,25}\b"
          r"(?:pills|tablets|rope|gun|blade|razor)s?\b.{0,40}\b(?:do it|take them|tonight|use)|"
          r"(?:have|got) the (?:pills|tablets|rope|gun) (?:here|with me|in my)|"
          r"bought a rope|stockpil\w+ (?:his |her |my )?(?:pills|tablets|meds)|"
          r"(?:gun|pills|tablets|rope) in the house and i keep looking)"),
    _rule("method_chosen", "immediate_danger", "high",
          r"(?:know exactly how (?:i|id) (?:would )?do it|worked out which (?:bridge|building)|"
          r"(?:wrote|written|writing) (?:my|a) (?:suicide )?note|set a date to (?:kill|end)|"
          r"looked up ways to (?:kill|end)|gave (?:my \w+|away my \w+) away)"),
    _rule("research_or_place", "immediate_danger", "high",
          r"\b(?:googled|looked up|searched|researched|read up on)\b.{0,30}\b(?:pills|overdose|"
          r"how to (?:die|kill)|ways to (?:die|kill)|lethal|"
          r"rope|hanging)|how many (?:pills|tablets)"
          r" (?:it would take|would kill)|standing on (?:the|a) (?:bridge|ledge|edge|roof)|"
          r"\btonight is the night\b|\balready (?:took|taken|swallowed)\b"),
    _rule("overdose_taken", "immediate_danger", "high",
          r"(?:took|taken|swallowed|had) (?:a (?:handful|"
          r"load|lot|bunch|packet|box) of |all (?:of )?"
          r"(?:my|the) )(?:pills|tablets|paracetamol|meds|medication)|"
          r"(?:swallowed|took) (?:a load of )?(?:paracetamol|tablets)"),
    _rule("overdose_thoughts", "suicidal_ideation", "high",
          r"\boverdos\w*\b(?! on (?:chocolate|sugar|coffee|caffeine|cake|sweets|tv|netflix))"),
    _rule("threat_now", "immediate_danger", "high",
          r"(?:(?:outside|at) (?:my|the) (?:flat|house|door|home|work)|coming (?:over|round|here) "
          r"tonight|right now|threatening me).{0,40}\b(?:kill|hurt|stab|shoot)\w* (?:me|us)|"
          r"threatening me right now|(?:pulled|has|got) a (?:knife|gun) (?:on|at) (?:me|us)|"
          r"(?:got|has) a (?:knife|gun) and|dont feel safe (?:going )?(?:home|at home)"),
    # --- suicidal ideation: wishes, passive ideation, burden, hopelessness about living
    _rule("kill_self", "suicidal_ideation", "high",
          rf"\b{KILL} (?:{SELF}|my own life|my life|her life|his life|their life|it all)\b|"
          rf"\bsuicid\w*|\bend(?:ing)? (?:it|everything)\b(?! with)"),
    _rule("want_to_die", "suicidal_ideation", "moderate",
          r"\b(?:wants?|wanted|wanting|wish(?:es)?|wished|"
          r"rather|hope) (?:to |i (?:was|were) |i could |"
          r"i would |id |be )?(?:die|dead|be dead|not be alive|not exist)\b|\bbetter off dead\b|"
          r"\bwish i (?:was|were) dead\b|\bwish (?:id|i had) never been born\b",
          exclude=r"rather die than (?!live|go on|carry on|be here)"),
    _rule("not_be_here", "suicidal_ideation", "moderate",
          r"\b(?:dont|do not|didnt) want to (?:be here|be alive|exist|live|wake up|go on|keep "
          r"going|keep living)\b|\bnot wake up\b|\bdont wake up\b|\bnot being alive\b|"
          r"\btired of (?:being alive|living|life)\b|\bno (?:point|reason) (?:in |to |for me to "
          r")?(?:living|live|going on|go on|keep living|carry on|being alive)\b|"
          r"\b(?:dont|cant|do not|cannot) (?:see|find|think of) (?:any|a) (?:point|reason) (?:in |"
          r"to |for me to )?(?:keep )?(?:living|live|going on|go on|carry on|being alive)\b|"
          r"\bnothing (?:left )?to live for\b|\bpoint of (?:going on|"
          r"living|me even being here|me being here|being alive)\b|"
          r"\blife (?:isnt|is not|aint) worth living\b",
          exclude=r"(?:be here|be at|go back).{0,10}\b(?:in this|at this|job|town|office|city|"
          r"house|flat|place|party|school)"),
    _rule("burden", "suicidal_ideation", "moderate",
          r"\b(?:better off|be fine|be happier|be better) (?:without me|if i (?:was|were|wasnt|"
          r"am) (?:gone|dead|not here|around)|if i was gone)\b|\bburden (?:to|on) "
          r"(?:everyone|everybody|them|my)|\bim (?:just )?a burden\b|\bworry about me much longer"
          r"\b|\bnotice if i (?:disappeared|was gone|died)\b|\bdisappear forever\b"),
    _rule("death_wish", "suicidal_ideation", "moderate",
          r"\b(?:wants?|wanted|wish(?:es)?|wished|rather|relief|"
          r"easier|better|hope|hoping|pray|praying|"
          r"think about|thinking about|thoughts? of|fantasi[sz]e about|long for)\b.{0,40}\b(?:"
          r"dying|dead|death|die|not exist|not be here|not wake up|wont wake up|never wake up)\b|"
          r"\b(?:dying|death) (?:would be|would feel|sounds|seems) (?:a relief|easier|better|"
          r"peaceful)\b|\b(?:pray|hope|wish)\w* i (?:wont|dont|never|will not) wake up\b",
          exclude=r"\bdying (?:to|of|for)\b|\bdie (?:laughing|for)\b|\bto death\b|"
          r"\bdead (?:tired|beat|serious|easy)\b|rather die than (?!live|go on|carry on|be here)"),
    _rule("absence_easier", "suicidal_ideation", "moderate",
          r"\b(?:miss|notice|care)\b.{0,20}\bif i (?:was|were|wasnt|werent|am) (?:gone|dead|not "
          r"(?:here|around)|around)\b|\b(?:easier|better) for (?:everyone|everybody|them|my \w+)"
          r" if i\b|\bif i (?:just )?(?:wasnt|werent) (?:around|here|alive)\b|"
          r"\bgive up on (?:life|living|everything)\b|\bdont want to (?:carry on|go on)\b|"
          r"\bno (?:future|way out) (?:for me|at all)\b"),
    _rule("imagery", "suicidal_ideation", "moderate",
          r"\b(?:jump|jumping|step|stepping|throw(?:ing)? myself) (?:off|in front of|under)\b|"
          r"\bwant it (?:all )?to end\b|\bcant do this anymore\b|\bcant go on\b"),
    # --- self-harm
    _rule("cutting", "self_harm", "moderate",
          rf"\b(?:cut|cutting|cuts|burn|burnt|burned|burning|burns|hurt|hurting|harm|harming|"
          rf"scratch\w*|punish\w*|hit|hitting|starve|starving) {SELF}\b|\bself[ -]?harm\w*|"
          r"\bbeen cutting\b|\bcutting again\b|\bcuts on my\b|\bso i cut\b|took a blade to|"
          r"\bon purpose\b|until (?:it|they|my \w+) (?:bleeds?|bled|hurts)\b|"
          r"\bbang(?:ing)? my head (?:on|against) the wall until\b",
          exclude=rf"cut {SELF} (?:shaving|cooking|chopping|by accident|accidentally)|"
          r"brick wall(?! until)"),
    _rule("injuring_body", "self_harm", "moderate",
          r"\b(?:cut|cutting|burn|burning|burnt|burned|scratch|scratched|scratching|hit|hitting|"
          r"bang|banging|punch|punching|scald\w*|bruis\w*) my (?:own )?(?:wrists?|arms?|legs?|"
          r"thighs?|skin|head|stomach|body|face)\b|\bto feel something\b|"
          r"\b(?:cutting|burning|hurting) (?:his|her|their) (?:wrists?|arms?|legs?|skin)\b",
          exclude=r"\b(?:by accident|accidentally|on the (?:oven|stove|iron|pan)|shaving|fell|"
          r"running|playing|brick wall)\b"),
    _rule("starving", "self_harm", "moderate",
          r"\bstarve myself\b|\bnot eating for days\b"),
    # --- harm to others: intent, urges, acts
    _rule("intent_to_harm", "harm_to_others", "high",
          rf"\b(?:want to|wanna|going to|gonna|could|ill|i will|would|thoughts? (?:about|of)|"
          rf"imagine|thought about|feel like)\s+(?:\w+ ){{0,2}}(?:kill|killing|hurt|hurting|"
          rf"stab|stabbing|shoot|shooting|strangle|strangling|punch|punching|beat|beating|burn|"
          rf"pushing|push|run|running) (?:{OTHER}|his house|up (?:his|her|the))\b",
          exclude=r"(?:going to|gonna) (?:kill|murder) me\b"),
    _rule("violent_urge", "harm_to_others", "moderate",
          r"\bsnap and hurt\b|\bhurt (?:someone|somebody|anyone|people|the baby|my (?:kids|baby|"
          r"son|daughter))\b|\bshoot (?:up )?(?:the place|people)\b|\bkill (?:him|her) if\b|"
          r"\bbeat up\b|\bshook the baby\b|\bmake (?:him|her|them) (?:suffer|pay)\b|"
          r"\bfantas\w+ (?:about|of) (?:hurting|killing|stabbing|hitting)\b"),
    _rule("harm_words", "harm_to_others", "moderate",
          rf"\b(?:hurt|hurting|kill|killing|stab|stabbing|shoot|shooting|strangle|attack|"
          rf"attacking) {OTHER}\b",
          exclude=r"\b(?:kill|killing) (?:time|it)\b"),
    _rule("hit_child", "harm_to_others", "high",
          r"\b(?:hit|slapped|smacked|shook|kicked|grabbed|threw|pushed|choked) my (?:son|"
          r"daughter|child|kids|baby|wife|"
          r"husband|partner)\b"),
    # --- abuse or neglect disclosures (client as victim, or a child or dependant at risk)
    _rule("violence_to_client", "abuse_neglect", "moderate",
          r"\b(?:he|she|they|my \w+(?: \w+)?) (?:\w+ ){0,2}?(?P<core>hits|"
          r"hit|beats|beat|slapped|slaps|pushed|"
          r"pushes|kicked|kicks|chokes|choked|strangled|punched|punches|burns|burned|burnt|"
          r"grabbed|threatens|threatened|strangles|screams at)\b(?: \w+){0,3} (?:me|"
          r"us|her|him|them|"
          r"the (?:kids|children)|my throat)\b|"
          r"\b(?:hits|beats|beat|slapped|pushed|chokes) (?:me|us|her)\b|"
          r"\bused to (?:hit|beat|burn|lock) (?:me|us)\b",
          exclude=r"\bbeat (?:me|us) (?:at|to)\b|\bhit (?:me|us) up\b|\bit hit me\b|"
          r"\bhit me with (?:a lot|lots|questions|the news)"),
    _rule("sexual_abuse", "abuse_neglect", "high",
          r"\b(?:touch(?:ed)? me|molest\w*|rap(?:e|ed)\b|sexual(?:ly)? (?:abus|assault)\w*|"
          r"forced (?:me|himself|herself) (?:to have sex|on me)|forced himself on)"),
    _rule("control", "abuse_neglect", "moderate",
          r"\b(?:wont|doesnt|does not|will not) let me (?:have|see|go|leave)\b|\bchecks my phone"
          r"\b|\btracks where i am\b|\btakes my (?:pension|money|benefits)\b|"
          r"\bcontrols (?:all )?(?:the|my) money\b|\bnot allowed (?:out|to (?:go|see|leave))\b|"
          r"\b(?:afraid|scared|terrified) (?:of what (?:he|she)|(?:he|she)(?:ll| will| is going "
          r"to| might) (?:kill|hurt|hit))|\blocks? (?:me|the "
          r"kids|us|them) in\b|\blocked me in\b|scared to go home|threatens to kill me"),
    _rule("neglect", "abuse_neglect", "moderate",
          r"\bnobody (?:feeds|watches|looks after)\b|\bnever any food\b|\bleft alone (?:all|for)"
          r"\b|\balone (?:for days|most nights|all night|all weekend)\b|\bwithout (?:his|her) "
          r"(?:medication|meds|food)\b|\bsoiled\b|\bnobody watches them\b"),
)
# fmt: on

NEGATION = re.compile(
    r"\b(?:not|never|no|dont|doesnt|didnt|wont|wouldnt|havent|hasnt|hadnt|isnt|arent|"
    r"stopped|no longer|no intention|no plans?|without)\b"
)
# "I can't stop thinking about it" is not a negation of what follows.
NOT_A_NEGATION = re.compile(r"\b(?:cant|couldnt|can not|cannot) stop\b|\bno one\b|\bno point\b")
REPORTING = re.compile(
    r"\b(?:said|says|say|told me|tells me|telling me|posted|wrote|mentioned|according to|"
    r"heard that)\b"
)
THIRD_PERSON_SUBJECT = re.compile(
    r"^(?:.*\b)?(?:my|a|the|her|his|their) (?:\w+ ){0,3}?(?:friend|brother|sister|mum|mom|"
    r"dad|cousin|daughter|son|girl|boy|guy|character|flatmate|neighbour|neighbor|colleague|"
    r"aunt|uncle)s?\b(?!.*\b(?:me|my|i|im)\b)"
)
CLAUSE_BREAK = re.compile(r"[,;:]|\bbut\b|\bjust\b|\band\b|\bif\b")
SENTENCE = re.compile(r"[^.!?]+[.!?]*")
ABUSE_REPORT_EXCEPT = ("abuse_neglect", "harm_to_others")


@dataclass(frozen=True)
class RiskMatch:
    """One rule's hit in one sentence."""

    category: RiskCategory
    severity: RiskSeverity
    rule: str
    quote: str  # the sentence as spoken, verbatim
    negated: bool
    reported_speech: bool


def normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("'", "")
    text = re.sub(r"[^a-z0-9,;:.!? -]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _clause_before(sentence: str, start: int) -> str:
    """The words before a match back to the start of its clause."""
    before = sentence[:start]
    cuts = [m.end() for m in CLAUSE_BREAK.finditer(before)]
    return before[cuts[-1] :] if cuts else before


def _negated(sentence: str, start: int) -> bool:
    clause = _clause_before(sentence, start)
    if NOT_A_NEGATION.search(clause):
        clause = NOT_A_NEGATION.sub(" ", clause)
    words = clause.split()[-6:]
    return bool(NEGATION.search(" ".join(words)))


def _reported(sentence: str, start: int, end: int, category: RiskCategory) -> bool:
    """Someone else's words or acts: a reporting verb before the match, or a third person
    doing to themselves what the rule names."""
    matched = sentence[start:end]
    target_is_speaker = re.search(r"\b(?:me|us|myself|my life|i)\b", matched) is not None
    before = sentence[:start]
    if REPORTING.search(before) and not target_is_speaker:
        return True
    if category in ABUSE_REPORT_EXCEPT:
        return False
    if re.search(r"\b(?:himself|herself|themselves|his (?:pills|tablets|meds))\b", matched):
        return True
    subject = before.split(",")[-1]
    return bool(THIRD_PERSON_SUBJECT.match(subject)) and not target_is_speaker


def _downgrade(severity: RiskSeverity) -> RiskSeverity:
    return "low" if severity != "high" else "moderate"


def _sentence_matches(original: str) -> list[RiskMatch]:
    sentence = normalise(original)
    found: dict[RiskCategory, RiskMatch] = {}
    for rule in RULES:
        for m in rule.pattern.finditer(sentence):
            if rule.exclude is not None and rule.exclude.search(sentence):
                continue
            core = m.start("core") if m.re.groupindex.get("core") and m.group("core") else -1
            negated = _negated(sentence, core if core >= 0 else m.start())
            reported = _reported(sentence, m.start(), m.end(), rule.category)
            severity = rule.severity
            if reported:
                severity = "low"
            elif negated:
                severity = _downgrade(severity)
            match = RiskMatch(
                rule.category, severity, rule.name, original.strip(), negated, reported
            )
            if _better(match, found.get(rule.category)):
                found[rule.category] = match
            break
    return list(found.values())


def _better(new: RiskMatch, old: RiskMatch | None) -> bool:
    """Keep the plainest, most severe reading of a category within a sentence."""
    if old is None:
        return True
    key_new = (not new.negated and not new.reported_speech, SEVERITY_ORDER[new.severity])
    key_old = (not old.negated and not old.reported_speech, SEVERITY_ORDER[old.severity])
    return key_new > key_old


def scan_text(text: str) -> list[RiskMatch]:
    """Every category of risk language in `text`, one match per category per sentence."""
    matches: list[RiskMatch] = []
    for piece in SENTENCE.findall(text):
        if piece.strip():
            matches.extend(_sentence_matches(piece))
    return matches


def flag_utterances(utterances: Iterable[Utterance]) -> list[RiskFlag]:
    """Risk flags for the client's (and unattributed) utterances, one per category each."""
    flags: list[RiskFlag] = []
    for u in utterances:
        if u.role not in SCANNED_ROLES:
            continue
        best: dict[RiskCategory, RiskMatch] = {}
        for match in scan_text(u.text):
            if _better(match, best.get(match.category)):
                best[match.category] = match
        for match in best.values():
            flags.append(
                RiskFlag(
                    utterance_seq=u.seq,
                    role=u.role,
                    start=u.start,
                    end=u.end,
                    category=match.category,
                    severity=match.severity,
                    quote=match.quote,
                    rule=match.rule,
                    negated=match.negated,
                    reported_speech=match.reported_speech,
                )
            )
    return flags


@dataclass(frozen=True)
class LabelledSentence:
    category: str  # a RiskCategory, or "none" for a hard negative
    marker: str  # plain, negated or reported
    text: str


def load_test_set(path: Path) -> list[LabelledSentence]:
    """A labelled sentence set (the caller names it: the sets live with the tests, not here)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        return [LabelledSentence(r["category"], r["marker"], r["text"]) for r in rows]


def evaluate(rows: Sequence[LabelledSentence]) -> dict[str, object]:
    """Recall counts a positive found when any flag is raised on it; the category and the
    negated/reported marker are scored apart, so a miss on either shows."""
    tp = fp = fn = category_ok = marker_ok = 0
    misses: list[str] = []
    false_alarms: list[str] = []
    for row in rows:
        matches = scan_text(row.text)
        positive = row.category != "none"
        if positive and matches:
            tp += 1
            category_ok += any(m.category == row.category for m in matches)
            marker = _marker(matches, row.category)
            marker_ok += marker == row.marker
        elif positive:
            fn += 1
            misses.append(row.text)
        elif matches:
            fp += 1
            false_alarms.append(row.text)
    return {
        "sentences": len(rows),
        "positives": tp + fn,
        "risk_recall": round(tp / max(1, tp + fn), 4),
        "risk_precision": round(tp / max(1, tp + fp), 4),
        "category_accuracy": round(category_ok / max(1, tp), 4),
        "marker_accuracy": round(marker_ok / max(1, tp), 4),
        "missed": misses,
        "false_alarms": false_alarms,
    }


def _marker(matches: Sequence[RiskMatch], category: str) -> str:
    chosen = next((m for m in matches if m.category == category), matches[0])
    if chosen.reported_speech:
        return "reported"
    return "negated" if chosen.negated else "plain"


def evaluate_test_set(path: Path) -> dict[str, object]:
    return evaluate(load_test_set(path))
