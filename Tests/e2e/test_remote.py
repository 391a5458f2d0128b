"""`functionary serve --engine-url A --engine-url B` in front of two real `llama-server` processes (issue 6).

Needs the binaries `make deps` and `make build-debug` produce: .deps/bin/llama-server (or $LLAMA_SERVER),
the functionary binary ($FUNCTIONARY_BIN, default .build/debug/functionary) and the default model. Tests skip
when one is missing. The tests run in file order: the last ones kill upstreams.
"""

import json
import os
import pathlib
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from tools import ASK, TIME, WEATHER, check_call

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = (pathlib.Path(os.environ.get("FUNCTIONARY_HOME", pathlib.Path.home() / ".cache" / "functionary"))
         / "models" / "gemma-3-270m-q4_k_m.gguf")
STARTUP_TIMEOUT = 180


def require(path: pathlib.Path, what: str) -> pathlib.Path:
    if not path.exists():
        pytest.skip(f"{what} missing at {path}")
    return path


def llama_server_binary() -> pathlib.Path:
    return require(pathlib.Path(os.environ.get("LLAMA_SERVER", ROOT / ".deps" / "bin" / "llama-server")), "llama-server")


def functionary_binary() -> pathlib.Path:
    return require(pathlib.Path(os.environ.get("FUNCTIONARY_BIN", ROOT / ".build" / "debug" / "functionary")),
                   "functionary binary")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, timeout=60):
    """(status, body text); HTTP errors are returned, connection errors raised."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class Process:
    """A child process with a log file, ready when GET /health answers 200."""

    def __init__(self, name, args, port):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = ROOT / ".build" / f"e2e-remote-{name}-{port}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.args = args
        self.start()

    def start(self):
        self.log = open(self.log_path, "a")
        self.process = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.args[0]} exited with {self.process.returncode}:\n{self.output()}")
            try:
                if http("GET", self.base + "/health", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.process.kill()
        raise RuntimeError(f"{self.args[0]} not healthy after {STARTUP_TIMEOUT}s:\n{self.output()}")

    def output(self):
        self.log.flush()
        return self.log_path.read_text()

    def kill(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode


class LlamaServer(Process):
    def __init__(self, name, slots=2, threads=1):
        port = free_port()
        # The embedded engine's context settings (one KV stream per sequence, full sliding-window cache,
        # batch 512): the same numerics, so greedy outputs can be compared token for token. The thread count
        # matters too: llama.cpp's CPU flash attention splits its sums by thread, and with a 270M model a
        # different rounding is enough to flip a near tie between two tool names.
        args = [str(llama_server_binary()), "-m", str(require(MODEL, "default model")), "--host", "127.0.0.1",
                "--port", str(port), "-c", str(2048 * slots), "-np", str(slots), "-t", str(threads), "--no-kv-unified", "--swa-full",
                "-b", "512", "-ub", "512", "--metrics"]
        super().__init__(name, args, port)

    def metrics(self):
        """The llamacpp:* counters as a dict."""
        _, text = http("GET", self.base + "/metrics")
        values = {}
        for line in text.splitlines():
            if line.startswith("llamacpp:"):
                name, value = line.split()[:2]
                values[name[len("llamacpp:"):]] = float(value)
        return values


class Functionary(Process):
    def __init__(self, name, *extra):
        port = free_port()
        args = [str(functionary_binary()), "serve", "--host", "127.0.0.1", "--port", str(port), "--template", "gemma3",
                *extra]
        super().__init__(name, args, port)
        self.model = json.loads(http("GET", self.base + "/v1/models")[1])["data"][0]["id"]

    def client(self):
        import openai
        return openai.OpenAI(base_url=self.base + "/v1", api_key="unused", max_retries=0, timeout=300)


@pytest.fixture(scope="module")
def upstreams():
    servers = []
    try:
        servers.append(LlamaServer("a"))
        servers.append(LlamaServer("b"))
        yield servers
    finally:
        for s in servers:
            s.stop()


@pytest.fixture(scope="module")
def remote(upstreams):
    front = Functionary("front", *[arg for s in upstreams for arg in ("--engine-url", s.base + "/v1")],
                       "--engine-health-interval", "0.5", "--parallel", "8")
    yield front
    status = front.stop()
    assert status == 0, f"exit status {status} after SIGTERM:\n{front.output()}"


@pytest.fixture(scope="module")
def client(remote):
    return remote.client()


def call_summary(response):
    """What greedy decoding decides: content, tool calls without their random ids, finish reason."""
    choice = response.choices[0]
    calls = [(c.function.name, c.function.arguments) for c in choice.message.tool_calls or []]
    return choice.message.content, calls, choice.finish_reason



# ---------------------------------------------------------------------------------------------------------------
# The openai-client checks of the server issue, through the remote engines


def test_models_and_health(remote):
    status, body = http("GET", remote.base + "/health")
    assert status == 200
    assert json.loads(http("GET", remote.base + "/v1/models")[1])["data"][0]["id"] == remote.model


def test_chat_without_tools(client, remote):
    response = client.chat.completions.create(
        model=remote.model, messages=[{"role": "user", "content": "Say hello."}], max_tokens=16, temperature=0)
    choice = response.choices[0]
    assert response.object == "chat.completion"
    assert isinstance(choice.message.content, str) and not choice.message.tool_calls
    assert choice.finish_reason in ("stop", "length")
    assert response.usage.prompt_tokens > 0 and 0 < response.usage.completion_tokens <= 16


def test_tool_choice_required(client, remote):
    response = client.chat.completions.create(
        model=remote.model, messages=ASK, tools=[WEATHER, TIME], tool_choice="required", parallel_tool_calls=False,
        max_tokens=96, temperature=0)
    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert len(choice.message.tool_calls) == 1
    check_call(choice.message.tool_calls[0])


def test_tool_choice_named(client, remote):
    response = client.chat.completions.create(
        model=remote.model, messages=ASK, tools=[WEATHER, TIME],
        tool_choice={"type": "function", "function": {"name": "get_time"}}, max_tokens=96, temperature=0)
    calls = response.choices[0].message.tool_calls
    assert calls and all(c.function.name == "get_time" for c in calls)
    assert check_call(calls[0])["timezone"] in ("UTC", "CET")


def test_streaming_tool_calls_reassembled(client, remote):
    stream = client.chat.completions.create(
        model=remote.model, messages=ASK, tools=[WEATHER], tool_choice="required", max_tokens=96, temperature=0,
        parallel_tool_calls=False, stream=True, stream_options={"include_usage": True})
    calls, finish, usage = {}, None, None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            for delta in choice.delta.tool_calls or []:
                entry = calls.setdefault(delta.index, {"name": "", "arguments": ""})
                if delta.function and delta.function.name:
                    entry["name"] += delta.function.name
                if delta.function and delta.function.arguments:
                    entry["arguments"] += delta.function.arguments
            finish = choice.finish_reason or finish
    assert finish == "tool_calls"
    assert calls and all(c["name"] == "get_weather" for c in calls.values())
    for c in calls.values():
        assert set(json.loads(c["arguments"])) == {"city", "unit"}
    assert usage is not None and usage.completion_tokens > 0


def test_streaming_text(client, remote):
    stream = client.chat.completions.create(
        model=remote.model, messages=[{"role": "user", "content": "Name three colors."}], max_tokens=24, temperature=0,
        stream=True)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text


def test_context_overflow_is_a_client_error(remote):
    status, body = http("POST", remote.base + "/v1/chat/completions", {
        "model": remote.model, "messages": [{"role": "user", "content": "word " * 5000}], "max_tokens": 8})
    assert status == 400, body
    assert json.loads(body)["error"]["message"]


# ---------------------------------------------------------------------------------------------------------------
# Greedy results equal the embedded engine's


def test_greedy_results_equal_the_embedded_engine():
    """The same requests, in the same order, through a fresh llama-server (one slot) and the embedded engine
    (one slot) give the same greedy output. Both start fresh because llama.cpp's greedy choice can depend on
    what its prompt cache held (a prefix taken from the cache is not evaluated in the same batch shape), so
    the two engines must see the same history."""
    upstream = LlamaServer("greedy", slots=1, threads=2)
    front = embedded = None
    try:
        front = Functionary("greedy-front", "--engine-url", upstream.base, "--parallel", "1")
        embedded = Functionary("embedded", "--model", str(MODEL), "--ctx-size", "2048", "--parallel", "1",
                              "--threads", "2")
        remote, local = front.client(), embedded.client()
        requests = [
            dict(messages=[{"role": "user", "content": "Say hello."}], max_tokens=24),
            dict(messages=[{"role": "system", "content": "Answer briefly."},
                           {"role": "user", "content": "What is the capital of France?"}], max_tokens=32),
            dict(messages=ASK, tools=[WEATHER, TIME], tool_choice="required", max_tokens=96),
            dict(messages=ASK, tools=[WEATHER, TIME], tool_choice={"type": "function", "function": {"name": "get_weather"}},
                 max_tokens=96),
            dict(messages=ASK, tools=[WEATHER, TIME], max_tokens=64),
            dict(messages=ASK + [{"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather",
                                                                  "arguments": '{"city": "Paris", "unit": "celsius"}'}}]},
                                 {"role": "tool", "tool_call_id": "call_1", "content": '{"temperature": 21}'}],
                 tools=[WEATHER, TIME], max_tokens=48),
        ]
        for request in requests:
            there = call_summary(remote.chat.completions.create(model=front.model, temperature=0, **request))
            here = call_summary(local.chat.completions.create(model=embedded.model, temperature=0, **request))
            assert there == here, f"remote {there} != embedded {here} for {request}"
    finally:
        for process in (embedded, front):
            if process is not None:
                status = process.stop()
                assert status == 0, process.output()
        upstream.stop()


# ---------------------------------------------------------------------------------------------------------------
# A conversation stays on one upstream, and hits its prompt cache


def served_by(upstreams, before):
    """The upstreams whose generated-token counter moved since `before`."""
    after = [u.metrics() for u in upstreams]
    return [i for i, (b, a) in enumerate(zip(before, after)) if a["tokens_predicted_total"] > b["tokens_predicted_total"]], after


def test_multi_turn_conversation_stays_on_one_upstream(client, remote, upstreams):
    messages = [{"role": "system", "content": "You are a helpful assistant. " * 8},
                {"role": "user", "content": "Tell me about Paris in one sentence."}]
    homes, before = set(), [u.metrics() for u in upstreams]
    for turn, question in enumerate(["And London?", "And Tokyo?", "Which of them is largest?"]):
        response = client.chat.completions.create(model=remote.model, messages=messages, max_tokens=24, temperature=0)
        used, after = served_by(upstreams, before)
        assert len(used) == 1, f"turn {turn} ran on upstreams {used}"
        homes.add(used[0])
        if turn > 0:
            cached = after[used[0]]["prompt_tokens_cached_total"] - before[used[0]]["prompt_tokens_cached_total"]
            processed = after[used[0]]["prompt_tokens_total"] - before[used[0]]["prompt_tokens_total"]
            # The upstream reused the previous turn's prompt from its cache: most of the prompt was not evaluated.
            assert cached > processed, f"turn {turn}: {cached} cached, {processed} evaluated"
        before = after
        messages += [{"role": "assistant", "content": response.choices[0].message.content or ""},
                     {"role": "user", "content": question}]
    assert len(homes) == 1, f"the conversation moved between upstreams {homes}"


def test_new_conversations_use_both_upstreams(client, remote, upstreams):
    before = [u.metrics() for u in upstreams]
    for i in range(6):
        client.chat.completions.create(model=remote.model, max_tokens=4, temperature=0,
                                       messages=[{"role": "user", "content": f"Conversation {i}: pick a number."}])
    used, _ = served_by(upstreams, before)
    assert used == [0, 1], f"6 sequential new conversations only used upstream {used}"


# ---------------------------------------------------------------------------------------------------------------
# Failures: these run last, they kill upstreams


def stream_request(client, model, index, results):
    got_content = False
    try:
        stream = client.chat.completions.create(
            model=model, max_tokens=48, temperature=0, stream=True,
            messages=[{"role": "user", "content": f"Request {index}: count slowly from one to twenty in words."}])
        text = ""
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                got_content = True
                text += chunk.choices[0].delta.content
        results[index] = ("ok", got_content, text)
    except Exception as error:  # noqa: BLE001 (any client error counts)
        results[index] = ("error", got_content, repr(error))


def test_killing_an_upstream_loses_no_request_that_had_not_started_streaming(client, remote, upstreams):
    a, b = upstreams
    results = {}
    threads = [threading.Thread(target=stream_request, args=(client, remote.model, i, results)) for i in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while a.metrics().get("requests_processing", 0) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    a.kill()
    # Requests sent right after the kill, before any health check noticed it.
    after = {}
    late = [threading.Thread(target=stream_request, args=(client, remote.model, 100 + i, after)) for i in range(4)]
    for t in late:
        t.start()
    for t in threads + late:
        t.join(180)
        assert not t.is_alive(), "a request hung after its upstream died"
    for index, (status, got_content, detail) in {**results, **after}.items():
        assert status == "ok" or got_content, f"request {index} failed before streaming anything: {detail}"
    assert all(status == "ok" for status, _, _ in after.values()), after
    assert http("GET", remote.base + "/health")[0] == 200


def test_a_recovered_upstream_rejoins(client, remote, upstreams):
    a, _ = upstreams
    a.start()  # same port, fresh process
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        client.chat.completions.create(model=remote.model, max_tokens=4, temperature=0,
                                       messages=[{"role": "user", "content": f"Ping {time.monotonic()}"}])
        if a.metrics().get("tokens_predicted_total", 0) > 0:
            return
        time.sleep(0.3)
    pytest.fail("the restarted upstream never got a request")


def test_no_healthy_engine_is_a_503_naming_the_engines(remote, upstreams):
    for u in upstreams:
        u.kill()
    status, body = http("POST", remote.base + "/v1/chat/completions", {
        "model": remote.model, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4})
    assert status == 503, body
    message = json.loads(body)["error"]["message"]
    assert message.startswith("no healthy engine: ")
    for u in upstreams:
        assert u.base in message
