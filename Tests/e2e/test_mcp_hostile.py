"""`functionary chat --mcp` against a hostile MCP server (mcp_hostile.py): what a server may list, return and see is
bounded. Each test starts the real binary on the default model; the model's first step is forced to call the tool.
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import binary as functionary

HOSTILE = str(Path(__file__).with_name("mcp_hostile.py"))
SECRETS = {"OPENAI_API_KEY": "sk-test-secret", "AWS_SECRET_ACCESS_KEY": "aws-test-secret",
           "FUNCTIONARY_API_KEY": "fn-test-secret", "ANTHROPIC_API_KEY": "anthropic-secret"}


def chat(server_flags, *extra, tool="dump", env=None, timeout=600, watch_memory=False):
    """Runs chat with the hostile server; returns (exit status, stdout, stderr, peak resident bytes or None)."""
    command = [str(functionary()), "chat", "--mcp", f"{sys.executable} {HOSTILE} {server_flags}", "--prompt",
               "Use the tool.", "--tool-choice", tool, "--then-tool-choice", "none", "--max-steps", "2",
               "--temperature", "0", "--max-tokens", "16", *extra]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    peak = [0]

    def watch():
        # VmHWM is the peak resident set of the process so far; the last reading before it exits is its peak.
        while process.poll() is None:
            try:
                for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak[0] = max(peak[0], int(line.split()[1]) * 1024)
            except (OSError, ValueError):
                pass
            time.sleep(0.02)

    watcher = threading.Thread(target=watch) if watch_memory else None
    if watcher:
        watcher.start()
    out, err = process.communicate(timeout=timeout)
    if watcher:
        watcher.join()
    return process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), peak[0] if watch_memory else None


def test_endless_pagination_ends_with_a_clear_error():
    start = time.monotonic()
    code, out, err, _ = chat("--paginate-forever")
    assert code != 0, out
    assert "still paginating its tool list after 16 pages" in err + out, err + out
    assert time.monotonic() - start < 120


def test_a_repeated_cursor_ends_with_a_clear_error():
    code, out, err, _ = chat("--repeat-cursor")
    assert code != 0, out
    assert "repeated the tool-list cursor 'again'" in err + out, err + out


def test_too_many_tools_are_refused():
    code, out, err, _ = chat("--tool-count 500", tool="tool_0")
    assert code != 0, out
    assert "lists more than 128 tools" in err + out, err + out
    # The limit is a flag.
    code, out, err, _ = chat("--tool-count 500", "--mcp-max-tools", "500", tool="tool_0")
    assert code == 0, err + out
    assert "𝑓 tool_0" in out, out


def test_bad_tools_are_skipped_with_a_warning():
    code, out, err, _ = chat("--bad-tools", tool="ok_tool")
    assert code == 0, err + out
    assert "ok_tool ran" in out, out
    for name in ["bad name with spaces", "deep_schema", "not_an_object", "n" * 64]:
        assert f"tool '{name}" in err, err
    assert "schema nesting depth" in err, err
    assert "lists the name twice" in err, err
    # <|im_end|> and the quote never reach the prompt: the tool is skipped.
    assert "quote" in err and "skipped" in err


def test_a_64_mb_tool_result_is_not_held_in_memory():
    code, out, err, peak = chat("--dump-bytes 67108864", watch_memory=True)
    assert code == 0, err + out
    # The reply was skipped as it was read; the model got an error result that says how long it was.
    length = re.search(r"reply is (\d+) bytes long, over the limit of 8388608 bytes", out)
    assert length and int(length.group(1)) > 64 << 20, out[:2000]
    print(f"peak resident set of functionary with a 64 MiB MCP reply: {peak / 2**20:.0f} MiB")
    assert 0 < peak < 1.5 * 2**30


def test_a_long_tool_result_is_cut_with_a_marker():
    code, out, err, _ = chat("--dump-bytes 1000000")
    assert code == 0, err + out
    # The transcript shows the first 500 characters of the result and counts the rest: the result was cut to about
    # 20,000 characters (the marker is in its middle, not shown).
    shown = re.search(r"𝑓 dump\(\{\}\) -> A+… \((\d+) more characters\)", out)
    assert shown, out[:3000]
    assert 19_000 < int(shown.group(1)) < 20_000, shown.group(0)[-60:]


def test_the_server_sees_no_secrets(tmp_path):
    env_file = tmp_path / "env.json"
    code, out, err, _ = chat(f"--env-file {env_file}", "--mcp-env", "EXTRA_FOR_SERVER", tool="dump",
                             env={**SECRETS, "EXTRA_FOR_SERVER": "yes", "UNRELATED_VARIABLE": "no"})
    assert code == 0, err + out
    seen = json.loads(env_file.read_text())
    for name in SECRETS:
        assert name not in seen, seen
    assert "UNRELATED_VARIABLE" not in seen
    assert seen.get("EXTRA_FOR_SERVER") == "yes"
    assert "PATH" in seen


def test_stop_kills_the_servers_process_group(tmp_path):
    # The server ignores SIGTERM and has a child of its own: both are gone soon after chat returns.
    pid_file = tmp_path / "grandchild.pid"
    start = time.monotonic()
    code, out, err, _ = chat(f"--grandchild {pid_file} --dump-bytes 10", tool="dump")
    assert code == 0, err + out
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{grandchild}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            break
        if state == "Z":
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"the server's child {grandchild} outlived chat")
    assert time.monotonic() - start < 300
