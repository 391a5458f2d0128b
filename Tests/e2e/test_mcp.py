"""MCP tools in the agent: `functionary chat --mcp "python -m mcp_server_time --local-timezone UTC"` starts the
reference MCP time server (`mcp-server-time` from PyPI, installed by `make deps` in the tool venv), lists its tools
through the official Swift SDK, calls one when the model does, and answers from the result.

The default model is a small base model: its first step is forced to call `get_current_time` (the MCP tool's name,
known only once the server runs) and the next to answer in text, as in the agent examples of docs/agent.md.
"""

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from conftest import binary as functionary


def test_chat_calls_an_mcp_tool():
    server = f"{sys.executable} -m mcp_server_time --local-timezone UTC"
    command = [str(functionary()), "chat", "--mcp", server, "--prompt", "What time is it in UTC?", "--tool-choice",
               "get_current_time", "--then-tool-choice", "none", "--temperature", "0", "--max-tokens", "64"]
    run = subprocess.run(command, capture_output=True, timeout=600)
    out = run.stdout.decode("utf-8")
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace") + out
    # The call line: the tool, the model's arguments, and the MCP server's result.
    match = re.search(r'𝑓 get_current_time\((\{.*?\})\) -> (.*)', out)
    assert match, out
    assert '"timezone"' in match.group(1)
    stamp = re.search(r'"datetime": "(\d{4}-\d\d-\d\d)T', out)
    assert stamp, out
    # The answer (the text after the tool result) uses the result: the base model repeats the date it was given.
    answer = out[stamp.end():]
    assert stamp.group(1) in answer, out


def test_chat_reports_an_mcp_server_that_cannot_start():
    command = [str(functionary()), "chat", "--mcp", "/nonexistent/mcp-server --flag", "--prompt", "hi", "--max-tokens", "4"]
    run = subprocess.run(command, capture_output=True, timeout=120)
    assert run.returncode != 0
    assert "MCP server" in (run.stderr + run.stdout).decode("utf-8", "replace")


DICE = str(Path(__file__).with_name("mcp_dice.py"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chat_with(flags, prompt, then, steps):
    """Runs chat with a forced roll_dice first; exit status 3 is `--max-steps` reached while still calling."""
    command = [str(functionary()), "chat", *flags, "--prompt", prompt, "--tool-choice", "roll_dice",
               "--then-tool-choice", then, "--max-steps", str(steps), "--temperature", "0", "--max-tokens", "40"]
    run = subprocess.run(command, capture_output=True, timeout=600)
    out = run.stdout.decode("utf-8")
    assert run.returncode == (3 if then == "roll_dice" else 0), run.stderr.decode("utf-8", "replace") + out
    return out


def test_chat_calls_a_tool_over_streamable_http():
    port = free_port()
    server = subprocess.Popen([sys.executable, DICE, "--http", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the MCP server did not start"
                time.sleep(0.2)
        out = chat_with(["--mcp-url", f"http://127.0.0.1:{port}/mcp"], "Roll a die with 6 sides.", "none", 2)
        # The call went to the HTTP server (its process id is in the marker) and its result came back.
        assert re.search(rf'𝑓 roll_dice\(\{{"sides": \d+\}}\) -> .*"marker": "DICE-{server.pid}-1"', out), out
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_an_mcp_server_that_exits_is_started_again():
    # The server exits after answering its first call: the second call starts a new process (another pid).
    out = chat_with(["--mcp", f"{sys.executable} {DICE} --exit-after 1"], "Roll a die with 6 sides, twice.", "roll_dice", 2)
    pids = re.findall(r'"marker": "DICE-(\d+)-1"', out)
    assert len(pids) == 2 and pids[0] != pids[1], out
