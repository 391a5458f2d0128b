"""Log probabilities and logit bias (issue 13) with the official `openai` client, against the embedded engine and
against `functionary serve --engine-url` in front of two `llama-server`s (remote_setup.py)."""

import functools

import openai
import pytest

from remote_setup import MODEL, remote_stack

SEA = [{"role": "user", "content": "Write one short sentence about the sea."}]
CHINESE = [{"role": "user", "content": "用中文写一句关于大海的话。"}]


@pytest.fixture(scope="module", params=["embedded", "remote"])
def server(request):
    if request.param == "embedded":
        yield request.getfixturevalue("embedded_server")
        return
    with remote_stack("logprobs") as (front, _):
        yield front


@pytest.fixture(scope="module")
def client(server):
    return openai.OpenAI(base_url=server.base + "/v1", api_key="unused", max_retries=0, timeout=300)


@functools.cache
def vocabulary():
    """The default model's tokens (SentencePiece pieces, "▁" for a space), by id."""
    from gguf import GGUFReader
    field = GGUFReader(str(MODEL)).fields["tokenizer.ggml.tokens"]
    return [bytes(field.parts[i]).decode("utf-8", errors="replace") for i in field.data]


def token_id(text):
    return vocabulary().index(text.replace(" ", "▁"))


def chat(client, server, messages, **options):
    return client.chat.completions.create(model=server.model, messages=messages, temperature=0, seed=3, **options)


@pytest.mark.parametrize("messages", [SEA, CHINESE], ids=["english", "chinese"])
def test_chat_logprobs_streamed_and_not(client, server, messages):
    response = chat(client, server, messages, max_tokens=24, logprobs=True, top_logprobs=5)
    choice = response.choices[0]
    entries = choice.logprobs.content
    assert entries, response
    for entry in entries:
        assert 1 <= len(entry.top_logprobs) <= 5
        # temperature 0: the chosen token is the most likely one
        assert entry.logprob >= max(top.logprob for top in entry.top_logprobs) - 1e-4, entry
        assert entry.token == entry.top_logprobs[0].token or abs(entry.logprob - entry.top_logprobs[0].logprob) < 1e-4
    text = bytes(b for entry in entries for b in entry.bytes).decode("utf-8", errors="replace")
    assert text.strip() == choice.message.content.strip()
    if messages is CHINESE:
        assert any("\u4e00" <= c <= "\u9fff" for c in text), text

    streamed, streamed_text = [], ""
    for chunk in chat(client, server, messages, max_tokens=24, logprobs=True, top_logprobs=5, stream=True):
        if not chunk.choices:
            continue
        streamed_text += chunk.choices[0].delta.content or ""
        if chunk.choices[0].logprobs and chunk.choices[0].logprobs.content:
            streamed += chunk.choices[0].logprobs.content
    assert [e.token for e in streamed] == [e.token for e in entries]
    assert [e.bytes for e in streamed] == [e.bytes for e in entries]
    assert all(abs(a.logprob - b.logprob) < 1e-3 for a, b in zip(streamed, entries))
    assert [[t.token for t in e.top_logprobs] for e in streamed] == [[t.token for t in e.top_logprobs] for e in entries]
    assert bytes(b for entry in streamed for b in entry.bytes).decode("utf-8", errors="replace").strip() == streamed_text.strip()


def test_chat_without_logprobs_has_none(client, server):
    response = chat(client, server, SEA, max_tokens=4)
    assert response.choices[0].logprobs is None


def test_completions_legacy_shape(client, server):
    prompt = "<start_of_turn>user\nWrite one short sentence about the sea.<end_of_turn>\n<start_of_turn>model\n"
    response = client.completions.create(model=server.model, prompt=prompt, max_tokens=12, temperature=0, logprobs=3)
    choice = response.choices[0]
    logprobs = choice.logprobs
    assert len(logprobs.tokens) == len(logprobs.token_logprobs) == len(logprobs.top_logprobs) == len(logprobs.text_offset)
    assert logprobs.tokens and "".join(logprobs.tokens) == choice.text
    assert logprobs.text_offset[0] == 0
    assert logprobs.text_offset == sorted(logprobs.text_offset)
    for token, logprob, top in zip(logprobs.tokens, logprobs.token_logprobs, logprobs.top_logprobs):
        assert 1 <= len(top) <= 3
        assert logprob <= 0 and logprob >= max(top.values()) - 1e-4
    offsets = []
    for chunk in client.completions.create(model=server.model, prompt=prompt, max_tokens=12, temperature=0, logprobs=3,
                                           stream=True):
        if chunk.choices and chunk.choices[0].logprobs:
            offsets += chunk.choices[0].logprobs.text_offset
    assert offsets == logprobs.text_offset


def test_logit_bias_bans_and_forces(client, server):
    greedy = chat(client, server, SEA, max_tokens=3, logprobs=True)
    first = greedy.choices[0].logprobs.content[0].token
    banned = chat(client, server, SEA, max_tokens=3, logprobs=True, logit_bias={str(token_id(first)): -100})
    assert banned.choices[0].logprobs.content[0].token != first

    forced = chat(client, server, SEA, max_tokens=3, logit_bias={str(token_id(" banana")): 100})
    assert "banana" in forced.choices[0].message.content


@pytest.mark.parametrize("bias, key", [
    ({"abc": 1}, "abc"), ({"1099511627776": 1}, "1099511627776"), ({"300000": 1}, "300000"), ({"-5": 1}, "-5"),
    ({"5": 101}, "5"), ({"5": -100.5}, "5"),
])
def test_bad_logit_bias_is_a_400_naming_the_key(client, server, bias, key):
    with pytest.raises(openai.BadRequestError) as caught:
        chat(client, server, SEA, max_tokens=2, logit_bias=bias)
    error = caught.value.body
    assert error["param"] == "logit_bias", error
    assert f"'{key}'" in error["message"], error


def test_bad_top_logprobs_is_a_400(client, server):
    with pytest.raises(openai.BadRequestError) as caught:
        chat(client, server, SEA, max_tokens=2, logprobs=True, top_logprobs=21)
    assert caught.value.body["param"] == "top_logprobs"
