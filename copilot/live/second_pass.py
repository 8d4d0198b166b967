"""The second pass: each speaker's finals decoded again, as a recording is, once enough gather.

It runs on a thread and a model of its own, so a final never waits behind a revision.
"""

from __future__ import annotations

import queue
import threading

from copilot.diarization.by_channel import channel_segments
from copilot.domain import Role
from copilot.events import RevisionEvent
from copilot.live.shared import Shared
from copilot.memory import release_free_memory
from copilot.transcription.engine import Transcriber
from copilot.transcription.revision import Final, RevisionQueue, assign


class SecondPass:
    def __init__(
        self,
        reviser: Transcriber,
        shared: Shared,
    ):
        self.reviser = reviser
        self._pumps = shared.pumps
        self._transcript = shared.transcript
        self._analysis = shared.analysis
        self._out = shared.out
        self._waiting: dict[Role, RevisionQueue] = {}
        self._jobs: queue.Queue[tuple[Role, list[Final], float, float] | None] = queue.Queue()
        self._lock = threading.Lock()

    def add(self, role: Role, final: Final) -> None:
        with self._lock:
            self._waiting.setdefault(role, RevisionQueue()).add(final)

    def submit(self, now_s: float, everything: bool = False, overdue_only: bool = False) -> None:
        """Hand the reviser each speaker's finals that are due (all of them with `everything`;
        only those that can wait no longer with `overdue_only`)."""
        with self._lock:
            due = [
                (role, waiting, waiting.take(float("inf") if everything else now_s))
                for role, waiting in self._waiting.items()
                if waiting.finals
                and (everything or (waiting.overdue(now_s) if overdue_only else waiting.due(now_s)))
            ]
            jobs = []
            for role, waiting, finals in due:
                ring = self._pumps.by_role[role].ring
                window = waiting.window(finals, ring.kept_from, None if everything else ring.end)
                jobs.append((role, finals, *window))
        for item in jobs:
            self._jobs.put(item)

    def finish(self) -> None:
        """Every waiting final, then the thread stops after the last window."""
        self.submit(0.0, everything=True)
        self._jobs.put(None)

    def run(self) -> None:
        while (item := self._jobs.get()) is not None:
            try:
                self._revise(*item)
            except Exception as exc:  # the first text stays; the therapist is told
                self._out.status("error", f"revising the transcript failed: {exc}")

    def _revise(self, role: Role, finals: list[Final], context_from: float, until: float) -> None:
        """Decode the speaker's stretch again as a recording is, between their revised speech
        before it and what they said after it; only the finals take its words."""
        pump = self._pumps.by_role[role]
        finals = [f for f in finals if f.start >= pump.ring.kept_from]  # older audio has left
        if not finals:
            return
        lo, hi = max(context_from, pump.ring.kept_from), until
        call = self._pumps.by_role.get("client")
        other = call.ring.read(lo, hi) if role == "therapist" and call is not None else None
        segments = channel_segments(self.reviser, pump.ring.read(lo, hi), lo, other)
        release_free_memory()  # the window's transient buffers, before the next one
        changed = self._transcript.revise(finals, assign(segments, finals))
        self._out.store.transcript.revise_utterances(self._out.session_id, [u for _, u in changed])
        for previous, utterance in changed:
            self._out.bus.publish(RevisionEvent(utterance=utterance, previous_text=previous))
            if utterance.role == "client":
                self._analysis.flag_risk(utterance)
