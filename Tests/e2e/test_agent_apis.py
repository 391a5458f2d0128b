"""The APIs agents speak, driven by their official clients: OpenAI's Responses API (`openai`, `openai-agents`) and
Anthropic's Messages API (`anthropic`), against the embedded engine and through a remote llama.cpp engine.

The default model is a small base model, so most tests force calls with tool_choice required/any/named; the grammar
keeps every call valid for its schema, whichever API the request came through.
"""

import json
import re

import anthropic
import openai
import pytest

import tools as chat_tools
from conftest import http
from remote_setup import remote_stack

# The chat tests' tools (tools.py) in the Responses API's flat shape.
WEATHER = {"type": "function", **chat_tools.WEATHER["function"]}
TIME = {"type": "function", **chat_tools.TIME["function"]}
ASK = "What is the weather in Paris, in celsius?"


def anthropic_tool(tool):
    return {"name": tool["name"], "description": tool["description"], "input_schema": tool["parameters"]}


@pytest.fixture(scope="module", params=["embedded", "remote"])
def server(request):
    if request.param == "embedded":
        yield request.getfixturevalue("embedded_server")
        return
    with remote_stack("agent-apis") as (front, _):
        yield front


@pytest.fixture(scope="module")
def oai(server):
    return openai.OpenAI(base_url=server.base + "/v1", api_key="unused", max_retries=0, timeout=300)


@pytest.fixture(scope="module")
def claude(server):
    return anthropic.Anthropic(base_url=server.base, api_key="unused", max_retries=0, timeout=300)


def check_call(item, names=("get_weather", "get_time")):
    assert item.type == "function_call"
    assert item.call_id.startswith("call_")
    assert item.name in names
    tool = {"get_weather": WEATHER, "get_time": TIME}[item.name]
    arguments = json.loads(item.arguments)
    assert set(arguments) == set(tool["parameters"]["required"])
    for key, value in arguments.items():
        assert value in tool["parameters"]["properties"][key]["enum"]
    return arguments


def calls(response):
    return [item for item in response.output if item.type == "function_call"]


# ---- Responses API --------------------------------------------------------------------------------------------------


def forced(oai, server, **extra):
    arguments = dict(model=server.model, input=ASK, tools=[WEATHER, TIME], tool_choice="required", parallel_tool_calls=False,
                     temperature=0, max_output_tokens=80)
    arguments.update(extra)
    return oai.responses.create(**arguments)


def test_responses_required_call(oai, server):
    response = forced(oai, server)
    assert response.object == "response"
    assert response.id.startswith("resp_")
    assert response.status == "completed"
    assert len(calls(response)) == 1
    check_call(calls(response)[0])
    assert response.usage.input_tokens > 0 and response.usage.output_tokens > 0
    assert response.usage.total_tokens == response.usage.input_tokens + response.usage.output_tokens


def test_responses_tool_choice_named(oai, server):
    response = forced(oai, server, tool_choice={"type": "function", "name": "get_time"})
    assert [item.name for item in calls(response)] == ["get_time"]
    check_call(calls(response)[0], names=("get_time",))


def test_responses_tool_choice_none_and_auto(oai, server):
    response = forced(oai, server, tool_choice="none", max_output_tokens=24)
    assert calls(response) == []
    assert response.output[0].type == "message"
    assert response.output_text == response.output[0].content[0].text
    assert response.status in ("completed", "incomplete")
    auto = forced(oai, server, tool_choice="auto", max_output_tokens=40)
    for item in calls(auto):
        check_call(item)
    assert all(item.type in ("message", "function_call") for item in auto.output)


def test_responses_follow_up_and_chain(oai, server):
    first = forced(oai, server)
    call = calls(first)[0]
    result = {"type": "function_call_output", "call_id": call.call_id, "output": json.dumps({"temperature": 21, "sky": "sunny"})}
    # A follow-up turn that sends the whole conversation as items.
    items = [{"role": "user", "content": ASK}, {"type": "function_call", "call_id": call.call_id, "name": call.name,
                                                 "arguments": call.arguments}, result]
    follow = oai.responses.create(model=server.model, input=items, tools=[WEATHER, TIME], tool_choice="none", temperature=0,
                                  max_output_tokens=24)
    assert follow.output and follow.output[0].type == "message"
    # The same turn chained to the first response: the server supplies the conversation.
    chained = oai.responses.create(model=server.model, previous_response_id=first.id, input=[result], tools=[WEATHER, TIME],
                                   tool_choice="none", temperature=0, max_output_tokens=24)
    assert chained.previous_response_id == first.id
    assert chained.output and chained.output[0].type == "message"
    # The same prompt, token for token: the chained conversation is the explicit one.
    assert chained.usage.input_tokens == follow.usage.input_tokens
    if server.__class__.__name__ == "Server":
        # The embedded engine reuses the cached prompt of the earlier turns.
        assert chained.usage.input_tokens_details.cached_tokens > 0


def test_responses_text_format_json_schema(oai, server):
    schema = {"type": "object", "properties": {"city": {"type": "string", "enum": ["Paris", "Rome"]}, "days": {"type": "integer"}},
              "required": ["city", "days"], "additionalProperties": False}
    response = oai.responses.create(model=server.model, input="Plan a trip to Paris. Answer in JSON.", temperature=0,
                                    max_output_tokens=60, text={"format": {"type": "json_schema", "name": "trip", "schema": schema}})
    value = json.loads(response.output_text)
    assert value["city"] in ("Paris", "Rome") and isinstance(value["days"], int)


def test_responses_stream_reassembles(oai, server):
    # One tool: greedy decoding in another cache state may flip a near tie between tool names, never the only name.
    plain = forced(oai, server, tools=[WEATHER])
    with oai.responses.stream(model=server.model, input=ASK, tools=[WEATHER], tool_choice="required",
                              parallel_tool_calls=False, temperature=0, max_output_tokens=80) as stream:
        events = list(stream)
        final = stream.get_final_response()
    types = [event.type for event in events]
    assert types[:2] == ["response.created", "response.in_progress"]
    assert types[-1] == "response.completed"
    for needed in ("response.output_item.added", "response.function_call_arguments.delta",
                   "response.function_call_arguments.done", "response.output_item.done"):
        assert needed in types
    assert [event.sequence_number for event in events] == list(range(len(events)))
    deltas = "".join(event.delta for event in events if event.type == "response.function_call_arguments.delta")
    assert deltas == calls(final)[0].arguments
    done = [event.item for event in events if event.type == "response.output_item.done"]
    fields = lambda item: (item.id, item.type, item.call_id, item.name, item.arguments, item.status)
    assert [fields(item) for item in done] == [fields(item) for item in final.output]
    assert [(c.name, set(json.loads(c.arguments))) for c in calls(final)] == [(c.name, set(json.loads(c.arguments))) for c in calls(plain)]
    check_call(calls(final)[0], names=("get_weather",))
    assert final.status == plain.status == "completed"
    # The streamed response is stored like any other.
    assert oai.responses.retrieve(final.id).output[0].arguments == calls(final)[0].arguments


def test_responses_stream_text(oai, server):
    plain = forced(oai, server, tool_choice="none", max_output_tokens=20)
    # Not the stream helper: it insists on response.completed, and a base model may be cut by max_output_tokens.
    assert plain.output[0].type == "message"
    events = list(oai.responses.create(model=server.model, input=ASK, tools=[WEATHER, TIME], tool_choice="none", temperature=0,
                                       max_output_tokens=20, stream=True))
    final = events[-1].response
    text = "".join(event.delta for event in events if event.type == "response.output_text.delta")
    assert text and text == final.output_text
    assert [e.text for e in events if e.type == "response.output_text.done"] == [text]
    assert final.status in ("completed", "incomplete")
    assert (final.status == "incomplete") == (final.usage.output_tokens == 20)
    assert [event.sequence_number for event in events] == list(range(len(events)))
    assert "response.content_part.added" in [e.type for e in events]
    assert events[-1].type == ("response.incomplete" if final.status == "incomplete" else "response.completed")


LOGPROBS = dict(include=["message.output_text.logprobs"], top_logprobs=5)


def rebuilt(entries):
    return b"".join(bytes(entry.bytes) for entry in entries).decode("utf-8")


def test_responses_logprobs(oai, server):
    # Without tools, every generated token is text: the entries' bytes rebuild the output text exactly, Chinese included.
    request = dict(model=server.model, input="把“早上好”翻译成英文，再写一句中文问候。", temperature=0, max_output_tokens=24)
    response = oai.responses.create(**request, **LOGPROBS)
    part = response.output[0].content[0]
    assert part.type == "output_text" and part.text
    assert len(part.logprobs) == response.usage.output_tokens or len(part.logprobs) == response.usage.output_tokens - 1
    assert rebuilt(part.logprobs) == part.text
    for entry in part.logprobs:
        assert len(entry.top_logprobs) == 5
        assert entry.logprob <= 0
        # Greedy: the chosen token is the most likely one (up to rounding).
        assert entry.logprob >= max(top.logprob for top in entry.top_logprobs) - 1e-4
    # The stream's text deltas carry their tokens' entries; in order they are the text part's.
    events = list(oai.responses.create(**request, **LOGPROBS, stream=True))
    deltas = [event for event in events if event.type == "response.output_text.delta"]
    streamed = [entry for event in deltas for entry in event.logprobs]
    assert streamed and rebuilt(streamed) == "".join(event.delta for event in deltas)
    done = next(event for event in events if event.type == "response.output_text.done")
    assert [(e.token, e.logprob) for e in done.logprobs] == [(e.token, e.logprob) for e in streamed]
    final = events[-1].response.output[0].content[0]
    assert [(e.token, e.logprob) for e in final.logprobs] == [(e.token, e.logprob) for e in streamed]
    # top_logprobs alone returns nothing (as on OpenAI): the entries come with the include value.
    assert oai.responses.create(**request, top_logprobs=5).output[0].content[0].logprobs == []


def test_responses_logprobs_skip_calls(oai, server):
    # A function call has no logprobs in this API: its tokens are not put on any text part.
    response = forced(oai, server, **LOGPROBS)
    assert [item.type for item in response.output] == ["function_call"]
    check_call(response.output[0])


def test_responses_store_retrieve_delete(oai, server):
    response = forced(oai, server, input=[{"role": "user", "content": [{"type": "input_text", "text": ASK}]}])
    assert oai.responses.retrieve(response.id).id == response.id
    items = oai.responses.input_items.list(response.id)
    assert [item.type for item in items.data] == ["message"]
    assert items.data[0].content[0].text == ASK
    oai.responses.delete(response.id)
    with pytest.raises(openai.NotFoundError):
        oai.responses.retrieve(response.id)
    unstored = forced(oai, server, store=False)
    with pytest.raises(openai.NotFoundError):
        oai.responses.retrieve(unstored.id)


@pytest.mark.parametrize("extra, error", [
    ({"previous_response_id": "resp_missing"}, openai.NotFoundError),
    ({"input": [{"type": "computer_call", "call_id": "x"}]}, openai.BadRequestError),
    ({"tool_choice": {"type": "function", "name": "nope"}}, openai.BadRequestError),
    ({"input": 5}, openai.BadRequestError),
    ({"temperature": "hot"}, openai.BadRequestError),
    ({"tools": [{"type": "web_search"}]}, openai.BadRequestError),
    ({"reasoning": {"effort": "high"}}, openai.BadRequestError),
    ({"include": ["reasoning.encrypted_content"]}, openai.BadRequestError),
    ({"include": ["message.output_text.logprobs"], "top_logprobs": 21}, openai.BadRequestError),
    ({"top_logprobs": -1}, openai.BadRequestError),
])
def test_responses_bad_input(oai, server, extra, error):
    with pytest.raises(error) as raised:
        forced(oai, server, **extra)
    body = raised.value.body
    assert isinstance(body, dict) and body.get("message"), body


def test_openai_agents_sdk(server):
    """An `openai-agents` Agent with a @function_tool runs to a final answer through the server's Responses API (its
    default model class). The default model is a base model that rambles once it may answer in text, so the agent
    stops on its tool's result (`stop_on_first_tool`): the SDK's request, the call, the tool run and the final output
    all go through the server."""
    from agents import Agent, ModelSettings, OpenAIResponsesModel, Runner, function_tool, set_tracing_disabled
    set_tracing_disabled(True)
    seen = []

    @function_tool
    def get_weather(city: str) -> str:
        """Get the current weather in a city."""
        seen.append(city)
        return json.dumps({"city": city, "temperature_c": 21, "sky": "sunny"})

    client = openai.AsyncOpenAI(base_url=server.base + "/v1", api_key="unused", max_retries=0, timeout=300)
    agent = Agent(name="weather", instructions="Answer with the tools' results.", tools=[get_weather],
                  model=OpenAIResponsesModel(model=server.model, openai_client=client),
                  model_settings=ModelSettings(tool_choice="required", parallel_tool_calls=False, temperature=0, max_tokens=60),
                  tool_use_behavior="stop_on_first_tool")
    result = Runner.run_sync(agent, "What is the weather in Paris?", max_turns=3)
    assert len(seen) == 1 and isinstance(seen[0], str) and seen[0]
    assert json.loads(result.final_output) == {"city": seen[0], "temperature_c": 21, "sky": "sunny"}
    kinds = [item.type for item in result.new_items]
    assert kinds == ["tool_call_item", "tool_call_output_item"]
    assert result.raw_responses and result.raw_responses[0].response_id.startswith("resp_")


# ---- Messages API ---------------------------------------------------------------------------------------------------


def message(claude, server, **extra):
    arguments = dict(model=server.model, max_tokens=80, messages=[{"role": "user", "content": ASK}],
                     tools=[anthropic_tool(WEATHER), anthropic_tool(TIME)],
                     tool_choice={"type": "any", "disable_parallel_tool_use": True}, extra_body={"temperature": 0})
    arguments.update(extra)
    return claude.messages.create(**arguments)


def tool_uses(msg):
    return [block for block in msg.content if block.type == "tool_use"]


def check_tool_use(block, names=("get_weather", "get_time")):
    assert block.id.startswith("toolu_")
    assert block.name in names
    tool = {"get_weather": WEATHER, "get_time": TIME}[block.name]
    assert set(block.input) == set(tool["parameters"]["required"])


def test_messages_any(claude, server):
    msg = message(claude, server)
    assert msg.type == "message" and msg.role == "assistant" and msg.id.startswith("msg_")
    assert msg.stop_reason == "tool_use"
    assert len(tool_uses(msg)) == 1
    check_tool_use(tool_uses(msg)[0])
    assert msg.usage.output_tokens > 0 and msg.usage.input_tokens + (msg.usage.cache_read_input_tokens or 0) > 0


def test_messages_named_and_auto(claude, server):
    named = message(claude, server, tool_choice={"type": "tool", "name": "get_time", "disable_parallel_tool_use": True})
    assert [block.name for block in tool_uses(named)] == ["get_time"]
    auto = message(claude, server, tool_choice={"type": "auto"}, max_tokens=40)
    assert auto.stop_reason in ("end_turn", "tool_use", "max_tokens")
    for block in tool_uses(auto):
        check_tool_use(block)
    none = message(claude, server, tool_choice={"type": "none"}, max_tokens=16)
    assert tool_uses(none) == [] and none.content[0].type == "text"


def test_messages_stop_sequence(claude, server):
    # Greedy text without a stop, then the same request stopped at one of its words: the turn ends there, and the
    # response names the stop sequence (non-streamed and streamed).
    request = dict(model=server.model, max_tokens=30, messages=[{"role": "user", "content": "Tell me about Paris."}],
                   extra_body={"temperature": 0})
    free = claude.messages.create(**request)
    words = re.findall(r"[A-Za-z]{3,}", free.content[0].text)
    assert words, free.content[0].text
    stop = words[min(1, len(words) - 1)]
    stopped = claude.messages.create(**request, stop_sequences=["NEVER-APPEARS", stop])
    assert stopped.stop_reason == "stop_sequence" and stopped.stop_sequence == stop
    text = stopped.content[0].text if stopped.content else ""
    assert stop not in text and free.content[0].text.startswith(text)
    with claude.messages.stream(**request, stop_sequences=[stop]) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "stop_sequence" and final.stop_sequence == stop
    # Without a match the reason stays what it was.
    assert free.stop_reason in ("end_turn", "max_tokens") and free.stop_sequence is None


def test_messages_tool_result_turn(claude, server):
    first = message(claude, server)
    use = tool_uses(first)[0]
    follow = message(claude, server, tool_choice={"type": "none"}, max_tokens=24, messages=[
        {"role": "user", "content": ASK},
        {"role": "assistant", "content": [{"type": "tool_use", "id": use.id, "name": use.name, "input": use.input}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id,
                                      "content": [{"type": "text", "text": '{"temperature": 21}'}]}]},
    ])
    assert follow.content and follow.content[0].type == "text"
    assert follow.stop_reason in ("end_turn", "max_tokens")


def test_messages_stream(claude, server):
    plain = message(claude, server, tools=[anthropic_tool(WEATHER)])
    with claude.messages.stream(model=server.model, max_tokens=80, messages=[{"role": "user", "content": ASK}],
                                tools=[anthropic_tool(WEATHER)],
                                tool_choice={"type": "any", "disable_parallel_tool_use": True},
                                extra_body={"temperature": 0}) as stream:
        events = [event.type for event in stream]
        final = stream.get_final_message()
    assert events[0] == "message_start" and events[-1] == "message_stop"
    for needed in ("content_block_start", "content_block_delta", "content_block_stop", "message_delta"):
        assert needed in events
    assert final.stop_reason == plain.stop_reason == "tool_use"
    assert [(b.name, set(b.input)) for b in tool_uses(final)] == [(b.name, set(b.input)) for b in tool_uses(plain)]
    check_tool_use(tool_uses(final)[0], names=("get_weather",))
    assert final.usage.output_tokens > 0


def test_messages_count_tokens(claude, server):
    bare = claude.messages.count_tokens(model=server.model, messages=[{"role": "user", "content": ASK}])
    with_tools = claude.messages.count_tokens(model=server.model, messages=[{"role": "user", "content": ASK}],
                                              tools=[anthropic_tool(WEATHER), anthropic_tool(TIME)])
    assert 0 < bare.input_tokens < with_tools.input_tokens
    msg = message(claude, server, tool_choice={"type": "auto"}, max_tokens=1)
    assert msg.usage.input_tokens + (msg.usage.cache_read_input_tokens or 0) == with_tools.input_tokens


@pytest.mark.parametrize("body, status", [
    ({"messages": [{"role": "user", "content": "hi"}]}, 400),  # no max_tokens
    ({"max_tokens": 8, "messages": [{"role": "user", "content": "hi"}], "tool_choice": {"type": "tool", "name": "nope"},
      "tools": [anthropic_tool(WEATHER)]}, 400),
    ({"max_tokens": "many", "messages": [{"role": "user", "content": "hi"}]}, 400),
    ({"max_tokens": 8, "messages": [{"role": "user", "content": [{"type": "image", "source": {}}]}]}, 400),
    ({"max_tokens": 8, "messages": [{"role": "robot", "content": "hi"}]}, 400),
    ({"max_tokens": 8, "messages": "hi"}, 400),
    ({"max_tokens": 8, "model": "no-such-model", "messages": [{"role": "user", "content": "hi"}]}, 404),
])
def test_messages_bad_input(server, body, status):
    request = {"model": server.model, **body}
    got, _, text = http("POST", server.base + "/v1/messages", request)
    assert got == status, text
    error = json.loads(text)
    assert error["type"] == "error"
    assert error["error"]["type"] == {400: "invalid_request_error", 404: "not_found_error"}[status]
    assert error["error"]["message"]


def test_messages_client_raises(claude, server):
    with pytest.raises(anthropic.BadRequestError) as raised:
        claude.messages.create(model=server.model, max_tokens=8, messages=[{"role": "user", "content": "hi"}],
                               tools=[anthropic_tool(WEATHER)], tool_choice={"type": "tool", "name": "nope"})
    assert raised.value.status_code == 400
    assert "nope" in str(raised.value)
