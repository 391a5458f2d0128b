/*
 * functionary_grammar.h - what llama.cpp's grammar sampler forces next, for jump-forward decoding.
 *
 * Built by scripts/deps.sh into .deps/lib/libfunctionary_grammar.a against the pinned llama.cpp tree (it reads
 * the grammar's parse stacks, which only llama.cpp's internal header describes).
 */
#ifndef FUNCTIONARY_GRAMMAR_H
#define FUNCTIONARY_GRAMMAR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct llama_sampler;

/*
 * The text every continuation allowed by a grammar sampler (llama_sampler_init_grammar) starts with, from its
 * current state: UTF-8 written to `out` (at most `capacity` bytes, not NUL-terminated), at most `max_chars`
 * characters. Returns the byte count: 0 when the next character is not forced (alternatives, a class, a token
 * reference, or the grammar may end here), when the state is inside a multi-byte character, or when `sampler`
 * is not a grammar sampler. Also the characters the grammar allows right after that text: written to `next` (at
 * most `*next_count` of them), `*next_count` set to their number, or to -1 when they are not a small known set (a
 * class with a wide range, any character, a token, more than the room given). The sampler's state is left as it
 * was.
 */
size_t fgrammar_forced_prefix(
    struct llama_sampler * sampler, char * out, size_t capacity, int max_chars, unsigned int * next, int * next_count);

#ifdef __cplusplus
}
#endif

#endif /* FUNCTIONARY_GRAMMAR_H */
