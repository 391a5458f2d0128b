// llama.cpp's C API (with ggml's and gguf's), and the project's small C++ shim that reads what a grammar forces
// next (native/functionary_grammar.cpp); both installed into .deps/include by `make deps` (scripts/deps.sh).
#pragma once
#include "../../.deps/include/llama.h"
#include "../../.deps/include/functionary_grammar.h"
