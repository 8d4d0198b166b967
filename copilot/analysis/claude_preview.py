"""Preview: exactly what would be sent to Claude, and nothing sent."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from copilot import egress
from copilot.analysis.claude_client import load_sdk
from copilot.analysis.claude_plan import WireSummary, plan
from copilot.domain import SessionExport
from copilot.settings import Settings


def preview_requests(
    export: SessionExport, settings: Settings, names: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The request bodies exactly as they would go on the wire, built by the SDK itself over a
    transport that keeps them and answers locally. No key is read and nothing leaves."""
    sdk = load_sdk()
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
