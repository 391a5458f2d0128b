"""Prompt-lookup speculation (`--speculation lookup`) against decoding every token: the calls the default model makes
(with the project's adapter, tool_choice auto, temperature 0, one thread) on the first 80 cases of the dev set are
the same with and without it. (With one thread, llama.cpp sums attention in one order for a batch of several tokens
and for one token; with more, the last bits of batched logits can differ and flip a near tie, as with jump-forward.)"""

import pytest

from dev_evals import CASES, differences
from test_eval import ADAPTER


@pytest.mark.skipif(not ADAPTER.exists(), reason="no committed adapter")
def test_calls_are_identical_with_and_without_speculation():
    different = differences("one_thread", "one_thread_speculation")
    assert not different, f"{len(different)} of {CASES} cases differ: {different}"


def test_metrics_and_usage_count_drafted_and_accepted_tokens(start_server):
    """`functionary serve --speculation lookup`: an answer that copies its prompt drafts tokens and keeps most of them;
    /metrics counts both, and the response's `usage.completion_tokens_details` says how many drafted tokens were
    accepted and rejected (a server with speculation off counts none and sends no details). The request field
    `speculation` overrides the server's setting, and any other value than "lookup" or "off" is a 400."""
    from openai import BadRequestError, OpenAI

    prompt = ("Repeat this sentence exactly: The delivery to 1420 Cedar Grove Lane, Apartment 7B, Springfield arrives on "
              "Tuesday before noon, signed for by the front desk.")
    messages = [{"role": "user", "content": prompt}]
    counts, usages, texts = {}, {}, {}
    servers = {}
    for mode in ("lookup", "off"):
        server = servers[mode] = start_server("--speculation", mode, parallel=1)
        client = OpenAI(base_url=server.base + "/v1", api_key="none")
        response = client.chat.completions.create(model=server.model, temperature=0, max_tokens=48, messages=messages)
        usages[mode], texts[mode] = response.usage, response.choices[0].message.content
        counts[mode] = (server.metric("functionary_speculation_drafted_tokens_total"),
                        server.metric("functionary_speculation_accepted_tokens_total"))
    drafted, accepted = counts["lookup"]
    assert drafted > 0 and 0 < accepted <= drafted, counts
    assert counts["off"] == (0, 0), counts
    details = usages["lookup"].completion_tokens_details
    assert details.accepted_prediction_tokens == accepted, (details, counts)
    assert details.rejected_prediction_tokens == drafted - accepted, (details, counts)
    assert usages["off"].completion_tokens_details is None, usages["off"]
    assert usages["lookup"].completion_tokens == usages["off"].completion_tokens

    # Per request, on the server whose setting is off: the same answer, with drafts.
    off = servers["off"]
    client = OpenAI(base_url=off.base + "/v1", api_key="none")
    response = client.chat.completions.create(model=off.model, temperature=0, max_tokens=48, messages=messages,
                                              extra_body={"speculation": "lookup"})
    assert response.choices[0].message.content == texts["off"]
    assert response.usage.completion_tokens_details.accepted_prediction_tokens > 0, response.usage
    assert off.metric("functionary_speculation_drafted_tokens_total") > 0
    try:
        client.chat.completions.create(model=off.model, max_tokens=4, messages=messages, extra_body={"speculation": "fast"})
        raise AssertionError("speculation: fast was accepted")
    except BadRequestError as error:
        assert error.status_code == 400 and error.body["param"] == "speculation", error.body
