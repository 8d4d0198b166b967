"""Claude as the session analyser: opt-in, redacted, logged, and never the only summary.

The only module that imports `anthropic` (lazily: it is the optional `claude` extra).

What happens on `summarise(export)`:
1. `claude_plan.plan` redacts the transcript (names, emails, phones, addresses, dates, ID
   numbers become placeholders), cuts it into time windows that fit a request budget and builds
   one request per window, the fixed prompt prefix marked for prompt caching.
2. Each request goes through `messages.parse(output_format=WireSummary)`, which validates the
   answer into a pydantic model. The SDK retries what is worth retrying (429, 5xx, 529,
   timeouts, dropped connections) within an explicit timeout.
3. Every attempt, retries included, is written to the egress log before it is sent and completed
   with its status, tokens and estimated cost when it ends, failures too.
4. `claude_merge.merge` restores the placeholders locally, checks every quote against the
   transcript and merges the windows into one `SessionSummary` on top of the local one.

A failure (no key, refused key, rate limit, overload, timeout, no network, invalid or truncated
answer) raises `AnalyserError` with one line saying why; the caller keeps the local summary.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from copilot import egress
from copilot.analysis.claude_merge import merge
from copilot.analysis.claude_plan import Plan, WireSummary, plan
from copilot.analysis.redaction import Redaction
from copilot.domain import Provenance, SessionExport, SessionSummary
from copilot.errors import AnalyserError, CopilotError, DependencyMissing
from copilot.prompts import Prompt
from copilot.settings import Settings
from copilot.storage.repository import SessionStore

if TYPE_CHECKING:
    import anthropic

DEFAULT_MODEL: str = Settings.model_fields["claude_model"].default
KEYRING_SERVICE, KEYRING_USER = "session-copilot", "anthropic"
INSTALL_HINT = "install the claude extra: pip install -e '.[claude]'"
NO_KEY = (
    "no Claude API key: set ANTHROPIC_API_KEY, or store one with "
    f"`keyring set {KEYRING_SERVICE} {KEYRING_USER}`"
)
CONNECT_TIMEOUT_S = 10.0
T = TypeVar("T", bound=BaseModel)


def _sdk() -> Any:
    try:
        import anthropic
    except ImportError as exc:
        raise DependencyMissing(f"Claude is not installed; {INSTALL_HINT}") from exc
    return anthropic


def api_key() -> str | None:
    """ANTHROPIC_API_KEY, else the OS keyring (service session-copilot, user anthropic)."""
    key = os.environ.get("ANTHROPIC_API_KEY", "").strip()
    if key:
        return key
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, KEYRING_USER) or None
    except Exception:  # no keyring package or no usable backend: simply no key from there
        return None


def make_client(settings: Settings) -> anthropic.Anthropic:
    """A client with the key, an explicit timeout and the SDK's retries. The endpoint is the
    SDK's default, or ANTHROPIC_BASE_URL (a proxy or a test server)."""
    sdk = _sdk()
    key = api_key()
    if not key:
        raise AnalyserError(NO_KEY)
    timeout = settings.claude_timeout_s
    client: anthropic.Anthropic = sdk.Anthropic(
        api_key=key,
        timeout=sdk.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT_S)),
        max_retries=settings.claude_max_retries,
        open_telemetry=False,  # no spans: nothing about a session goes to a tracing backend
    )
    return client


def sent_body(body: Any) -> dict[str, Any]:
    """A request body as it goes on the wire: the SDK's "not given" markers left out."""
    sdk = _sdk()
    return {k: v for k, v in dict(body).items() if not isinstance(v, sdk.Omit | sdk.NotGiven)}


@dataclass
class EgressLog:
    """SDK middleware: runs once per HTTP attempt, inside the SDK's retry loop, so every attempt
    is on record before it leaves."""

    store: SessionStore
    session_id: str | None
    destination: str
    model: str
    prompt: Prompt
    stop_reason: str | None = None
    last_entry: int | None = None
    usage: egress.Usage = field(default_factory=egress.Usage)

    def __call__(self, request: Any, call_next: Callable[[Any], Any]) -> Any:
        sdk = _sdk()
        entry = egress.EgressEntry(
            session_id=self.session_id,
            destination=self.destination,
            model=self.model,
            prompt_name=self.prompt.name,
            prompt_digest=self.prompt.digest,
            payload_sha256=egress.payload_digest(sent_body(request.json or {})),
        )
        self.last_entry = entry_id = egress.record(self.store, entry)
        self.stop_reason = None
        try:
            response = call_next(request)
        except sdk.APITimeoutError:
            egress.complete(self.store, entry_id, "timeout", error="no answer in time")
            raise
        except sdk.APIConnectionError as exc:
            egress.complete(self.store, entry_id, "connection_error", error=str(exc))
            raise
        except Exception as exc:
            egress.complete(self.store, entry_id, "error", error=type(exc).__name__)
            raise
        self._complete(entry_id, response)
        return response

    def _complete(self, entry_id: int, response: Any) -> None:
        try:
            data = response.json()
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        if response.status_code != 200:
            detail = data.get("error") or {}
            error = f"{response.status_code} {detail.get('type', '')}: {detail.get('message', '')}"
            request_id = response.headers.get("request-id")
            error += f" (request {request_id})" if request_id else ""
            egress.complete(self.store, entry_id, "http_error", error=error)
            return
        usage = egress.Usage.from_api(data.get("usage"))
        self.stop_reason = data.get("stop_reason")
        status: egress.Status = "ok"
        if self.stop_reason == "max_tokens":
            status = "truncated"
        elif self.stop_reason == "refusal":
            status = "refused"
        self.usage = usage
        egress.complete(self.store, entry_id, status, usage, self.model)


def explain(exc: Exception, model: str, timeout_s: float) -> str:
    """One line on why an attempt failed, for the therapist."""
    sdk = _sdk()
    if isinstance(exc, sdk.APITimeoutError):
        return f"no answer from the Claude API within {timeout_s:g} s (timeout)"
    if isinstance(exc, sdk.APIConnectionError):
        return "could not reach the Claude API (no network connection?)"
    if isinstance(exc, sdk.APIStatusError):
        code = exc.status_code
        known = {
            401: "the API key was refused (401); check ANTHROPIC_API_KEY or the keyring entry",
            403: f"the API key may not use {model} (403)",
            404: f"the model {model} was not found (404); check claude_model in the settings",
            413: "the request was too large for the API (413)",
            429: "the API's rate limit was reached (429); try again in a minute",
            529: "the Claude API is overloaded (529); try again later",
        }
        if code in known:
            return known[code]
        if code >= 500:
            return f"the Claude API failed ({code}); try again later"
        message = (getattr(exc, "message", "") or "").splitlines()
        return f"the request was rejected ({code}): {message[0] if message else ''}".rstrip(": ")
    return f"the request failed: {type(exc).__name__}"


def _invalid(log: EgressLog) -> str:
    if log.stop_reason == "max_tokens":
        return "the answer was cut off at the output limit (max_tokens) and was not used"
    if log.stop_reason == "refusal":
        return "Claude declined to answer for this session (refusal)"
    return "the answer did not have the expected structure and was not used"


class ClaudeSessionAnalyser:
    name = "claude"

    def __init__(
        self,
        settings: Settings | None = None,
        store: SessionStore | None = None,
        names: Sequence[str] = (),
        client: anthropic.Anthropic | None = None,
        **_: Any,
    ) -> None:
        self.settings = settings or Settings.load()
        self.store = store
        self.names = list(names)
        self.client = client

    def summarise(self, export: SessionExport) -> SessionSummary:
        """Claude's summary, or `AnalyserError` with one line why (the caller keeps the local
        one)."""
        try:
            return self._summarise(export)
        except (AnalyserError, DependencyMissing):
            raise
        except CopilotError as exc:
            raise AnalyserError(str(exc)) from exc
        except Exception as exc:  # a fault here must not cost the therapist the local summary
            raise AnalyserError(f"the Claude summary failed: {type(exc).__name__}: {exc}") from exc

    def _summarise(self, export: SessionExport) -> SessionSummary:
        if not export.utterances:
            raise AnalyserError("the session has no transcript to send")
        base = _local_summary(export)
        the_plan = plan(export, self.settings, self.names)
        client = self.client or make_client(self.settings)
        store = self.store or SessionStore()
        try:
            parts = self._ask(client, store, export, the_plan)
        finally:
            if self.store is None:
                store.close()
        provenance = Provenance(
            engine="claude",
            model=the_plan.model,
            prompt_name=the_plan.prompt.name,
            prompt_digest=the_plan.prompt.digest,
        )
        return merge(parts, the_plan.windows, export, the_plan.redaction, base, provenance)

    def _ask(
        self, client: anthropic.Anthropic, store: SessionStore, export: SessionExport, p: Plan
    ) -> list[WireSummary]:
        destination = f"{client.base_url}".rstrip("/") + "/v1/messages"
        log = EgressLog(store, export.session.id, destination, p.model, p.prompt)
        logged = client.with_middleware(log)
        timeout_s = _timeout_of(client)
        parts = []
        for i, request in enumerate(p.requests, start=1):
            where = f" (part {i} of {len(p.requests)})" if len(p.requests) > 1 else ""
            parts.append(_parse(logged, log, store, request, WireSummary, timeout_s, where))
        return parts


def _parse(
    logged: anthropic.Anthropic,
    log: EgressLog,
    store: SessionStore,
    request: dict[str, Any],
    output_format: type[T],
    timeout_s: float,
    where: str = "",
) -> T:
    """One request through the logged client; any failure becomes one line in AnalyserError."""
    sdk = _sdk()
    try:
        answer = logged.messages.parse(**request, output_format=output_format)
    except ValidationError as exc:
        raise AnalyserError(_unusable(store, log) + where) from exc
    except sdk.AnthropicError as exc:
        raise AnalyserError(explain(exc, log.model, timeout_s) + where) from exc
    except CopilotError as exc:  # the egress log could not be written: nothing left
        raise AnalyserError(f"{exc}; nothing was sent{where}") from exc
    if answer.parsed_output is None or answer.stop_reason == "max_tokens":
        raise AnalyserError(_unusable(store, log) + where)
    parsed: T = answer.parsed_output
    return parsed


def _unusable(store: SessionStore, log: EgressLog) -> str:
    reason = _invalid(log)
    if log.last_entry is not None and log.stop_reason not in ("max_tokens", "refusal"):
        egress.mark(store, log.last_entry, "invalid", reason)
    return reason


def _timeout_of(client: Any) -> float:
    timeout = getattr(client, "timeout", None)
    read = getattr(timeout, "read", timeout)
    return float(read) if isinstance(read, int | float) else Settings().claude_timeout_s


def _local_summary(export: SessionExport) -> SessionSummary:
    if export.summary is not None and export.summary.provenance.engine == "local":
        return export.summary
    from copilot.analysis.summary import LocalSessionAnalyser

    return LocalSessionAnalyser().summarise(export)


# Rewording the reflection prompts (the contract in copilot/reflection/wording.py). ---------

WORDING_PROMPT = "reflection_wording"
WORDING_MAX_TOKENS = 2_048


class _Reworded(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    question: str


class _Rewordings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rewordings: list[_Reworded]


def reword_reflection_prompts(
    prompts: list[dict[str, Any]], settings: Settings, session_id: str
) -> dict[str, str]:
    """New wording for the therapist's reflection questions: {prompt id: question}.

    The quotes and questions are redacted (the client's label) before they are sent and the
    request is logged like every other; placeholders are restored in what comes back. Raises
    `AnalyserError` with one line on any failure; the caller keeps the local wording."""
    from copilot.prompts import load

    if not prompts:
        return {}
    prompt = load(WORDING_PROMPT)
    client = make_client(settings)
    store = SessionStore()
    try:
        redaction = Redaction(client_label=store.get(session_id).client_label)
        items = [
            {k: redaction.redact(v) if k in ("quote", "question") else v for k, v in p.items()}
            for p in prompts
        ]
        text = prompt.render(
            prompt.meta["user"],
            count=len(items),
            prompts_json=json.dumps(items, ensure_ascii=False, indent=1),
        )
        request = {
            "model": settings.claude_model,
            "max_tokens": WORDING_MAX_TOKENS,
            "system": [{"type": "text", "text": prompt.render(t)} for t in prompt.meta["system"]],
            "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}],
        }
        destination = f"{client.base_url}".rstrip("/") + "/v1/messages"
        log = EgressLog(store, session_id, destination, settings.claude_model, prompt)
        answer = _parse(
            client.with_middleware(log), log, store, request, _Rewordings, _timeout_of(client)
        )
    finally:
        store.close()
    wanted = {str(p["id"]) for p in prompts}
    return {
        r.id: redaction.restore(r.question.strip())
        for r in answer.rewordings
        if r.id in wanted and r.question.strip()
    }


# Preview: exactly what would be sent, and nothing sent. -------------------------------------


def preview_requests(
    export: SessionExport, settings: Settings, names: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The request bodies exactly as they would go on the wire, built by the SDK itself over a
    transport that keeps them and answers locally. No key is read and nothing leaves."""
    sdk = _sdk()
    import httpx2  # the SDK's own HTTP library

    the_plan = plan(export, settings, names)
    bodies: list[dict[str, Any]] = []

    def keep(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        bodies.append(body)
        empty = {k: "" if k == "narrative" else [] for k in WireSummary.model_fields}
        return httpx2.Response(200, json=_message(body["model"], json.dumps(empty)))

    client = sdk.Anthropic(
        api_key="preview-only",
        base_url="http://preview.invalid",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(keep)),
        open_telemetry=False,
    )
    for request in the_plan.requests:
        client.messages.parse(**request, output_format=WireSummary)
    return bodies


def _message(model: str, text: str) -> dict[str, Any]:
    return {
        "id": "msg_preview",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 0, "output_tokens": 0},
    }


def preview_text(bodies: list[dict[str, Any]], destination: str) -> str:
    """The bodies as the therapist reads them: JSON, one request after another, with the
    digest the egress log will show for each."""
    blocks = []
    for i, body in enumerate(bodies, start=1):
        digest = egress.payload_digest(body)
        blocks.append(f"# request {i} of {len(bodies)} to {destination} · payload sha256 {digest}")
        blocks.append(json.dumps(body, indent=2, ensure_ascii=False))
    return "\n".join(blocks)


def destination() -> str:
    """Where requests would go: ANTHROPIC_BASE_URL or the SDK's default endpoint."""
    client = _sdk().Anthropic(api_key="preview-only", max_retries=0, open_telemetry=False)
    return f"{client.base_url}".rstrip("/") + "/v1/messages"


__all__ = [
    "DEFAULT_MODEL",
    "ClaudeSessionAnalyser",
    "api_key",
    "destination",
    "make_client",
    "preview_requests",
    "preview_text",
    "reword_reflection_prompts",
]
