"""A server several clients share (issue 20), on the real binary and the default model: a keyless server on
127.0.0.1 that web pages cannot use (foreign Host, foreign Origin, non-JSON posts are refused, while the official
clients and same-origin requests work), and tenants (one per API key) that cannot see each other's stored responses.
"""

import http.client
import json

import anthropic
import openai
import pytest

USER = [{"role": "user", "content": "Say hi."}]


def raw(s, path, body, headers):
    """One request with exactly these headers (http.client adds no Host of its own: skip_host)."""
    connection = http.client.HTTPConnection("127.0.0.1", s.port, timeout=120)
    try:
        connection.putrequest("POST", path, skip_host=True, skip_accept_encoding=True)
        data = body.encode() if isinstance(body, str) else body
        for name, value in {"Content-Length": str(len(data)), **headers}.items():
            connection.putheader(name, value)
        connection.endheaders(data)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def keyless(request):
    from conftest import Server
    s = Server(parallel=2)
    yield s
    assert s.stop() == 0, s.output()


def chat_body(s):
    return json.dumps({"model": s.model, "messages": USER, "max_tokens": 4})


def test_foreign_host_is_refused(keyless):
    """A DNS-rebinding page: its requests carry the attacker's name in Host."""
    host = f"127.0.0.1:{keyless.port}"
    for path, body in [("/v1/chat/completions", chat_body(keyless)),
                       ("/v1/messages", json.dumps({"model": keyless.model, "max_tokens": 4, "messages": USER}))]:
        status, text = raw(keyless, path, body, {"Host": f"rebind.attacker.example:{keyless.port}", "Content-Type": "application/json"})
        assert status == 403, text
        error = json.loads(text)
        if path == "/v1/messages":
            assert error["type"] == "error" and error["error"]["type"] == "permission_error", error
        else:
            assert error["error"]["code"] == "host_not_allowed", error
    assert raw(keyless, "/v1/chat/completions", chat_body(keyless), {"Host": host, "Content-Type": "application/json"})[0] == 200
    assert raw(keyless, "/v1/chat/completions", chat_body(keyless),
               {"Host": f"localhost:{keyless.port}", "Content-Type": "application/json"})[0] == 200


def test_foreign_origin_is_refused_and_same_origin_served(keyless):
    host = f"127.0.0.1:{keyless.port}"
    for origin in ["http://evil.example", "null", "http://localhost:3000"]:
        status, text = raw(keyless, "/v1/chat/completions", chat_body(keyless),
                           {"Host": host, "Origin": origin, "Content-Type": "application/json"})
        assert status == 403, f"{origin}: {text}"
        assert json.loads(text)["error"]["code"] == "origin_not_allowed"
    status, text = raw(keyless, "/v1/chat/completions", chat_body(keyless),
                       {"Host": host, "Origin": f"http://{host}", "Content-Type": "application/json"})
    assert status == 200, text


def test_text_plain_is_refused(keyless):
    """What a page can post without a preflight: text/plain, a form."""
    host = f"127.0.0.1:{keyless.port}"
    for content_type in ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded"]:
        status, text = raw(keyless, "/v1/chat/completions", chat_body(keyless), {"Host": host, "Content-Type": content_type})
        assert status == 415, f"{content_type}: {text}"
        assert json.loads(text)["error"]["code"] == "unsupported_media_type"
    status, text = raw(keyless, "/v1/messages", json.dumps({"model": keyless.model, "max_tokens": 4, "messages": USER}),
                       {"Host": host, "Content-Type": "text/plain"})
    assert status == 415 and json.loads(text)["type"] == "error", text
    status, text = raw(keyless, "/v1/chat/completions", chat_body(keyless),
                       {"Host": host, "Content-Type": "application/json; charset=utf-8"})
    assert status == 200, text


def test_official_clients_work(keyless):
    oai = openai.OpenAI(base_url=keyless.base + "/v1", api_key="unused", max_retries=0, timeout=300)
    chat = oai.chat.completions.create(model=keyless.model, messages=USER, max_tokens=4)
    assert chat.choices[0].message.role == "assistant"
    response = oai.responses.create(model=keyless.model, input="Say hi.", max_output_tokens=4)
    assert oai.responses.retrieve(response.id).id == response.id
    claude = anthropic.Anthropic(base_url=keyless.base, api_key="unused", max_retries=0, timeout=300)
    message = claude.messages.create(model=keyless.model, max_tokens=4, messages=USER)
    assert message.role == "assistant"
    assert claude.messages.count_tokens(model=keyless.model, messages=USER).input_tokens > 0
    with oai.chat.completions.create(model=keyless.model, messages=USER, max_tokens=4, stream=True) as stream:
        assert any(True for _ in stream)


def test_tenants_cannot_see_each_others_responses(start_server):
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("tenant-a-key\ntenant-b-key\n")
    two = start_server("--api-key-file", f.name, parallel=2)
    a = openai.OpenAI(base_url=two.base + "/v1", api_key="tenant-a-key", max_retries=0, timeout=300)
    b = openai.OpenAI(base_url=two.base + "/v1", api_key="tenant-b-key", max_retries=0, timeout=300)
    model = openai.OpenAI(base_url=two.base + "/v1", api_key="tenant-a-key").models.list().data[0].id
    created = a.responses.create(model=model, input="Say hi.", max_output_tokens=4)
    assert a.responses.retrieve(created.id).id == created.id
    for call in (lambda: b.responses.retrieve(created.id), lambda: b.responses.input_items.list(created.id),
                 lambda: b.responses.delete(created.id),
                 lambda: b.responses.create(model=model, input="More.", max_output_tokens=4, previous_response_id=created.id)):
        with pytest.raises(openai.NotFoundError):
            call()
    assert a.responses.retrieve(created.id).id == created.id
    chained = a.responses.create(model=model, input="More.", max_output_tokens=4, previous_response_id=created.id)
    assert chained.id != created.id
    assert two.process.poll() is None
