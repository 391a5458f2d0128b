"""Jump-forward decoding (text the grammar forces is appended, not sampled) against decoding every token: the calls
the default model makes (with the project's adapter, tool_choice auto, temperature 0) on the first 80 cases of the
dev set, and a schema-heavy named call through the server, with `jump_forward` per request."""

import json

import pytest

from conftest import http
from dev_evals import CASES, differences
from test_eval import ADAPTER


@pytest.mark.skipif(not ADAPTER.exists(), reason="no committed adapter")
def test_calls_equal_with_and_without_jump_forward():
    """The default settings (a thread per core, 4 slots): at most 5% of the cases differ (docs/benchmarks.md says which
    and why)."""
    different = differences("jump_forward_off", "default")
    assert len(different) <= CASES * 5 // 100, f"{len(different)} of {CASES} cases differ: {different}"


@pytest.mark.skipif(not ADAPTER.exists(), reason="no committed adapter")
def test_calls_are_identical_when_attention_is_summed_in_one_order():
    """With one thread, no case differs: jump-forward feeds the model the token sequence it would have sampled
    itself. The differences with more threads are rounding: llama.cpp's CPU flash attention sums a one-token decode
    over the cache in one chunk per thread (with 512 or more cache cells), and a decode of several tokens (the
    forced ones) row by row, so the logits after a jump differ in their last bits from a token-by-token decode's,
    which can flip a near tie. One thread gives both the same order."""
    different = differences("one_thread_jump_forward_off", "one_thread")
    assert not different, f"{len(different)} of {CASES} cases differ: {different}"


HEAVY = {"type": "function", "function": {
    "name": "file_claim", "description": "File an insurance claim.",
    "parameters": {"type": "object", "properties": {
        "policy": {"type": "string", "enum": ["comprehensive", "third_party", "collision"]},
        "severity": {"type": "string", "enum": ["minor", "moderate", "severe"]},
        "vehicle": {"type": "object", "properties": {
            "make": {"type": "string", "enum": ["renault", "peugeot", "fiat"]},
            "year": {"type": "integer", "minimum": 1990, "maximum": 2026}}, "required": ["make", "year"]},
        "parts": {"type": "array", "minItems": 1, "maxItems": 3,
                  "items": {"type": "string", "enum": ["front_bumper", "rear_bumper", "hood"]}}},
        "required": ["policy", "severity", "vehicle", "parts"]}}}


def test_named_call_is_schema_valid_both_ways(server):
    """The same named call with jump_forward on and off: valid against the schema both times (every enum value and
    key spelled out), and the same call at temperature 0."""
    body = {"model": "gemma-3-270m-q4_k_m", "messages": [{"role": "user", "content": "File a claim: my 2019 Peugeot, front bumper, minor."}],
            "tools": [HEAVY], "tool_choice": {"type": "function", "function": {"name": "file_claim"}},
            "temperature": 0, "max_tokens": 200}
    seen = []
    for jump in (False, True):
        status, _, raw = http("POST", server.base + "/v1/chat/completions", dict(body, jump_forward=jump))
        assert status == 200, raw
        call = json.loads(raw)["choices"][0]["message"]["tool_calls"][0]["function"]
        arguments = json.loads(call["arguments"])
        assert call["name"] == "file_claim"
        assert arguments["policy"] in ("comprehensive", "third_party", "collision")
        assert arguments["severity"] in ("minor", "moderate", "severe")
        assert arguments["vehicle"]["make"] in ("renault", "peugeot", "fiat") and 1990 <= arguments["vehicle"]["year"] <= 2026
        assert 1 <= len(arguments["parts"]) <= 3 and set(arguments["parts"]) <= {"front_bumper", "rear_bumper", "hood"}
        seen.append(arguments)
    assert seen[0] == seen[1]
