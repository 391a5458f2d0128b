#!/usr/bin/env python3
"""`make bench`: `functionary serve` against `llama-server` built from the same llama.cpp source.

Both servers load the same GGUF with the same threads and the same context per sequence, one after the
other (never both at once), and the same HTTP client measures both the same way (streamed responses,
client-side clocks). One table compares them; bench/README.md explains each row.

Stdlib only (urllib/http.client), so it runs in .deps/venv or any python3 >= 3.9.

    .deps/venv/bin/python bench/bench.py --binary .build/release/functionary
    .deps/venv/bin/python bench/bench.py --binary ... --only llama --quick
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("FUNCTIONARY_HOME") or Path.home() / ".cache" / "functionary")
DEFAULT_MODEL = HOME / "models" / "gemma-3-270m-q4_k_m.gguf"
DEFAULT_ADAPTER = ROOT / "models" / "functionary-gemma3-270m-lora.gguf"
DEFAULT_LLAMA_SERVER = ROOT / ".deps" / "bin" / "llama-server"
SEED = 1234


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


# ---------------------------------------------------------------------------------------------------------------------
# HTTP: one streamed request, timed on the client


@dataclass
class Timed:
    """One streamed request as the client saw it (perf_counter seconds)."""

    sent: float = 0.0
    first: float | None = None  # first chunk carrying generated text (content, tool name or arguments)
    last: float | None = None  # last chunk carrying generated text
    end: float = 0.0  # end of the stream ([DONE] or connection close)
    chunks: int = 0  # chunks carrying generated text
    text: str = ""
    finish_reason: str | None = None
    usage: dict | None = None
    timings: dict | None = None  # llama-server's own timings, when present

    @property
    def prompt_tokens(self) -> int:
        return int((self.usage or {}).get("prompt_tokens", 0))

    @property
    def completion_tokens(self) -> int:
        return int((self.usage or {}).get("completion_tokens", 0))

    @property
    def cached_tokens(self) -> int:
        details = (self.usage or {}).get("prompt_tokens_details") or {}
        return int(details.get("cached_tokens") or 0)

    @property
    def ttft(self) -> float:
        return (self.first if self.first is not None else self.end) - self.sent

    def decode_rate(self) -> float | None:
        """Tokens per second between the first and the last generated chunk (the first token's time excluded)."""
        if self.first is None or self.last is None or self.completion_tokens < 2 or self.last <= self.first:
            return None
        return (self.completion_tokens - 1) / (self.last - self.first)


class HTTPFailure(RuntimeError):
    pass


def post_stream(port: int, path: str, body: dict, timeout: float = 600.0) -> Timed:
    """POSTs `body` with `stream: true` and reads the server-sent events, stamping each generated chunk."""
    body = dict(body, stream=True, stream_options={"include_usage": True})
    payload = json.dumps(body).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    timed = Timed()
    try:
        timed.sent = time.perf_counter()
        conn.request("POST", path, payload, {"Content-Type": "application/json", "Accept": "text/event-stream"})
        resp = conn.getresponse()
        if resp.status != 200:
            raise HTTPFailure(f"POST {path} -> {resp.status}: {resp.read()[:500].decode(errors='replace')}")
        while True:
            line = resp.readline()
            if not line:
                break
            now = time.perf_counter()
            line = line.strip()
            if not line.startswith(b"data:"):
                continue
            data = line[5:].strip()
            if data == b"[DONE]":
                break
            event = json.loads(data)
            if "error" in event:
                raise HTTPFailure(f"POST {path}: error event {event['error']}")
            if event.get("usage"):
                timed.usage = event["usage"]
            if event.get("timings"):
                timed.timings = event["timings"]
            for choice in event.get("choices") or []:
                piece = generated_text(choice)
                if piece:
                    timed.chunks += 1
                    timed.text += piece
                    if timed.first is None:
                        timed.first = now
                    timed.last = now
                if choice.get("finish_reason"):
                    timed.finish_reason = choice["finish_reason"]
        timed.end = time.perf_counter()
    finally:
        conn.close()
    if timed.usage is None:
        raise HTTPFailure(f"POST {path}: the stream ended without a usage chunk")
    return timed


def generated_text(choice: dict) -> str:
    """The generated text a chunk carries: completion text, chat content, or tool-call name/arguments."""
    if "text" in choice:
        return choice.get("text") or ""
    delta = choice.get("delta") or {}
    out = delta.get("content") or ""
    for call in delta.get("tool_calls") or []:
        function = call.get("function") or {}
        out += (function.get("name") or "") + (function.get("arguments") or "")
    return out


def get_json(port: int, path: str, timeout: float = 5.0) -> tuple[int, dict | None]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        raw = resp.read()
        try:
            return resp.status, json.loads(raw)
        except ValueError:
            return resp.status, None
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server process on a free port, logging to a file, stopped with SIGTERM (then SIGKILL)."""

    def __init__(self, name: str, argv: list[str], port: int, logdir: Path):
        self.name, self.argv, self.port = name, argv, port
        self.logfile = logdir / f"{name.replace(' ', '_')}-{port}.log"
        self.proc: subprocess.Popen | None = None
        self.model_id = "model"

    def __enter__(self) -> "Server":
        log(f"starting {self.name}: {' '.join(self.argv)}")
        with open(self.logfile, "wb") as out:
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                status, _ = get_json(self.port, "/health")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.25)
        else:
            raise RuntimeError(f"{self.name} not healthy after 300 s:\n{self.tail()}")
        _, models = get_json(self.port, "/v1/models")
        if models and models.get("data"):
            self.model_id = models["data"][0]["id"]
        return self

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@dataclass
class Config:
    binary: Path
    llama_server: Path
    model: Path
    threads: int
    ctx: int
    parallel: int
    llama_args: list[str]
    logdir: Path
    adapter: Path | None = None
    ours_args: list[str] = field(default_factory=list)


def ours_argv(cfg: Config, port: int, parallel: int) -> list[str]:
    return [str(cfg.binary), "serve", "--model", str(cfg.model), "--host", "127.0.0.1", "--port", str(port),
            "--parallel", str(parallel), "--ctx-size", str(cfg.ctx), "--threads", str(cfg.threads), *cfg.ours_args]


def llama_argv(cfg: Config, port: int, parallel: int) -> list[str]:
    # --ctx-size is the whole KV pool in llama-server; without a unified KV cache each of the -np slots gets
    # ctx/np, so ctx × np gives every slot the same context as one of ours (our --ctx-size is per sequence).
    return [str(cfg.llama_server), "-m", str(cfg.model), "--host", "127.0.0.1", "--port", str(port),
            "-np", str(parallel), "--no-kv-unified", "-c", str(cfg.ctx * parallel),
            "-t", str(cfg.threads), "-tb", str(cfg.threads), *cfg.llama_args]


# ---------------------------------------------------------------------------------------------------------------------
# Workloads


def nonce(rng: random.Random) -> str:
    """A unique first line, so that no prompt shares more than the BOS token with anything cached."""
    return f"Run {rng.randrange(10**8):08d}."


def counting_prompt(rng: random.Random, start: int = 1) -> str:
    """A raw prompt that a base model continues for as long as it is allowed to."""
    numbers = ", ".join(str(i) for i in range(start, start + 12))
    return f"{nonce(rng)}\nCounting upwards, one number at a time: {numbers},"


def long_prompt(rng: random.Random, sentences: int) -> str:
    body = " ".join(
        f"Line {i}: the {['red', 'green', 'blue', 'grey'][i % 4]} fox number {i} jumps over the lazy dog by the river."
        for i in range(sentences))
    return f"{nonce(rng)}\n{body}\nSummary:"


REPLAY_TOOLS = [
    {"type": "function", "function": {
        "name": "get_weather", "description": "Get the current weather in a city.",
        "parameters": {"type": "object", "properties": {
            "city": {"type": "string", "enum": ["Paris", "Oslo", "Lima", "Cairo", "Tokyo", "Quito"]},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
            "required": ["city", "unit"]}}},
    {"type": "function", "function": {
        "name": "get_time", "description": "Get the local time in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
]
REPLAY_CITIES = ["Paris", "Oslo", "Lima", "Cairo", "Tokyo", "Quito"]


def replay_conversations(turns: int) -> list[list[dict]]:
    """The message lists of each turn: turn k sends turn k-1's messages + the assistant's tool call + the
    tool result + the next user message (a scripted call, so both servers see identical conversations)."""
    messages: list[dict] = []
    out = []
    for k in range(turns):
        city = REPLAY_CITIES[k % len(REPLAY_CITIES)]
        if k > 0:
            previous = REPLAY_CITIES[(k - 1) % len(REPLAY_CITIES)]
            call_id = f"call_{k:02d}"
            messages.append({"role": "assistant", "content": None, "tool_calls": [{
                "id": call_id, "type": "function",
                "function": {"name": "get_weather", "arguments": json.dumps({"city": previous, "unit": "celsius"})}}]})
            messages.append({"role": "tool", "tool_call_id": call_id,
                             "content": json.dumps({"city": previous, "temperature": 8 + 3 * k, "sky": "clear"})})
        messages.append({"role": "user", "content": f"Thanks. And what is the weather like in {city} right now, in celsius?"})
        out.append([dict(m) for m in messages])
    return out


GRAMMAR_TOOL = {"type": "function", "function": {
    "name": "record_people", "description": "Store a list of people in the address book.",
    "parameters": {"type": "object", "properties": {"people": {
        "type": "array", "minItems": 40,
        "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "city": {"type": "string"},
            "email": {"type": "string"}},
            "required": ["id", "name", "city", "email"]}}},
        "required": ["people"]}}}


def grammar_messages(rng: random.Random) -> list[dict]:
    return [{"role": "user", "content": (
        f"{nonce(rng)} Write out the address book as a long list: for every person from number 1 to number 60 give "
        "the id, a name, a city and an email address. Start with: 1. Anna Berg, Oslo, anna.berg@example.com; "
        "2. Ben Cole, Lima, ben.cole@example.com; 3.")}]


# ---------------------------------------------------------------------------------------------------------------------
# Measurements


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


@dataclass
class Results:
    """Samples of one server, pooled over rounds; the table shows their medians."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)

    def add(self, key: str, values: list[float | None]) -> None:
        self.samples.setdefault(key, []).extend(v for v in values if v is not None)

    @property
    def values(self) -> dict[str, float | None]:
        return {key: median(values) for key, values in self.samples.items()}

    @property
    def best(self) -> dict[str, float | None]:
        """The best sample of each measurement (highest rate, lowest time): on a loaded machine other jobs only
        ever slow a run down, so the best is the least disturbed one."""
        return {key: (min if key.endswith(("_ms", "_ratio", "_evaluated")) else max)(values) if values else None
                for key, values in self.samples.items()}


def completion_body(server: Server, prompt: str, max_tokens: int) -> dict:
    return {"model": server.model_id, "prompt": prompt, "max_tokens": max_tokens, "temperature": 0, "seed": SEED}


def run_single_stream(server: Server, kind: str, opts: argparse.Namespace, res: Results, rng: random.Random) -> None:
    """Decode, prefill and TTFT on a one-slot server, through /v1/completions with raw prompts (identical tokens)."""
    for _ in range(2):  # warm-up
        post_stream(server.port, "/v1/completions", completion_body(server, counting_prompt(rng), 16))

    ttfts, decodes, server_decodes, prefills, server_prefills, tokens = [], [], [], [], [], []
    for rep in range(opts.reps):
        short = post_stream(server.port, "/v1/completions", completion_body(server, counting_prompt(rng, 1 + rep), 4))
        ttfts.append(short.ttft * 1000)

        decode = post_stream(server.port, "/v1/completions",
                             completion_body(server, counting_prompt(rng, 1 + 7 * rep), opts.decode_tokens))
        decodes.append(decode.decode_rate())
        tokens.append(decode.completion_tokens)
        if decode.timings and decode.timings.get("predicted_ms"):
            server_decodes.append(decode.timings["predicted_n"] * 1000 / decode.timings["predicted_ms"])

        long = post_stream(server.port, "/v1/completions", completion_body(server, long_prompt(rng, opts.prefill_lines), 1))
        evaluated = long.prompt_tokens - long.cached_tokens
        prefills.append(evaluated / long.ttft)
        if long.timings and long.timings.get("prompt_ms"):
            server_prefills.append(long.timings["prompt_n"] * 1000 / long.timings["prompt_ms"])
        if rep == 0:
            res.details.append(f"{kind}: long prompt {long.prompt_tokens} tokens ({long.cached_tokens} cached); "
                               f"decode run: {decode.completion_tokens} tokens in {decode.chunks} chunks, "
                               f"finish {decode.finish_reason}; text starts {decode.text[:60]!r}")
    res.add("ttft_ms", ttfts)
    res.add("decode", decodes)
    res.add("prefill", prefills)
    res.add("server_decode", server_decodes)
    res.add("server_prefill", server_prefills)
    res.details.append(f"{kind}: decode tok/s per rep {fmt_list(decodes)} (tokens {tokens}); "
                       f"prefill tok/s {fmt_list(prefills)}; TTFT ms {fmt_list(ttfts)}")
    if server_decodes:
        res.details.append(f"{kind}: server-reported decode {fmt_list(server_decodes)}, prefill {fmt_list(server_prefills)}")


def run_replay(server: Server, kind: str, opts: argparse.Namespace, res: Results, rendered: list[str] | None) -> None:
    """The 6-turn tool conversation: prompt tokens evaluated (prompt − cached) against the tokens new in each turn."""
    conversations = replay_conversations(opts.turns)
    rows = []
    previous_prompt = 0
    for turn, messages in enumerate(conversations, start=1):
        if kind == "ours":
            # No seed (greedy needs none): a seeded request reuses the cache only at 256-token chunk boundaries, for
            # reproducibility (docs/server.md); the replay measures an ordinary conversation's cache reuse.
            body = {"model": server.model_id, "messages": messages, "tools": REPLAY_TOOLS, "tool_choice": "required",
                    "max_tokens": opts.replay_tokens, "temperature": 0}
            timed = post_stream(server.port, "/v1/chat/completions", body)
        else:
            if rendered is None:
                res.notes.append(f"{kind}: replay skipped (no rendered prompts: needs --binary for `functionary render`)")
                return
            timed = post_stream(server.port, "/v1/completions",
                                completion_body(server, rendered[turn - 1], opts.replay_tokens))
        new = timed.prompt_tokens - previous_prompt
        evaluated = timed.prompt_tokens - timed.cached_tokens
        rows.append((turn, timed.prompt_tokens, new, timed.cached_tokens, evaluated))
        previous_prompt = timed.prompt_tokens
    later = rows[1:]
    total_new = sum(r[2] for r in later)
    total_eval = sum(r[4] for r in later)
    res.add("replay_ratio", [total_eval / total_new if total_new > 0 else None])
    res.add("replay_worst", [max((r[4] / r[2] for r in later if r[2] > 0), default=None)])
    res.details.append(f"{kind}: replay turns (turn, prompt, new, cached, evaluated): {rows}")


def run_logprobs(server: Server, kind: str, opts: argparse.Namespace, res: Results, rng: random.Random) -> None:
    """Decode tokens/s on /v1/completions without log probabilities and with `logprobs: 5` (the chosen token's
    log probability and its 5 most likely alternatives per token), pairs of requests alternating, same prompt
    length. Both servers compute these from the whole vocabulary's softmax."""
    plain, with_logprobs = [], []
    for rep in range(opts.reps):
        body = completion_body(server, counting_prompt(rng, 3 + 11 * rep), opts.decode_tokens)
        plain.append(post_stream(server.port, "/v1/completions", body).decode_rate())
        body = completion_body(server, counting_prompt(rng, 5 + 11 * rep), opts.decode_tokens)
        with_logprobs.append(post_stream(server.port, "/v1/completions", dict(body, logprobs=5)).decode_rate())
    res.add("logprobs_off", plain)
    res.add("logprobs_on", with_logprobs)
    res.details.append(f"{kind}: decode tok/s without logprobs {fmt_list(plain)}, with logprobs 5 {fmt_list(with_logprobs)}")


def run_grammar(server: Server, opts: argparse.Namespace, res: Results, rng: random.Random, binary: Path,
                tools: list[dict] | None = None, tool_choice: str = "record_people", keys: tuple[str, str] = ("grammar_on", "grammar_off"),
                with_no_tools: bool = True) -> None:
    """Decode tokens/s with the tool grammar on and off, over the same prompt.

    On: `/v1/chat/completions` with a named tool whose schema asks for long arguments, so the grammar
    constrains every generated token. Off: the very prompt our server builds for that request (rendered by
    `functionary render --generation-prompt --tool-choice record_people`, tool definitions and the call's
    opening included) on `/v1/completions`, with no grammar. The same context length on both sides, so the
    ratio is the grammar's cost alone. (Against a request without tools, the tool definitions' longer prompt
    would also slow the attention; the details list that rate too.)

    A tool call's arguments may reach the client in one piece when the call is complete (the stream parser
    holds them until it can tell them apart), so chunk times cannot time the decode here. Instead each
    measurement is a pair of requests that differ only in max_tokens (M, then 1; fresh nonce each, same
    length), after a request of the same kind that leaves both the same prompt cache: rate = (tokens_M −
    tokens_1) ÷ (time_M − time_1), request sent → end of stream. The prompt's processing and the HTTP round
    trip cancel out. The same method for every side.

    The grammar side runs with jump-forward off (`"jump_forward": false`), so that the ratio is the grammar
    sampler's cost; the same requests with jump-forward on (the default, faster where the grammar forces text)
    are listed in the details."""
    tools = tools or [GRAMMAR_TOOL]
    choice = tool_choice if tool_choice in ("required", "auto") else {"type": "function", "function": {"name": tool_choice}}

    def request(kind: str, max_tokens: int) -> Timed:
        messages = grammar_messages(rng)
        base = {"model": server.model_id, "max_tokens": max_tokens, "temperature": 0, "seed": SEED}
        if kind in ("grammar", "grammar-jump"):
            return post_stream(server.port, "/v1/chat/completions", dict(
                base, messages=messages, tools=tools, tool_choice=choice, jump_forward=kind == "grammar-jump"))
        if kind == "no-grammar":
            prompt = render_prompt(binary, {"messages": messages, "tools": tools}, tool_choice)
            return post_stream(server.port, "/v1/completions", dict(base, prompt=prompt))
        return post_stream(server.port, "/v1/chat/completions", dict(base, messages=messages))

    def rate(kind: str) -> tuple[float | None, int]:
        # First a request of the same kind, so that both of the pair find the same prompt cache (this kind's
        # shared prefix: the tool definitions); after another kind, the long one alone would evaluate it.
        request(kind, 1)
        long, short = request(kind, opts.grammar_tokens), request(kind, 1)
        tokens = long.completion_tokens - short.completion_tokens
        seconds = (long.end - long.sent) - (short.end - short.sent)
        return (tokens / seconds if tokens > 0 and seconds > 0 else None), long.completion_tokens

    kinds = ("grammar", "grammar-jump", "no-grammar") + (("no-tools",) if with_no_tools else ())
    for kind in kinds:
        request(kind, 8)  # warm-up (also compiles and caches the tool set's grammar)
    rates: dict[str, list] = {kind: [] for kind in kinds}
    tokens: dict[str, list] = {kind: [] for kind in kinds}
    for _ in range(opts.reps):
        for kind in kinds:
            value, count = rate(kind)
            rates[kind].append(value)
            tokens[kind].append(count)
    res.add(keys[0], rates["grammar"])
    res.add(keys[1], rates["no-grammar"])
    res.details.append(
        f"ours, {len(tools)} tool(s), tool_choice {tool_choice}: grammar on tok/s {fmt_list(rates['grammar'])} "
        f"(tokens {tokens['grammar']}), with jump-forward {fmt_list(rates['grammar-jump'])} (tokens {tokens['grammar-jump']}); off, same prompt {fmt_list(rates['no-grammar'])} (tokens {tokens['no-grammar']})"
        + (f"; a request without tools (shorter prompt) {fmt_list(rates['no-tools'])} (tokens {tokens['no-tools']})"
           if with_no_tools else ""))
    if min(tokens["grammar"] + tokens["no-grammar"], default=0) < opts.grammar_tokens // 2:
        res.notes.append("grammar on/off: some runs stopped early (see details); rates are over fewer tokens")


def run_concurrent(server: Server, kind: str, opts: argparse.Namespace, res: Results, rng: random.Random) -> None:
    """Aggregate tokens/s: N streams at once on an N-slot server, and 1 stream on the same server, measured alike."""
    def batch(streams: int) -> tuple[float, list[Timed]]:
        prompts = [counting_prompt(rng, 1 + 100 * i) for i in range(streams)]
        results: list[Timed | Exception | None] = [None] * streams
        barrier = threading.Barrier(streams)

        def worker(i: int) -> None:
            try:
                barrier.wait()
                results[i] = post_stream(server.port, "/v1/completions", completion_body(server, prompts[i], opts.decode_tokens))
            except Exception as error:  # noqa: BLE001 - reported below
                results[i] = error

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(streams)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        failures = [r for r in results if not isinstance(r, Timed)]
        if failures:
            raise HTTPFailure(f"{kind}: concurrent request failed: {failures[0]}")
        timed = [r for r in results if isinstance(r, Timed)]
        start = min(t.sent for t in timed)
        end = max(t.end for t in timed)
        return sum(t.completion_tokens for t in timed) / (end - start), timed

    batch(opts.parallel)  # warm-up: every slot once
    singles, aggregates, tokens = [], [], []
    for _ in range(opts.reps):
        singles.append(batch(1)[0])
        rate, timed = batch(opts.parallel)
        aggregates.append(rate)
        tokens.append([t.completion_tokens for t in timed])
    res.add("single_e2e", singles)
    res.add("aggregate", aggregates)
    res.details.append(f"{kind}: {opts.parallel} streams tok/s {fmt_list(aggregates)} (tokens {tokens}); "
                       f"1 stream on the same server {fmt_list(singles)}")


def render_prompt(binary: Path, request: dict, tool_choice: str) -> str:
    """The exact prompt our server builds for a chat request (`functionary render --generation-prompt`)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(request, f)
    try:
        out = subprocess.run([str(binary), "render", "--template", "gemma3", "--generation-prompt",
                              "--tool-choice", tool_choice, f.name], capture_output=True, check=True)
    finally:
        os.unlink(f.name)
    return out.stdout.decode()


def render_replay_prompts(binary: Path | None, turns: int) -> list[str] | None:
    """The exact prompts our server builds for the replay turns, for llama-server's /v1/completions."""
    if binary is None or not binary.exists():
        return None
    return [render_prompt(binary, {"messages": messages, "tools": REPLAY_TOOLS}, "required")
            for messages in replay_conversations(turns)]


def server_name(kind: str) -> str:
    return "functionary serve" if kind == "ours" else "llama-server"


def phase_single(kind: str, cfg: Config, opts: argparse.Namespace, res: Results, rng: random.Random, first: bool) -> None:
    """Phase 1, a one-slot server: single-stream speed, the replay (first round only), and (ours) grammar on/off."""
    argv = ours_argv if kind == "ours" else llama_argv
    res.notes.append(f"{kind}: load average before a single-stream phase: {loadavg()}")
    port = free_port()
    with Server(server_name(kind), argv(cfg, port, 1), port, cfg.logdir) as server:
        run_single_stream(server, kind, opts, res, rng)
        run_logprobs(server, kind, opts, res, rng)
        if first:
            rendered = None if kind == "ours" else render_replay_prompts(cfg.binary, opts.turns)
            run_replay(server, kind, opts, res, rendered)
        if kind == "ours":
            run_grammar(server, opts, res, rng, cfg.binary)


def phase_adapter(kind: str, cfg: Config, opts: argparse.Namespace, res: Results, rng: random.Random, first: bool) -> None:
    """Phase 3 (ours only), a one-slot server with the LoRA adapter (--lora): single-stream decode, the same
    prompts as phase 1, so that decode with the adapter compares with decode without it."""
    if kind != "ours" or cfg.adapter is None:
        return
    if not cfg.adapter.exists():
        res.notes.append(f"adapter row skipped: {cfg.adapter} not found")
        return
    # Merged into the weights (the default) and applied by llama.cpp at every token (--no-merge-lora).
    for key, extra, label in (("adapter_decode", [], "merged"), ("adapter_runtime_decode", ["--no-merge-lora"], "runtime")):
        port = free_port()
        argv = ours_argv(cfg, port, 1) + ["--lora", str(cfg.adapter)] + extra
        with Server(f"functionary serve --lora ({label})", argv, port, cfg.logdir) as server:
            for _ in range(2):  # warm-up
                post_stream(server.port, "/v1/completions", completion_body(server, counting_prompt(rng), 16))
            rates = []
            for rep in range(opts.reps):
                decode = post_stream(server.port, "/v1/completions",
                                     completion_body(server, counting_prompt(rng, 1 + 7 * rep), opts.decode_tokens))
                rates.append(decode.decode_rate())
        res.add(key, rates)
        res.details.append(f"ours with {cfg.adapter.name} ({label}): decode tok/s per rep {fmt_list(rates)}")


def many_tools(count: int = 200) -> list[dict]:
    """`count` tools, each taking a list of at least 40 names, so that whichever one the model picks under
    tool_choice required, its arguments run long (about 8,000 prompt tokens for 200)."""
    people = {"type": "object", "properties": {"people": {"type": "array", "minItems": 40, "items": {"type": "string"}}},
              "required": ["people"]}
    verbs = ["record", "store", "archive", "import", "export", "sync", "merge", "tag"]
    return [{"type": "function", "function": {
        "name": f"{verbs[i % len(verbs)]}_people_{i}", "description": f"Address book {i}.",
        "parameters": people}} for i in range(count)]


def phase_many_tools(kind: str, cfg: Config, opts: argparse.Namespace, res: Results, rng: random.Random, first: bool) -> None:
    """Phase 5 (ours only), a one-slot server with a long context: decode tokens/s with 200 tools under
    tool_choice required (the grammar chooses among 200 names, then holds the arguments to the chosen tool's
    schema) against the very same prompt without a grammar (the grammar row's method, run_grammar)."""
    if kind != "ours":
        return
    port = free_port()
    argv = ours_argv(cfg, port, 1)
    argv[argv.index("--ctx-size") + 1] = "16384"
    with Server("functionary serve (200 tools)", argv + ["--max-tools", "256"], port, cfg.logdir) as server:
        run_grammar(server, opts, res, rng, cfg.binary, tools=many_tools(), tool_choice="required",
                    keys=("many_tools_on", "many_tools_off"), with_no_tools=False)


HEAVY_TOOL = {"type": "function", "function": {
    "name": "file_insurance_claim", "description": "File an insurance claim for damage to a vehicle.",
    "parameters": {"type": "object", "properties": {
        "policy_type": {"type": "string", "enum": ["comprehensive", "third_party", "collision", "liability"]},
        "incident_kind": {"type": "string", "enum": ["accident", "theft", "vandalism", "weather", "fire"]},
        "severity": {"type": "string", "enum": ["minor", "moderate", "severe", "total_loss"]},
        "country": {"type": "string", "enum": ["france", "germany", "italy", "spain", "portugal"]},
        "police_report": {"type": "string", "enum": ["filed", "not_filed", "pending"]},
        "vehicle": {"type": "object", "properties": {
            "make": {"type": "string", "enum": ["renault", "peugeot", "volkswagen", "fiat", "seat"]},
            "fuel": {"type": "string", "enum": ["petrol", "diesel", "electric", "hybrid"]},
            "year": {"type": "integer", "minimum": 1990, "maximum": 2026}},
            "required": ["make", "fuel", "year"]},
        "damaged_parts": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"type": "string", "enum": [
            "front_bumper", "rear_bumper", "windshield", "left_door", "right_door", "roof", "hood"]}},
        "contact_preference": {"type": "string", "enum": ["email", "phone", "post"]}},
        "required": ["policy_type", "incident_kind", "severity", "country", "police_report", "vehicle",
                     "damaged_parts", "contact_preference"]}}}


def heavy_messages(rng: random.Random) -> list[dict]:
    return [{"role": "user", "content": (
        f"{nonce(rng)} Please file a claim on my comprehensive policy: my 2019 diesel Peugeot was hit in an accident "
        "in Spain, moderate damage to the front bumper and the hood. The police report is filed. Contact me by email.")}]


def phase_tool_call(kind: str, cfg: Config, opts: argparse.Namespace, res: Results, rng: random.Random, first: bool) -> None:
    """Phase 6: time to a complete tool call for a schema-heavy tool (8 required properties with enums, a nested
    object, an array; tool_choice named; temperature 0), request sent → end of stream, after a warm-up that caches
    the prompt. Ours: `functionary serve` with the embedded engine. llama: the same request to `functionary serve
    --engine-url` in front of a one-slot llama-server (--swa-full, so it reuses the cached prompt), which gets the
    same grammar and decodes every token of the call."""
    port = free_port()
    with contextlib.ExitStack() as stack:
        if kind == "ours":
            server = stack.enter_context(Server("functionary serve (tool call)", ours_argv(cfg, port, 1), port, cfg.logdir))
        else:
            upstream_port = free_port()
            stack.enter_context(Server("llama-server (tool call)", llama_argv(cfg, upstream_port, 1), upstream_port, cfg.logdir))
            argv = [str(cfg.binary), "serve", "--engine-url", f"http://127.0.0.1:{upstream_port}", "--template", "gemma3",
                    "--host", "127.0.0.1", "--port", str(port)]
            server = stack.enter_context(Server("functionary serve --engine-url (tool call)", argv, port, cfg.logdir))
        body = {"model": server.model_id, "tools": [HEAVY_TOOL], "temperature": 0, "max_tokens": 256,
                "tool_choice": {"type": "function", "function": {"name": "file_insurance_claim"}}}
        post_stream(server.port, "/v1/chat/completions", dict(body, messages=heavy_messages(rng)))  # warm-up
        times, tokens, arguments = [], [], []
        for _ in range(opts.reps):
            timed = post_stream(server.port, "/v1/chat/completions", dict(body, messages=heavy_messages(rng)))
            times.append((timed.end - timed.sent) * 1000)
            tokens.append(timed.completion_tokens)
            arguments.append(timed.text[:200])
    res.add("tool_call_ms", times)
    res.details.append(f"{kind}: complete tool call ms {fmt_list(times)}, completion tokens {tokens}; arguments {arguments[0]!r}")


def tool_prefix(rng: random.Random, count: int = 20) -> str:
    """A system prompt with `count` tool definitions (about 1,500 tokens), unique per call (a nonce first)."""
    tools = []
    for i in range(count):
        tools.append(json.dumps({"type": "function", "function": {
            "name": f"tool_{i}_{['lookup', 'create', 'update', 'cancel'][i % 4]}_{['order', 'ticket', 'booking', 'invoice', 'member'][i % 5]}",
            "description": f"Operation {i} of the back office: finds or changes one record by its code and returns it.",
            "parameters": {"type": "object", "properties": {
                "code": {"type": "string", "description": "The record's code, e.g. AB-1234"},
                "status": {"type": "string", "enum": ["open", "closed", "pending"]},
                "limit": {"type": "integer", "minimum": 1, "maximum": 50}}, "required": ["code"]}}}))
    return (f"<start_of_turn>user\n{nonce(rng)} You are an assistant for the back office. You may call these tools:\n"
            + "\n".join(tools) + "\n\n")


class BackgroundStream:
    """A streamed completion read on a thread: `started` is set at its first generated chunk; `stop()` hangs up."""

    def __init__(self, port: int, body: dict):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.started = threading.Event()
        self.error: Exception | None = None
        self.body = dict(body, stream=True)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        try:
            self.conn.request("POST", "/v1/completions", json.dumps(self.body).encode(), {"Content-Type": "application/json"})
            resp = self.conn.getresponse()
            while True:
                line = resp.readline()
                if not line:
                    break
                if line.startswith(b"data:") and b'"text"' in line:
                    self.started.set()
        except Exception as error:  # noqa: BLE001 - hung up on purpose, or reported by the caller
            self.error = error
        finally:
            self.started.set()

    def stop(self) -> None:
        try:
            self.conn.sock and self.conn.sock.shutdown(2)
        except OSError:
            pass
        self.conn.close()
        self.thread.join(timeout=30)


def phase_shared_prefix(kind: str, cfg: Config, opts: argparse.Namespace, res: Results, rng: random.Random, first: bool) -> None:
    """Phase 4, a two-slot server: one conversation runs (a long answer after a 20-tool system prompt) while a new
    one arrives. Time to first token of the newcomer when it starts with the same 20-tool prefix, and when its
    20-tool prefix is different (same length): ours copies the running slot's cells for the shared prefix; without
    that, both newcomers evaluate their whole prompt."""
    argv = ours_argv if kind == "ours" else llama_argv
    port = free_port()
    shared_ms, fresh_ms, cached = [], [], []
    with Server(f"{server_name(kind)} (parallel 2, shared prefix)", argv(cfg, port, 2), port, cfg.logdir) as server:
        post_stream(server.port, "/v1/completions", completion_body(server, counting_prompt(rng), 8))  # warm-up
        for rep in range(opts.reps):
            prefix = tool_prefix(rng)
            running = BackgroundStream(server.port, completion_body(
                server, prefix + "Count from one to five hundred in words.<end_of_turn>\n<start_of_turn>model\n", 600))
            if not running.started.wait(120) or running.error:
                raise HTTPFailure(f"{kind}: the running conversation did not start: {running.error}")
            question = f"What can you do for order AB-{1000 + rep}?<end_of_turn>\n<start_of_turn>model\n"
            shared = post_stream(server.port, "/v1/completions", completion_body(server, prefix + question, 1))
            fresh = post_stream(server.port, "/v1/completions", completion_body(server, tool_prefix(rng) + question, 1))
            running.stop()
            shared_ms.append(shared.ttft * 1000)
            fresh_ms.append(fresh.ttft * 1000)
            cached.append((shared.prompt_tokens, shared.cached_tokens, fresh.cached_tokens))
            time.sleep(0.5)  # the hung-up stream's slot is freed
    res.add("shared_prefix_ms", shared_ms)
    res.add("unshared_prefix_ms", fresh_ms)
    res.add("shared_prefix_ratio", [a / b for a, b in zip(shared_ms, fresh_ms) if b])
    res.details.append(f"{kind}: newcomer TTFT ms with the running slot's 20-tool prefix {fmt_list(shared_ms)}, "
                       f"with another 20-tool prefix {fmt_list(fresh_ms)}; (prompt, cached shared, cached other) {cached}")


def phase_newcomer(kind: str, cfg: Config, opts: argparse.Namespace, res: Results, rng: random.Random, first: bool) -> None:
    """An N-slot server with N - 1 slots generating (long answers): time to first token of a newcomer whose prompt
    (a 20-tool system prompt, about 2,800 tokens, unique) shares nothing with theirs."""
    argv = ours_argv if kind == "ours" else llama_argv
    port = free_port()
    ttft_ms, details = [], []
    with Server(f"{server_name(kind)} (parallel {opts.parallel}, newcomer)", argv(cfg, port, opts.parallel), port,
                cfg.logdir) as server:
        post_stream(server.port, "/v1/completions", completion_body(server, counting_prompt(rng), 8))  # warm-up
        for rep in range(opts.reps):
            running = [BackgroundStream(server.port, completion_body(server, counting_prompt(rng, 1 + 100 * i), 900))
                       for i in range(opts.parallel - 1)]
            for stream in running:
                if not stream.started.wait(120) or stream.error:
                    raise HTTPFailure(f"{kind}: a running stream did not start: {stream.error}")
            time.sleep(0.5)  # every running slot is decoding
            question = f"What can you do for order AB-{2000 + rep}?<end_of_turn>\n<start_of_turn>model\n"
            newcomer = post_stream(server.port, "/v1/completions", completion_body(server, tool_prefix(rng) + question, 1))
            for stream in running:
                stream.stop()
            ttft_ms.append(newcomer.ttft * 1000)
            details.append((newcomer.prompt_tokens, newcomer.cached_tokens))
            time.sleep(0.5)  # the hung-up streams' slots are freed
    res.add("newcomer_ms", ttft_ms)
    res.details.append(f"{kind}: newcomer TTFT ms while {opts.parallel - 1} slots generate {fmt_list(ttft_ms)}; "
                       f"(prompt, cached) {details}")


AGENT_ITEMS = ["standing desk", "office chair", "monitor arm", "keyboard", "desk lamp", "filing cabinet", "headset"]


def agent_conversations(rng: random.Random, conversations: int, steps: int) -> list[list[tuple[str, str]]]:
    """Raw Gemma 3 prompts of `conversations` agent conversations (the same 6-tool system prompt, each its own case
    file of 10 orders): per step, the prompt that asks for a tool call and the prompt that asks for the answer to its
    result. The calls, results and answers are scripted, so both servers see identical prompts whatever they write."""
    prefix = tool_prefix(rng, 6)
    out = []
    for c in range(conversations):
        orders = [f"AB-{rng.randrange(1000, 9999)}" for _ in range(10)]
        lines = [f"Case {nonce(rng)}: customer {c + 1} reports problems with these orders:"]
        lines += [f"- order {code}: {rng.choice(AGENT_ITEMS)}, {rng.randrange(1, 9)} units, placed {rng.randrange(1, 28)} days "
                  f"ago, status {rng.choice(['open', 'pending', 'closed'])}." for code in orders]
        text = prefix + "\n".join(lines) + "\nCheck the orders one by one and tell me what to do.<end_of_turn>\n<start_of_turn>model\n"
        turns = []
        for k in range(steps):
            code = orders[k]
            call_prompt = text
            result = {"code": code, "status": rng.choice(["open", "pending", "closed"]), "carrier": rng.choice(["DHL", "UPS"]),
                      "eta_days": rng.randrange(1, 9), "refundable": rng.random() < 0.5}
            text += (f'{{"name": "tool_0_lookup_order", "arguments": {{"code": "{code}"}}}}<end_of_turn>\n'
                     f"<start_of_turn>user\nTool result: {json.dumps(result)}<end_of_turn>\n<start_of_turn>model\n")
            answer_prompt = text
            text += (f"Order {code} is {result['status']} and ships with {result['carrier']} in {result['eta_days']} days; "
                     f"{'a refund is possible' if result['refundable'] else 'no refund is possible'}. I will check the next "
                     "order.<end_of_turn>\n<start_of_turn>user\nGood, go on.<end_of_turn>\n<start_of_turn>model\n")
            turns.append((call_prompt, answer_prompt))
        out.append(turns)
    return out


def run_agent_steps(server: Server, kind: str, opts: argparse.Namespace, res: Results, rng: random.Random,
                    key: str) -> None:
    """16 conversations on an N-slot server, N clients at once, client i driving conversations i, i+N, … in turn:
    each step is the call request and then the answer request (max_tokens 8 each, no seed: a seeded request reuses
    only whole 256-token chunks), timed together. Every conversation's slot has been taken by others when its next
    step comes."""
    conversations = agent_conversations(rng, 16, opts.agent_steps)
    post_stream(server.port, "/v1/completions", completion_body(server, counting_prompt(rng), 8))  # warm-up
    steps: list[tuple[int, float, int, int]] = []  # (step, seconds, prompt tokens, cached tokens)
    lock = threading.Lock()
    errors: list[Exception] = []

    def worker(first: int) -> None:
        try:
            for k in range(opts.agent_steps):
                for c in range(first, len(conversations), opts.parallel):
                    started = time.perf_counter()
                    prompt_tokens = cached = 0
                    for prompt in conversations[c][k]:
                        body = completion_body(server, prompt, 8)
                        del body["seed"]
                        timed = post_stream(server.port, "/v1/completions", body)
                        prompt_tokens += timed.prompt_tokens
                        cached += timed.cached_tokens
                    with lock:
                        steps.append((k, time.perf_counter() - started, prompt_tokens, cached))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(opts.parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise HTTPFailure(f"{kind}: agent steps failed: {errors[0]}")
    host_bytes = ""
    if kind == "ours":
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            conn.request("GET", "/metrics")
            metrics = conn.getresponse().read().decode(errors="replace").splitlines()
        finally:
            conn.close()
        host_bytes = "; " + ", ".join(line for line in metrics if line.startswith(
            ("functionary_prompt_cache_host_bytes", "functionary_prompt_cache_host_restored_tokens_total")))
    later = [s for s in steps if s[0] > 0]  # steps with a history (the first is all new everywhere)
    res.add(f"{key}_ms", [s[1] * 1000 for s in later])
    res.add(f"{key}_evaluated", [sum(s[2] - s[3] for s in later) / len(later)] if later else [])
    res.details.append(
        f"{kind} ({key}): {len(steps)} steps in {wall:.1f} s; later steps: median {fmt(median([s[1] * 1000 for s in later]))} ms, "
        f"prompt tokens per step {fmt(sum(s[2] for s in later) / max(1, len(later)))}, evaluated "
        f"{fmt(sum(s[2] - s[3] for s in later) / max(1, len(later)))}; first steps: median "
        f"{fmt(median([s[1] * 1000 for s in steps if s[0] == 0]))} ms{host_bytes}")


def phase_agent_cache(kind: str, cfg: Config, opts: argparse.Namespace, res: Results, rng: random.Random, first: bool) -> None:
    """Phase 7, N-slot servers: sixteen agent conversations taking steps in turn (`run_agent_steps`). Ours with the host
    prompt cache (the default --cache-ram) and with --cache-ram 0; llama-server with its default --cache-ram."""
    port = free_port()
    seed = rng.randrange(1 << 30)  # the same conversations for every server of the round
    if kind == "ours":
        for key, extra in (("agent_step", []), ("agent_step_off", ["--cache-ram", "0"])):
            argv = ours_argv(cfg, port, opts.parallel) + extra
            with Server(f"{server_name(kind)} (parallel {opts.parallel}, {' '.join(extra) or 'cache on'})", argv, port,
                        cfg.logdir) as server:
                run_agent_steps(server, kind, opts, res, random.Random(seed), key)
            port = free_port()
    else:
        with Server(f"{server_name(kind)} (parallel {opts.parallel})", llama_argv(cfg, port, opts.parallel), port,
                    cfg.logdir) as server:
            run_agent_steps(server, kind, opts, res, random.Random(seed), "agent_step")


SHIP_TOOL = {"type": "function", "function": {
    "name": "create_shipment", "description": "Ship an order to a delivery address.",
    "parameters": {"type": "object", "properties": {
        "address": {"type": "string", "description": "The full delivery address, as the customer wrote it"},
        "order_number": {"type": "string", "description": "The order number"}},
        "required": ["address", "order_number"]}}}
# llama-server's n-gram speculation types in the pinned source, with the settings the speculation phase gives each
# (`--llama-spec` picks which run; the phase reports each and compares against the fastest).
SPEC_LLAMA_ARGS = {
    "ngram-simple": ["--spec-type", "ngram-simple", "--spec-ngram-simple-size-n", "3", "--spec-ngram-simple-size-m", "16"],
    "ngram-map-k": ["--spec-type", "ngram-map-k"],
    "ngram-map-k4v": ["--spec-type", "ngram-map-k4v"],
    "ngram-mod": ["--spec-type", "ngram-mod"],
    "none": [],
}


def shipment_record(address: str, order: str) -> str:
    """A tool result of about 300 tokens that repeats the request's values (what the answer quotes)."""
    events = "\n".join(f"- {day} 0{hour}:15 {where}: {what}" for day, hour, where, what in [
        ("Mon", 8, "Memphis hub", "label created for " + address), ("Mon", 9, "Memphis hub", "picked up by carrier"),
        ("Tue", 6, "Louisville sort center", "arrived"), ("Tue", 7, "Louisville sort center", "departed"),
        ("Wed", 5, "Springfield station", "out for delivery to " + address)])
    return (f"Shipment created for order {order}.\nDelivery address: {address}\nCarrier: United Parcel, ground, "
            f"tracking number 1Z 999 AA1 01 2345 6784\nEstimated delivery: Wednesday before 6 pm\nPackage: replacement "
            f"router, 1 box, 2.4 kg, insured for 180 dollars\nTracking history:\n{events}\nSignature required: yes.")


def phase_speculation(kind: str, cfg: Config, opts: argparse.Namespace, res: Results, rng: random.Random, first: bool) -> None:
    """Phase 8: one agent step (a call whose arguments copy a 40-80 character address from the user's message, a tool
    result of about 300 tokens, then an answer that quotes it), request sent → end of both streams, temperature 0;
    and an open-ended story (copies nothing). Ours with --speculation lookup and off; llama-server (through `functionary
    serve --engine-url`, as in phase 6) with each n-gram speculation type of `--llama-spec` (SPEC_LLAMA_ARGS) and
    --swa-full; its row is the fastest type's."""
    if kind == "ours":
        variants = [("lookup", ["--speculation", "lookup"]), ("off", ["--speculation", "off"])]
    else:
        variants = [(name, SPEC_LLAMA_ARGS[name]) for name in opts.llama_spec]
    fastest: tuple[float, str, list, list] | None = None
    for name, extra in variants:
        port = free_port()
        with contextlib.ExitStack() as stack:
            if kind == "ours":
                server = stack.enter_context(Server(f"functionary serve (speculation {name})", ours_argv(cfg, port, 1) + extra,
                                                    port, cfg.logdir))
            else:
                upstream = free_port()
                argv = llama_argv(cfg, upstream, 1) + extra
                stack.enter_context(Server(f"llama-server (speculation {name})", argv, upstream, cfg.logdir))
                front = [str(cfg.binary), "serve", "--engine-url", f"http://127.0.0.1:{upstream}", "--template", "gemma3",
                         "--host", "127.0.0.1", "--port", str(port)]
                server = stack.enter_context(Server("functionary serve --engine-url (speculation)", front, port, cfg.logdir))
            steps, stories = [], []
            for rep in range(opts.reps + 1):  # the first is a warm-up
                address = f"{rng.randrange(100, 9999)} Cedar Grove Lane, Apartment {rng.randrange(1, 40)}B, Springfield, IL 62704"
                order = f"SO-{rng.randrange(10**7, 10**8)}"
                user = {"role": "user", "content": f"{nonce(rng)} Please ship the replacement router for order {order} to "
                                                   f"{address}, and tell me when it arrives."}
                body = {"model": server.model_id, "tools": [SHIP_TOOL], "temperature": 0, "max_tokens": 96}
                started = time.perf_counter()
                call = post_stream(server.port, "/v1/chat/completions", dict(
                    body, messages=[user], tool_choice={"type": "function", "function": {"name": "create_shipment"}}))
                messages = [user, {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "create_shipment", "arguments": json.dumps(
                        {"address": address, "order_number": order})}}]},
                            {"role": "tool", "tool_call_id": "call_1", "content": shipment_record(address, order)}]
                answer = post_stream(server.port, "/v1/chat/completions", dict(
                    body, messages=messages, tool_choice="none", max_tokens=160))
                elapsed = (time.perf_counter() - started) * 1000
                story = post_stream(server.port, "/v1/completions", completion_body(
                    server, f"{nonce(rng)} Once upon a time, in a village by the sea, there lived", 96))
                if rep == 0:
                    res.details.append(f"{kind} ({name}): call {call.text[:120]!r}; answer ({answer.completion_tokens} "
                                       f"tokens) {answer.text[:160]!r}")
                    continue
                steps.append(elapsed)
                stories.append(story.decode_rate())
        res.details.append(f"{kind} ({name}): agent step ms {fmt_list(steps)}; story tok/s {fmt_list(stories)}")
        if kind == "ours":
            res.add("spec_step_ms" if name == "lookup" else "spec_step_off_ms", steps)
            res.add("spec_story" if name == "lookup" else "spec_story_off", stories)
        elif (step := median(steps)) is not None and (fastest is None or step < fastest[0]):
            fastest = (step, name, steps, stories)
    if fastest is not None:
        _, name, steps, stories = fastest
        res.add("spec_step_ms", steps)
        res.add("spec_story", stories)
        res.notes.append(f"llama-server's speculation row: --spec-type {name}, the fastest agent step of "
                         f"{', '.join(opts.llama_spec)}")



def phase_parallel(kind: str, cfg: Config, opts: argparse.Namespace, res: Results, rng: random.Random, first: bool) -> None:
    """Phase 2, an N-slot server: N concurrent streams against one."""
    argv = ours_argv if kind == "ours" else llama_argv
    res.notes.append(f"{kind}: load average before a {opts.parallel}-stream phase: {loadavg()}")
    port = free_port()
    with Server(f"{server_name(kind)} (parallel {opts.parallel})", argv(cfg, port, opts.parallel), port, cfg.logdir) as server:
        run_concurrent(server, kind, opts, res, rng)


# ---------------------------------------------------------------------------------------------------------------------
# Report


def fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def fmt_list(values: list[float | None]) -> str:
    return "[" + ", ".join(fmt(v) for v in values) + "]"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b not in (None, 0) else None


def verdict(value: float | None, target: str) -> str:
    if value is None or target == "—":
        return "—" if target == "—" else "n/a"
    op, bound = target.split(" ")
    bound_value = float(bound.rstrip("×"))
    ok = value >= bound_value if op == "≥" else value <= bound_value
    return "PASS" if ok else "FAIL"


def table(ours: Results | None, llama: Results | None, opts: argparse.Namespace, best: bool = False) -> str:
    o = (ours.best if best else ours.values) if ours else {}
    l = (llama.best if best else llama.values) if llama else {}
    n = opts.parallel
    rows = [
        # (metric, ours, llama, ratio, target, digits)
        ("single-stream decode, tok/s", o.get("decode"), l.get("decode"), ratio(o.get("decode"), l.get("decode")), "≥ 0.95×", 1),
        ("single-stream prefill, tok/s", o.get("prefill"), l.get("prefill"), ratio(o.get("prefill"), l.get("prefill")), "—", 1),
        ("time to first token (short prompt), ms", o.get("ttft_ms"), l.get("ttft_ms"),
         ratio(o.get("ttft_ms"), l.get("ttft_ms")), "—", 1),
        (f"aggregate, {n} streams, tok/s", o.get("aggregate"), l.get("aggregate"),
         ratio(o.get("aggregate"), l.get("aggregate")), "≥ 1.0×", 1),
        (f"{n} streams ÷ own single stream", ratio(o.get("aggregate"), o.get("single_e2e")),
         ratio(l.get("aggregate"), l.get("single_e2e")), ratio(o.get("aggregate"), o.get("single_e2e")), "≥ 1.5×", 2),
        (f"{opts.turns}-turn replay: evaluated ÷ new tokens", o.get("replay_ratio"), l.get("replay_ratio"),
         o.get("replay_ratio"), "≤ 1.2×", 2),
        ("decode, logprobs pairs: without, tok/s", o.get("logprobs_off"), l.get("logprobs_off"),
         ratio(o.get("logprobs_off"), l.get("logprobs_off")), "≥ 0.95×", 1),
        ("decode with logprobs 5, tok/s", o.get("logprobs_on"), l.get("logprobs_on"),
         ratio(o.get("logprobs_on"), l.get("logprobs_on")), "—", 1),
        ("logprobs 5 ÷ without", ratio(o.get("logprobs_on"), o.get("logprobs_off")),
         ratio(l.get("logprobs_on"), l.get("logprobs_off")), ratio(o.get("logprobs_on"), o.get("logprobs_off")), "—", 2),
        ("decode with tool grammar, tok/s", o.get("grammar_on"), None, None, "—", 1),
        ("decode without grammar (same prompt), tok/s", o.get("grammar_off"), None, None, "—", 1),
        ("grammar on ÷ off", ratio(o.get("grammar_on"), o.get("grammar_off")), None,
         ratio(o.get("grammar_on"), o.get("grammar_off")), "≥ 0.85×", 2),
        ("decode with the LoRA adapter (merged), tok/s", o.get("adapter_decode"), None, None, "—", 1),
        ("adapter on ÷ off (single-stream decode)", ratio(o.get("adapter_decode"), o.get("decode")), None,
         ratio(o.get("adapter_decode"), o.get("decode")), "≥ 0.9×", 2),
        ("schema-heavy tool call, complete, ms (llama: via --engine-url)", o.get("tool_call_ms"), l.get("tool_call_ms"),
         ratio(l.get("tool_call_ms"), o.get("tool_call_ms")), "≥ 2×", 1),
        ("TTFT, newcomer sharing a running slot's 20-tool prefix, ms", o.get("shared_prefix_ms"), l.get("shared_prefix_ms"),
         ratio(o.get("shared_prefix_ms"), l.get("shared_prefix_ms")), "—", 1),
        ("TTFT, newcomer with another 20-tool prefix, ms", o.get("unshared_prefix_ms"), l.get("unshared_prefix_ms"),
         ratio(o.get("unshared_prefix_ms"), l.get("unshared_prefix_ms")), "—", 1),
        ("shared ÷ unshared prefix TTFT", o.get("shared_prefix_ratio"), l.get("shared_prefix_ratio"),
         o.get("shared_prefix_ratio"), "≤ 0.3×", 2),
        (f"TTFT, newcomer (20-tool prompt) while {n - 1} slots generate, ms", o.get("newcomer_ms"), l.get("newcomer_ms"),
         ratio(l.get("newcomer_ms"), o.get("newcomer_ms")), "≥ 1.0×", 1),
        ("decode, 200 tools, tool_choice required, tok/s", o.get("many_tools_on"), None, None, "—", 1),
        ("decode, same prompt without grammar, tok/s", o.get("many_tools_off"), None, None, "—", 1),
        ("200 tools required ÷ no grammar", ratio(o.get("many_tools_on"), o.get("many_tools_off")), None,
         ratio(o.get("many_tools_on"), o.get("many_tools_off")), "≥ 0.85×", 2),
        ("agent step, 16 conversations on N slots, ms", o.get("agent_step_ms"), l.get("agent_step_ms"),
         ratio(o.get("agent_step_ms"), l.get("agent_step_ms")), "≤ 1.0×", 1),
        ("agent step, ours with --cache-ram 0, ms (ratio: cache on ÷ off)", o.get("agent_step_off_ms"), None,
         ratio(o.get("agent_step_ms"), o.get("agent_step_off_ms")), "—", 1),
        ("agent step, prompt tokens evaluated (ours: cache on)", o.get("agent_step_evaluated"), l.get("agent_step_evaluated"),
         ratio(o.get("agent_step_evaluated"), l.get("agent_step_evaluated")), "—", 1),
        ("agent step, prompt tokens evaluated, ours --cache-ram 0", o.get("agent_step_off_evaluated"), None, None, "—", 1),
        ("agent step with speculation (copying call and answer), ms (llama: n-gram speculation, via --engine-url)",
         o.get("spec_step_ms"), l.get("spec_step_ms"), ratio(l.get("spec_step_ms"), o.get("spec_step_ms")), "≥ 2×", 1),
        ("agent step, ours --speculation off, ms (ratio: off ÷ lookup)", o.get("spec_step_off_ms"), None,
         ratio(o.get("spec_step_off_ms"), o.get("spec_step_ms")), "≥ 1.5×", 1),
        ("story (copies nothing), tok/s, columns: ours lookup, ours off", o.get("spec_story"), o.get("spec_story_off"),
         ratio(o.get("spec_story"), o.get("spec_story_off")), "≥ 0.97×", 2),
        ("adapter at runtime (--no-merge-lora) ÷ off", ratio(o.get("adapter_runtime_decode"), o.get("decode")), None,
         ratio(o.get("adapter_runtime_decode"), o.get("decode")), "—", 2),
    ]
    header = ("metric", "ours", "llama-server", "ratio", "target", "pass?")
    lines = [header] + [(m, fmt(a, d), fmt(b, d), fmt(r, 2) + ("×" if r is not None else ""), t, verdict(r, t))
                        for m, a, b, r, t, d in rows]
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    out = ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |" for row in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", type=Path, default=ROOT / ".build" / "release" / "functionary",
                        help="the functionary binary (serve; render for llama-server's replay prompts)")
    parser.add_argument("--llama-server", type=Path, default=DEFAULT_LLAMA_SERVER)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ctx-size", type=int, default=4096, help="context per sequence (both servers)")
    parser.add_argument("--parallel", type=int, default=4, help="streams for the aggregate measurement")
    parser.add_argument("--reps", type=int, help="repetitions per measurement and round (default 3; 2 with --quick)")
    parser.add_argument("--rounds", type=int,
                        help="rounds per phase, alternating the servers; the median pools reps × rounds samples "
                             "(default 2; 1 with --quick)")
    parser.add_argument("--only", choices=["ours", "llama"], help="measure one server only")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and tokens (for development)")
    parser.add_argument("--llama-arg", action="append", default=None,
                        help="extra llama-server argument (repeatable; default: --swa-full, as our engine keeps "
                             "the whole sliding-window history)")
    parser.add_argument("--ours-arg", action="append", default=[],
                        help="extra `functionary serve` argument (repeatable), e.g. --ours-arg=--speculation "
                             "--ours-arg=lookup; a phase's own setting of the same flag comes after it and wins")
    parser.add_argument("--llama-spec", type=lambda text: text.split(","), default=["ngram-simple"],
                        help="llama-server's speculation types for the speculation phase, comma-separated, of "
                             + ", ".join(SPEC_LLAMA_ARGS) + " (each is measured; the row is the fastest)")
    parser.add_argument("--phases", default="single,parallel,adapter,shared_prefix,newcomer,many_tools,tool_call,agent_cache,speculation",
                        help="comma-separated phases to run (default: all)")
    parser.add_argument("--markdown", type=Path, help="also write the table and details to this file")
    parser.add_argument("--adapter", type=Path, default=DEFAULT_ADAPTER,
                        help="LoRA adapter for the adapter row (default: the project's, models/)")
    opts = parser.parse_args()
    opts.decode_tokens, opts.prefill_lines, opts.turns, opts.replay_tokens, opts.grammar_tokens = 128, 60, 6, 48, 128
    opts.agent_steps = 4
    if opts.quick:
        opts.decode_tokens, opts.prefill_lines, opts.replay_tokens, opts.grammar_tokens = 48, 30, 24, 48
        opts.agent_steps = 2

    if unknown := [name for name in opts.llama_spec if name not in SPEC_LLAMA_ARGS]:
        parser.error(f"--llama-spec: unknown {unknown}; one of {', '.join(SPEC_LLAMA_ARGS)}")
    opts.reps = opts.reps or (2 if opts.quick else 3)
    opts.rounds = opts.rounds or (1 if opts.quick else 2)
    kinds = [opts.only] if opts.only else ["ours", "llama"]
    if not opts.model.exists():
        parser.error(f"model not found: {opts.model} (run `make deps`)")
    if "ours" in kinds and not opts.binary.exists():
        parser.error(f"functionary binary not found: {opts.binary} (run `make build`)")
    if "llama" in kinds and not opts.llama_server.exists():
        parser.error(f"llama-server not found: {opts.llama_server} (run `make deps`)")

    logdir = Path(tempfile.mkdtemp(prefix="functionary-bench-"))
    cfg = Config(binary=opts.binary.resolve(), llama_server=opts.llama_server.resolve(), model=opts.model.resolve(),
                 threads=opts.threads, ctx=opts.ctx_size, parallel=opts.parallel,
                 llama_args=opts.llama_arg if opts.llama_arg is not None else ["--swa-full"], logdir=logdir,
                 adapter=opts.adapter.resolve() if opts.adapter else None, ours_args=opts.ours_arg)
    started = datetime.datetime.now(datetime.timezone.utc)
    start_load = loadavg()
    log(f"model {cfg.model.name}, threads {cfg.threads}, ctx {cfg.ctx}/sequence, reps {opts.reps}, logs in {logdir}")
    # Phase by phase, in rounds that alternate the servers A B, B A, … so that both sides of each ratio are
    # measured close together in time and a linear drift of the machine's load falls on both alike.
    results = {kind: Results() for kind in kinds}
    wanted = set(opts.phases.split(","))
    for phase in (p for p in (phase_single, phase_parallel, phase_adapter, phase_shared_prefix, phase_newcomer, phase_many_tools,
                                  phase_tool_call, phase_agent_cache, phase_speculation) if p.__name__[6:] in wanted):
        for round_index in range(opts.rounds):
            for kind in kinds if round_index % 2 == 0 else kinds[::-1]:
                log(f"{phase.__name__}, round {round_index + 1}/{opts.rounds}: {kind} (load {loadavg()})")
                # the same seed for both servers: identical prompts (each server has its own cache)
                rng = random.Random(f"{SEED}-{phase.__name__}-{round_index}")
                try:
                    phase(kind, cfg, opts, results[kind], rng, round_index == 0)
                except (RuntimeError, OSError, ValueError) as error:
                    log(f"{kind} failed: {error}")
                    return 1

    report = [
        f"Functionary bench, {started:%Y-%m-%d %H:%M} UTC, {platform.node()} ({os.cpu_count()} CPUs), "
        f"model {cfg.model.name}, threads {cfg.threads}, context {cfg.ctx} per sequence, {opts.reps} reps × {opts.rounds} rounds (median)"
        + (", --quick" if opts.quick else ""),
        f"load average at start: {start_load}; at end: {loadavg()}  (a shared machine: other jobs skew absolute numbers; "
        "the ratios come from the same run)",
        "",
        "Medians:",
        "",
        table(results.get("ours"), results.get("llama"), opts),
        "",
        "Best samples (highest rate, lowest time; the least disturbed runs on a shared machine):",
        "",
        table(results.get("ours"), results.get("llama"), opts, best=True),
        "",
    ]
    for res in results.values():
        report += [f"- {note}" for note in res.notes]
    for res in results.values():
        report += [f"- {detail}" for detail in res.details]
    text = "\n".join(report)
    print(text)
    if opts.markdown:
        opts.markdown.write_text(text + "\n")
    shutil.rmtree(logdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
