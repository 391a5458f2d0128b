// llama.cpp's C API (with ggml's and gguf's), installed into .deps/include by `make deps` (scripts/deps.sh).
#pragma once
#include "../../.deps/include/llama.h"
