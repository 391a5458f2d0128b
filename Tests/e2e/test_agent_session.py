"""An interactive `functionary chat --tools demo` session as a person types it, four turns, on the real default model.

The turns (issue 19): a coin flip asked in Chinese, then the weather in two cities in English, a follow-up that the
earlier results answer (no new call), then a car price. The session runs at the CLI's defaults (greedy decoding,
because tools are offered): runs differ only by the coin, heads or tails.

Turns are told apart by the prompt marker `› ` that chat writes on stderr when it waits for the next line: the
line is sent only after the marker, and what stdout printed before it belongs to the turn before. The model's
mistakes raise ModelMiss; a harness failure (no marker, chat exiting) raises something else.
"""

import json
import os
import re
import select
import subprocess
import time

import pytest

from conftest import binary as functionary

TURNS = [
    "帮我抛一次硬币",
    "What's the weather in Paris and in Rome?",
    "Which of the two cities is warmer right now?",
    "How much does the car Han cost?",
]
MARKER = "› ".encode()


class ModelMiss(AssertionError):
    """The model got a turn wrong (as opposed to the harness failing)."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise ModelMiss(message)


def run_session(turns: list[str], timeout: float = 900) -> list[str]:
    """Each turn's stdout (tool lines and answer), in order. Chat writes a turn's output to stdout (unbuffered)
    before it writes the marker to stderr, so once the marker is read, the turn's output is already in the pipe."""
    command = [str(functionary()), "chat", "--tools", "demo"]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    deadline = time.monotonic() + timeout
    out, err = b"", b""

    def read_until_marker() -> bytes:
        nonlocal out, err
        while MARKER not in err:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"no prompt marker in time; stderr: {err.decode(errors='replace')}")
            ready, _, _ = select.select([out_fd, err_fd], [], [], remaining)
            for fd in ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise RuntimeError(f"chat ended early; stderr: {err.decode(errors='replace')}")
                if fd == out_fd:
                    out += chunk
                else:
                    err += chunk
        err = err.split(MARKER, 1)[1]
        while select.select([out_fd], [], [], 0)[0]:  # what is left in the pipe
            chunk = os.read(out_fd, 65536)
            if not chunk:
                break
            out += chunk
        turn, out = out, b""
        return turn

    outputs: list[str] = []
    try:
        read_until_marker()  # the greeting: nothing on stdout
        for turn in turns:
            proc.stdin.write(turn.encode() + b"\n")
            proc.stdin.flush()
            outputs.append(read_until_marker().decode("utf-8", errors="strict"))
        proc.stdin.write(b"/exit\n")
        proc.stdin.flush()
        if proc.wait(timeout=60) != 0:
            raise RuntimeError(f"chat exited with {proc.returncode}")
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
@pytest.mark.xfail(strict=True, raises=ModelMiss, reason="issue 19, open: the committed adapter calls get_car_price "
                   "for the weather in Paris and answers in Chinese after the Chinese coin flip")
def test_four_turn_session() -> None:
    coin, weather, follow_up, car = run_session(TURNS)

    calls, answer = calls_and_answer(coin)
    expect([c[0] for c in calls] == ["flip_coin"], coin)
    side = calls[0][2]
    assert side in ("heads", "tails"), coin  # the tool's own output
    said, other = {"heads": (("heads", "正面"), ("tails", "反面")), "tails": (("tails", "反面"), ("heads", "正面"))}[side]
    expect(any(w in answer for w in said) and not any(w in answer for w in other), f"the answer does not state {side} alone:\n{coin}")

    calls, answer = calls_and_answer(weather)
    expect(sorted(c[0] for c in calls) == ["get_current_weather"] * 2, weather)
    temperatures = {}
    for _, arguments, result in calls:
        temperatures[json.loads(arguments)["location"]] = json.loads(result)["temperature"]
    expect(any("Paris" in c for c in temperatures) and any("Rome" in c for c in temperatures), weather)
    expect(not re.search(r"[\u4e00-\u9fff]", answer), f"an English question got a Chinese answer:\n{weather}")
    for value in temperatures.values():
        expect(str(value) in answer, f"the answer does not state {value}:\n{weather}")

    calls, answer = calls_and_answer(follow_up)
    expect(calls == [], f"the follow-up called again instead of answering from the results:\n{follow_up}")
    warmer = max(temperatures, key=lambda c: temperatures[c])
    colder = min(temperatures, key=lambda c: temperatures[c])
    if temperatures[warmer] != temperatures[colder]:  # (the made-up weather depends on how the model wrote the city)
        name, other = ("Paris", "Rome") if "Paris" in warmer else ("Rome", "Paris")
        expect(name in answer, f"the warmer city is {warmer} ({temperatures}):\n{follow_up}")
        expect(not re.search(rf"{other}\W+(is|was|feels)\W+(the\W+)?warmer", answer), f"{other} is the colder one:\n{follow_up}")

    calls, answer = calls_and_answer(car)
    expect([c[0] for c in calls] == ["get_car_price"], car)
    expect("Han" in calls[0][1], car)
    price = json.loads(calls[0][2])["price"]
    expect(price in answer, f"the answer does not state the price {price}:\n{car}")
