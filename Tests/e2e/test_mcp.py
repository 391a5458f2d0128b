"""MCP tools in the agent: `functionary chat --mcp "python -m mcp_server_time --local-timezone UTC"` starts the
reference MCP time server (`mcp-server-time` from PyPI, installed by `make deps` in the tool venv), lists its tools
through the official Swift SDK, calls one when the model does, and answers from the result.

The default model is a small base model: its first step is forced to call `get_current_time` (the MCP tool's name,
known only once the server runs) and the next to answer in text, as in the README's agent examples.
"""

import re
import subprocess
import sys

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
