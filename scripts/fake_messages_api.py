"""A fake Messages API on 127.0.0.1 for tests and benchmarks: a real HTTP server speaking the wire
format (`POST /v1/messages`, JSON bodies, error bodies and statuses, `request-id`,
`retry-after-ms` and `x-should-retry` headers), so the SDK under test runs unchanged against it.

Replies are scripted: a queue of `Reply` objects (a recorded message body, an error, a stall that
outlasts the client's timeout, a dropped connection), and when the queue is empty a responder
builds an answer from the transcript it was sent. Usage is counted the way the API reports it,
with a simulated prompt cache: the system blocks up to the last `cache_control` mark are the
cached prefix, written on first sight (when long enough) and read on every later request with
the same prefix within five minutes. Token counts are estimates (characters / 4), not the API's
tokenizer: good for comparing runs, not for an invoice.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).resolve().parents[1] / "tests" / "data" / "claude"
CHARS_PER_TOKEN = 4.0
CACHE_TTL_S = 300.0
MIN_CACHEABLE_TOKENS = 1024
LINE = re.compile(r"^\[(\d+:\d\d(?::\d\d)?)\] (\w+): (.+)$")


def tokens(text: str) -> int:
    return max(1, round(len(text) / CHARS_PER_TOKEN)) if text else 0


def recorded(name: str) -> dict[str, Any]:
    """A recorded example body from tests/data/claude."""
    data: dict[str, Any] = json.loads((RECORDED / name).read_text(encoding="utf-8"))
    return data


@dataclass
class Reply:
    """One scripted answer to one HTTP attempt."""

    status: int = 200
    body: dict[str, Any] | None = None  # None with status 200: the responder's answer
    headers: dict[str, str] = field(default_factory=dict)
    stall_s: float = 0.0  # wait this long, then drop the connection without answering
    drop: bool = False  # close the connection at once, without a response

    @classmethod
    def error(cls, status: int, kind: str, message: str, **headers: str) -> Reply:
        body = {"type": "error", "error": {"type": kind, "message": message}}
        return cls(status=status, body=body, headers=dict(headers))

    @classmethod
    def recorded(cls, name: str, status: int = 200, **headers: str) -> Reply:
        return cls(status=status, body=recorded(name), headers=dict(headers))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


Responder = Callable[[dict[str, Any]], str]


class FakeMessagesAPI:
    """`with FakeMessagesAPI() as api:` then point the SDK at `api.url`."""

    def __init__(
        self,
        key: str = "sk-test-key",
        responder: Responder | None = None,
        min_cacheable_tokens: int = MIN_CACHEABLE_TOKENS,
    ) -> None:
        self.key = key
        self.responder = responder or transcript_answer
        self.min_cacheable = min_cacheable_tokens
        self.queue: list[Reply] = []
        self.received: list[Received] = []
        self._cache: dict[str, float] = {}  # prefix digest -> last use
        self._ids = count(1)
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeMessagesAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self.queue.extend(replies)

    # one attempt ---------------------------------------------------------------------------

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> Reply:
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        with self._lock:
            self.received.append(Received(path, headers, body))
            scripted = self.queue.pop(0) if self.queue else None
        if scripted is not None:
            return scripted
        if path != "/v1/messages":
            return Reply.error(404, "not_found_error", f"no route {path}")
        bearer = headers.get("authorization", "").removeprefix("Bearer ")
        if self.key not in (headers.get("x-api-key"), bearer):
            return Reply.error(401, "authentication_error", "invalid x-api-key")
        if not headers.get("anthropic-version"):
            return Reply.error(400, "invalid_request_error", "anthropic-version header required")
        return Reply(body=self.message(body, self.responder(body)))

    def message(self, request: dict[str, Any], text: str, stop: str = "end_turn") -> dict[str, Any]:
        """A message body around `text`, with usage counted from the request."""
        return {
            "id": f"msg_fake{next(self._ids):06d}",
            "type": "message",
            "role": "assistant",
            "model": request.get("model", ""),
            "content": [{"type": "text", "text": text}],
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": self.usage(request, text),
        }

    def usage(self, request: dict[str, Any], answer: str) -> dict[str, int]:
        system = request.get("system") or []
        blocks = [{"type": "text", "text": system}] if isinstance(system, str) else system
        marked = [i for i, b in enumerate(blocks) if b.get("cache_control")]
        prefix = blocks[: marked[-1] + 1] if marked else []
        prefix_tokens = sum(tokens(b.get("text", "")) for b in prefix)
        rest = sum(tokens(b.get("text", "")) for b in blocks[len(prefix) :])
        for message in request.get("messages", []):
            content = message.get("content", "")
            parts = [{"text": content}] if isinstance(content, str) else content
            rest += sum(tokens(p.get("text", "")) for p in parts)
        # The output schema is counted as uncached input: a cautious reading of the cache rules.
        rest += tokens(json.dumps(request.get("output_config") or {}))
        read = write = 0
        if prefix and prefix_tokens >= self.min_cacheable:
            key = hashlib.sha256(
                json.dumps([request.get("model"), prefix], sort_keys=True).encode()
            ).hexdigest()
            now = time.monotonic()
            with self._lock:
                fresh = now - self._cache.get(key, -1e9) < CACHE_TTL_S
                self._cache[key] = now
            read, write = (prefix_tokens, 0) if fresh else (0, prefix_tokens)
        else:
            rest += prefix_tokens
        return {
            "input_tokens": rest,
            "output_tokens": tokens(answer),
            "cache_creation_input_tokens": write,
            "cache_read_input_tokens": read,
        }

    def stall(self, seconds: float) -> None:
        self._closing.wait(seconds)


def _handler(api: FakeMessagesAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
            return

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = api.handle(self.path.split("?")[0], headers, raw)
            if reply.stall_s or reply.drop:
                api.stall(reply.stall_s)
                self.close_connection = True
                return
            request_id = f"req_fake{next(api._ids):06d}"
            body = dict(reply.body or {})
            if reply.status >= 400:
                body.setdefault("request_id", request_id)
            data = json.dumps(body).encode()
            self.send_response(reply.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.send_header("request-id", request_id)
            for name, value in reply.headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


# The responder: an answer in the shape the analyser asks for, quoting the transcript sent. -----

STATES = ("sadness", "anxiety", "guilt", "relief", "hope")
THEMES = ("sleep", "work", "family", "feeling a burden", "asking for help", "the week ahead")


def transcript_lines(request: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(time, speaker, words) for each transcript line in the request's user message."""
    text = "\n".join(
        part.get("text", "")
        for message in request.get("messages", [])
        for part in (message.get("content") or [])
        if isinstance(part, dict)
    )
    inside = text.split("<transcript>", 1)[-1].split("</transcript>", 1)[0]
    return [m.groups() for line in inside.splitlines() if (m := LINE.match(line.strip()))]  # type: ignore[misc]


def _quote(line: tuple[str, str, str], words: int = 12) -> dict[str, str]:
    return {"quote": " ".join(line[2].split()[:words]), "at": line[0]}


def transcript_answer(request: dict[str, Any], fabricate: bool = False) -> str:
    """A plausible structured answer whose quotes are the first words of real lines."""
    lines = transcript_lines(request)
    client = [ln for ln in lines if ln[1] == "Client"] or lines
    if not client:
        return json.dumps(_empty())
    pick = client.__getitem__
    n = len(client)
    answer = {
        "narrative": (
            "The client described low mood and poor sleep, worry about work and guilt towards "
            "family, then asked for practical help before saying they mainly wanted to be heard. "
            "Towards the end they described feeling lighter and some hope."
        ),
        "dominant_states": [
            {"label": s, "evidence": [_quote(pick(i % n)), _quote(pick((i + 5) % n))]}
            for i, s in enumerate(STATES)
        ],
        "themes": [
            {"name": t, "evidence": [_quote(pick((3 * i + 1) % n)), _quote(pick((3 * i + 2) % n))]}
            for i, t in enumerate(THEMES)
        ],
        "expressed_needs": [
            {
                "need": "practical steps for sleep",
                "leaning": "tools",
                "evidence": _quote(pick(n // 3)),
            },
            {"need": "to be understood", "leaning": "connection", "evidence": _quote(pick(n // 2))},
        ],
        "alliance": [
            {"aspect": a, "observation": f"a cue about {a}", "evidence": _quote(pick((i * 7) % n))}
            for i, a in enumerate(("goals", "tasks", "bond"))
        ],
        "possibly_unsaid": [
            {
                "observation": "a topic the client may have moved away from",
                "evidence": _quote(pick(n - 1)),
            }
        ],
        "key_moments": [
            {
                "kind": "peak" if i % 2 else "shift",
                "state": STATES[i % len(STATES)],
                "observation": "the client's tone seemed to change here",
                "confidence": 0.6,
                "evidence": _quote(pick((i * n) // 6)),
            }
            for i in range(6)
        ],
        "observations": ["The client returned several times to sleep and to work."],
    }
    if fabricate:
        answer["themes"][0]["evidence"].append(
            {"quote": "I have never told anyone about my brother", "at": client[0][0]}
        )
    return json.dumps(answer)


def _empty() -> dict[str, Any]:
    keys = ("dominant_states", "themes", "expressed_needs", "alliance", "possibly_unsaid")
    return {"narrative": "", **{k: [] for k in keys}, "key_moments": [], "observations": []}
