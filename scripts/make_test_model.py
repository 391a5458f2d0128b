#!/usr/bin/env python3
"""Write a tiny random-weight llama-architecture GGUF for tests.

The model is useless as a language model but exercises the whole llama.cpp
path: SentencePiece-style ("llama") tokenizer with byte fallback, the four
Functionary v2 control tokens, a v2 chat template, and a 2-layer transformer.

Usage: make_test_model.py OUTPUT.gguf
Deterministic: same output bytes for the same gguf/numpy versions.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import gguf

ARCH = "llama"
N_EMBD = 64
N_LAYER = 2
N_HEAD = 4
N_HEAD_KV = 4
N_FF = 128
N_CTX = 2048
RMS_EPS = 1e-5
ROPE_BASE = 10000.0
SEED = 1234

SPACE = "\u2581"  # SentencePiece word-boundary marker "▁"

SPECIAL_TOKENS = ["<|from|>", "<|recipient|>", "<|content|>", "<|stop|>"]

# Functionary v2 chat template (as shipped with functionary-small-v2.x).
CHAT_TEMPLATE = (
    "{# version=v2 #}"
    "{% for message in messages %}"
    "{% if message['role'] == 'user' or message['role'] == 'system' %}"
    "{{ '<|from|>' + message['role'] + '\\n<|recipient|>all\\n<|content|>' + message['content'] + '\\n' }}"
    "{% elif message['role'] == 'tool' %}"
    "{{ '<|from|>' + message['name'] + '\\n<|recipient|>all\\n<|content|>' + message['content'] + '\\n' }}"
    "{% else %}"
    "{% set contain_content='no' %}"
    "{% if message['content'] is not none %}"
    "{{ '<|from|>assistant\\n<|recipient|>all\\n<|content|>' + message['content'] }}"
    "{% set contain_content='yes' %}"
    "{% endif %}"
    "{% if 'tool_calls' in message and message['tool_calls'] is not none %}"
    "{% for tool_call in message['tool_calls'] %}"
    "{% set prompt='<|from|>assistant\\n<|recipient|>' + tool_call['function']['name'] + '\\n<|content|>' + tool_call['function']['arguments'] %}"
    "{% if loop.index == 1 and contain_content == 'no' %}{{ prompt }}{% else %}{{ '\\n' + prompt }}{% endif %}"
    "{% endfor %}"
    "{% endif %}"
    "{{ '<|stop|>\\n' }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|from|>assistant\\n<|recipient|>' }}{% endif %}"
)

WORDS = [
    "the", "weather", "get", "get_weather", "all", "python", "location", "city",
    "name", "arguments", "user", "assistant", "system", "function", "functions",
    "tool", "call", "content", "recipient", "from", "stop", "hello", "world",
    "what", "is", "in", "today", "temperature", "unit", "celsius", "fahrenheit",
    "type", "object", "string", "number", "integer", "boolean", "array",
    "properties", "required", "description", "true", "false", "null",
    "San", "Francisco", "Paris", "Tokyo", "namespace",
]
SYMBOLS = list("{}[]\":,_-.?!'()=/<>|;*+#@$%&") + ["{\"", "\":", "\",", "\"}", "\":\"", "//", "=>"]


def build_vocab() -> tuple[list[str], list[float], list[int]]:
    tokens: list[str] = []
    scores: list[float] = []
    types: list[int] = []
    seen: set[str] = set()

    def add(text: str, ttype: int, score: float) -> None:
        if text in seen:
            return
        seen.add(text)
        tokens.append(text)
        scores.append(score)
        types.append(ttype)

    T = gguf.TokenType
    add("<unk>", T.UNKNOWN, 0.0)
    add("<s>", T.CONTROL, 0.0)
    add("</s>", T.CONTROL, 0.0)
    for s in SPECIAL_TOKENS:
        add(s, T.CONTROL, 0.0)
    for b in range(256):
        add(f"<0x{b:02X}>", T.BYTE, 0.0)

    # Normal pieces. SentencePiece merging in llama.cpp joins adjacent symbols
    # only when the joined text is a token, so every prefix of a word is added
    # too; longer pieces get higher scores so they win merges.
    pieces: list[str] = [SPACE]
    pieces += [chr(c) for c in range(ord("a"), ord("z") + 1)]
    pieces += [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    pieces += [str(d) for d in range(10)]
    pieces += SYMBOLS
    pieces += [SPACE + s for s in ["{", "\"", "{\"", "[", "("]]
    for w in WORDS:
        for form in (SPACE + w, w):
            for i in range(2, len(form) + 1):
                pieces.append(form[:i])
    for p in pieces:
        add(p, T.NORMAL, -1000.0 + 10.0 * len(p))

    return tokens, scores, types


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    tmp = out + ".tmp"

    tokens, scores, types = build_vocab()
    n_vocab = len(tokens)
    tid = {t: i for i, t in enumerate(tokens)}

    rng = np.random.default_rng(SEED)

    def mat(rows: int, cols: int, std: float = 0.08) -> np.ndarray:
        # numpy shape (rows, cols) == ggml ne {cols, rows}
        return (rng.standard_normal((rows, cols)) * std).astype(np.float16)

    def norm(n: int) -> np.ndarray:
        return np.ones((n,), dtype=np.float32)

    head_dim = N_EMBD // N_HEAD
    n_embd_kv = head_dim * N_HEAD_KV

    w = gguf.GGUFWriter(tmp, ARCH)
    w.add_name("tiny-functionary-v2")
    w.add_description("Random-weight test model for Functionary for Swift (not a real LLM)")
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    w.add_vocab_size(n_vocab)
    w.add_context_length(N_CTX)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD_KV)
    w.add_layer_norm_rms_eps(RMS_EPS)
    w.add_rope_dimension_count(head_dim)
    w.add_rope_freq_base(ROPE_BASE)

    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_unk_token_id(tid["<unk>"])
    w.add_bos_token_id(tid["<s>"])
    w.add_eos_token_id(tid["</s>"])
    w.add_eot_token_id(tid["<|stop|>"])
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    w.add_add_space_prefix(True)
    w.add_chat_template(CHAT_TEMPLATE)

    # ggml ne {n_embd, n_vocab}
    w.add_tensor("token_embd.weight", mat(n_vocab, N_EMBD))
    for i in range(N_LAYER):
        p = f"blk.{i}."
        w.add_tensor(p + "attn_norm.weight", norm(N_EMBD))
        w.add_tensor(p + "attn_q.weight", mat(N_EMBD, N_EMBD))        # {n_embd, n_embd}
        w.add_tensor(p + "attn_k.weight", mat(n_embd_kv, N_EMBD))     # {n_embd, n_embd_kv}
        w.add_tensor(p + "attn_v.weight", mat(n_embd_kv, N_EMBD))     # {n_embd, n_embd_kv}
        w.add_tensor(p + "attn_output.weight", mat(N_EMBD, N_EMBD))   # {n_embd, n_embd}
        w.add_tensor(p + "ffn_norm.weight", norm(N_EMBD))
        w.add_tensor(p + "ffn_gate.weight", mat(N_FF, N_EMBD))        # {n_embd, n_ff}
        w.add_tensor(p + "ffn_up.weight", mat(N_FF, N_EMBD))          # {n_embd, n_ff}
        w.add_tensor(p + "ffn_down.weight", mat(N_EMBD, N_FF))        # {n_ff, n_embd}
    w.add_tensor("output_norm.weight", norm(N_EMBD))
    w.add_tensor("output.weight", mat(n_vocab, N_EMBD))               # {n_embd, n_vocab}

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    os.replace(tmp, out)

    size = os.path.getsize(out)
    ids = ", ".join(f"{s}={tid[s]}" for s in SPECIAL_TOKENS)
    print(f"wrote {out}: {size} bytes, n_vocab={n_vocab}, special ids: {ids}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
