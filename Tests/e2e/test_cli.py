"""The commands that run a model without a server: `functionary generate` (one request through the embedded
engine) and the interactive `functionary chat` (/reset, /exit), on the default model."""

import json
import pathlib
import re
import subprocess

from conftest import MODEL, binary
from tools import ASK, TIME, WEATHER

CALL_ID = re.compile(r"^call_[A-Za-z0-9]{24}$")


def run(args, stdin=None, timeout=600):
    return subprocess.run([str(binary()), *args], input=stdin, capture_output=True, timeout=timeout)


def test_generate_prints_the_assistant_message_and_reports_usage(tmp_path: pathlib.Path):
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"messages": ASK, "tools": [WEATHER, TIME],
                                   "tool_choice": {"type": "function", "function": {"name": "get_weather"}}}))
    result = run(["generate", "--model", str(MODEL), "--ctx-size", "1024", "--max-tokens", "64", "--temperature", "0",
                  str(request)])
    stderr = result.stderr.decode()
    assert result.returncode == 0, stderr
    message = json.loads(result.stdout.decode())
    assert list(message) == ["role", "content", "tool_calls"]
    assert message["role"] == "assistant"
    [call] = message["tool_calls"]
    assert CALL_ID.match(call["id"]), call
    assert call["type"] == "function"
    assert call["function"]["name"] == "get_weather"
    assert set(json.loads(call["function"]["arguments"])) == {"city", "unit"}
    # usage and timings on stderr
    usage = re.search(r"usage: prompt_tokens=(\d+) completion_tokens=(\d+) .*finish_reason=(\w+)", stderr)
    assert usage, stderr
    assert int(usage.group(1)) > 0 and 0 < int(usage.group(2)) <= 64
    assert "template gemma3" in stderr
    assert re.search(r"timings: load=[\d.]+s first_token=[\d.]+s total=[\d.]+s decode=[\d.]+ tokens/s", stderr), stderr


def test_generate_rejects_a_bad_request_in_one_line(tmp_path: pathlib.Path):
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"messages": [{"role": "wizard", "content": "hi"}]}))
    result = run(["generate", "--model", str(MODEL), "--ctx-size", "256", str(request)])
    stderr = result.stderr.decode().strip()
    assert result.returncode == 2, stderr
    assert "wizard" in stderr and len(stderr.splitlines()) == 1, stderr
    assert result.stdout == b""


def test_interactive_chat_resets_and_exits():
    """Two turns typed at the prompt, with /reset between them, then /exit: each turn runs the forced tool and
    answers; the reset is acknowledged and the chat ends with status 0."""
    script = "Flip a coin for me\n/reset\n帮我抛一次硬币\n/exit\n"
    result = run(["chat", "--tools", "demo", "--tool-choice", "flip_coin", "--then-tool-choice", "none",
                  "--temperature", "0", "--max-tokens", "48", "--ctx-size", "2048"], stdin=script.encode())
    stdout = result.stdout.decode("utf-8", errors="strict")
    stderr = result.stderr.decode("utf-8", errors="replace")
    assert result.returncode == 0, stderr
    calls = [line for line in stdout.splitlines() if line.startswith("𝑓 ")]
    assert len(calls) == 2, stdout
    assert all(re.match(r"^𝑓 flip_coin\(\{\}\) -> (heads|tails)$", line) for line in calls), calls
    assert "[conversation reset]" in stdout + stderr
