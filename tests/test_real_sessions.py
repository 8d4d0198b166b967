"""Real-voice sessions (scripts/make_real_session.py) as the benchmarks and tests read them."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import make_real_session as mrs
import real_voices

from copilot.audio.files import probe, read_all


def test_a_session_alternates_two_real_readers_with_gaps_and_overlaps(
    tmp_path: Path, real_speech: Path
) -> None:
    options = mrs.Options(minutes=0.7, overlap_p=0.5, backchannel_p=0.0, snr_db=20.0)
    stereo, mono, reference = mrs.build(("1998", "367"), tmp_path / "a", 3, options)
    doc = json.loads(reference.read_text())
    turns = doc["turns"]
    assert {t["speaker"] for t in turns} == {"1998", "367"}
    assert {t["sex"] for t in turns} == {"F"}
    assert all(a["speaker"] != b["speaker"] for a, b in itertools.pairwise(turns))
    for a, b in itertools.pairwise(turns):
        gap = b["start"] - a["end"]
        assert 0.2 <= gap <= 1.5 or (
            -0.8 <= gap <= -0.2 and [b["start"], a["end"]] in doc["overlaps"]
        )
    assert doc["overlaps"]  # with p = 0.5 some turns overlap
    texts = {c.file: c.text for c in real_voices.clips()["1998"] + real_voices.clips()["367"]}
    assert all(t["text"] == texts[t["clip"]] for t in turns)  # the exact transcripts
    assert probe(stereo).channels == 2 and probe(mono).channels == 1
    left = read_all(stereo)[:, 0]
    first = turns[0] if turns[0]["role"] == "therapist" else turns[1]
    inside = left[int(first["start"] * 16000) : int(first["end"] * 16000)]
    assert float(abs(inside).mean()) > 5 * float(abs(left[: int(0.4 * 16000)]).mean())

    again = mrs.build(("1998", "367"), tmp_path / "b", 3, options)
    assert all(
        p.read_bytes() == q.read_bytes()
        for p, q in zip((stereo, mono, reference), again, strict=True)
    )
