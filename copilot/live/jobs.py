"""The ASR worker's queue: finals first, then only the newest partial of an utterance."""

from __future__ import annotations

import itertools
import queue

from copilot.transcription.streaming import Job

_FINAL, _PARTIAL, _LAST = 0, 1, 9


class JobQueue:
    def __init__(self) -> None:
        self.partials = True  # back-pressure turns partials off from step 2
        self._queue: queue.PriorityQueue[tuple[int, int, Job | None]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._finished_ids: set[int] = set()
        self._newest_partial: dict[int, int] = {}

    def submit(self, job: Job) -> None:
        if job.final:
            if not job.cut:  # the turn is over: its pending partials are stale
                self._finished_ids.add(job.utterance_id)
            self._queue.put((_FINAL, next(self._order), job))
            return
        if not self.partials:
            return
        order = next(self._order)
        self._newest_partial[job.utterance_id] = order
        self._queue.put((_PARTIAL, order, job))

    def finish(self) -> None:
        """The worker stops after the last job."""
        self._queue.put((_LAST, next(self._order), None))

    def next(self) -> Job | None:
        """The next job worth decoding; None once the queue is finished and empty."""
        while True:
            _priority, order, job = self._queue.get()
            if job is None:
                if self._queue.empty():
                    return None
                self.finish()
                continue
            if job.final or (
                self._newest_partial.get(job.utterance_id) == order
                and job.utterance_id not in self._finished_ids
            ):
                return job

    def lag_s(self, now_s: float) -> float:
        """How far the oldest waiting final is behind the present."""
        with self._queue.mutex:
            ends = [job.speech_end for _p, _o, job in self._queue.queue if job and job.final]
        return max(0.0, now_s - min(ends)) if ends else 0.0
