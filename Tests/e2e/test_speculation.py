"""Prompt-lookup speculation (`--speculation lookup`) against decoding every token: the calls the default model makes
(with the project's adapter, tool_choice auto, temperature 0, one thread) on the first 80 cases of the dev set are
the same with and without it. (With one thread, llama.cpp sums attention in one order for a batch of several tokens
and for one token; with more, the last bits of batched logits can differ and flip a near tie, as with jump-forward.)"""

import json
import pathlib

import pytest

from test_eval import ADAPTER, run
from test_jump_forward import CASES, calls


@pytest.mark.skipif(not ADAPTER.exists(), reason="no committed adapter")
def test_calls_are_identical_with_and_without_speculation(tmp_path: pathlib.Path):
    reports = {}
    for mode in ("off", "lookup"):
        path = tmp_path / f"{mode}.json"
        result = run(["eval", "--limit", str(CASES), "--speculation", mode, "--threads", "1", "--report", str(path)],
                     timeout=1200)
        assert result.returncode == 0, result.stderr
        reports[mode] = calls(json.loads(path.read_text()))
    assert len(reports["off"]) == CASES and reports["off"].keys() == reports["lookup"].keys()
    assert sum(1 for made in reports["off"].values() if made) >= CASES // 2, "most dev cases should make calls"
    different = {case: (reports["off"][case], reports["lookup"][case])
                 for case in reports["off"] if reports["off"][case] != reports["lookup"][case]}
    assert not different, f"{len(different)} of {CASES} cases differ: {different}"


def test_metrics_count_drafted_and_accepted_tokens(start_server):
    """`functionary serve --speculation lookup`: an answer that copies its prompt drafts tokens and keeps most of them;
    /metrics counts both (a server with speculation off counts none)."""
    from openai import OpenAI

    prompt = ("Repeat this sentence exactly: The delivery to 1420 Cedar Grove Lane, Apartment 7B, Springfield arrives on "
              "Tuesday before noon, signed for by the front desk.")
    counts = {}
    for mode in ("lookup", "off"):
        server = start_server("--speculation", mode, parallel=1)
        client = OpenAI(base_url=server.base + "/v1", api_key="none")
        client.chat.completions.create(model=server.model, temperature=0, max_tokens=48,
                                       messages=[{"role": "user", "content": prompt}])
        counts[mode] = (server.metric("functionary_speculation_drafted_tokens_total"),
                        server.metric("functionary_speculation_accepted_tokens_total"))
    drafted, accepted = counts["lookup"]
    assert drafted > 0 and 0 < accepted <= drafted, counts
    assert counts["off"] == (0, 0), counts
