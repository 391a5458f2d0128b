"""Processes for the remote-engine tests: real `llama-server` upstreams (built by `make deps`) and
`functionary serve --engine-url …` in front of them.

Needs .deps/bin/llama-server (or $LLAMA_SERVER), the functionary binary ($FUNCTIONARY_BIN, default
.build/debug/functionary) and the default model; a missing one skips (and, under `make test`, fails: conftest.py).
"""

import contextlib
import json
import os
import pathlib
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = (pathlib.Path(os.environ.get("FUNCTIONARY_HOME", pathlib.Path.home() / ".cache" / "functionary"))
         / "models" / "gemma-3-270m-q4_k_m.gguf")
STARTUP_TIMEOUT = 180
SHUTDOWN_TIMEOUT = 60


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
        self.log_path = ROOT / ".build" / f"e2e-{name}-{port}.log"
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
        """SIGTERM, then wait: returns the exit status (a process that ignores SIGTERM is killed, and that fails)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(SHUTDOWN_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise RuntimeError(f"{self.args[0]} ignored SIGTERM for {SHUTDOWN_TIMEOUT}s:\n{self.output()}")
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


@contextlib.contextmanager
def remote_stack(name, *extra):
    """Two fresh upstreams and a front (`--engine-url A --engine-url B`, fast health checks): yields
    (front, [upstream A, upstream B]); everything is stopped afterwards, and the front must exit 0."""
    upstreams, front = [], None
    try:
        upstreams.append(LlamaServer(f"remote-{name}-a"))
        upstreams.append(LlamaServer(f"remote-{name}-b"))
        front = Functionary(f"remote-{name}-front", *[arg for s in upstreams for arg in ("--engine-url", s.base + "/v1")],
                           "--engine-health-interval", "0.5", "--parallel", "8", *extra)
        yield front, upstreams
    finally:
        status = front.stop() if front is not None else 0
        for s in upstreams:
            s.stop()
        assert status == 0, f"exit status {status} after SIGTERM:\n{front.output()}"
