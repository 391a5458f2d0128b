# Functionary for Swift: the commands the README documents.
#   make deps   install llama.cpp (pinned, built from source), the default model and test tools
#   make build  release binary at .build/release/functionary
#   make test   every test: lint, Swift unit/engine/server tests (strict build), then end-to-end tests with the openai client
#   make lint   swift format lint and the folder layering check (scripts/check_layering.py)
#   make serve  the OpenAI-compatible server on 127.0.0.1:8000 with the default model
#   make bench  engine benchmark against llama-server from the same llama.cpp source
#   make fuzz   libFuzzer targets (parsers, renderers, schema converters), 10^6 executions each
#   make adapter  train the default model's LoRA adapter (training/; not part of make test)
SHELL := /bin/bash
SWIFT ?= swift
# Extra linker flags that `make deps` wrote (the CUDA libraries with GGML_CUDA=1): read when a recipe runs,
# after deps, not when make starts (a first `GGML_CUDA=1 make build` must already link them).
SWIFT_LINK = $$(for f in $$(cat .deps/ldflags 2>/dev/null); do printf -- '-Xlinker %s ' "$$f"; done)
PYTHON := .deps/venv/bin/python
# The checks of every debug build (and so of `make test` and CI): this package's targets compile with warnings as
# errors (SwiftPM compiles the dependency packages with -suppress-warnings instead, so their warnings cannot break
# the build), and every module a target imports must be a dependency it declares in Package.swift.
SWIFT_CHECKS := -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: deps build build-debug test test-e2e test-fuzz fuzz serve bench lint clean adapter

deps:
	@bash scripts/deps.sh

build: deps
	$(SWIFT) build -c release $(SWIFT_LINK)

build-debug: deps
	$(SWIFT) build --build-tests $(SWIFT_CHECKS) $(SWIFT_LINK)

# Each test target runs in its own process: the engine tests keep llama.cpp busy on both cores, and the
# timing assertions of the server and agent tests (parallel tools finish in ~1 s, timeouts) must not share
# a 2-core machine's cooperative thread pool with them.
TEST_TARGETS := FunctionaryProtocolTests FunctionaryMacrosTests FunctionaryTests FunctionaryServerTests FunctionaryAgentTests FunctionaryRemoteTests FunctionaryEngineTests

test: lint build-debug
	@set -e; for t in $(TEST_TARGETS); do echo "== swift test: $$t"; $(SWIFT) test --skip-build --filter "$$t\." ; done
	@echo "== swift test: the tool-call tests again, jump-forward off"
	FUNCTIONARY_TEST_JUMP_FORWARD=off $(SWIFT) test --skip-build --filter "FunctionaryEngineTests.ToolCallTests"
	@echo "== swift test: the tool-call and grammar tests again, speculation on"
	FUNCTIONARY_TEST_SPECULATION=on $(SWIFT) test --skip-build --filter "FunctionaryEngineTests.(ToolCallTests|MarkupCommitTests)"
	$(MAKE) test-fuzz
	$(MAKE) test-e2e

# Each fuzz target for a few seconds, so that the harness keeps building and running (`make fuzz` for the real runs).
test-fuzz:
	bash scripts/fuzz.sh smoke

# Every fuzz target to FUZZ_RUNS executions (default 10^6); findings land in .build-fuzz/findings/.
fuzz:
	bash scripts/fuzz.sh all

test-e2e:
	FUNCTIONARY_E2E_REQUIRED=1 FUNCTIONARY_BIN=$(CURDIR)/.build/debug/functionary $(PYTHON) -m pytest -q Tests/e2e

serve: build
	.build/release/functionary serve --host $(HOST) --port $(PORT) $(ARGS)

bench: build
	$(PYTHON) bench/bench.py --binary .build/release/functionary

# The LoRA adapter of the default model: synthetic data, LoRA training, GGUF export, dev-set eval (training/pipeline.sh;
# INSTALL=1 copies the result into models/). About 1.5 hours on 2 CPU cores, minutes on a GPU.
adapter: build
	bash training/pipeline.sh

# Formatting (.swift-format) and the layering rule: no two folders of one module use each other's types.
lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Examples
	python3 scripts/check_layering.py

clean:
	rm -rf .build
