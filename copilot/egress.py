"""The egress log: one row for every request attempt that sends session data off the machine.

A row is written before the attempt is sent (status "sending") and completed when it ends, so an
attempt is on record even if the program dies while waiting. It holds no content: when, which
session, where, which model and prompt (name and digest), the SHA-256 of the redacted payload as
sent (compare it with `--preview`), the tokens counted by the API and an estimated cost.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from copilot.domain import utcnow
from copilot.storage import egress_log
from copilot.storage.repository import SessionStore

# "invalid": the API answered, but the answer did not have the structure asked for.
Status = Literal[
    "sending",
    "ok",
    "truncated",
    "refused",
    "invalid",
    "http_error",
    "timeout",
    "connection_error",
    "error",
]


class Price(BaseModel):
    """USD per million tokens."""

    input: float
    output: float
    cache_write: float  # 5-minute cache writes
    cache_read: float


# Published list prices (USD per million tokens) as of November 2026. Estimates only: the
# invoice is the authority. A model not listed is priced at FALLBACK, the dearest Sonnet rate.
PRICES: dict[str, Price] = {
    "claude-sonnet-5-5": Price(input=2.0, output=10.0, cache_write=2.5, cache_read=0.10),
    "claude-sonnet-5": Price(input=2.0, output=10.0, cache_write=2.5, cache_read=0.20),
    "claude-opus-5-5": Price(input=4.0, output=20.0, cache_write=5.0, cache_read=0.20),
    "claude-opus-5": Price(input=5.0, output=25.0, cache_write=6.25, cache_read=0.50),
    "claude-haiku-5-5": Price(input=0.10, output=0.50, cache_write=0.125, cache_read=0.01),
    "claude-haiku-4-5": Price(input=1.0, output=5.0, cache_write=1.25, cache_read=0.10),
    "claude-sonnet-4-6": Price(input=3.0, output=15.0, cache_write=3.75, cache_read=0.30),
    "claude-sonnet-4-5": Price(input=3.0, output=15.0, cache_write=3.75, cache_read=0.30),
}
FALLBACK = Price(input=3.0, output=15.0, cache_write=3.75, cache_read=0.30)


class Usage(BaseModel):
    input_tokens: int = 0  # not served from or written to the cache
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    @classmethod
    def from_api(cls, usage: dict[str, Any] | None) -> Usage:
        u = usage or {}
        return cls(
            input_tokens=int(u.get("input_tokens") or 0),
            output_tokens=int(u.get("output_tokens") or 0),
            cache_read_tokens=int(u.get("cache_read_input_tokens") or 0),
            cache_write_tokens=int(u.get("cache_creation_input_tokens") or 0),
        )

    @property
    def prompt_tokens(self) -> int:
        return self.input_tokens + self.cache_read_tokens + self.cache_write_tokens


def price_of(model: str) -> Price:
    # Dated snapshots ("claude-haiku-4-5-20251001") are priced as their alias.
    for name in sorted(PRICES, key=len, reverse=True):
        if model == name or model.startswith(name + "-2"):
            return PRICES[name]
    return FALLBACK


def cost_usd(model: str, usage: Usage) -> float:
    p = price_of(model)
    total = (
        usage.input_tokens * p.input
        + usage.output_tokens * p.output
        + usage.cache_write_tokens * p.cache_write
        + usage.cache_read_tokens * p.cache_read
    )
    return round(total / 1_000_000, 6)


def payload_digest(body: Any) -> str:
    """SHA-256 of a request body as canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EgressEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    at: datetime = Field(default_factory=utcnow)
    session_id: str | None
    destination: str
    model: str
    prompt_name: str
    prompt_digest: str
    payload_sha256: str
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float = 0.0
    status: Status = "sending"
    error: str | None = None


def record(store: SessionStore, entry: EgressEntry) -> int:
    """Write a row; returns its id, for `complete` to finish it."""
    row = entry.model_dump(include=set(egress_log.COLUMNS))
    row["at"] = entry.at.isoformat()
    return egress_log.insert(store, row)


def complete(
    store: SessionStore,
    entry_id: int,
    status: Status,
    usage: Usage | None = None,
    model: str = "",
    error: str | None = None,
) -> None:
    """Finish a row written by `record`: how the attempt ended, its tokens and cost."""
    u = usage or Usage()
    egress_log.update(
        store,
        entry_id,
        status=status,
        error=error,
        **u.model_dump(),  # the token counts, a column each
        cost_usd=cost_usd(model, u) if usage else 0.0,
    )


def list_entries(
    store: SessionStore, session_id: str | None = None, limit: int | None = None
) -> list[EgressEntry]:
    """Newest first."""
    return [EgressEntry(**row) for row in egress_log.rows(store, session_id, limit)]


def mark(store: SessionStore, entry_id: int, status: Status, error: str) -> None:
    """Change how a completed attempt is recorded (an answer found unusable after it arrived),
    keeping its tokens and cost: they were spent."""
    egress_log.update(store, entry_id, status=status, error=error)


class Totals(BaseModel):
    requests: int
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    cost_usd: float


def totals(entries: list[EgressEntry]) -> Totals:
    return Totals(
        requests=len(entries),
        input_tokens=sum(e.input_tokens for e in entries),
        output_tokens=sum(e.output_tokens for e in entries),
        cache_read_tokens=sum(e.cache_read_tokens for e in entries),
        cache_write_tokens=sum(e.cache_write_tokens for e in entries),
        cost_usd=round(sum(e.cost_usd for e in entries), 6),
    )
