"""The Claude API client: the key, the SDK, explicit timeouts, and why an attempt failed.

The one home of `anthropic` (lazily: it is the optional `claude` extra); every other Claude
module reaches the SDK through `load_sdk()`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from copilot.errors import AnalyserError, DependencyMissing
from copilot.settings import Settings

if TYPE_CHECKING:
    import anthropic

KEYRING_SERVICE, KEYRING_USER = "session-copilot", "anthropic"
INSTALL_HINT = "install the claude extra: pip install -e '.[claude]'"
NO_KEY = (
    "no Claude API key: set ANTHROPIC_API_KEY, or store one with "
    f"`keyring set {KEYRING_SERVICE} {KEYRING_USER}`"
)
CONNECT_TIMEOUT_S = 10.0


def load_sdk() -> Any:
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
    sdk = load_sdk()
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
    sdk = load_sdk()
    return {k: v for k, v in dict(body).items() if not isinstance(v, sdk.Omit | sdk.NotGiven)}


def explain(exc: Exception, model: str, timeout_s: float) -> str:
    """One line on why an attempt failed, for the therapist."""
    sdk = load_sdk()
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


def messages_url(client: Any) -> str:
    """Where a client's requests go: its endpoint's Messages API."""
    return f"{client.base_url}".rstrip("/") + "/v1/messages"


def destination() -> str:
    """Where requests would go: ANTHROPIC_BASE_URL or the SDK's default endpoint."""
    return messages_url(
        load_sdk().Anthropic(api_key="preview-only", max_retries=0, open_telemetry=False)
    )
