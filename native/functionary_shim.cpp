// functionary_shim.cpp - C wrappers around llama.cpp common (see functionary_shim.h).
//
// Built by scripts/deps.sh into .deps/lib/libfunctionary_shim.a against the
// pinned llama.cpp tree in .deps/src/llama.cpp. At this llama.cpp version the
// schema converter takes `common_json` (an insertion-ordered JSON wrapper around
// nlohmann::ordered_json) rather than nlohmann::ordered_json directly.

#include "functionary_shim.h"

#include "json-schema-to-grammar.h"
#include "json.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

namespace {

char * dup_string(const std::string & s) {
    char * out = static_cast<char *>(std::malloc(s.size() + 1));
    if (out != nullptr) {
        std::memcpy(out, s.data(), s.size());
        out[s.size()] = '\0';
    }
    return out;
}

void set_error(char ** error, const std::string & msg) {
    if (error != nullptr) {
        *error = dup_string(msg);
    }
}

} // namespace

extern "C" char * fshim_json_schema_to_gbnf(const char * schema_json, char ** error) {
    if (error != nullptr) {
        *error = nullptr;
    }
    if (schema_json == nullptr) {
        set_error(error, "schema_json is NULL");
        return nullptr;
    }
    try {
        const common_json schema = common_json::parse(std::string(schema_json));
        // force_gbnf=true: always GBNF, even if llama.cpp was built with LLGuidance
        std::string grammar = json_schema_to_grammar(schema, /*force_gbnf=*/true);
        char * out = dup_string(grammar);
        if (out == nullptr) {
            set_error(error, "out of memory");
        }
        return out;
    } catch (const std::exception & e) {
        set_error(error, e.what());
    } catch (...) {
        set_error(error, "unknown error while converting JSON schema to grammar");
    }
    return nullptr;
}

extern "C" void fshim_free(void * p) {
    std::free(p);
}
