"""Claude as the session analyser: opt-in, redacted, logged, and never the only summary.

The SDK itself (`anthropic`, the optional `claude` extra) is imported in one place,
`claude_client.py`; each request is logged by `claude_logged.py`.

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

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from copilot.analysis.claude_client import make_client, messages_url
from copilot.analysis.claude_logged import EgressLog, parse_logged, timeout_of
from copilot.analysis.claude_merge import merge
from copilot.analysis.claude_plan import Plan, WireSummary, plan
from copilot.analysis.claude_wording import reword_reflection_prompts
from copilot.domain import Provenance, SessionExport, SessionSummary
from copilot.errors import AnalyserError, CopilotError, DependencyMissing
from copilot.settings import Settings
from copilot.storage.repository import SessionStore

if TYPE_CHECKING:
    import anthropic

DEFAULT_MODEL: str = Settings.model_fields["claude_model"].default


class ClaudeSessionAnalyser:
    name = "claude"

    def __init__(
        self,
        settings: Settings,
        store: SessionStore,
        names: Sequence[str] = (),
        client: anthropic.Anthropic | None = None,
        **_: Any,
    ) -> None:
        self.settings = settings
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
        parts = self._ask(client, self.store, export, the_plan)
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
        destination = messages_url(client)
        log = EgressLog(store, export.session.id, destination, p.model, p.prompt)
        logged = client.with_middleware(log)
        timeout_s = timeout_of(client)
        parts = []
        for i, request in enumerate(p.requests, start=1):
            where = f" (part {i} of {len(p.requests)})" if len(p.requests) > 1 else ""
            parts.append(parse_logged(logged, log, store, request, WireSummary, timeout_s, where))
        return parts


def _local_summary(export: SessionExport) -> SessionSummary:
    if export.summary is not None and export.summary.provenance.engine == "local":
        return export.summary
    from copilot.analysis.summary import LocalSessionAnalyser

    return LocalSessionAnalyser().summarise(export)


# The contract of copilot/reflection/wording.py: this module holds the rewording function.
__all__ = ["DEFAULT_MODEL", "ClaudeSessionAnalyser", "reword_reflection_prompts"]
