"""An interactive `functionary chat --tools demo` session as a person types it, four turns, on the real default model.

The turns (issue 19): a coin flip asked in Chinese, then the weather in two cities in English, a follow-up that the
earlier results answer (no new call), then a car price. The session runs at the CLI's defaults (greedy decoding,
because tools are offered), so one run stands for every run on this machine.

Turns are told apart by the prompt marker `› ` that chat writes on stderr when it waits for the next line: the
line is sent only after the marker, and what stdout printed before it belongs to the turn before.
"""

import json
import queue
import re
import subprocess
import threading
import time

import pytest

from conftest import binary as functionary

TURNS = [
    "帮我抛一次硬币",
    "What's the weather in Paris and in Rome?",
    "Which of the two cities is warmer right now?",
    "How much does the car Han cost?",
]


def reader(stream, out: "queue.Queue[bytes]") -> None:
    for chunk in iter(lambda: stream.read1(4096), b""):
        out.put(chunk)
    out.put(b"")


def run_session(turns: list[str], timeout: float = 900) -> list[str]:
    """Each turn's stdout (tool lines and answer), in order."""
    command = [str(functionary()), "chat", "--tools", "demo"]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout: "queue.Queue[bytes]" = queue.Queue()
    stderr: "queue.Queue[bytes]" = queue.Queue()
    for stream, q in ((proc.stdout, stdout), (proc.stderr, stderr)):
        threading.Thread(target=reader, args=(stream, q), daemon=True).start()
    deadline = time.monotonic() + timeout
    err_text = b""
    outputs: list[str] = []

    def wait_for_marker() -> None:
        nonlocal err_text
        while b"\xe2\x80\xba " not in err_text:  # "› "
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no prompt marker in time; stderr: {err_text.decode(errors='replace')}"
            try:
                chunk = stderr.get(timeout=remaining)
            except queue.Empty:
                continue
            assert chunk, f"chat ended early; stderr: {err_text.decode(errors='replace')}"
            err_text += chunk
        err_text = err_text.split(b"\xe2\x80\xba ", 1)[1]

    def drain() -> bytes:
        time.sleep(0.3)  # chat is blocked reading stdin now: what it printed is already on its way
        data = b""
        while True:
            try:
                data += stdout.get_nowait()
            except queue.Empty:
                return data

    try:
        wait_for_marker()
        drain()  # nothing is printed on stdout before the first turn
        for turn in turns:
            proc.stdin.write(turn.encode() + b"\n")
            proc.stdin.flush()
            wait_for_marker()
            outputs.append(drain().decode("utf-8", errors="strict"))
        proc.stdin.write(b"/exit\n")
        proc.stdin.flush()
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    return outputs


def calls_and_answer(output: str) -> tuple[list[tuple[str, str, str]], str]:
    """The turn's tool calls as (name, arguments, result) and its answer (the text after the last call)."""
    lines = output.splitlines()
    calls = []
    for line in lines:
        m = re.match(r"^𝑓 (\w+)\((.*)\) -> (.*)$", line)
        if m:
            calls.append((m.group(1), m.group(2), m.group(3)))
    last = max((i for i, line in enumerate(lines) if line.startswith("𝑓 ")), default=-1)
    return calls, "\n".join(lines[last + 1:]).strip()


# Strict: the day the adapter gets the session right this fails, and the mark must go.
@pytest.mark.xfail(strict=True, reason="issue 19, open: the committed adapter calls get_car_price for the weather "
                   "in Paris and answers in Chinese after the Chinese coin flip")
def test_four_turn_session() -> None:
    coin, weather, follow_up, car = run_session(TURNS)

    calls, answer = calls_and_answer(coin)
    assert [c[0] for c in calls] == ["flip_coin"], coin
    side = calls[0][2]
    assert side in ("heads", "tails"), coin
    said = {"heads": ("heads", "正面"), "tails": ("tails", "反面")}[side]
    assert any(word in answer for word in said), f"the answer does not state {side}:\n{coin}"

    calls, answer = calls_and_answer(weather)
    assert sorted(c[0] for c in calls) == ["get_current_weather"] * 2, weather
    temperatures = {}
    for _, arguments, result in calls:
        city = json.loads(arguments)["location"]
        temperatures[city] = json.loads(result)["temperature"]
    assert any("Paris" in c for c in temperatures) and any("Rome" in c for c in temperatures), weather
    assert not re.search(r"[\u4e00-\u9fff]", answer), f"an English question got a Chinese answer:\n{weather}"
    for value in temperatures.values():
        assert str(value) in answer, f"the answer does not state {value}:\n{weather}"

    calls, answer = calls_and_answer(follow_up)
    assert calls == [], f"the follow-up called again instead of answering from the results:\n{follow_up}"
    warmer = max(temperatures, key=lambda c: temperatures[c])
    colder = min(temperatures, key=lambda c: temperatures[c])
    if temperatures[warmer] != temperatures[colder]:
        name, other = ("Paris", "Rome") if "Paris" in warmer else ("Rome", "Paris")
        assert name in answer, f"the warmer city is {warmer} ({temperatures}):\n{follow_up}"
        assert not re.search(rf"{other}\W+(is|was|feels)\W+(the\W+)?warmer", answer), f"{other} is the colder one:\n{follow_up}"

    calls, answer = calls_and_answer(car)
    assert [c[0] for c in calls] == ["get_car_price"], car
    assert "Han" in calls[0][1], car
    price = json.loads(calls[0][2])["price"]
    assert price in answer, f"the answer does not state the price {price}:\n{car}"
