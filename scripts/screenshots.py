"""Save PNGs of the window's start, live and check-in (380 px wide) and review views.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--seconds 45]

Runs in a throwaway COPILOT_HOME: the live view replays the bundled demo recording (generated
speech, no real session) through the real live session, then stops it and opens its review;
from there the after-session check-in is answered (fixed example answers) and saved.
Needs Xvfb (or a display) and ffmpeg for the x11grab capture. Prints one JSON object.

`--supervision` takes the supervisor's view instead: a four-minute transcript of the demo
dialogue (scripts/make_transcript.py) imported, shared, opened and commented on.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def grab(window: Any, path: Path, size: tuple[int, int]) -> None:
    time.sleep(0.8)  # the last layout and the meters' transition settle
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "x11grab", "-video_size",
         f"{size[0]}x{size[1]}", "-i", f"{os.environ['DISPLAY']}+0,0", "-frames:v", "1", str(path)],
        check=True,
    )  # fmt: skip


def emotion_model_present() -> bool:
    from copilot.analysis.emotion import EmotionModel
    from copilot.errors import CopilotError

    try:
        EmotionModel.load()
    except CopilotError:
        return False
    return True


EXAMPLE_ANSWERS = [3, 4, 3, 4]  # an illustration, not anyone's answers


def checkin(window: Any, out: Path, shots: dict[str, str]) -> None:
    """The after-session check-in at 380 px: answered, then saved with its score."""
    from window_harness import wait

    window.evaluate_js("document.querySelector('#rv-checkin').click()")
    wait(window, "document.querySelectorAll('#ci-items fieldset.item').length > 0", 20)
    window.resize(380, 760)
    wait(window, "window.innerWidth <= 400")
    window.evaluate_js(
        f"{json.dumps(EXAMPLE_ANSWERS)}.forEach((v, i) => {{"
        " const set = document.querySelectorAll('#ci-items fieldset.item')[i];"
        ' set.querySelector(`input[value="${v}"]`).checked = true; });'
        " document.querySelector('#ci-items').dispatchEvent(new Event('change'));"
        " window.scrollTo(0, 0);"
    )
    shots["checkin"] = str(out / "checkin-380.png")
    grab(window, Path(shots["checkin"]), (380, 760))
    window.evaluate_js("document.querySelector('#ci-save').click()")
    wait(window, "!document.querySelector('#ci-result').hidden", 20)
    window.evaluate_js("document.querySelector('#ci-result').scrollIntoView({block: 'start'})")
    shots["checkin_result"] = str(out / "checkin-result-380.png")
    grab(window, Path(shots["checkin_result"]), (380, 760))


def supervision(out: Path) -> dict[str, str]:
    from make_transcript import write_vtt
    from window_harness import display, drive, wait

    from copilot.settings import Settings
    from copilot.storage import SessionStore
    from copilot.window.bridge import Bridge

    folder = Path(tempfile.mkdtemp(prefix="copilot-supervision-"))
    write_vtt(folder / "session.vtt", 4)
    bridge = Bridge(SessionStore(), Settings.load())
    made = bridge.supervision.import_transcript({"path": str(folder / "session.vtt"),
                                                    "client_label": "S.R."})  # fmt: skip
    share = {"session_id": made["session_id"], "recipient": "Dr Ada Brennan"}
    bridge.supervision.share_preview(share)
    secret = "example passphrase for pictures"
    bundle = folder / "session.scshare"
    bridge.supervision.share_write({**share, "passphrase": secret, "out": str(bundle)})
    shots = {"supervise": str(out / "supervise.png")}

    def work(window: Any) -> None:
        wait(window, "document.body.dataset.view === 'review'")
        window.evaluate_js(
            "document.querySelector('.nav[data-view=\"supervise\"]').click();"
            f"document.querySelector('#sv-path').value = {json.dumps(str(bundle))};"
            f"document.querySelector('#sv-pass').value = {json.dumps(secret)};"
            "document.querySelector('#sv-open-btn').click();"
        )
        wait(window, "document.querySelectorAll('#sv-lines li').length > 10")
        window.evaluate_js(
            "document.querySelector('#sv-lines li[data-line=\"3\"] .comment-line').click();"
            "document.querySelector('#svc-tag').value = 'empathy';"
            "document.querySelector('#svc-text').value = 'A good reflection: stay with the"
            " flatness a moment longer before moving on.';"
            "document.querySelector('#svc-add').click();"
        )
        wait(window, "document.querySelector('#svc-list li')")
        window.evaluate_js("window.scrollTo(0, 0)")
        grab(window, Path(shots["supervise"]), (1280, 900))

    with display():
        drive(
            Bridge(SessionStore(), Settings.load(), review_session_id=made["session_id"]),
            work,
            size=(1280, 900),
        )
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument(
        "--seconds", type=float, default=45.0, help="how much of the demo to replay"
    )
    parser.add_argument("--supervision", action="store_true", help="only the supervise view")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["COPILOT_HOME"] = tempfile.mkdtemp(prefix="copilot-shots-")
    sys.path.insert(0, str(ROOT / "scripts"))
    if args.supervision:
        print(json.dumps({"screenshots": supervision(args.out)}))
        return 0
    from window_harness import display, drive, wait

    from copilot.settings import Settings
    from copilot.storage import SessionStore
    from copilot.window.bridge import Bridge

    notes: list[str] = []
    if not emotion_model_present():  # illustrate with the tests' cue-word engine, and say so
        sys.path.insert(0, str(ROOT / "tests"))
        from window_support import use_scripted_emotion

        use_scripted_emotion()
        notes.append("emotion model not installed: states read by the tests' cue-word engine")
    demo = Path(str(files("copilot") / "demo" / "demo_session.ogg"))
    shots: dict[str, str] = {}

    def work(window: Any) -> None:
        wait(window, "document.body.dataset.view === 'start'")
        window.evaluate_js(
            "document.querySelector('#f-client').value = 'Demo client';"
            "document.querySelector('input[value=verbal]').checked = true;"
            "document.querySelector('#f-consent').checked = true;"
        )
        shots["start"] = str(args.out / "start.png")
        grab(window, Path(shots["start"]), (1180, 800))
        window.evaluate_js(
            '(() => { const r = document.querySelector(\'input[name="source"][value="replay"]\');'
            " r.checked = true; r.dispatchEvent(new Event('change'));"
            f" document.querySelector('#f-replay').value = {json.dumps(str(demo))};"
            " document.querySelector('#btn-start').click(); })()"
        )
        wait(window, "document.body.dataset.view === 'live'", 60)
        window.resize(380, 760)
        wait(window, "window.innerWidth <= 400")
        time.sleep(args.seconds)
        window.evaluate_js("document.querySelector('#note-text').value = ''")
        shots["live"] = str(args.out / "live-380.png")
        grab(window, Path(shots["live"]), (380, 760))
        window.evaluate_js("document.querySelector('#btn-stop').click()")
        wait(window, "document.querySelector('#confirm').open")
        window.evaluate_js("document.querySelector('#confirm-ok').click()")
        wait(window, "document.body.dataset.view === 'review'", 120)
        window.resize(1280, 900)
        wait(window, "window.innerWidth >= 1200")
        shots["review"] = str(args.out / "review.png")
        grab(window, Path(shots["review"]), (1280, 900))
        checkin(window, args.out, shots)

    with display():
        drive(Bridge(SessionStore(), Settings.load()), work)
    print(json.dumps({"screenshots": shots, "notes": notes}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
