"""A stereo transcript's text read as it is transcribed, on one thread beside the transcription:
each chunk's risk flags and the therapist's behaviour codes.

A flag reads its own utterance alone, and a code the therapist's words with the client's turn
just before them; chunks come in time order, so both are what the whole transcript gives once
it is stored, and the analysis after transcription does not read them again. (Mono's text waits:
its utterances are cut again by speaker after transcription.)
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from copilot.analysis.behaviour import code_utterances, default_coder
from copilot.analysis.risk import default_detector
from copilot.domain import BehaviourCode, RiskFlag, Utterance
from copilot.errors import DependencyMissing, ModelError


class TextAhead:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="text-ahead")
        self._heard: list[Utterance] = []
        self._flags: list[Future[list[RiskFlag]]] = []
        self._codes: list[Future[list[BehaviourCode]]] = []

    def add(self, utterances: Sequence[Utterance]) -> None:
        """A chunk's utterances, in the order they are stored."""
        if not utterances:
            return
        new = list(utterances)
        self._heard.extend(new)
        heard, seqs = list(self._heard), {u.seq for u in new}
        self._flags.append(self._pool.submit(lambda: default_detector().flag(new)))
        self._codes.append(
            self._pool.submit(lambda: code_utterances(default_coder(), heard, only=seqs))
        )

    def risk_flags(self) -> list[RiskFlag]:
        return [flag for future in self._flags for flag in future.result()]

    def behaviour_codes(self) -> list[BehaviourCode] | None:
        """None when the coder could not load: the analysis then says why in its own words."""
        try:
            return [code for future in self._codes for code in future.result()]
        except (ModelError, DependencyMissing):
            return None

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)
