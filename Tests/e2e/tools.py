"""The tools and the request the openai-client tests send, to the embedded engine and through remote engines."""

import json

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "enum": ["Paris", "London", "Tokyo"]},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city", "unit"],
        },
    },
}
TIME = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Get the current time in a timezone",
        "parameters": {
            "type": "object",
            "properties": {"timezone": {"type": "string", "enum": ["UTC", "CET"]}},
            "required": ["timezone"],
        },
    },
}
ASK = [{"role": "user", "content": "What is the weather in Paris, in celsius?"}]


def check_call(call, names=("get_weather", "get_time")):
    assert call.type == "function"
    assert call.id.startswith("call_")
    assert call.function.name in names
    arguments = json.loads(call.function.arguments)
    assert isinstance(arguments, dict)
    tool = {"get_weather": WEATHER, "get_time": TIME}[call.function.name]
    assert set(arguments) == set(tool["function"]["parameters"]["required"])
    return arguments
