"""What the Claude session analyser costs per hour of session, measured against the fake Messages
API on 127.0.0.1 (nothing leaves the machine). Prints one JSON object.

For the demo session and for a generated 50-minute session (a transcript built from text, no
audio): requests, input tokens (uncached, cache writes, cache reads), output tokens and the
estimated cost, each per hour of session, and the share of the prompt served from the cache.
Each run starts with an empty cache. Token counts are the fake server's estimate (4 characters
per token, the analyser's real request bodies); output tokens come from the fake's scripted
answers, so they stand in for, and do not predict, a real answer's length.

    .venv/bin/python scripts/bench_claude.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_messages_api import FakeMessagesAPI

KEY = "sk-bench-key"
SEED = 50
WORDS_PER_SECOND = 2.4  # about 145 words a minute

CLIENT = [
    "I have not been sleeping well, I wake up at four and my mind starts going.",
    "Work has been a lot this month, and I keep thinking I will be found out.",
    "My sister called again on Sunday and we ended up arguing about our mother.",
    "I did try the breathing exercise, it helped a little on Tuesday.",
    "Honestly I do not know what I want from these sessions any more.",
    "Sometimes I just want someone to listen without telling me what to do.",
    "I felt proud of myself for going to the party, even if I left early.",
    "It is hard to explain, it is like a weight sitting on my chest all day.",
    "I keep cancelling plans with friends and then I feel guilty about it.",
    "When my manager looked at me like that I felt about ten years old.",
    "Maybe it is not as bad as I make it sound, I do not know.",
    "I wrote down the thoughts like you suggested, most of them were about failing.",
    "There is something else, but I am not sure I want to go into it today.",
    "I was angry, really angry, and then I just felt empty afterwards.",
    "Some days I can see that things are getting a bit better.",
    "I miss how things were before the move, I had people around me then.",
]
THERAPIST = [
    "What was that like for you?",
    "It sounds as if that stayed with you all week.",
    "Can you say more about the weight you described?",
    "I notice you went quiet just then.",
    "What would it mean if someone did listen, without fixing it?",
    "How did you look after yourself afterwards?",
    "That took courage.",
    "Where do you feel that in your body right now?",
    "Shall we come back to that when you are ready?",
    "What do you want to be different by the time we finish working together?",
]


def generated_turns(minutes: float, seed: int = SEED) -> list[dict[str, Any]]:
    """A two-person session of about `minutes`, built from text: client turns of one to three
    sentences, therapist turns of one, with pauses between them."""
    rng = random.Random(seed)
    turns: list[dict[str, Any]] = []
    t, role = 2.0, "therapist"
    while t < minutes * 60:
        pool, count = (THERAPIST, 1) if role == "therapist" else (CLIENT, rng.randint(1, 3))
        text = " ".join(rng.choice(pool) for _ in range(count))
        length = len(text.split()) / WORDS_PER_SECOND
        turns.append(
            {"role": role, "text": text, "start": round(t, 2), "end": round(t + length, 2)}
        )
        t += length + rng.uniform(0.4, 2.0)
        role = "client" if role == "therapist" else "therapist"
    return turns


def demo_turns() -> list[dict[str, Any]]:
    from importlib.resources import files

    path = files("copilot") / "demo" / "demo_session.json"
    turns: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["turns"]
    return turns


def run_once(session_id: str, turns: list[dict[str, Any]]) -> dict[str, float]:
    from copilot import egress
    from copilot.analysis.run import Analysed, build_export, summarise
    from copilot.domain import Session, Utterance
    from copilot.settings import Settings
    from copilot.storage import SessionStore

    settings = Settings(session_analyser="claude", claude_max_retries=0, claude_timeout_s=30)
    store = SessionStore()
    try:
        store.create(Session(id=session_id, client_label="Client", source="file"))
        store.transcript.append(
            session_id,
            [Utterance(seq=i, role=t["role"], start=t["start"], end=t["end"], text=t["text"])
             for i, t in enumerate(turns)],
        )  # fmt: skip
        store.finish(session_id, turns[-1]["end"])
        result = Analysed(build_export(store, session_id))
        summarise(store, result, "local", [], settings)
        with FakeMessagesAPI(key=KEY) as api:
            os.environ["ANTHROPIC_BASE_URL"] = api.url
            began = time.perf_counter()
            summarise(store, result, "claude", [], settings)
            wall = time.perf_counter() - began
        if result.notices:
            raise SystemExit(f"bench: {result.notices[0]}")
        entries = egress.list_entries(store, session_id)
    finally:
        store.close()
    hours = turns[-1]["end"] / 3600
    t = egress.totals(entries)
    prompt = t.input_tokens + t.cache_read_tokens + t.cache_write_tokens
    return {
        "session_minutes": round(turns[-1]["end"] / 60, 2),
        "requests": t.requests,
        "requests_per_hour": round(t.requests / hours, 2),
        "input_tokens_per_hour": round(prompt / hours),
        "uncached_input_tokens_per_hour": round(t.input_tokens / hours),
        "cache_write_tokens_per_hour": round(t.cache_write_tokens / hours),
        "cache_read_tokens_per_hour": round(t.cache_read_tokens / hours),
        "output_tokens_per_hour": round(t.output_tokens / hours),
        "cost_usd_per_hour": round(t.cost_usd / hours, 4),
        "cost_usd_session": round(t.cost_usd, 4),
        "prompt_share_from_cache": round(t.cache_read_tokens / prompt, 3) if prompt else 0.0,
        "wall_s_loopback": round(wall, 3),
    }


def medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="bench-claude-")
    os.environ.update(COPILOT_HOME=home, ANTHROPIC_API_KEY=KEY)
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    from copilot.egress import price_of
    from copilot.settings import Settings

    model = Settings().claude_model
    scenarios = {"demo": demo_turns(), "generated_50min": generated_turns(50)}
    out: dict[str, Any] = {
        "model": model,
        "price_usd_per_mtok": price_of(model).model_dump(),
        "window_tokens": Settings().claude_window_tokens,
        "runs": args.runs,
        "token_counts": "fake server estimate, 4 characters a token; output: scripted answers",
        "cpu_count": os.cpu_count(),
    }
    for name, turns in scenarios.items():
        runs = [run_once(f"{name[:4]}{i:04d}", turns) for i in range(args.runs)]
        out[name] = medians(runs)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
