// schema_reference.cpp - llama.cpp's JSON Schema -> GBNF converter as a command, for the differential test only.
//
// The project converts schemas with its own Swift converter (FunctionaryProtocol/Constraints); nothing the project
// ships links this. Tests/FunctionaryProtocolTests/SchemaConverterDifferentialTests.swift runs it to compare the two
// converters. Built by scripts/deps.sh into .deps/bin/llama-schema-reference against the pinned llama.cpp tree.
//
// Input: one JSON Schema per line on stdin. Output: one JSON line per schema on stdout,
// {"grammar": "..."} or {"error": "..."}.

#include "json-schema-to-grammar.h"
#include "json.h"

#include <exception>
#include <iostream>
#include <string>

int main() {
    std::ios::sync_with_stdio(false);
    std::string line;
    while (std::getline(std::cin, line)) {
        common_json out = common_json::object();
        try {
            const common_json schema = common_json::parse(line);
            out["grammar"] = common_json::make(json_schema_to_grammar(schema, /*force_gbnf=*/true));
        } catch (const std::exception & e) {
            out["error"] = common_json::make(std::string(e.what()));
        } catch (...) {
            out["error"] = common_json::make("unknown error");
        }
        std::cout << out.dump_safe() << "\n";
        std::cout.flush();
    }
    return 0;
}
