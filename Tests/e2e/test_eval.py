"""`functionary eval` (embedded and over --url) and the LoRA adapter flags (`--lora`, `--no-default-adapter`,
the adapter in /v1/models), on the default model."""

import json
import pathlib
import subprocess
import time

import pytest

from conftest import binary, http
from remote_setup import ROOT as REPO_ROOT

ADAPTER = REPO_ROOT / "models" / "functionary-gemma3-270m-lora.gguf"
ADAPTER_NAME = "functionary-gemma3-270m-lora"

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather of a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"}}, "required": ["city"]}}}
CASES = [
    {"id": "one", "category": "single", "language": "en", "tools": [WEATHER],
     "messages": [{"role": "user", "content": "What's the weather in Paris?"}],
     "expected": {"calls": [{"name": "get_weather", "arguments": {"city": ["Paris"]}}]}},
    {"id": "two", "category": "parallel", "language": "zh", "tools": [WEATHER],
     "messages": [{"role": "user", "content": "北京和上海的天气怎么样？"}],
     "expected": {"calls": [{"name": "get_weather", "arguments": {"city": ["北京"]}},
                            {"name": "get_weather", "arguments": {"city": ["上海"]}}]}},
    {"id": "three", "category": "no_call", "language": "en", "tools": [WEATHER],
     "messages": [{"role": "user", "content": "Hi there!"}], "expected": {"no_call": True}},
]


def run(args, timeout=600):
    return subprocess.run([str(binary()), *args], capture_output=True, timeout=timeout, text=True)


def wait_for_log(server, text: str) -> bool:
    """The ready line is logged right after /health turns 200: allow it a moment."""
    deadline = time.time() + 10
    while text not in server.output():
        if time.time() > deadline:
            return False
        time.sleep(0.1)
    return True


def write_cases(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(case, ensure_ascii=False) + "\n" for case in CASES))
    return path


def check_report(report: dict) -> None:
    assert report["cases"] == 3
    assert report["single_call"]["cases"] == 1 and report["parallel_calls"]["cases"] == 1
    assert set(report["categories"]) == {"single", "parallel", "no_call"}
    assert set(report["languages"]) == {"en", "zh"}
    assert [r["id"] for r in report["results"]] == ["one", "two", "three"]
    for result in report["results"]:
        assert isinstance(result["decision_correct"], bool) and isinstance(result["exact"], bool)
        assert result["exact"] <= result["decision_correct"]
    decisions = sum(r["decision_correct"] for r in report["results"])
    assert abs(report["decision_accuracy"] - decisions / 3) < 1e-3


def test_eval_on_the_embedded_engine_writes_a_report(tmp_path: pathlib.Path):
    out = tmp_path / "report.json"
    result = run(["eval", "--cases", str(write_cases(tmp_path)), "--report", str(out), "--ctx-size",
                  "2048", "--max-tokens", "64"])
    assert result.returncode == 0, result.stderr
    assert "single call" in result.stdout and "language zh" in result.stdout
    report = json.loads(out.read_text())
    check_report(report)
    assert report["adapters"] == ([ADAPTER_NAME] if ADAPTER.exists() else [])


def test_eval_over_http_against_our_server(tmp_path: pathlib.Path, server):
    out = tmp_path / "report.json"
    result = run(["eval", "--url", server.base + "/v1", "--cases", str(write_cases(tmp_path)), "--report", str(out),
                  "--max-tokens", "64"])
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    check_report(report)
    assert report["model"].endswith("at " + server.base + "/v1")


def test_eval_rejects_a_malformed_case_file(tmp_path: pathlib.Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(CASES[0]) + "\n" + json.dumps({"messages": [{"role": "user", "content": "x"}]}) + "\n")
    result = run(["eval", "--cases", str(bad), "--report", str(tmp_path / "r.json")])
    assert result.returncode != 0
    assert "line 2" in result.stderr and "expected" in result.stderr


def test_a_missing_adapter_is_a_clear_error(tmp_path: pathlib.Path):
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"messages": [{"role": "user", "content": "hi"}]}))
    result = run(["generate", "--lora", "/nonexistent/adapter.gguf", "--max-tokens", "4", str(request)])
    assert result.returncode != 0
    assert "LoRA adapter" in result.stderr and "/nonexistent/adapter.gguf" in result.stderr


@pytest.mark.skipif(not ADAPTER.exists(), reason="no committed adapter")
def test_models_lists_the_active_adapter(start_server):
    with_adapter = start_server(parallel=1)  # the project's adapter is applied by default
    status, _, body = http("GET", with_adapter.base + "/v1/models")
    assert status == 200
    assert json.loads(body)["data"][0]["adapters"] == [ADAPTER_NAME]
    assert wait_for_log(with_adapter, f"adapter={ADAPTER_NAME}"), with_adapter.output()
    bare = start_server("--no-default-adapter", parallel=1)
    _, _, body = http("GET", bare.base + "/v1/models")
    assert json.loads(body)["data"][0]["adapters"] == []
    assert wait_for_log(bare, "adapter=none"), bare.output()


@pytest.mark.skipif(not ADAPTER.exists(), reason="no committed adapter")
def test_readme_curl_example_calls_with_paris(server):
    """The README's curl request, as written (tool_choice left on auto, temperature 0), on the default model with the
    project's adapter: one get_weather call with {"city": "Paris"}."""
    body = {
        "model": "gemma-3-270m-q4_k_m",
        "messages": [{"role": "user", "content": "What is the weather in Paris?"}],
        "tools": [{"type": "function", "function": {
            "name": "get_weather", "description": "Current weather in a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
        "temperature": 0,
    }
    status, _, raw = http("POST", server.base + "/v1/chat/completions", body)
    assert status == 200, raw
    choice = json.loads(raw)["choices"][0]
    assert choice["finish_reason"] == "tool_calls", choice
    calls = choice["message"]["tool_calls"]
    assert [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls] == [("get_weather", {"city": "Paris"})]
