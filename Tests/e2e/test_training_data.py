"""The world generator's data (training/gen_world.py, issue 19) holds what its docstring promises: calls name
offered functions with their required parameters and no unknown ones, most call turns make one call, a quarter
or more of the conversations call nothing, a chain's first turn makes the first call only and its second call
takes the ID or text from the first result, a far no-call offers no function of the request's domain, and no
dev domain reaches training. Pure Python (no model): it runs in a second."""

import collections
import json
import pathlib
import random
import sys

import pytest

TRAINING = pathlib.Path(__file__).resolve().parents[2] / "training"
sys.path.insert(0, str(TRAINING))

import gen_world  # noqa: E402
from world_tools import DEV_DOMAINS  # noqa: E402


@pytest.fixture(scope="module")
def conversations():
    train = [d for d in gen_world.all_domains() if d not in DEV_DOMAINS]
    rng = random.Random(20261207)
    world = gen_world.World(train, rng, 0.15)
    return [gen_world.draw_conv(world, rng, 0.3) for _ in range(1500)]


def calls_of(message):
    return [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in message.get("tool_calls") or []]


def test_calls_name_offered_functions_with_their_parameters(conversations):
    checked = 0
    for c in conversations:
        schemas = {f.name: f.schema()["function"]["parameters"] for f in c["funcs"]}
        for m in c["messages"]:
            for name, args in calls_of(m):
                assert name in schemas, (c["scenario"], name, list(schemas))
                props = schemas[name]["properties"]
                assert set(args) <= set(props), (c["scenario"], name, args)
                assert set(schemas[name].get("required", [])) <= set(args), (c["scenario"], name, args)
                checked += 1
    assert checked > 1000


def test_call_counts_and_no_call_share(conversations):
    per_turn = collections.Counter(len(m["tool_calls"]) for c in conversations for m in c["messages"] if m.get("tool_calls"))
    assert per_turn[1] / sum(per_turn.values()) >= 0.7, per_turn
    assert {2, 3, 4} <= set(per_turn), per_turn
    silent = sum(not any(m.get("tool_calls") for m in c["messages"]) for c in conversations)
    assert silent / len(conversations) >= 0.25


def test_a_chain_calls_its_first_step_alone(conversations):
    chains = [c for c in conversations if c["scenario"] == "chain"]
    assert len(chains) >= 100
    for c in chains:
        user, first, result, second = c["messages"][:4]
        assert user["role"] == "user" and result["role"] == "tool"
        assert len(calls_of(first)) == 1 and len(calls_of(second)) == 1
        (name_a, _), (name_b, args_b) = calls_of(first)[0], calls_of(second)[0]
        assert name_a != name_b
        # the second call carries a value that only the first result has
        values = {v for v in json.loads(result["content"]).values() if isinstance(v, str)}
        assert values & {v for v in args_b.values() if isinstance(v, str)}, (result, args_b)
        assert c["messages"][-1]["role"] == "assistant" and not c["messages"][-1].get("tool_calls")


def test_a_far_no_call_offers_nothing_of_the_requests_domain(conversations):
    far = [c for c in conversations if c["scenario"] == "no_call_far"]
    assert len(far) >= 80
    for c in far:
        assert all(f.domain != c["request_domain"] for f in c["funcs"])
        assert [m["role"] for m in c["messages"]] == ["user", "assistant"]
        assert not c["messages"][1].get("tool_calls")


def test_no_dev_domain_in_training(conversations):
    assert not {f.domain for c in conversations for f in c["funcs"]} & set(DEV_DOMAINS)


def test_the_mix_keeps_world_dev_domains_out(tmp_path):
    """training/mix_data.py: both generators' conversations, none offering a library tool of a world dev domain."""
    import subprocess

    run = [sys.executable]
    subprocess.run(run + [str(TRAINING / "gen_world.py"), "--out", str(tmp_path / "world"), "--train", "60", "--dev", "10"],
                   check=True, capture_output=True)
    subprocess.run(run + [str(TRAINING / "gen_data.py"), "--out", str(tmp_path / "library"), "--train", "200", "--dev", "10"],
                   check=True, capture_output=True)
    subprocess.run(run + [str(TRAINING / "mix_data.py"), "--library", str(tmp_path / "library"), "--world", str(tmp_path / "world"),
                          "--out", str(tmp_path / "mix")], check=True, capture_output=True)
    import mix_data

    held = mix_data.held_out_names()
    assert {"get_contract_details", "list_claims"} <= held and "get_weather_forecast" not in held
    library = (tmp_path / "library" / "train.jsonl").read_text().splitlines()
    world = (tmp_path / "world" / "train.jsonl").read_text().splitlines()
    mixed = (tmp_path / "mix" / "train.jsonl").read_text().splitlines()
    offering_held = [line for line in library if {t["function"]["name"] for t in json.loads(line)["tools"]} & held]
    assert offering_held, "200 library conversations include some with contract or claim tools"
    assert sorted(mixed) == sorted([line for line in library if line not in offering_held] + world)
    assert mixed[:len(world)] != world  # shuffled
    assert (tmp_path / "mix" / "dev-set.jsonl").read_text() == (tmp_path / "world" / "dev-set.jsonl").read_text()
