"""The server driven by the official `openai` client, with the default model (a small base model: tool calls are
forced with tool_choice required/named, and the grammar keeps them valid).

Every test runs twice: against the embedded engine (the session's shared `functionary serve`, conftest.py) and
against `functionary serve --engine-url A --engine-url B` in front of two real `llama-server` processes
(remote_setup.py): the same API through remote engines (issue 6).
"""

import json

import openai
import pytest

from remote_setup import remote_stack
from tools import ASK, TIME, WEATHER, check_call


@pytest.fixture(scope="module", params=["embedded", "remote"])
def server(request):
    """The server under test: the shared embedded one, or a remote stack started for this module."""
    if request.param == "embedded":
        yield request.getfixturevalue("embedded_server")
        return
    with remote_stack("openai-client") as (front, _):
        yield front


@pytest.fixture(scope="module")
def client(server):
    return openai.OpenAI(base_url=server.base + "/v1", api_key="unused", max_retries=0, timeout=300)


def test_chat_without_tools(client, server):
    response = client.chat.completions.create(
        model=server.model, messages=[{"role": "user", "content": "Say hello."}], max_tokens=16, temperature=0)
    choice = response.choices[0]
    assert response.object == "chat.completion"
    assert response.id.startswith("chatcmpl-")
    assert isinstance(choice.message.content, str)
    assert choice.message.role == "assistant"
    assert not choice.message.tool_calls
    assert choice.finish_reason in ("stop", "length")
    assert response.usage.prompt_tokens > 0
    assert 0 < response.usage.completion_tokens <= 16
    assert response.usage.total_tokens == response.usage.prompt_tokens + response.usage.completion_tokens


def test_tool_choice_required(client, server):
    # One call (parallel_tool_calls=false): the grammar ends the output after it, so the model stops by itself.
    response = client.chat.completions.create(
        model=server.model, messages=ASK, tools=[WEATHER, TIME], tool_choice="required", parallel_tool_calls=False,
        max_tokens=96, temperature=0)
    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert len(choice.message.tool_calls) == 1
    check_call(choice.message.tool_calls[0])
    assert response.usage.completion_tokens < 96


def test_parallel_calls_cut_by_max_tokens(client, server):
    # Parallel calls allowed: the small base model keeps calling until max_tokens. The answer says so
    # ("length", as OpenAI does for truncated output) and still returns every call that was complete.
    response = client.chat.completions.create(
        model=server.model, messages=ASK, tools=[WEATHER, TIME], tool_choice="required", max_tokens=96, temperature=0)
    choice = response.choices[0]
    assert choice.message.tool_calls
    for call in choice.message.tool_calls:
        check_call(call)
    if choice.finish_reason == "length":
        assert response.usage.completion_tokens == 96
    else:
        assert choice.finish_reason == "tool_calls"


def test_tool_choice_named(client, server):
    response = client.chat.completions.create(
        model=server.model, messages=ASK, tools=[WEATHER, TIME],
        tool_choice={"type": "function", "function": {"name": "get_time"}}, max_tokens=96, temperature=0)
    choice = response.choices[0]
    # OpenAI answers a named tool_choice with finish_reason "stop".
    assert choice.finish_reason == "stop"
    assert len(choice.message.tool_calls) == 1
    assert choice.message.tool_calls[0].function.name == "get_time"
    assert check_call(choice.message.tool_calls[0])["timezone"] in ("UTC", "CET")


def test_tool_choice_auto(client, server):
    response = client.chat.completions.create(
        model=server.model, messages=ASK, tools=[WEATHER], tool_choice="auto", max_tokens=64, temperature=0)
    choice = response.choices[0]
    if choice.message.tool_calls:
        assert choice.finish_reason == "tool_calls"
        for call in choice.message.tool_calls:
            check_call(call)
    else:
        assert isinstance(choice.message.content, str)
        assert choice.finish_reason in ("stop", "length")


def test_tool_choice_none(client, server):
    response = client.chat.completions.create(
        model=server.model, messages=ASK, tools=[WEATHER], tool_choice="none", max_tokens=24, temperature=0)
    choice = response.choices[0]
    assert not choice.message.tool_calls
    assert isinstance(choice.message.content, str)
    assert choice.finish_reason in ("stop", "length")


def test_parallel_tool_calls(client, server):
    messages = [{"role": "user", "content": "Weather in Paris and in Tokyo, and the time in UTC?"}]
    many = client.chat.completions.create(
        model=server.model, messages=messages, tools=[WEATHER, TIME], tool_choice="required", max_tokens=192,
        temperature=0)
    calls = many.choices[0].message.tool_calls
    # Parallel calls allowed: the base model, held to tool calls by the grammar, writes more than one.
    assert len(calls) >= 2, calls
    assert len({call.id for call in calls}) == len(calls)
    for call in calls:
        check_call(call)
    one = client.chat.completions.create(
        model=server.model, messages=messages, tools=[WEATHER, TIME], tool_choice="required", parallel_tool_calls=False,
        max_tokens=192, temperature=0)
    assert len(one.choices[0].message.tool_calls) == 1
    check_call(one.choices[0].message.tool_calls[0])


def test_streaming_tool_calls_reassembled(client, server):
    stream = client.chat.completions.create(
        model=server.model, messages=ASK, tools=[WEATHER, TIME], tool_choice="required", max_tokens=96, temperature=0,
        parallel_tool_calls=False, stream=True)
    calls = {}
    finish = None
    roles = []
    for chunk in stream:
        assert chunk.object == "chat.completion.chunk"
        for choice in chunk.choices:
            delta = choice.delta
            if delta.role:
                roles.append(delta.role)
            for piece in delta.tool_calls or []:
                call = calls.setdefault(piece.index, {"id": None, "name": None, "arguments": ""})
                if piece.id:
                    assert call["id"] is None, "the id comes once, in the header chunk"
                    call["id"] = piece.id
                if piece.function and piece.function.name:
                    assert call["name"] is None, "the name comes once, in the header chunk"
                    call["name"] = piece.function.name
                if piece.function and piece.function.arguments:
                    call["arguments"] += piece.function.arguments
            if choice.finish_reason:
                finish = choice.finish_reason
    assert roles == ["assistant"]
    assert finish == "tool_calls"
    assert calls and sorted(calls) == list(range(len(calls)))
    for call in calls.values():
        assert call["id"].startswith("call_")
        assert call["name"] in ("get_weather", "get_time")
        assert isinstance(json.loads(call["arguments"]), dict)


def test_streaming_helper_reassembles_calls(client, server):
    kwargs = dict(model=server.model, messages=ASK, tools=[WEATHER], tool_choice="required", max_tokens=96,
                  temperature=0, parallel_tool_calls=False)
    with client.chat.completions.stream(**kwargs) as stream:
        final = stream.get_final_completion()
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls
    for call in choice.message.tool_calls:
        assert check_call(call, names=("get_weather",))["city"] in ("Paris", "London", "Tokyo")


def test_n_two(client, server):
    response = client.chat.completions.create(
        model=server.model, messages=[{"role": "user", "content": "Name a colour."}], n=2, max_tokens=8, temperature=1.0)
    assert [choice.index for choice in response.choices] == [0, 1]
    for choice in response.choices:
        assert isinstance(choice.message.content, str)
    stream = client.chat.completions.create(
        model=server.model, messages=[{"role": "user", "content": "Name a colour."}], n=2, max_tokens=8, stream=True)
    finished = {choice.index for chunk in stream for choice in chunk.choices if choice.finish_reason}
    assert finished == {0, 1}


def test_usage_in_the_last_chunk(client, server):
    chunks = list(client.chat.completions.create(
        model=server.model, messages=[{"role": "user", "content": "Count to three."}], max_tokens=12, stream=True,
        stream_options={"include_usage": True}))
    last = chunks[-1]
    assert last.choices == []
    assert last.usage.prompt_tokens > 0
    assert 0 < last.usage.completion_tokens <= 12
    assert all(chunk.usage is None for chunk in chunks[:-1])


def test_legacy_functions(client, server):
    response = client.chat.completions.create(
        model=server.model, messages=ASK, functions=[WEATHER["function"]], function_call={"name": "get_weather"},
        max_tokens=96, temperature=0)
    message = response.choices[0].message
    assert message.function_call.name == "get_weather"
    assert json.loads(message.function_call.arguments)["city"] in ("Paris", "London", "Tokyo")
    assert not message.tool_calls
    # A named function_call, like a named tool_choice, ends with "stop" (protocol section 6.4).
    assert response.choices[0].finish_reason == "stop"


def test_legacy_functions_streaming(client, server):
    stream = client.chat.completions.create(
        model=server.model, messages=ASK, functions=[WEATHER["function"]], function_call={"name": "get_weather"},
        max_tokens=96, temperature=0, stream=True)
    name, arguments, finish = "", "", None
    for chunk in stream:
        for choice in chunk.choices:
            assert not choice.delta.tool_calls, "legacy functions stream function_call deltas, not tool_calls"
            if choice.delta.function_call:
                name += choice.delta.function_call.name or ""
                arguments += choice.delta.function_call.arguments or ""
            finish = choice.finish_reason or finish
    assert name == "get_weather"
    assert json.loads(arguments)["city"] in ("Paris", "London", "Tokyo")
    assert finish in ("stop", "function_call")


def test_raw_completions(client, server):
    response = client.completions.create(model=server.model, prompt="The capital of France is", max_tokens=8,
                                         temperature=0)
    assert response.object == "text_completion"
    assert isinstance(response.choices[0].text, str)
    assert response.usage.completion_tokens <= 8
    chunks = list(client.completions.create(
        model=server.model, prompt="The capital of France is", max_tokens=8, temperature=0, stream=True))
    assert all(chunk.object == "text_completion" for chunk in chunks)
    assert "".join(chunk.choices[0].text for chunk in chunks if chunk.choices)
    assert chunks[-1].choices[0].finish_reason in ("stop", "length")


def test_models(client, server):
    models = client.models.list()
    assert [m.id for m in models.data][0] == server.model
