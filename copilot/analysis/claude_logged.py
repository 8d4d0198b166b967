"""Requests to Claude on the record: each attempt in the egress log before it leaves.

`EgressLog` is SDK middleware, so retries are logged too; `parse_logged` sends one request
through it and turns any failure into one line in `AnalyserError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from copilot import egress
from copilot.analysis.claude_client import explain, load_sdk, sent_body
from copilot.errors import AnalyserError, CopilotError
from copilot.prompts import Prompt
from copilot.settings import Settings
from copilot.storage.repository import SessionStore

if TYPE_CHECKING:
    import anthropic

T = TypeVar("T", bound=BaseModel)


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
        sdk = load_sdk()
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


def _invalid(log: EgressLog) -> str:
    if log.stop_reason == "max_tokens":
        return "the answer was cut off at the output limit (max_tokens) and was not used"
    if log.stop_reason == "refusal":
        return "Claude declined to answer for this session (refusal)"
    return "the answer did not have the expected structure and was not used"


def parse_logged(
    logged: anthropic.Anthropic,
    log: EgressLog,
    store: SessionStore,
    request: dict[str, Any],
    output_format: type[T],
    timeout_s: float,
    where: str = "",
) -> T:
    """One request through the logged client; any failure becomes one line in AnalyserError."""
    sdk = load_sdk()
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


def timeout_of(client: Any) -> float:
    timeout = getattr(client, "timeout", None)
    read = getattr(timeout, "read", timeout)
    return float(read) if isinstance(read, int | float) else Settings().claude_timeout_s
