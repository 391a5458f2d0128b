// llama.cpp's C API and the project's small C shim over llama.cpp's `common` library.
// Both headers are installed into .deps/include by `make deps` (scripts/deps.sh).
#pragma once
#include "../../.deps/include/llama.h"
#include "../../.deps/include/functionary_shim.h"
