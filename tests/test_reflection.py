"""Reflection prompts, the private journal, check-ins with their load context, reminders, CLI.

The sessions are written here from domain models (no audio, no speech recognition); the
summaries are made by the real local analyser from the readings given.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from reflection_sessions import DAY, GRIEF, PANIC, grief_flag, make_export, store_export

from copilot.cli.context import Context
from copilot.cli.reflection import HANDLERS, add_parsers
from copilot.domain import Provenance, ReflectionPrompt, SessionExport
from copilot.reflection import reminders
from copilot.reflection.checkins import CheckInStore, ask, intensity, load_context, make_checkin
from copilot.reflection.instruments import builtin
from copilot.reflection.journal import (
    JournalEntry,
    JournalError,
    JournalStore,
    journal_for_export,
    journal_path,
)
from copilot.reflection.prompts import build_prompts, grounded, render
from copilot.reflection.wording import reword, scripts_feelings
from copilot.settings import Settings
from copilot.storage import SessionStore, database_path


@pytest.fixture
def panic() -> SessionExport:
    return make_export("panic-0001", PANIC)


@pytest.fixture
def grief() -> SessionExport:
    plain = make_export("grief-0002", GRIEF, DAY + timedelta(hours=2))
    return make_export("grief-0002", GRIEF, DAY + timedelta(hours=2), [grief_flag(plain)])


# prompts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["panic", "grief"])
def test_prompts_cite_verbatim_quotes_at_their_times(
    name: str, request: pytest.FixtureRequest
) -> None:
    export: SessionExport = request.getfixturevalue(name)
    prompts = build_prompts(export)
    assert 3 <= len(prompts) <= 5
    by_seq = {u.seq: u for u in export.utterances}
    for p in prompts:
        assert p.utterance_seq is not None
        utterance = by_seq[p.utterance_seq]
        assert p.quote and p.quote in utterance.text
        assert p.start == utterance.start and p.speaker == utterance.role
        assert grounded(p, export.utterances)
    assert len({p.aspect for p in prompts}) == len(prompts)
    assert len({(p.start, p.quote) for p in prompts}) == len(prompts)  # each its own moment


def test_two_sessions_get_different_prompts(panic: SessionExport, grief: SessionExport) -> None:
    a, b = build_prompts(panic), build_prompts(grief)
    assert not {render(p) for p in a} & {render(p) for p in b}
    assert not {p.question for p in a} & {p.question for p in b}
    assert not {p.id for p in a} & {p.id for p in b}


def test_the_same_session_gives_the_same_prompts(panic: SessionExport) -> None:
    assert build_prompts(panic) == build_prompts(panic)


def test_prompts_follow_what_happened_in_the_session(
    panic: SessionExport, grief: SessionExport
) -> None:
    a = {p.aspect: p for p in build_prompts(panic)}
    b = {p.aspect: p for p in build_prompts(grief)}
    # The therapist answered a frightened client with a technique: the pull-to-fix prompt
    # quotes the therapist's own words.
    assert a["pull"].speaker == "therapist" and a["pull"].facet == "fixing"
    assert "Have you tried slowing your breathing" in a["pull"].quote
    assert a["needs"].facet == "tools" and "something practical" in a["needs"].quote
    assert b["needs"].facet == "connection" and "I don't need advice" in b["needs"].quote
    assert b["alliance"].facet == "bond" and "easier to tell you" in b["alliance"].quote
    assert a["felt"].speaker == "client" == b["felt"].speaker


def test_prompts_ask_and_never_tell_the_therapist_what_they_felt(
    panic: SessionExport, grief: SessionExport
) -> None:
    for p in build_prompts(panic) + build_prompts(grief):
        assert p.question.rstrip().endswith("?")
        assert not scripts_feelings(p.question), p.question
    assert scripts_feelings("You must have felt helpless here. What did you do?")
    assert not scripts_feelings("What did you feel here?")


def test_a_session_with_little_talk_gets_no_filler() -> None:
    export = make_export("tiny-0003", [("client", "Hello.", ("neutral", 0.9, 0.0, 0.1))])
    prompts = build_prompts(export)
    assert 1 <= len(prompts) < 3  # only what the one utterance can ground
    assert all(p.quote == "Hello." for p in prompts)
    assert not build_prompts(make_export("empty-0004", []))


def test_long_utterances_are_quoted_by_a_verbatim_opening() -> None:
    long_text = " ".join(["I keep going over what happened at the station that night"] * 8)
    export = make_export("long-0005", [("client", long_text, ("sadness", 0.9, -0.8, 0.4))])
    prompt = build_prompts(export)[0]
    assert prompt.truncated and len(prompt.quote) < len(long_text)
    assert long_text.startswith(prompt.quote)


def test_wording_hook_may_change_only_the_question(panic: SessionExport) -> None:
    local = build_prompts(panic)

    def polite(prompts: list[ReflectionPrompt]) -> list[ReflectionPrompt]:
        return [p.model_copy(update={"question": f"Gently: {p.question}"}) for p in prompts]

    worded, notice = reword(local, polite)
    assert notice is None
    assert [p.question for p in worded] == [f"Gently: {p.question}" for p in local]
    assert {p.wording for p in worded} == {"claude"}

    def strays(prompts: list[ReflectionPrompt]) -> list[ReflectionPrompt]:
        first = prompts[0].model_copy(update={"quote": "words nobody said", "question": "New?"})
        second = prompts[1].model_copy(update={"question": "You must have felt useless. Why?"})
        return [first, second, *prompts[2:]]

    kept, _ = reword(local, strays)
    assert kept[0] == local[0] and kept[1] == local[1]

    def broken(prompts: list[ReflectionPrompt]) -> list[ReflectionPrompt]:
        raise ConnectionError("no network")

    fallback, notice = reword(local, broken)
    assert fallback == local and notice and "no network" in notice


# journal and privacy -----------------------------------------------------------------------------

SECRET = "I felt my own old grief rise when she mentioned the Sunday calls zq7"


def test_journal_entries_never_reach_the_session_export_or_database(
    grief: SessionExport,
) -> None:
    from copilot.analysis.run import build_export

    store = SessionStore()
    store_export(store, grief)
    prompt = build_prompts(grief)[0]
    journal = JournalStore()
    entry = journal.entries.add(
        JournalEntry(session_id=grief.session.id, prompt_id=prompt.id, aspect=prompt.aspect,
                     question=prompt.question, moment_start=prompt.start, answer=SECRET)
    )  # fmt: skip

    exported = build_export(store, grief.session.id)
    store.close()
    assert exported.summary is not None and exported.utterances  # a real, full export
    assert SECRET not in exported.model_dump_json()
    session_files = list(database_path().parent.glob(database_path().name + "*"))
    assert database_path() in session_files
    assert all(SECRET.encode() not in f.read_bytes() for f in session_files)
    journal_files = list(journal_path().parent.glob(journal_path().name + "*"))
    assert journal_path() != database_path()
    assert journal_files and all(SECRET.encode() not in f.read_bytes() for f in journal_files)
    assert SECRET in [e.answer for e in journal.entries.select()]  # stored apart (and encrypted)

    assert journal_for_export(journal, grief.session.id) == []
    assert entry.id is not None
    assert [e.answer for e in journal_for_export(journal, grief.session.id, [entry.id])] == [SECRET]
    with pytest.raises(JournalError):
        journal_for_export(journal, "panic-0001", [entry.id])
    journal.close()


def test_journal_keeps_the_therapists_words_not_the_clients(grief: SessionExport) -> None:
    prompt = build_prompts(grief)[0]
    journal = JournalStore()
    journal.entries.add(JournalEntry(session_id=grief.session.id, prompt_id=prompt.id,
                                     aspect=prompt.aspect, question=prompt.question,
                                     moment_start=prompt.start, answer="tight chest"))  # fmt: skip
    raw = json.dumps([dict(r) for r in journal.db.execute("SELECT * FROM entries")])
    assert "tight chest" in raw and prompt.quote not in raw
    assert journal.entries.forget_session(grief.session.id) == 1
    assert journal.entries.select(grief.session.id) == []
    journal.close()


# check-ins and load context ----------------------------------------------------------------------


def test_load_context_reads_the_days_sessions(panic: SessionExport, grief: SessionExport) -> None:
    store = SessionStore()
    store_export(store, panic)
    store_export(store, grief)
    negated = grief_flag(grief).model_copy(update={"negated": True, "utterance_seq": 9})
    store.analyses.save_analysis(grief.session.id, "risk_flags", Provenance(engine="test"),
                        [grief_flag(grief), negated])  # fmt: skip
    context = load_context(store, DAY.astimezone().date())
    store.close()

    def mean_intensity(export: SessionExport) -> float:
        values = [(abs(r.valence) + r.arousal) / 2 for r in export.emotions]
        return sum(values) / len(values)

    a, b = mean_intensity(panic), mean_intensity(grief)
    assert context.sessions == 2
    assert context.mean_intensity == pytest.approx((a + b) / 2, abs=1e-3)
    assert context.peak_intensity == pytest.approx(0.85)  # (|-0.8| + 0.9) / 2 in the panic one
    assert context.sessions_with_risk == 1 and context.risk_flags == 1  # the negated one is not
    assert panic.session.ended_at is not None
    gap = (grief.session.created_at - panic.session.ended_at).total_seconds() / 60
    assert context.gaps_min == [round(gap, 1)]
    assert intensity(panic.emotions[0]) == pytest.approx(0.75)


def test_checkin_is_stored_with_instrument_identity_and_load() -> None:
    instrument = builtin("post")
    made = make_checkin(instrument, {"still-with-me": 4, "present": 2, "body": 5, "resourced": 1})
    with JournalStore() as journal:
        CheckInStore(journal).save(made)
        (back,) = CheckInStore(journal).list()
    assert back == made
    assert (back.instrument_id, back.instrument_version) == ("copilot-after-session", "1")
    assert len(back.instrument_digest) == 64
    assert back.scores[0].score == 4.5  # (4 + (6-2) + 5 + (6-1)) / 4
    assert back.scores[0].band == "heavy" and back.scores[0].attention


# reminders ---------------------------------------------------------------------------------------


def test_reminders_are_off_by_default_and_snooze() -> None:
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    j = JournalStore()
    assert reminders.schedule(j, "s-1", Settings(), now) is None
    assert reminders.due(j, now) == []
    made = reminders.schedule(j, "s-1", Settings(reminders=True), now)
    assert made is not None and [r.session_id for r in reminders.due(j, now)] == ["s-1"]
    later = reminders.snooze(j, "s-1", 30, now)
    assert later.snoozes == 1 and later.due_at == now + timedelta(minutes=30)
    assert reminders.due(j, now + timedelta(minutes=29)) == []
    assert [r.session_id for r in reminders.due(j, now + timedelta(minutes=30))] == ["s-1"]
    assert reminders.close(j, "s-1") and reminders.due(j, now + timedelta(days=1)) == []
    assert not reminders.close(j, "s-1")
    j.close()


def test_a_reminder_that_cannot_be_written_does_not_raise(tmp_path: Path) -> None:
    journal = JournalStore(path=tmp_path / "j.sqlite3")
    journal.db.execute("PRAGMA query_only = ON")  # the journal cannot be written any more
    assert reminders.schedule(journal, "s", Settings(reminders=True)) is None
    journal.close()


# command line ------------------------------------------------------------------------------------


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    with Context() as ctx:
        return HANDLERS[args.command](args, ctx)


def test_reflect_prints_prompts_and_saves_answers_from_a_file(
    grief: SessionExport, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = SessionStore()
    store_export(store, grief)
    store.close()
    assert run(["reflect", grief.session.id, "--no-input"]) == 0
    shown = capsys.readouterr().out
    prompts = build_prompts(grief)
    for p in prompts:
        assert p.quote in shown and p.question in shown

    answers = tmp_path / "answers.txt"
    answers.write_text("first thought\n---\n\n---\nthird thought\n", encoding="utf-8")
    assert run(["reflect", grief.session.id[:6], "--answers", str(answers)]) == 0
    assert "saved 2 answer(s)" in capsys.readouterr().out
    with JournalStore() as journal:
        saved = journal.entries.select(grief.session.id)
    assert [e.answer for e in saved] == ["first thought", "third thought"]
    assert [e.prompt_id for e in saved] == [prompts[0].id, prompts[2].id]


def test_checkin_and_trends_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["checkin", "--answers", "4,2,5,1"]) == 0
    out = capsys.readouterr().out
    assert "After-session weight: 4.5" in out and "heavy" in out
    assert "colleague or your supervisor" in out
    assert run(["checkin", "--kind", "periodic", "--answers", ",".join(["3"] * 15)]) == 0
    assert "Burnout: 15" in capsys.readouterr().out
    picture = tmp_path / "trend.svg"
    assert run(["trends", "--out", str(picture)]) == 0
    assert picture.read_text(encoding="utf-8").count('class="point"') == 4  # 1 + 3 scales


def test_checkin_refuses_bad_answers_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from copilot.errors import CopilotError

    with pytest.raises(CopilotError, match="has 4 items; got 3 answers"):
        run(["checkin", "--answers", "1,2,3"])
    with pytest.raises(CopilotError, match="not in 1–5"):
        run(["checkin", "--answers", "1,2,3,9"])


def test_asking_on_a_terminal_asks_again_after_a_bad_answer() -> None:
    replies = iter(["9", "four", "4", "2", "5", "1"])
    shown: list[str] = []
    answers = ask(builtin("post"), lambda _: next(replies), shown.append)
    assert answers == {"still-with-me": 4, "present": 2, "body": 5, "resourced": 1}
    assert sum("please answer with a whole number from 1 to 5" in s for s in shown) == 2


# stored sessions, the real export path, reminders found by themselves ----------------------------


def test_stored_sessions_get_prompts_grounded_in_their_own_transcript(
    panic: SessionExport, grief: SessionExport
) -> None:
    from copilot.reflection.moments import echo
    from copilot.reflection.prompts import prompts_for_session

    store = SessionStore()
    store_export(store, panic)
    store_export(store, grief)
    found = {}
    for export in (panic, grief):
        prompts, notice = prompts_for_session(store, export.session.id, Settings())
        assert notice is None and 3 <= len(prompts) <= 5
        stored = {u.seq: u for u in store.transcript.utterances(export.session.id)}
        for p in prompts:
            assert p.utterance_seq is not None and p.quote in stored[p.utterance_seq].text
            assert p.start == stored[p.utterance_seq].start
            assert f"“{echo(p.quote)}" in p.question  # the question names its moment's words
            assert all(w.lower() not in p.question.lower() for w in ("clearly", "obviously"))
        found[export.session.id] = prompts
    store.close()
    a, b = found.values()
    assert not {p.question for p in a} & {p.question for p in b}
    assert not {p.quote for p in a} & {p.quote for p in b}


def test_journal_answers_never_reach_the_export_command(
    grief: SessionExport, tmp_path: Path
) -> None:
    from copilot.cli import main

    store = SessionStore()
    store_export(store, grief)
    store.close()
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps([SECRET, "second zq8 thought"]), encoding="utf-8")
    assert main(["reflect", grief.session.id, "--answers", str(answers)]) == 0
    with JournalStore() as journal:
        answers_kept = {e.answer for e in journal.entries.select(grief.session.id)}
    assert answers_kept == {SECRET, "second zq8 thought"}

    out_json, out_html = tmp_path / "export.json", tmp_path / "report.html"
    argv = ["export", grief.session.id, "--json", str(out_json), "--report", str(out_html)]
    assert main(argv) == 0
    exported = out_json.read_text(encoding="utf-8")
    assert grief.utterances[3].text in exported  # a real export of this session
    report = out_html.read_text(encoding="utf-8")
    for text in (exported, report):
        assert "zq7" not in text and "zq8" not in text


def test_the_journal_keeps_questions_without_the_clients_words(grief: SessionExport) -> None:
    prompt = build_prompts(grief)[0]
    assert prompt.quote[:20] in prompt.question
    with JournalStore() as journal:
        entry = journal.entries.add(JournalEntry(session_id=grief.session.id, prompt_id=prompt.id,
                                                 aspect=prompt.aspect, question=prompt.question,
                                                 answer="mine"))  # fmt: skip
        (back,) = journal.entries.select(grief.session.id)
    assert back == entry and "“…”" in back.question
    assert prompt.quote[:20] not in back.question


def test_a_recently_ended_session_is_due_by_itself_until_reflected_on(
    panic: SessionExport, grief: SessionExport
) -> None:
    store = SessionStore()
    store_export(store, panic)
    store_export(store, grief)
    now = grief.session.ended_at
    assert now is not None
    on = Settings(reminders=True)
    j = JournalStore()
    assert reminders.due(j, now, store=store, settings=Settings()) == []  # off by default
    assert [r.session_id for r in reminders.due(j, now, store=store, settings=on)] == [
        panic.session.id, grief.session.id,
    ]  # fmt: skip
    later = now + timedelta(hours=reminders.RECENT_HOURS, minutes=30)
    assert [r.session_id for r in reminders.due(j, later, store=store, settings=on)] == []
    j.entries.add(JournalEntry(session_id=panic.session.id, prompt_id="p", aspect="felt",
                               question="q?", answer="a"))  # fmt: skip
    reminders.snooze(j, grief.session.id, 30, now)
    assert reminders.due(j, now, store=store, settings=on) == []
    back = reminders.due(j, now + timedelta(minutes=30), store=store, settings=on)
    assert [(r.session_id, r.snoozes) for r in back] == [(grief.session.id, 1)]
    j.close()
    store.close()


def test_an_ordinary_session_without_cue_words_still_gets_three_grounded_prompts() -> None:
    plain_talk: list[tuple[str, str, tuple[str, float, float, float] | None]] = [
        ("therapist", "How was the week?", None),
        ("client", "It was busy at the shop and the van broke down.",
         ("anger/irritation", 0.5, -0.4, 0.6)),
        ("therapist", "That sounds like a lot.", None),
        ("client", "Yes. My sister came over on Saturday.", ("neutral", 0.6, 0.1, 0.2)),
        ("therapist", "How was that?", None),
        ("client", "Fine, we cooked dinner.", ("joy/relief", 0.5, 0.4, 0.3)),
    ]  # fmt: skip
    export = make_export("plain-0006", plain_talk)
    prompts = build_prompts(export)
    assert [p.aspect for p in prompts] == ["felt", "pull", "care"]
    assert all(grounded(p, export.utterances) for p in prompts)


def test_answering_on_a_terminal_keeps_what_was_written_when_stopped_early(
    grief: SessionExport, monkeypatch: pytest.MonkeyPatch
) -> None:
    from copilot.cli.reflection import _ask

    typed = iter(["a heaviness", "in my chest", "", "I wanted to"])

    def terminal(_: str) -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None  # Ctrl-D

    monkeypatch.setattr("builtins.input", terminal)
    prompts = build_prompts(grief)
    answers = _ask(prompts)
    assert answers == ["a heaviness\nin my chest", "I wanted to"] + [""] * (len(prompts) - 2)
