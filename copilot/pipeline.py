"""Analysing a recording end to end: decode, transcribe, assign speakers, analyse, store.

Every utterance is committed as it is produced, with the audio time fully processed, so a killed
run leaves a session marked incomplete that `resume` continues from where it stopped.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from copilot.analysis import prosody
from copilot.analysis.run import Analysed, analyse_session
from copilot.audio.decoded import DecodedMono
from copilot.audio.features import SpanAcoustics, measure, span
from copilot.audio.files import SAMPLE_RATE, AudioInfo, Chunk, iter_chunks, probe, read_ahead
from copilot.diarization import roles, speaker_embedding, voices
from copilot.diarization.ahead import VectorsAhead
from copilot.diarization.by_channel import channel_segments
from copilot.domain import ProsodyReading, Role, Session, SessionSource, Utterance
from copilot.errors import ChannelSpecError, CopilotError
from copilot.plugins import registry
from copilot.settings import Settings
from copilot.storage.repository import SessionStore
from copilot.transcription.batched import WindowDecoder, recording_segments
from copilot.transcription.engine import Resting, Transcriber
from copilot.transcription.utterances import to_utterance

Progress = Callable[[float], None]
DEFAULT_STEREO: tuple[Role, Role] = ("therapist", "client")
CHUNK_S = 300.0
KEEP_S = 10.0  # audio kept from the previous chunk for spans that cross into the next


@dataclass
class AnalyzeOptions:
    channels: tuple[Role, Role] | None = None
    model: str = "tiny.en"
    client_label: str = "Client"
    swap_roles: bool = False
    speakers: voices.Speakers = None  # mono: 2 when two people are known to speak
    threads: int = 2
    chunk_s: float = CHUNK_S
    analyser: str = "local"
    names: list[str] = field(default_factory=list)
    source: SessionSource = "file"
    settings: Settings = field(default_factory=Settings)  # the command's, passed in


def parse_channels(spec: str) -> tuple[Role, Role]:
    parts = tuple(p.strip().lower() for p in spec.split(","))
    if parts == ("therapist", "client"):
        return ("therapist", "client")
    if parts == ("client", "therapist"):
        return ("client", "therapist")
    raise ChannelSpecError(
        f"--channels {spec!r} is not a channel spec: use therapist,client or client,therapist"
    )


def channel_roles(info: AudioInfo, spec: tuple[Role, Role] | None) -> list[Role] | None:
    """Roles per channel for stereo; None for mono, which is diarized."""
    if info.channels == 1:
        if spec is not None:
            raise ChannelSpecError(
                f"{info.path.name} is mono: --channels needs one speaker per channel; mono "
                "recordings are diarized (use --swap-roles if the roles come out swapped)"
            )
        return None
    return list(spec or DEFAULT_STEREO)


def new_session_id() -> str:
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def analyze_file(
    path: Path, options: AnalyzeOptions, store: SessionStore, progress: Progress | None = None
) -> Analysed:
    info = probe(path)
    roles = channel_roles(info, options.channels)
    engine = load_engine(options.model, options.threads)  # a bad model fails before any write
    session = Session(
        id=new_session_id(),
        client_label=options.client_label,
        source=options.source,
        source_name=str(path.resolve()),
        model=engine.name,
        channel_roles=roles,
        duration_s=round(info.duration_s, 2),
    )
    store.create(session)
    return _run(store, session.id, path, engine, options, start_s=0.0, progress=progress)


def resume(
    store: SessionStore, session_id: str, options: AnalyzeOptions, progress: Progress | None = None
) -> Analysed:
    """Continue an interrupted file analysis from the last audio time fully committed."""
    session = store.get(session_id)
    if session.status == "complete":
        raise CopilotError(f"session {session.id} is already complete")
    source = store.source_path(session.id)
    if session.imported_from:
        raise CopilotError(
            f"session {session.id} was being imported from a transcript: discard it and import "
            "the file again"
        )
    if session.source == "live" or not source:
        raise CopilotError(f"session {session.id} was live: it can be kept as is or discarded")
    path = Path(source)
    probe(path)
    start = store.progress(session.id)
    store.transcript.drop_utterances_after(session.id, start)
    engine = load_engine(session.model or options.model, options.threads)
    store.update(session.id, status="in_progress")
    return _run(store, session.id, path, engine, options, start_s=start, progress=progress)


def _run(
    store: SessionStore,
    session_id: str,
    path: Path,
    engine: Transcriber,
    options: AnalyzeOptions,
    start_s: float,
    progress: Progress | None,
) -> Analysed:
    roles = store.get(session_id).channel_roles
    # A resumed run decodes only the rest of the file; what needs all of it reads it again.
    heard = Heard(roles, whole=start_s == 0.0)
    try:
        transcribe_into(
            store, session_id, path, engine, roles, start_s, options.chunk_s, progress, heard
        )
        if isinstance(engine, Resting):  # idle until the next recording: its weights go back
            engine.rest()
        if roles is None:
            diarize_stored(
                store,
                session_id,
                path,
                options.swap_roles,
                heard.ahead,
                options.speakers,
                options.threads,
            )
        else:
            store.update(session_id, diarization=stereo_rule(roles))
        if not heard.whole:  # prosody reads the recording again
            return analyse_session(
                store,
                session_id,
                path,
                options.analyser,
                options.names,
                settings=options.settings,
            )
        utterances = store.transcript.utterances(session_id)
        # The client's prosody is measured on a thread of its own while the text is analysed.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prosody") as pool:
            return analyse_session(
                store,
                session_id,
                None,
                options.analyser,
                options.names,
                settings=options.settings,
                prosody_readings=pool.submit(lambda: heard.prosody(utterances) or []),
            )
    except CopilotError:
        # The recording is still there to analyse again: keep nothing half-written.
        store.delete(session_id)
        raise
    except BaseException:
        store.update(session_id, status="incomplete", owner_pid=None)
        raise
    finally:
        heard.close()


def stereo_rule(roles: Sequence[Role]) -> str:
    return f"stereo recording: left channel = {roles[0]}, right channel = {roles[1]}"


class Heard:
    """What later steps need of the decoded audio, taken chunk by chunk as it is transcribed:
    the client's acoustics at once for stereo (its roles are known); for mono, the whole
    recording (16-bit, packed) for prosody once the speakers are found, and the voice vectors
    of the speaker windows, worked out meanwhile."""

    def __init__(self, roles: Sequence[Role] | None, whole: bool):
        self.roles, self.whole = roles, whole
        self.mono = DecodedMono() if roles is None and whole else None
        # One encoder thread: the transcription has the cores.
        self.ahead = (
            None if self.mono is None else VectorsAhead(self.mono, speaker_embedding.bundled(1))
        )
        self._acoustics: dict[int, SpanAcoustics] = {}

    def take(self, chunk: Chunk, utterances: Sequence[Utterance]) -> None:
        if self.mono is not None and self.ahead is not None:
            self.mono.add(chunk)
            if not chunk.last:  # the last chunk's windows wait for the cores to be free
                self.ahead.add([w for u in utterances for w in u.words])
        elif self.roles is not None:
            for u in utterances:
                if u.role == "client" and u.channel is not None:
                    audio = chunk.samples[:, u.channel]
                    self._acoustics[u.seq] = measure(span(audio, u.start, u.end, chunk.start_s))

    def prosody(self, utterances: list[Utterance]) -> list[ProsodyReading] | None:
        """Prosody of the client's utterances; None when the audio was not all heard here."""
        if not self.whole:
            return None
        if self.mono is not None:
            mono = self.mono
            self._acoustics = {
                u.seq: measure(mono.span(u.start, u.end))
                for u in prosody.client_utterances(utterances)
            }
            mono.clear()  # nothing reads the audio after this: it goes, before the text is read
        return prosody.readings(utterances, self._acoustics)

    def close(self) -> None:
        if self.ahead is not None:
            self.ahead.close()


def transcribe_into(
    store: SessionStore,
    session_id: str,
    path: Path,
    engine: Transcriber,
    roles: Sequence[Role] | None,
    start_s: float,
    chunk_s: float,
    progress: Progress | None,
    heard: Heard | None = None,
) -> None:
    """Decode the file once, chunk by chunk (the next chunk decoded while this one is
    transcribed): each chunk's utterances are stored as they are found, and the chunk handed to
    `heard` for the steps after transcription."""
    seq = store.transcript.next_seq(session_id)
    for chunk in read_ahead(iter_chunks(path, chunk_s=chunk_s, start_s=start_s)):
        found = chunk_utterances(engine, chunk, roles, seq)
        if found:
            store.transcript.append(session_id, found)
        seq += len(found)
        if heard is not None:
            heard.take(chunk, found)
        store.update(session_id, progress_s=round(chunk.end_s, 3))
        if progress:
            progress(chunk.end_s)


def chunk_utterances(
    engine: Transcriber, chunk: Chunk, roles: Sequence[Role] | None, seq: int
) -> list[Utterance]:
    """The chunk's utterances, channel by channel (a role each for stereo; the first channel,
    speakers unknown, for mono); decoded in batches when the engine can."""
    count = chunk.samples.shape[1] if roles else 1
    channels = [np.ascontiguousarray(chunk.samples[:, ch]) for ch in range(count)]
    if isinstance(engine, WindowDecoder):
        found = recording_segments(engine, channels, chunk.start_s, bleed=count == 2)
    else:
        found = [
            channel_segments(engine, audio, chunk.start_s, channels[1 - ch] if count == 2 else None)
            for ch, audio in enumerate(channels)
        ]
    out: list[Utterance] = []
    for ch, segments in enumerate(found):
        role: Role = roles[ch] if roles else "unknown"
        for seg in segments:
            utterance = to_utterance([seg], seq + len(out), role, ch if count == 2 else None)
            if utterance is not None:
                out.append(utterance)
    return out


def diarize_stored(
    store: SessionStore,
    session_id: str,
    path: Path,
    swap: bool,
    ahead: VectorsAhead | None = None,
    speakers: voices.Speakers = None,
    threads: int = 1,
) -> None:
    """Split the stored mono transcript into two voices, word by word, and give them roles.
    The speaker windows' vectors come from `ahead` when the whole recording was heard there.
    What is left to embed now runs alone, on the analysis's threads (0.6 times the time on two
    threads instead of one)."""
    stored = store.transcript.utterances(session_id)
    encoder = speaker_embedding.bundled(threads)

    def vectors(spans: list[tuple[float, float]]) -> np.ndarray:
        if ahead is None:
            return span_vectors(path, spans, encoder)
        return ahead.vectors(spans, encoder)

    utterances, two_voices = voices.diarize(stored, vectors, speakers)
    rule = roles.assign_roles(utterances, two_voices, swap)
    store.transcript.replace_utterances(session_id, utterances)
    store.update(session_id, diarization=rule)


def span_vectors(
    path: Path,
    spans: Sequence[tuple[float, float]],
    encoder: speaker_embedding.SpeakerEncoder,
    chunk_s: float = CHUNK_S,
) -> np.ndarray:
    """The speaker encoder's vector for each (start, end) span of the first channel, decoding
    the file again (a resumed run, which did not decode its opening) and keeping only the
    vectors: a span may cross a chunk boundary, so the end of the previous chunk is kept
    (spans are a few seconds long)."""
    out = np.zeros((len(spans), encoder.dim), np.float32)
    order = sorted(range(len(spans)), key=lambda i: spans[i][0])
    buffer, buffer_start, k = np.zeros(0, np.float32), 0.0, 0
    for chunk in iter_chunks(path, chunk_s=chunk_s, search_s=min(15.0, chunk_s / 2)):
        keep = max(0, len(buffer) - int(KEEP_S * SAMPLE_RATE))
        buffer_start += keep / SAMPLE_RATE
        buffer = np.concatenate([buffer[keep:], chunk.samples[:, 0]])
        ready = []
        while k < len(order) and spans[order[k]][1] <= chunk.end_s:
            ready.append(order[k])
            k += 1
        out[ready] = encoder.embed([span(buffer, *spans[i], buffer_start) for i in ready])
    rest = order[k:]
    out[rest] = encoder.embed([span(buffer, *spans[i], buffer_start) for i in rest])
    return out


_ENGINES: dict[tuple[str, int, str], Transcriber] = {}


def load_engine(model: str, threads: int, slot: str = "main") -> Transcriber:
    """One loaded model per (name, threads, slot) in this process: loading costs a second. An
    engine decodes one thing at a time; a caller that must not wait behind another (the live
    session's second pass) asks for a slot of its own."""
    key = (model, threads, slot)
    if key not in _ENGINES:
        _ENGINES[key] = registry().asr("faster-whisper", model=model, threads=threads)
    return _ENGINES[key]
