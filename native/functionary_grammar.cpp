// functionary_grammar.cpp - see functionary_grammar.h.
//
// A grammar sampler's state is a set of parse stacks; the top of each stack is the terminal that stack expects
// next. The next character is forced when every stack expects the same single character (a plain CHAR element,
// not a class, a range or a token). Advancing the grammar by that character (llama_grammar_accept) gives the next
// state; repeated, that spells the forced text (and the tops of the stacks then are the characters allowed after it).
// The stacks are restored afterwards: the sampler itself advances
// when the engine accepts the tokens of that text.

#include "functionary_grammar.h"

#include "llama.h"
#include "llama-grammar.h"

#include <cstring>
#include <string>
#include <utility>

namespace {

// The context of llama.cpp's grammar sampler (llama-sampler.cpp, pinned source): its layout, and nothing else,
// is assumed here; the sampler's name is checked first.
struct grammar_sampler_context {
    const llama_vocab * vocab;
    std::string grammar_str;
    std::string grammar_root;
    llama_grammar * grammar;
};

size_t append_utf8(uint32_t c, char * out) {
    if (c < 0x80) { out[0] = (char) c; return 1; }
    if (c < 0x800) { out[0] = (char) (0xC0 | (c >> 6)); out[1] = (char) (0x80 | (c & 0x3F)); return 2; }
    if (c < 0x10000) {
        out[0] = (char) (0xE0 | (c >> 12)); out[1] = (char) (0x80 | ((c >> 6) & 0x3F)); out[2] = (char) (0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char) (0xF0 | (c >> 18)); out[1] = (char) (0x80 | ((c >> 12) & 0x3F));
    out[2] = (char) (0x80 | ((c >> 6) & 0x3F)); out[3] = (char) (0x80 | (c & 0x3F));
    return 4;
}

// The character every stack expects next, or false.
bool forced_char(const llama_grammar_stacks & stacks, uint32_t & chr) {
    if (stacks.empty()) return false;
    bool first = true;
    for (const auto & stack : stacks) {
        if (stack.empty()) return false;  // this parse may end here
        const llama_grammar_element * pos = stack.back();
        if (pos->type != LLAMA_GRETYPE_CHAR) return false;
        if (pos[1].type == LLAMA_GRETYPE_CHAR_ALT || pos[1].type == LLAMA_GRETYPE_CHAR_RNG_UPPER) return false;
        if (first) {
            chr = pos->value;
            first = false;
        } else if (pos->value != chr) {
            return false;
        }
    }
    return chr != 0;
}

// The characters the stacks allow next (each stack's top: a char, its alternatives and small ranges), or false
// when that is not a small known set. A stack that may end here adds none (the end joins no token).
bool next_chars(const llama_grammar_stacks & stacks, unsigned int * next, int capacity, int & count) {
    count = 0;
    auto add = [&](uint32_t c) {
        for (int i = 0; i < count; i++) if (next[i] == c) return true;
        if (count >= capacity) return false;
        next[count++] = c;
        return true;
    };
    for (const auto & stack : stacks) {
        if (stack.empty()) continue;
        const llama_grammar_element * pos = stack.back();
        if (pos->type != LLAMA_GRETYPE_CHAR) return false;
        do {
            uint32_t low = pos->value, high = pos->value;
            if (pos[1].type == LLAMA_GRETYPE_CHAR_RNG_UPPER) { high = pos[1].value; pos++; }
            if (high < low || high - low > 16) return false;
            for (uint32_t c = low; c <= high; c++) if (!add(c)) return false;
            pos++;
        } while (pos->type == LLAMA_GRETYPE_CHAR_ALT);
    }
    return true;
}

}  // namespace

extern "C" size_t fgrammar_forced_prefix(
    struct llama_sampler * sampler, char * out, size_t capacity, int max_chars, unsigned int * next, int * next_count) {
    const int room = next_count != nullptr ? *next_count : 0;
    if (next_count != nullptr) *next_count = -1;
    if (sampler == nullptr || out == nullptr || max_chars <= 0) return 0;
    const char * name = llama_sampler_name(sampler);
    if (name == nullptr || std::strcmp(name, "grammar") != 0 || sampler->ctx == nullptr) return 0;
    auto * context = static_cast<grammar_sampler_context *>(sampler->ctx);
    llama_grammar * grammar = context->grammar;
    if (grammar == nullptr || grammar->partial_utf8.n_remain != 0 || grammar->awaiting_trigger) return 0;

    size_t length = 0;
    uint32_t chr = 0;
    if (!forced_char(grammar->stacks, chr)) return 0;
    llama_grammar_stacks saved = grammar->stacks;
    try {
        for (int i = 0; i < max_chars && length + 4 <= capacity; i++) {
            if (i > 0 && !forced_char(grammar->stacks, chr)) break;
            length += append_utf8(chr, out + length);
            llama_grammar_accept(grammar, chr);
        }
        int count = 0;
        if (next != nullptr && next_count != nullptr && next_chars(grammar->stacks, next, room < 0 ? 0 : room, count)) {
            *next_count = count;
        }
    } catch (...) {
        length = 0;
    }
    grammar->stacks = std::move(saved);
    return length;
}
