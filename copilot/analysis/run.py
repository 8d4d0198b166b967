"""Running every analysis over a stored transcript, storing each result with its provenance."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copilot.analysis import metrics, prosody
from copilot.analysis.behaviour import figures as behaviour_figures
from copilot.analysis.risk import flag_utterances
from copilot.analysis.risk.learned import model_id as risk_model_id
from copilot.domain import (
    BehaviourCode,
    EmotionReading,
    ProsodyReading,
    Provenance,
    RiskFlag,
    SessionExport,
    SessionMetrics,
    SessionSummary,
    Utterance,
)
from copilot.errors import AnalyserError, DependencyMissing, ModelError
from copilot.plugins import registry
from copilot.settings import Settings
from copilot.storage.repository import SessionStore

RISK_ENGINE = "local-risk"
BEHAVIOUR_KIND = "therapist_behaviour"


@dataclass
class Analysed:
    export: SessionExport
    notices: list[str] = field(default_factory=list)  # one line each: what did not arrive, why


def analyse_session(
    store: SessionStore,
    session_id: str,
    audio_path: Path | None,
    analyser: str = "local",
    names: list[str] | None = None,
    *,
    settings: Settings,
    prosody_readings: list[ProsodyReading] | Future[list[ProsodyReading]] | None = None,
) -> Analysed:
    """Analyse a stored transcript. Prosody comes from the recording, or from the live session
    that measured it as it went, or from the file's audio being measured meanwhile
    (`prosody_readings`, the readings or their future)."""
    session = store.get(session_id)
    utterances = store.transcript.utterances(session_id)
    end = max((u.end for u in utterances), default=0.0)
    duration = max(session.duration_s or 0.0, end)
    found_metrics = metrics.compute(utterances, duration)
    found_metrics.unavailable = metrics.unavailable_for(session)
    store.analyses.save_analysis(
        session_id, "metrics", Provenance(engine="local-metrics"), found_metrics
    )
    # The risk flags are read on a thread of their own while emotions and behaviours are read
    # here: each reader keeps to one core, and transcription has left both free.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="risk") as pool:
        flagged = pool.submit(flag_utterances, utterances)
        emotion = registry().emotion(settings.emotion_engine)
        readings = emotion.read(utterances)
        behaviour_notice = code_behaviour(store, session_id, utterances)
        flags = flagged.result()
    risk_provenance = Provenance(engine=RISK_ENGINE, model=risk_model_id())
    store.analyses.save_analysis(session_id, "risk_flags", risk_provenance, flags)
    store.analyses.save_analysis(session_id, "emotions", emotion.provenance(), readings)
    if isinstance(prosody_readings, Future):
        prosody_readings = prosody_readings.result()
    voice = prosody_readings or []
    if audio_path is not None and prosody_readings is None:
        voice = prosody.from_file(audio_path, utterances)
    store.analyses.save_analysis(session_id, "prosody", Provenance(engine="local-prosody"), voice)
    store.finish(session_id, round(duration, 2))
    export = build_export(store, session_id)
    result = Analysed(export, [behaviour_notice] if behaviour_notice else [])
    summarise(store, result, "local", names or [], settings)
    if analyser != "local":
        summarise(store, result, analyser, names or [], settings)
    return result


def code_behaviour(store: SessionStore, session_id: str, utterances: list[Utterance]) -> str | None:
    """The therapist's behaviours, stored as their own analysis (private: see domain). A model
    that cannot load costs these codes only, said in one line, not the session's analysis."""
    from copilot.analysis.behaviour import code_utterances, default_coder

    try:
        coder = default_coder()
    except (ModelError, DependencyMissing) as exc:
        return f"therapist behaviour codes did not arrive: {exc}"
    codes = code_utterances(coder, utterances)
    provenance = Provenance(engine="local-behaviour", model=coder.model_id)
    store.analyses.save_analysis(session_id, BEHAVIOUR_KIND, provenance, codes)
    return None


def summarise(
    store: SessionStore, result: Analysed, analyser: str, names: list[str], settings: Settings
) -> None:
    """Add a session analyser's summary; a failure leaves the one already there and says why."""
    options: dict[str, Any] = {"settings": settings, "store": store, "names": names}
    try:
        summary = registry().session(analyser, **options).summarise(result.export)
    except (AnalyserError, DependencyMissing) as exc:
        result.notices.append(f"{analyser} summary did not arrive: {exc}")
        return
    store.analyses.save_analysis(result.export.session.id, "summary", summary.provenance, summary)
    result.export = result.export.model_copy(update={"summary": summary})


def _with_acknowledgements(store: SessionStore, session_id: str) -> list[RiskFlag]:
    acks = store.marks.acknowledgements(session_id)
    return [
        f.model_copy(update={"acknowledged_at": acks.get((f.utterance_seq, f.category))})
        for f in store.analyses.latest_list(session_id, "risk_flags", RiskFlag)
    ]


def build_export(store: SessionStore, session_id: str) -> SessionExport:
    session = store.get(session_id)
    found_metrics = store.analyses.latest_as(session.id, "metrics", SessionMetrics)
    if found_metrics is None:
        utterances = store.transcript.utterances(session.id)
        found_metrics = metrics.compute(utterances, session.duration_s or 0.0)
        found_metrics.unavailable = metrics.unavailable_for(session)
    codes = store.analyses.latest_list(session.id, BEHAVIOUR_KIND, BehaviourCode)
    return SessionExport(
        session=session,
        utterances=store.transcript.utterances(session.id),
        metrics=found_metrics,
        emotions=store.analyses.latest_list(session.id, "emotions", EmotionReading),
        prosody=store.analyses.latest_list(session.id, "prosody", ProsodyReading),
        risk_flags=_with_acknowledgements(store, session.id),
        summary=store.analyses.latest_as(session.id, "summary", SessionSummary),
        notes=store.marks.notes(session.id),
        therapist_behaviour=codes,
        behaviour_figures=behaviour_figures(codes) if codes else None,
    )
