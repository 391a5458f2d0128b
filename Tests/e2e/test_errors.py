"""Every client mistake gets OpenAI's error shape with the right status, over raw HTTP."""

import json

import pytest

from conftest import http

USER = [{"role": "user", "content": "Hi"}]
TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}}}


def body(server, **fields):
    return {"model": server.model, "messages": USER, **fields}


CASES = [
    # (name, body factory, status, exact message or None, param)
    ("malformed JSON", lambda s: '{"model": "x", "messages": [', 400, None, None),
    ("wrong type", lambda s: body(s, messages="hello"), 400, None, "messages"),
    ("missing model", lambda s: {"messages": USER}, 400, "'model' is a required property", "model"),
    ("missing messages", lambda s: {"model": s.model}, 400, "'messages' is a required property", "messages"),
    ("empty messages", lambda s: body(s, messages=[]), 400, "'messages' must contain at least one message.", "messages"),
    ("unknown role", lambda s: body(s, messages=[{"role": "wizard", "content": "Hi"}]), 400, None, "messages[0].role"),
    ("unknown tool_call_id", lambda s: body(s, tools=[TOOL], messages=USER + [
        {"role": "assistant", "content": None,
         "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_2", "content": "sunny"}]), 400, None, "messages[2].tool_call_id"),
    ("tools and functions", lambda s: body(s, tools=[TOOL], functions=[TOOL["function"]]), 400,
     "'functions' and 'tools' cannot both be provided. 'functions' are deprecated; use the 'tools' parameter instead.", None),
    ("tool_choice without tools", lambda s: body(s, tool_choice="auto"), 400,
     "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", "tool_choice"),
    ("named tool not in tools", lambda s: body(s, tools=[TOOL], tool_choice={"type": "function", "function": {"name": "x"}}),
     400, "Invalid value for 'tool_choice': no function named x was specified in the 'tools' parameter", "tool_choice"),
    ("invalid tool_choice", lambda s: body(s, tools=[TOOL], tool_choice="sometimes"), 400,
     "Invalid value: 'sometimes'. Supported values are: 'none', 'auto', and 'required'.", "tool_choice"),
    ("invalid function_call", lambda s: body(s, functions=[TOOL["function"]], function_call="always"), 400,
     "Invalid value: 'always'. Supported values are: 'none' and 'auto'.", "function_call"),
    ("unknown model", lambda s: {"model": "gpt-404", "messages": USER}, 404, "The model `gpt-404` does not exist.", "model"),
    ("temperature out of range", lambda s: body(s, temperature=5), 400, None, "temperature"),
]


@pytest.mark.parametrize("name,make,status,message,param", CASES, ids=[c[0] for c in CASES])
def test_error(server, name, make, status, message, param):
    code, headers, text = http("POST", server.base + "/v1/chat/completions", make(server))
    assert code == status, text
    assert headers.get("Content-Type") == "application/json"
    error = json.loads(text)["error"]
    assert list(error) == ["message", "type", "param", "code"]
    assert error["type"] == "invalid_request_error"
    if message is not None:
        assert error["message"] == message
    else:
        assert error["message"]
    assert error["param"] == param


def test_context_overflow_names_the_numbers(server):
    long = [{"role": "user", "content": "word " * 1500}]
    code, _, text = http("POST", server.base + "/v1/chat/completions", body(server, messages=long, max_tokens=1000))
    assert code == 400, text
    message = json.loads(text)["error"]["message"]
    assert message.startswith("This model's maximum context length is 2048 tokens. However, you requested ")
    assert "in the messages, 1000 in the completion)" in message


def test_body_over_the_limit_is_413(server):
    big = json.dumps(body(server, messages=[{"role": "user", "content": "a" * (9 * 1024 * 1024)}]))
    code, _, text = http("POST", server.base + "/v1/chat/completions", big)
    assert code == 413, text
    assert json.loads(text)["error"]["message"] == "The request body is larger than the server's limit of 8388608 bytes."


def test_unknown_endpoint_is_404_json(server):
    code, _, text = http("GET", server.base + "/v1/nothing")
    assert code == 404
    assert "error" in json.loads(text)


def test_api_key(start_server):
    s = start_server("--api-key", "sekret", "--served-model-name", "fn")
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        code, _, text = http("POST", s.base + "/v1/chat/completions", {"model": "fn", "messages": USER}, headers=headers)
        assert code == 401, text
        assert json.loads(text)["error"]["type"] == "authentication_error"
    code, _, _ = http("POST", s.base + "/v1/chat/completions", {"model": "fn", "messages": USER, "max_tokens": 2},
                      headers={"Authorization": "Bearer sekret"})
    assert code == 200
    assert http("GET", s.base + "/health")[0] == 200
