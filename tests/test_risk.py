"""Risk language: both layers, kinds, markers, roles, verbatim quotes and the reasons given."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from copilot.analysis.risk import default_detector, flag_utterances, rules_only, scan_text
from copilot.analysis.risk.evaluation import evaluate, load_set
from copilot.analysis.risk.learned import load_learned_layer
from copilot.analysis.risk.markers import normalise
from copilot.analysis.risk.rules import RULES
from copilot.domain import Utterance

DATA = Path(__file__).parent / "data"

# Words that carry no content, so that a paraphrase may share them with a rule.
FUNCTION_TEXT = (
    "i im ive id ill me my mine myself a an the and or but to of in on at for with from by it its "
    "is was were be been being am are so that this these those just all some any no not do does "
    "did dont would could should will wont can cant may might must have has had he she they them "
    "his her their him we us our you your who which what when where whenever why how if then than "
    "there here up down out over under again once ever even never very really only also still "
    "keep got know next time night fine ago whole after before into"
)
FUNCTION_WORDS = set(FUNCTION_TEXT.split())
RULE_WORDS = {
    word
    for rule in RULES
    for source in (rule.pattern.pattern, rule.exclude.pattern if rule.exclude else "")
    for word in re.findall(r"[a-z]+", source)
}

# One paraphrase per category, in words no rule uses: only the learned layer can catch these.
PARAPHRASES = [
    ("suicidal_ideation", "Honestly, I'd prefer to simply vanish and stay vanished."),
    ("immediate_danger", "I've been squirrelling capsules into a shoebox for weeks."),
    ("immediate_danger", "I handed my guitar and records to my nephew, I won't be needing them."),
    (
        "suicidal_behaviour",
        "At nineteen I was found unconscious after gulping down a month's supply of sleeping"
        " capsules.",
    ),
    ("self_harm", "I keep slicing my forearms in the bathroom, hidden under my sleeves."),
    ("harm_to_others", "Next time that lad shows up I'll crush his windpipe."),
    ("abuse_neglect", "My stepfather crept into my bedroom at night when I was small."),
    (
        "intrusive_thoughts",
        "I keep picturing dropping my little girl over the bannister and it horrifies me.",
    ),
]


@pytest.mark.parametrize(("category", "text"), PARAPHRASES)
def test_paraphrase_in_other_words_is_caught_by_the_learned_layer(category: str, text: str) -> None:
    content = [w for w in re.findall(r"[a-z]+", normalise(text)) if w not in FUNCTION_WORDS]
    assert content and not set(content) & RULE_WORDS  # shares no content word with any rule
    assert rules_only().scan(text) == []
    (match,) = scan_text(text)
    assert match.category == category
    assert match.layer == "learned" and match.rule == ""
    assert match.exemplars and all(e.kind == match.kind for e in match.exemplars)
    assert match.exemplars[0].similarity >= match.exemplars[-1].similarity
    # the reason shown is enough on its own: the named kind's nearest exemplar clears the floor
    assert match.exemplars[0].similarity >= load_learned_layer().floor


@pytest.mark.parametrize("name", ["risk_sentences.tsv", "risk_heldout.tsv"])
def test_older_sets_keep_recall_first_then_precision(name: str) -> None:
    result = evaluate(load_set(DATA / name), default_detector())
    assert result["risk_recall"] >= 0.95, result["missed"]
    # The learned layer's margin is chosen on these sets for recall; idioms cost it some precision.
    assert result["risk_precision"] >= 0.85, result["false_alarms"]
    assert result["category_accuracy"] >= 0.9


def test_blind_split_covers_every_situation_and_is_not_training_material() -> None:
    rows = load_set(DATA / "risk_blind.tsv")
    situations: dict[str, int] = {}
    for r in rows:
        if r.category != "none":
            situations[r.situation] = situations.get(r.situation, 0) + 1
    assert len(situations) >= 13 and min(situations.values()) >= 15
    assert sum(r.category == "none" for r in rows) >= 150
    training = {
        line.rsplit("\t", 1)[-1]
        for path in (Path(__file__).parents[1] / "scripts" / "risk_data").glob("*.tsv")
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    assert not {r.text for r in rows} & training


def test_a_rule_flag_names_its_rule_and_both_layers_agree_on_plain_words() -> None:
    (match,) = scan_text("I want to kill myself.")
    assert match.rule == "kill_self" and match.layer == "both"
    assert match.kind == "active_ideation" and match.category == "suicidal_ideation"


def test_negation_is_flagged_and_marked_not_dropped() -> None:
    (match,) = scan_text("I would never kill myself.")
    assert match.negated and match.category == "suicidal_ideation"
    assert match.severity == "low"


def test_a_denied_intent_to_harm_someone_is_flagged_and_marked() -> None:
    (match,) = scan_text("I've no intention of doing anything to him, I was only venting.")
    assert match.kind == "harm_intent" and match.negated


def test_negation_in_the_learned_layer_alone_is_marked() -> None:
    (match,) = scan_text("I'm not hoarding capsules in a shoebox anymore, honestly.")
    assert match.layer == "learned" and match.negated


def test_negative_form_risk_is_not_read_as_a_denial() -> None:
    (match,) = scan_text("I'd prefer to not be around any longer, honestly.")
    assert not match.negated


def test_reported_speech_is_flagged_and_marked() -> None:
    (match,) = scan_text("My friend said she wanted to die.")
    assert match.reported_speech and match.severity == "low"


def test_past_attempt_is_flagged_marked_past_and_stays_on_the_ladder() -> None:
    matches = scan_text("I tried to kill myself when I was nineteen.")
    attempt = next(m for m in matches if m.kind == "attempt")
    assert attempt.past and attempt.category == "suicidal_behaviour"
    assert attempt.severity == "high"  # an attempt stays high however long ago


def test_an_overdose_in_the_past_is_an_attempt_not_imminence() -> None:
    matches = scan_text("Years ago I swallowed a handful of pills.")
    assert {m.kind for m in matches} >= {"attempt"}
    assert all(m.kind != "imminence" for m in matches)


def test_abuse_of_a_child_is_marked_and_raised() -> None:
    matches = scan_text("My husband beats our son with a belt.")
    abuse = next(m for m in matches if m.category == "abuse_neglect")
    assert abuse.child_involved and abuse.severity == "high"


def test_intrusive_thoughts_are_their_own_kind_and_low() -> None:
    text = "I have these unwanted thoughts about hurting the baby and they terrify me."
    intrusive = next(m for m in scan_text(text) if m.kind == "intrusive_thought")
    assert intrusive.category == "intrusive_thoughts" and intrusive.severity == "low"


# Plain forms the rules' tense and word order missed, read in three blind splits' errors.
LEARNERS_GRAMMAR = [
    ("When he leave, I swallow the whole packet of tablets.", "imminence"),
    ("Last year I took too many of my mother's pills.", "attempt"),  # past: an attempt
    ("Every night I pray God takes me.", "passive_wish"),
    ("I will not have the chemo, I will let it take me.", "passive_wish"),
    ("I make the papers ready for when I am gone.", "preparatory"),
    ("Next time he come here I will break his face.", "harm_thought"),
    ("I put the tablets in her tea and she never knows.", "harm_means"),
    ("Their mum sleeps all day and nobody wash them.", "neglect"),
    ("My stepmother don't give him food, he is very thin.", "neglect"),
]
YOUNG_PEOPLES_WORDS = [
    ("Honestly I just wanna unalive myself at this point.", "active_ideation"),
    ("lol kms, I mean it though.", "active_ideation"),
    ("I'm so done existing, I just want to stop existing.", "passive_wish"),
    ("I've been keeping my quetiapine instead of taking it.", "means_access"),
    ("I got sleepers from three different chemists so nobody asks.", "means_access"),
    ("I checked which trains don't stop at the little station.", "method"),
    ("My stepdad locks the food away when mum's at work.", "neglect"),
    ("We're gonna put him in hospital after school.", "harm_thought"),
]
OLDER_PEOPLES_WORDS = [
    ("I ask the Lord every morning to call me home.", "passive_wish"),
    ("Some days I think about taking the quick way out.", "active_ideation"),
    ("Some nights I'm tempted to drive into the quarry.", "method"),
    ("Most nights I'm holding the pistol against my temple.", "method"),
    ("There's a rope round the beam in the barn.", "method"),
    ("I've bought a hose that fits the exhaust.", "method"),
    ("I'm saying cheerio to everyone at the club this week.", "preparatory"),
    ("I'll not be needing those where I'm going.", "preparatory"),
    ("I've had half a bottle of rum and all my tablets.", "imminence"),
    ("I've injected the lot, the whole pen.", "imminence"),
    ("I'm by the tracks now, please don't send anybody.", "imminence"),
    ("I have the sleeping pills ready for her cocoa.", "harm_means"),
    ("I've sharpened the new axe for the bloke who hurt my girl.", "harm_means"),
    ("Nobody has bathed me since Easter.", "neglect"),
    ("The carers never give me my insulin on time.", "neglect"),
]
CLINICAL_WORDS = [
    ("It'd be a mercy if the cancer took me before winter.", "passive_wish"),
    ("I'm such a drain on my daughter, honestly.", "passive_wish"),
    ("Without me they'd get their lives back.", "passive_wish"),
    ("Some nights I think I'll just check out permanently.", "active_ideation"),
    ("I swallowed the weedkiller hoping it would finish me.", "attempt"),
    (
        "There's morphine in the cabinet at work and I know exactly what would do it.",
        "means_access",
    ),
    ("I left a note for my son saying it isn't his fault.", "preparatory"),
    (
        "The letters are in the drawer, to be opened if anything happens to me tonight.",
        "preparatory",
    ),
    ("There won't be any tomorrow for me, so it doesn't matter.", "imminence"),
    ("I know exactly what I'm going to do to that landlord.", "harm_intent"),
    ("I'm ready to do my stepdad in.", "harm_intent"),
    ("He's getting properly hurt tonight.", "harm_intent"),
    ("I sit up at night googling, um, methods, and then I wipe it all.", "method"),
    ("I keep going over it in my head, the when and the where.", "plan"),
    ("She leaves the toddler screaming in his cot for hours.", "neglect"),
    ("I've every intention of doing something to my stepdad when he's out.", "harm_intent"),
    ("At the home nobody turns my dad, and his bed sores are weeping.", "neglect"),
]


@pytest.mark.parametrize(
    ("text", "kind"), LEARNERS_GRAMMAR + YOUNG_PEOPLES_WORDS + OLDER_PEOPLES_WORDS + CLINICAL_WORDS
)
def test_plain_forms_in_learners_young_older_or_clinical_populations_words_are_read_by_the_rules(
    text: str, kind: str
) -> None:
    assert kind in {m.kind for m in rules_only().scan(text)}


@pytest.mark.parametrize(
    "text",
    [
        "The car has low kms on it and a full service history.",
        "The company will cease to exist as a brand next year.",
        "I'm saving my allowance instead of spending it.",
        "I'm keeping my routine instead of taking it easy this week.",
        "She was put in hospital after the fall.",
        "My student fell over and break her face on the desk.",
        "I take too many tablets for my back, the doctor says.",
        "I put salt in her food because she likes it.",
        "We walked over the rape fields to the church.",
        "I asked him to take me home after the party.",
        "Take the quick way out of the car park past the barrier.",
        "I almost drove into a wall when the tyre burst.",
        "We threw a rope over the beam to lift the engine out.",
        "They don't give me my tablets until the doctor signs it.",
        "This commute does my head in.",
        "We checked out early because the hotel was noisy.",
        "My son got hurt this week at football.",
        "The stairs will do my mum in, she's eighty.",
        "My solicitor is applying for a non-molestation order.",
        "I did an overdose awareness course at the hostel.",
        "I've been researching ways to cut our energy bill.",
        "We planned the how and the when of the office move.",
        "Mum left the baby with her sister for the day.",
        "I have every intention of doing something to her hair for the wedding.",
        "The nurses turn him every two hours so he doesn't get pressure sores.",
    ],
)
def test_the_same_words_in_ordinary_talk_stay_out_of_the_rules(text: str) -> None:
    assert rules_only().scan(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "I could kill for a coffee.",
        "That meeting killed me.",
        "I'm dying to go on holiday.",
        "This traffic is killing me and I'd kill for a coffee.",
    ],
)
def test_idioms_stay_quiet(text: str) -> None:
    assert scan_text(text) == []


# Everyday talk that sits near risk words by chance (an appointment, tablets, tiredness); none of
# these sentences is in the bank.
@pytest.mark.parametrize(
    "text",
    [
        "Call me on 07700 900123 if you need to move the appointment.",
        "I'm dead tired after the night shift.",
        "I cut the grass on Sunday and then did the shopping.",
        "My son has a dentist appointment at half past three on Friday.",
        "I need to pick up my prescription from the chemist before it closes.",
        "I've been so tired since the clocks changed, I can hardly get up.",
        # a client's low mood, worry and relief, as a recogniser heard the demo (misheard words
        # and all): none of these is risk, and the demo's lines are not in the bank
        "Honestly, that's great. I feel flat most of the time. Nothing really seems worth doing.",
        "My mind just raises. Did I send that email? Did I set someone? What if I lose my job?",
        "Lighter, actually. A bit embarrassed, but lighter.",
        "Okay, are you two free tonight? We could get a takeaway.",
    ],
)
def test_everyday_talk_raises_no_flag(text: str) -> None:
    assert scan_text(text) == []


def test_a_learned_flag_on_weak_evidence_is_not_high(tmp_path: Path) -> None:
    import json
    import shutil

    from copilot.analysis.encoder import load_risk_encoder
    from copilot.analysis.risk import RiskDetector
    from copilot.analysis.risk.learned import MODEL_DIR, LearnedLayer

    text = "I've been hoarding capsules in a shoebox for weeks."
    (close,) = scan_text(text)  # its nearest exemplar is close: the kind's full severity
    assert close.layer == "learned" and close.kind == "means_access" and close.severity == "high"
    for name in ("head.npz", "bank.npz", "exemplars.tsv", "meta.json"):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    shipped = json.loads((tmp_path / "meta.json").read_text(encoding="utf-8"))
    assert close.score is not None
    for change in (
        {"close_top1": close.exemplars[0].similarity + 0.01},  # no exemplar is close enough
        {"close_margin": close.score + 0.01},  # close, but too near a tie with everyday talk
    ):
        (tmp_path / "meta.json").write_text(json.dumps({**shipped, **change}), encoding="utf-8")
        (weak,) = RiskDetector(LearnedLayer(load_risk_encoder(), tmp_path)).scan(text)
        assert weak.kind == "means_access" and weak.severity == "moderate", change


def test_same_words_same_flags() -> None:
    text = "Some nights I'd prefer to stop existing. My husband slaps me."
    assert scan_text(text) == scan_text(text)


def _utterance(seq: int, role: str, text: str) -> Utterance:
    return Utterance(seq=seq, role=role, start=seq * 10.0, end=seq * 10.0 + 4, text=text)  # type: ignore[arg-type]


def test_only_client_and_unattributed_speech_is_scanned() -> None:
    flags = flag_utterances(
        [
            _utterance(0, "therapist", "Have you had thoughts of killing yourself?"),
            _utterance(1, "client", "Honestly, some nights I wish I could just not wake up."),
            _utterance(2, "unknown", "He hits me when he drinks."),
        ]
    )
    assert [(f.utterance_seq, f.category) for f in flags] == [
        (1, "suicidal_ideation"),
        (2, "abuse_neglect"),
    ]
    assert flags[0].start == 10.0 and flags[0].kind == "passive_wish"


def test_quote_occurs_verbatim_in_the_utterance() -> None:
    text = "Work was fine. But I've saved up enough pills to do it. Anyway."
    flags = flag_utterances([_utterance(3, "client", text)])
    flag = next(f for f in flags if f.category == "immediate_danger")
    assert flag.severity == "high" and flag.kind == "means_access"
    assert flag.quote == "But I've saved up enough pills to do it."


def test_the_report_and_the_terminal_say_what_fired_and_why() -> None:
    from copilot.analysis import metrics
    from copilot.analysis.risk import describe
    from copilot.domain import Session, SessionExport
    from copilot.report import render

    flags = flag_utterances(
        [
            _utterance(0, "client", "I've been hoarding capsules in a shoebox for weeks."),
            _utterance(1, "client", "I would never kill myself."),
        ]
    )
    learned, ruled = flags
    line = describe.line(learned)
    assert line.startswith("means access · immediate danger (high): “I've been hoarding")
    assert f"{learned.exemplars[0].similarity:.0%} like “{learned.exemplars[0].text}”" in line
    assert describe.why(ruled).startswith("rule kill_self")
    assert "(low, negated)" in describe.line(ruled)
    old = ruled.model_copy(update={"kind": None, "exemplars": [], "layer": "rules"})
    assert describe.name(old) == "suicidal ideation"
    export = SessionExport(
        session=Session(id="s", client_label="A.", source="file"),
        utterances=[],
        metrics=metrics.compute([], 10.0),
        risk_flags=[learned, old],
    )
    html = render(export)
    assert "means access · immediate danger" in html and "Why: rule kill_self" in html
    assert learned.exemplars[0].text.replace("'", "&#39;") in html


def test_missing_or_mismatched_model_files_are_one_clear_error(tmp_path: Path) -> None:
    import shutil

    from copilot.analysis.risk.learned import MODEL_DIR, LearnedLayer
    from copilot.errors import ModelError

    class NoEncoder:
        def encode(self, texts: object) -> object:
            raise AssertionError("never reached")

    with pytest.raises(ModelError, match=r"risk model files missing in .*: head\.npz"):
        LearnedLayer(NoEncoder(), tmp_path)  # type: ignore[arg-type]
    for name in ("head.npz", "bank.npz", "exemplars.tsv", "meta.json"):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    lines = (tmp_path / "exemplars.tsv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "exemplars.tsv").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(ModelError, match="exemplars and vectors disagree"):
        LearnedLayer(NoEncoder(), tmp_path)  # type: ignore[arg-type]


def test_a_bank_built_with_another_encoder_is_refused(tmp_path: Path) -> None:
    import json
    import shutil

    from copilot.analysis.encoder import load_encoder, load_risk_encoder
    from copilot.analysis.risk.learned import MODEL_DIR, check_encoder
    from copilot.errors import ModelError

    check_encoder(load_risk_encoder())  # the bundled pair agree
    for name in ("head.npz", "bank.npz", "exemplars.tsv", "meta.json"):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    with pytest.raises(ModelError, match=r"rebuild it with scripts/train_risk\.py"):
        check_encoder(load_encoder(), tmp_path)
    meta = json.loads((tmp_path / "meta.json").read_text(encoding="utf-8"))
    (tmp_path / "meta.json").write_text(json.dumps({**meta, "encoder_sha256": "0" * 64}))
    with pytest.raises(ModelError, match="was built with encoder"):
        check_encoder(load_risk_encoder(), tmp_path)


def test_a_halting_speakers_fragments_are_read_together() -> None:
    text = "the pills. they're counted. they're ready."
    assert rules_only().scan(text) == []
    (match,) = scan_text(text)
    assert match.layer == "learned" and match.category == "immediate_danger"
    assert match.quote == text  # the fragments read together, quoted verbatim


def test_a_short_utterance_is_read_but_needs_a_close_exemplar() -> None:
    from copilot.analysis.risk.learned import load_learned_layer

    (match,) = scan_text("Got the pills ready.")
    assert match.layer == "learned" and match.kind == "means_access"
    assert match.exemplars[0].similarity >= load_learned_layer().short_floor
    assert scan_text("Picked up the dry cleaning.") == []
    assert scan_text("Maybe some practical steps.") == []


def test_guilt_towards_a_partner_is_not_abuse() -> None:
    text = (
        "At home too. My wife keeps asking what is wrong, and I never know what to say. "
        "I feel so guilty that she has to deal with me."
    )
    assert scan_text(text) == []


def test_risk_said_in_passing_is_read_clause_by_clause(tmp_path: Path) -> None:
    import json
    import shutil

    from copilot.analysis.encoder import load_risk_encoder
    from copilot.analysis.risk import RiskDetector
    from copilot.analysis.risk.learned import MODEL_DIR, LearnedLayer

    text = (
        "The boiler finally got fixed on Thursday after three weeks of cold showers, and I lay "
        "in bed thinking everyone would manage fine without me."
    )
    assert rules_only().scan(text) == []
    (match,) = scan_text(text)
    assert match.layer == "learned" and match.kind == "passive_wish"
    assert match.quote == text  # the whole sentence is quoted, not the clause
    # Read whole only (no clause can fire), the everyday half hides the wish.
    for name in ("head.npz", "bank.npz", "exemplars.tsv", "meta.json"):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    shipped = json.loads((tmp_path / "meta.json").read_text(encoding="utf-8"))
    (tmp_path / "meta.json").write_text(
        json.dumps({**shipped, "clause_floor_top1": 1.01}), encoding="utf-8"
    )
    assert RiskDetector(LearnedLayer(load_risk_encoder(), tmp_path)).scan(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "We've been clearing out Nan's house since the funeral, and my brother is taking her old "
        "car and most of the furniture.",
        "The boiler broke again on Tuesday, so I spent the whole evening on hold to the landlord, "
        "and then the dog was sick on the carpet.",
    ],
)
def test_a_long_everyday_sentence_stays_quiet_clause_by_clause(text: str) -> None:
    assert scan_text(text) == []


def test_a_long_unit_divides_into_clauses_and_a_short_one_does_not() -> None:
    from copilot.analysis.risk.clauses import CLAUSE_WORDS, MAX_CLAUSES, clauses

    text = (
        "The car failed its test on Thursday and the garage wants four hundred, but honestly "
        "what worries me is that I keep thinking about not being here, because nothing changes."
    )
    parts = clauses(text)
    assert 2 <= len(parts) <= MAX_CLAUSES
    assert all(len(p.split()) >= CLAUSE_WORDS for p in parts)
    assert " ".join(parts).split() == text.replace(",", "").split()  # every word, in order
    assert clauses("I keep thinking about not being here.") == []
