"""Supervision in the real window (Qt WebEngine under Xvfb): the therapist shares a session
from its review, the supervisor opens the bundle, comments on a line and at a time, rates and
signs off, and the therapist merges the reply and sees the comments in the review.
"""

from __future__ import annotations

import json
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import pytest
import supervision_support as ss
from test_window import Page, display, in_window, xvfb  # noqa: F401  (fixtures)

from copilot.settings import Settings
from copilot.storage import SessionStore
from copilot.storage.supervision import SupervisionStore
from copilot.supervision.sealed import unseal
from copilot.window.bridge import Bridge

pytestmark = pytest.mark.window
PASSPHRASE = "quiet harbour eleven lamps"


def in_child(scenario: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, __file__, scenario, str(tmp_path)],
        capture_output=True, text=True, timeout=400,
    )  # fmt: skip
    assert done.returncode == 0, f"{scenario} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"


def test_share_review_sign_off_and_merge_in_the_window(display: str, tmp_path: Path) -> None:  # noqa: F811
    in_child("supervision_flow", tmp_path)


def _set(page: Page, selector: str, value: str) -> None:
    page.js(f"document.querySelector({json.dumps(selector)}).value = {json.dumps(value)}")


def supervision_flow(tmp_path: Path) -> None:
    transcript = ss.vtt_voice(tmp_path)
    bundle_path, reply_path = tmp_path / "bundle.scshare", tmp_path / "reply.screview"
    seen: dict[str, Any] = {}

    def drive(page: Page) -> None:
        # the therapist imports a Teams transcript from the session list
        page.click('.nav[data-view="sessions"]')
        page.js("document.querySelector('#s-import').open = true")
        _set(page, "#si-path", str(tmp_path / "missing.vtt"))
        page.click("#si-import")
        seen["bad_import"] = page.wait("document.querySelector('#si-error').textContent", 20)
        _set(page, "#si-path", str(transcript))
        _set(page, "#si-client", "R.L.")
        page.click("#si-import")
        page.wait("document.body.dataset.view === 'review'", 30, "the imported session's review")
        seen["session_id"] = page.js("SC.review.id")
        assert "from transcript (vtt)" in page.text("#rv-meta")
        page.wait("document.querySelector('#rv-reviews').textContent.includes('Not shared')", 10)
        # the therapist: preview, then write the bundle
        page.click("#rv-share")
        _set(page, "#sh-for", "Dr Ada Brennan")
        _set(page, "#sh-names", "Ilse")
        assert page.js("document.querySelector('#sh-write').disabled") is True
        page.click("#sh-preview")
        page.wait("!document.querySelector('#sh-shown').hidden", 20, "the preview")
        seen["preview"] = page.text("#sh-exact")
        seen["readable"] = page.text("#sh-readable")
        _set(page, "#sh-pass", PASSPHRASE)
        _set(page, "#sh-pass2", PASSPHRASE)
        _set(page, "#sh-out", str(bundle_path))
        page.click("#sh-write")
        page.wait("!document.querySelector('#share').open", 20, "the bundle written")
        page.wait(
            "document.querySelector('#rv-reviews').textContent.includes('Shared with Dr Ada')", 10
        )
        # the supervisor: open it read-only
        page.click('.nav[data-view="supervise"]')
        _set(page, "#sv-path", str(bundle_path))
        _set(page, "#sv-pass", "not the passphrase")
        page.click("#sv-open-btn")
        seen["wrong"] = page.wait("document.querySelector('#sv-open-error').textContent", 20)
        _set(page, "#sv-pass", PASSPHRASE)
        page.click("#sv-open-btn")
        page.wait("document.querySelectorAll('#sv-lines li').length === 8", 20, "the transcript")
        seen["flags"] = page.text("#sv-flags .body")
        seen["moments"] = page.js("document.querySelectorAll('#sv-moments .moment').length")
        seen["editable"] = page.js(
            "document.querySelectorAll('#sv-lines .editor, #sv-lines textarea').length"
        )
        page.click('#sv-lines li[data-line="4"] .comment-line')
        page.js("document.querySelector('#svc-tag').value = 'risk'")
        _set(page, "#svc-text", "You stayed with it calmly; ask about a plan next time.")
        page.click("#svc-add")
        page.wait("document.querySelectorAll('#svc-list li').length === 1", 10, "the first comment")
        _set(page, "#svc-at", "0:05")
        page.js("document.querySelector('#svc-at').dispatchEvent(new Event('input'))")
        page.js("document.querySelector('#svc-tag').value = 'empathy'")
        _set(page, "#svc-text", "Name the flatness back to her.")
        page.click("#svc-add")
        page.wait(
            "document.querySelectorAll('#svc-list li').length === 2", 10, "the second comment"
        )
        page.js("document.querySelector('#sv-rubric select[data-item=\"empathy\"]').value = '3'")
        page.js("document.querySelector('#sv-rubric select[data-item=\"risk\"]').value = '-'")
        page.click('input[name="sv-verdict"][value="needs_revision"]')
        _set(page, "#sv-note", "Revisit safety planning together.")
        _set(page, "#sv-reply", str(reply_path))
        page.click("#sv-sign")
        seen["signed"] = page.wait("document.querySelector('#sv-done').textContent", 20, "sign-off")
        # the therapist again: merge the reply into the session's review
        page.click('.nav[data-view="sessions"]')
        page.wait("document.querySelector('#s-list li')", 10, "the session list")
        seen["listed"] = page.text("#s-list li")
        page.click("#s-list li .open")
        page.wait("document.body.dataset.view === 'review'", 20, "the review again")
        page.js("document.querySelector('#rv-merge').open = true")
        _set(page, "#mr-path", str(reply_path))
        _set(page, "#mr-pass", PASSPHRASE)
        page.click("#mr-merge")
        page.wait("document.querySelector('#rv-reviews .review-record')", 20, "the merged review")
        seen["history"] = page.text("#rv-reviews")
        seen["on_line"] = page.text('#rv-lines li[data-seq="3"] .sv-said')
        # and exports the transcript for the record, redacted
        page.js("document.querySelector('#rv-export').open = true")
        _set(page, "#ex-out", str(tmp_path / "record.docx"))
        page.click("#ex-redact")
        page.click("#ex-write")
        page.wait("document.querySelector('#notice').textContent.includes('record.docx')", 20)

    in_window(Bridge(SessionStore(), Settings.load()), drive)
    session_id = seen["session_id"]
    assert "does not exist" in seen["bad_import"]
    for secret in ("Rebecca", "Lind", "Okafor", "Ilse", "07700"):
        assert secret not in seen["preview"] and secret not in seen["readable"], secret
    assert "#4    [0:16] R.L.: Sometimes I think everyone" in seen["readable"]
    plain = unseal(bundle_path.read_bytes(), PASSPHRASE, "bundle").decode("utf-8")
    assert plain == seen["preview"], "the preview is not exactly what was sealed"
    assert "wrong passphrase" in seen["wrong"]
    assert "suicidal ideation" in seen["flags"] and seen["moments"] >= 1
    assert seen["editable"] == 0
    assert "Needs revision" in seen["signed"] and reply_path.exists()
    assert "from transcript" in seen["listed"]
    assert "Needs revision · Dr Ada Brennan" in seen["history"]
    assert seen["on_line"].startswith("Dr Ada Brennan: You stayed with it calmly")
    assert "You stayed with it calmly" in seen["history"] and "Name the flatness" in seen["history"]
    [record] = SupervisionStore(SessionStore()).reviews(session_id)
    comments = record.reply.comments
    assert [(c.at, c.utterance_seq, c.tag) for c in comments] == [
        (5.0, None, "empathy"),
        (16.0, 3, "risk"),
    ]
    assert record.reply.ratings == {"empathy": 3, "risk": None}
    assert record.reply.note == "Revisit safety planning together."
    import docx

    lines = [p.text for p in docx.Document(str(tmp_path / "record.docx")).paragraphs]
    assert any("[0:16] R.L.: Sometimes I think everyone" in line for line in lines)
    assert not any("Rebecca" in line for line in lines)


if __name__ == "__main__":  # one scenario, in this process alone
    try:
        globals()[sys.argv[1]](Path(sys.argv[2]))
    except BaseException:
        traceback.print_exc()
        sys.exit(1)
    sys.exit(0)
