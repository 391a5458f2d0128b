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
