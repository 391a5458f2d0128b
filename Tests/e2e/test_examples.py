"""End-to-end runs of the example programs in Examples/ as a user runs them (`swift run session-examples coin`,
`swift run agent-examples weather --url …`): the binaries `make build-debug` builds next to `functionary`.

`session-examples` (the Foundation Models-style API, `import Functionary`) runs twice, unchanged: on the embedded
default model (in process, no server) and against `functionary serve` through its HTTP backend (`--url`, the
session's shared server from conftest.py). `agent-examples` (the `Conversation` API) runs against the server.

Each tool example must run its typed tool(s) (printed as `𝑓 name(arguments) -> result` lines) and answer with the
results' values; the typed answers (`TripPlan`) must satisfy every guide of the type.
"""

import json
import re
import subprocess

import pytest

from conftest import binary as functionary


def example_binary(name: str):
    path = functionary().parent / name
    if not path.exists():
        pytest.skip(f"{path} not built (make build-debug)")
    return path


def run(name: str, example: str, url: str | None) -> tuple[str, list[tuple[str, str, str]]]:
    """Runs an example; returns its stdout and the tool calls it printed as (name, arguments, result)."""
    command = [str(example_binary(name)), example, *(["--url", url] if url else [])]
    result = subprocess.run(command, capture_output=True, timeout=600)
    stdout = result.stdout.decode("utf-8", errors="strict")
    assert result.returncode == 0, f"{command}: exit {result.returncode}\n{stdout}\n{result.stderr.decode(errors='replace')}"
    assert "\ufffd" not in stdout
    calls = [re.match(r"𝑓 (\w+)\((.*)\) -> (.*)$", line) for line in stdout.splitlines() if line.startswith("𝑓 ")]
    assert all(calls), stdout
    return stdout, [call.groups() for call in calls]


def answer(stdout: str) -> str:
    """The text after the last tool line (the model's answer)."""
    lines = stdout.splitlines()
    last_call = max((i for i, line in enumerate(lines) if line.startswith("𝑓 ")), default=0)
    return "\n".join(lines[last_call + 1:]).strip()


@pytest.fixture(params=["embedded", "http"])
def url(request, server):
    """None: the embedded default model in the example's own process; else the shared server's /v1."""
    return None if request.param == "embedded" else server.base + "/v1"


def test_session_coin_flip_calls_the_typed_tool(url) -> None:
    # The Chinese one (the English one is EmbeddedSessionTests' too, and the CLI's in test_agent_examples.py).
    stdout, calls = run("session-examples", "coin-zh", url)
    assert [c[0] for c in calls][:1] == ["flip_coin"], stdout
    results = {c[2] for c in calls}
    assert results <= {"heads", "tails"}, stdout
    text = answer(stdout)
    assert any(r in text for r in results), f"the answer does not state the result:\n{stdout}"


def check_weather(stdout: str, calls) -> None:
    weather = [c for c in calls if c[0] == "get_current_weather"]
    assert any("Santa Cruz" in c[1] for c in weather) and any("Seattle" in c[1] for c in weather), stdout
    text = answer(stdout)
    assert "64" in text and "52" in text, f"the answer does not state both temperatures:\n{stdout}"


def test_session_weather_comparison_calls_the_typed_tool_twice(url) -> None:
    stdout, calls = run("session-examples", "weather", url)
    check_weather(stdout, calls)
    # The typed output went back to the model as JSON.
    for call in calls:
        report = json.loads(call[2])
        assert set(report) == {"location", "temperature", "unit", "forecast"}, call


def check_trip(plan: dict) -> None:
    assert set(plan) == {"destination", "days", "activities", "transport", "airport", "budget"}, plan
    assert isinstance(plan["days"], int) and 1 <= plan["days"] <= 7, plan
    assert 2 <= len(plan["activities"]) <= 4 and all(isinstance(a, str) for a in plan["activities"]), plan
    assert plan["transport"] in {"train", "plane", "car"}, plan
    assert re.fullmatch(r"[A-Z]{3}", plan["airport"]), plan
    assert isinstance(plan["budget"], int) and 0 <= plan["budget"] <= 5000, plan


def test_session_typed_answer_satisfies_the_guides(url) -> None:
    stdout, calls = run("session-examples", "trip", url)
    assert calls == [], stdout
    line = stdout.splitlines()[-1]
    match = re.fullmatch(r"(\d+) days in (.+) by (\w+) \((\w+)\), (\d+) EUR: (.*)", line)
    assert match, stdout
    days, destination, transport, airport, budget, activities = match.groups()
    assert "Paris" in destination, stdout
    check_trip({"destination": destination, "days": int(days), "activities": activities.split(", "),
                "transport": transport, "airport": airport, "budget": int(budget)})


def test_session_streamed_typed_answer(server) -> None:
    stdout, _ = run("session-examples", "stream", server.base + "/v1")
    partials = [line for line in stdout.splitlines() if line.startswith("… ")]
    # The value grows as it streams: several partial values before the whole one.
    assert len(partials) >= 3, stdout
    assert partials[0] != partials[-1], stdout
    final = stdout[stdout.index("{"):]
    check_trip(json.loads(final))


@pytest.mark.parametrize("example", ["weather", "custom"])
def test_agent_examples_against_the_server(example, server) -> None:
    stdout, calls = run("agent-examples", example, server.base + "/v1")
    tools = {"weather": "get_current_weather", "custom": "egg_timer"}
    assert calls and all(c[0] == tools[example] for c in calls), stdout
    if example == "weather":
        check_weather(stdout, calls)
    if example == "custom":
        assert json.loads(calls[0][1]).get("count") == 2 and calls[0][2] in answer(stdout), stdout
