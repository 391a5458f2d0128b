"""Issue "a server several clients can share": with two API keys, nothing crosses between them. Key B gets no cache hit
on key A's prompt (chat `cached_tokens`, messages `cache_read_input_tokens`, responses
`input_tokens_details.cached_tokens`) while its own repeated prompt is reused, and key B gets 404 for key A's stored
responses on every route. Driven by the official clients."""

import anthropic
import openai
import pytest

from conftest import http

KEY_A = "k-tenant-a"
KEY_B = "k-tenant-b"
# A prompt long enough that a cache hit is unmistakable (hundreds of tokens). Each test starts it with its own tag, so
# that no test's prompt shares a prefix with another's (a key's own earlier prompt would be a legitimate hit).
SYSTEM = "You are the catalogue assistant of a hardware shop. " + " ".join(
    f"Item {i} is a {w} that costs {i * 3} dollars and ships in {i % 5 + 1} days." for i, w in
    enumerate(["hammer", "saw", "drill", "wrench", "level", "clamp", "chisel", "file", "plane", "vise"] * 2))


@pytest.fixture
def shared(tmp_path_factory):
    """A fresh two-key server per test: no cell of another test's prompts, so every count below is exact."""
    from conftest import Server
    keys = tmp_path_factory.mktemp("keys") / "keys.txt"
    keys.write_text(KEY_B + "\n")
    s = Server("--api-key", KEY_A, "--api-key-file", str(keys), parallel=2)
    yield s
    assert s.stop() == 0, s.output()


def oai(s, key):
    return openai.OpenAI(base_url=s.base + "/v1", api_key=key, max_retries=0, timeout=300)


def claude(s, key):
    return anthropic.Anthropic(base_url=s.base, api_key=key, max_retries=0, timeout=300)


def chat_cached(s, key, question):
    response = oai(s, key).chat.completions.create(
        model=s.model, max_tokens=2, temperature=0,
        messages=[{"role": "system", "content": "Chat. " + SYSTEM}, {"role": "user", "content": question}])
    return response.usage.prompt_tokens_details.cached_tokens, response.usage.prompt_tokens


def test_chat_cache_is_per_key(shared):
    _, prompt_tokens = chat_cached(shared, KEY_A, "What does the drill cost?")
    assert prompt_tokens > 300
    hit_a, _ = chat_cached(shared, KEY_A, "What does the drill cost?")
    assert hit_a >= prompt_tokens - 10, "key A reuses its own prompt"
    hit_b, _ = chat_cached(shared, KEY_B, "What does the drill cost?")
    assert hit_b == 0, f"key B saw {hit_b} cached tokens of key A's prompt"
    again_b, _ = chat_cached(shared, KEY_B, "What does the drill cost?")
    assert again_b >= prompt_tokens - 10, "key B reuses its own prompt"


def test_messages_cache_is_per_key(shared):
    def ask(key):
        message = claude(shared, key).messages.create(
            model=shared.model, max_tokens=2, system="Messages. " + SYSTEM, messages=[{"role": "user", "content": "How long for the saw?"}])
        return message.usage.cache_read_input_tokens or 0
    ask(KEY_A)
    assert ask(KEY_A) > 300
    assert ask(KEY_B) == 0
    assert ask(KEY_B) > 300


def test_responses_cache_and_store_are_per_key(shared):
    a = oai(shared, KEY_A)
    b = oai(shared, KEY_B)
    instructions = "Responses. " + SYSTEM
    first = a.responses.create(model=shared.model, instructions=instructions, input="Which item is the vise?", max_output_tokens=16)
    again = a.responses.create(model=shared.model, instructions=instructions, input="Which item is the vise?", max_output_tokens=16)
    assert again.usage.input_tokens_details.cached_tokens > 300
    other = b.responses.create(model=shared.model, instructions=instructions, input="Which item is the vise?", max_output_tokens=16)
    assert other.usage.input_tokens_details.cached_tokens == 0

    # Key A's stored response is key A's: B gets 404 on every route, A still reads it.
    assert a.responses.retrieve(first.id).id == first.id
    with pytest.raises(openai.NotFoundError):
        b.responses.retrieve(first.id)
    with pytest.raises(openai.NotFoundError):
        b.responses.input_items.list(first.id)
    with pytest.raises(openai.NotFoundError):
        b.responses.create(model=shared.model, input="And the saw?", previous_response_id=first.id, max_output_tokens=8)
    with pytest.raises(openai.NotFoundError):
        b.responses.delete(first.id)
    status, _, _ = http("GET", shared.base + f"/v1/responses/{first.id}", headers={"Authorization": "Bearer " + KEY_B})
    assert status == 404
    # Still there for A after B's attempts, and A can continue from it.
    follow = a.responses.create(model=shared.model, input="And the saw?", previous_response_id=first.id, max_output_tokens=8)
    assert follow.id != first.id
    a.responses.delete(first.id)
    with pytest.raises(openai.NotFoundError):
        a.responses.retrieve(first.id)
