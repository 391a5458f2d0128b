#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (Fuzz/*.swift) under AddressSanitizer.
#
#   scripts/fuzz.sh build                 compile .build-fuzz/functionary-fuzz-O (one binary, every target)
#   scripts/fuzz.sh seed                  (re)create the seed corpora from the repository's fixtures
#   scripts/fuzz.sh run TARGET [ARGS...]  fuzz one target; ARGS go to libFuzzer (default: -runs=1000000)
#   scripts/fuzz.sh smoke                 every target for a few seconds (what `make test` runs)
#   scripts/fuzz.sh all                   every target to 10^6 executions (what `make fuzz` runs)
#
# The binary is compiled with swiftc directly, not SwiftPM: the FunctionaryProtocol sources, the
# schema → GBNF converter among them (FunctionaryProtocol/Constraints), and the
# targets form one module, so that `-sanitize=fuzzer,address` instruments all of it. Findings
# (crash-*, timeout-*, leak-*) are written to .build-fuzz/findings/TARGET/.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.build-fuzz"
# `make fuzz` builds optimised (-O); the smoke run of `make test` builds unoptimised, which compiles faster.
OPT="${FUZZ_OPT:--O}"
BIN="$OUT/functionary-fuzz$OPT"
TARGETS=(json request parser typescript gbnf)
# Largest input per target (libFuzzer's -max_len): enough for the seeds that matter, small enough for speed.
max_len() {
    case "$1" in
        json) echo "${FUZZ_MAX_LEN:-1024}" ;;
        request) echo "${FUZZ_MAX_LEN:-4096}" ;;
        *) echo "${FUZZ_MAX_LEN:-2048}" ;;
    esac
}
SWIFTC="${SWIFTC:-swiftc}"

# swift-collections' OrderedCollections (JSONObject's storage), compiled into the same module in its supported
# single-module mode (COLLECTIONS_SINGLE_MODULE); SwiftPM's checkout of the pinned version provides the sources.
COLLECTIONS="$ROOT/.build/checkouts/swift-collections/Sources"

sources() {
    find "$COLLECTIONS/InternalCollectionsUtilities" "$COLLECTIONS/OrderedCollections" -name '*.swift'
    find "$ROOT/Sources/FunctionaryProtocol" -name '*.swift'
    ls "$ROOT"/Fuzz/*.swift
}

build() {
    command -v "$SWIFTC" >/dev/null || { echo "fuzz: swiftc not found" >&2; exit 1; }
    [ -d "$COLLECTIONS/OrderedCollections" ] || (cd "$ROOT" && swift package resolve >/dev/null)
    mkdir -p "$OUT/src"
    local newest; newest="$(sources | tr '\n' '\0' | xargs -0 ls -t 2>/dev/null | head -1 || true)"
    if [ -x "$BIN" ] && [ "$BIN" -nt "$newest" ]; then
        echo "fuzz: $BIN is up to date"
        return
    fi
    # One module: the targets' `import FunctionaryProtocol` would import the module itself.
    rm -f "$OUT"/src/*.swift
    local i=0
    while read -r file; do
        i=$((i + 1))
        local name; name="$(basename "$file")"
        sed -e 's/^import FunctionaryProtocol$//' -e 's/^import OrderedCollections$//' "$file" \
            > "$OUT/src/$(printf '%03d' "$i")-${name// /_}"
    done < <(sources)
    echo "fuzz: compiling $(ls "$OUT"/src/*.swift | wc -l) files with -sanitize=fuzzer,address"
    local start=$SECONDS
    rm -f "$BIN.tmp"
    # swift-collections' own compiler settings (its Package.swift: experimental features, availability macros).
    local collections_flags=(-enable-upcoming-feature MemberImportVisibility)
    for feature in BuiltinModule Lifetimes InoutLifetimeDependence AddressableParameters AddressableTypes; do
        collections_flags+=(-enable-experimental-feature "$feature")
    done
    while IFS= read -r macro; do
        collections_flags+=(-enable-experimental-feature "AvailabilityMacro=$macro")
    done < <(python3 - "$COLLECTIONS/../Package.swift" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for name, value in re.findall(r'^\s*"(SwiftStdlib [0-9.]+)":\s*"([^"]*)"', text, re.M):
    print(f"{name}: {value}")
PY
)
    "$SWIFTC" "$OPT" "${collections_flags[@]}" -parse-as-library -sanitize=fuzzer,address -module-name FunctionaryFuzz -package-name FunctionaryFuzz -swift-version 6 -D COLLECTIONS_SINGLE_MODULE \
        "$OUT"/src/*.swift -o "$BIN.tmp" 2>&1 | grep -v "Cannot export local symbol" >&2 || true
    [ -x "$BIN.tmp" ] || { echo "fuzz: build failed" >&2; exit 1; }
    mv "$BIN.tmp" "$BIN"
    echo "fuzz: built $BIN in $((SECONDS - start)) s"
}

# Seeds: JSON fixtures for the JSON and request targets, the tools' parameter schemas for the schema
# targets, the rendered prompts (which contain model outputs) for the parsers.
seed() {
    local corpus="$OUT/seeds"
    rm -rf "$corpus"
    mkdir -p "$corpus"/{json,request,parser,typescript,gbnf}
    local fixtures=("$ROOT"/Tests/*/Fixtures)
    [ -d /work/shared/reference/functionary-tests ] && fixtures+=(/work/shared/reference/functionary-tests)
    python3 - "$corpus" "${fixtures[@]}" <<'PY'
import hashlib, json, os, sys
corpus, folders = sys.argv[1], sys.argv[2:]

def put(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(corpus, target, name), "wb") as f:
        f.write(data)

def schemas(value):
    if isinstance(value, dict):
        if isinstance(value.get("parameters"), dict):
            yield value["parameters"]
        for item in value.values():
            yield from schemas(item)
    elif isinstance(value, list):
        for item in value:
            yield from schemas(item)

for folder in folders:
    for base, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(base, name)
            raw = open(path, "rb").read()
            if len(raw) > 64 * 1024:
                continue
            if name.endswith(".txt"):
                for version in range(6):
                    put("parser", bytes([version, 3]) + raw[-4000:])
                continue
            if not name.endswith(".json"):
                continue
            put("json", raw)
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            if isinstance(value, dict) and ("messages" in value or "tools" in value or "functions" in value):
                put("request", json.dumps(value))
            for schema in schemas(value):
                put("typescript", json.dumps(schema))
                for version in range(6):
                    put("gbnf", bytes([version]) + json.dumps(schema).encode())
# Inputs the fixtures lack: $refs, recursion, anyOf, tuples, patterns, integer bounds, tool-call outputs.
extra = [
    {"type": "object", "properties": {"a": {"$ref": "#/$defs/x"}}, "$defs": {"x": {"type": "integer", "minimum": -5, "maximum": 1000}}},
    {"type": "object", "properties": {"n": {"$ref": "#"}, "v": {"anyOf": [{"type": "string", "pattern": "^[a-z]+(x|y){2,3}$"}, {"type": "null"}]}}},
    {"type": "array", "prefixItems": [{"type": "number"}, {"enum": ["a", 1, None]}], "items": {"type": "boolean"}, "minItems": 1, "maxItems": 4},
    {"type": "object", "properties": {"s": {"type": "string", "format": "date-time", "minLength": 2, "maxLength": 9}},
     "additionalProperties": {"type": "integer", "exclusiveMinimum": 3}, "required": ["s"]},
    {"allOf": [{"type": "object", "properties": {"a": {"const": "x"}}}, {"properties": {"b": {"type": ["string", "null"]}}}]},
]
for schema in extra:
    put("typescript", json.dumps(schema))
    put("json", json.dumps(schema))
    for version in range(6):
        put("gbnf", bytes([version]) + json.dumps(schema).encode())
    put("request", json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": schema}}], "tool_choice": "required"}))
outputs = [
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
    '>>>get_weather\n{"city": "Paris"}>>>all\nDone',
    '<function=get_weather>{"city": "Paris"}</function><|python_tag|>print(1)',
    '<|reserved_special_token_249|>get_weather\n{"city": "Paris"}',
    'all\n<|content|>Hi<|from|>assistant\n<|recipient|>get_weather\n<|content|>{"city": "P"}<|stop|>',
]
for text in outputs:
    for version in range(6):
        put("parser", bytes([version, 1]) + text.encode())
PY
    for t in "${TARGETS[@]}"; do echo "fuzz: seeds/$t: $(ls "$corpus/$t" | wc -l) files"; done
}

# run TARGET [libFuzzer args]: the corpus grows in .build-fuzz/corpus/TARGET (seeded on first use).
run() {
    local target="$1"; shift
    [ -d "$OUT/seeds/$target" ] || seed >/dev/null
    # The smoke run starts from the seeds alone (the grown corpus may hold thousands of inputs).
    local corpus="$OUT/corpus/$target"
    if [ -n "${SMOKE:-}" ]; then corpus="$OUT/smoke-corpus/$target"; rm -rf "$corpus"; fi
    mkdir -p "$corpus" "$OUT/findings/$target"
    local args=("$@")
    [ ${#args[@]} -gt 0 ] || args=(-runs=1000000)
    FUNCTIONARY_FUZZ_TARGET="$target" ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" \
        "$BIN" -max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$OUT/findings/$target/" "${args[@]}" "$corpus" "$OUT/seeds/$target"
}

case "${1:-}" in
    build) build ;;
    seed) seed ;;
    run) shift; build; run "$@" ;;
    smoke)
        [ -n "${FUZZ_OPT:-}" ] || { OPT=-Onone; BIN="$OUT/functionary-fuzz$OPT"; }
        build
        seed >/dev/null
        for t in "${TARGETS[@]}"; do
            rc=0
            SMOKE=1 run "$t" -max_total_time="${FUZZ_SMOKE_SECONDS:-5}" > "$OUT/$t-smoke.log" 2>&1 || rc=$?
            echo "fuzz smoke: $t: $(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$OUT/$t-smoke.log" | grep -Eo '[0-9]+' || echo 0) executions"
            if [ $rc -ne 0 ]; then
                tail -40 "$OUT/$t-smoke.log" >&2
                echo "fuzz smoke: $t failed (findings in $OUT/findings/$t)" >&2
                exit 1
            fi
        done ;;
    all)
        build
        seed >/dev/null
        for t in "${TARGETS[@]}"; do
            rc=0
            start=$SECONDS
            run "$t" -runs="${FUZZ_RUNS:-1000000}" > "$OUT/$t.log" 2>&1 || rc=$?
            echo "fuzz: $t: $(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$OUT/$t.log" | grep -Eo '[0-9]+' || echo 0) executions in $((SECONDS - start)) s"
            if [ $rc -ne 0 ]; then
                tail -40 "$OUT/$t.log" >&2
                echo "fuzz: $t failed (findings in $OUT/findings/$t)" >&2
                exit 1
            fi
        done ;;
    *) echo "usage: scripts/fuzz.sh build|seed|run TARGET [ARGS]|smoke|all" >&2; exit 2 ;;
esac
