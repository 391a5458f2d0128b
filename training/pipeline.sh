#!/usr/bin/env bash
# `make adapter`: the project's LoRA adapter for the default model (Gemma 3 270M), end to end.
#   1. data     training/gen_data.py (or gen_world.py, or both mixed: GENERATOR): synthetic conversations (train)
#               and eval cases (dev), split by tool
#   2. check    functionary dataset check   every training line is valid
#   3. render   functionary dataset render --template gemma3   prompts and the learned spans
#   4. train    training/train.py: LoRA on the GGUF model (dequantized), loss on the spans only
#   5. export   llama.cpp's convert_lora_to_gguf.py (pinned source) -> a LoRA GGUF
#   6. eval     functionary eval on the dev set (tools never seen in training)
#   7. nestful  (NESTFUL=1) training/nestful_eval.py: NESTFUL's first calls and no-call turns, an external dev set
#               used only for evaluation (nestful-wrapper, pinned, installed without its dependencies)
# Everything goes to .deps/adapter/ (ADAPTER_WORK); INSTALL=1 copies the adapter, its dev sets and their scores
# into models/. Environment: GENERATOR (library: training/gen_data.py, the committed adapter's data, the default;
# world: training/gen_world.py, composed functions, issue 19; mix: both, training/mix_data.py, scored on both
# generators' dev sets),
# TRAIN_N (conversations, default 1100; world 2000; mix: the world's part, 800, beside LIBRARY_N=1100 of the
# library's), DEV_N (dev conversations, default 100; world 250; mix 120), NESTFUL (1: step 7; its 400 cases take hours on 2 busy CPU
# cores with a debug build, NESTFUL_LIMIT=N evaluates a fair sample of N),
# EPOCHS (default 1), MAX_MINUTES (stop training early, default 0 = no limit), TRAIN_THREADS (0 = torch's choice),
# BF16 (1: compute in bfloat16, the default; 0: float32), LAYERS_FROM (adapt decoder layers from this index up;
# library and mix 0 = all, world 6: the top 12 of 18, 1.23x the tokens per second of all layers, docs/model.md).
# Training resumes from its checkpoint (.deps/adapter/train/checkpoint, written every 10 steps) when the run is the
# same: `make adapter` again after a stop or a killed session continues where it was.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.deps/train-venv"
WORK="${ADAPTER_WORK:-$ROOT/.deps/adapter}"
BIN="${FUNCTIONARY_BIN:-$ROOT/.build/release/functionary}"
MODEL_DIR="${FUNCTIONARY_HOME:-$HOME/.cache/functionary}/models"
MODEL_FILE="gemma-3-270m-q4_k_m.gguf"
LLAMA_SRC="$ROOT/.deps/src/llama.cpp"
ADAPTER_NAME="functionary-gemma3-270m-lora"
GENERATOR="${GENERATOR:-library}"
case "$GENERATOR" in
    library) TRAIN_N="${TRAIN_N:-1100}"; DEV_N="${DEV_N:-100}"; LAYERS_FROM="${LAYERS_FROM:-0}" ;;
    world) TRAIN_N="${TRAIN_N:-2000}"; DEV_N="${DEV_N:-250}"; LAYERS_FROM="${LAYERS_FROM:-6}" ;;
    mix) TRAIN_N="${TRAIN_N:-800}"; LIBRARY_N="${LIBRARY_N:-1100}"; DEV_N="${DEV_N:-120}"; LAYERS_FROM="${LAYERS_FROM:-0}" ;;
    *) printf '[adapter] ERROR: GENERATOR must be library, world or mix\n' >&2; exit 1 ;;
esac
NESTFUL="${NESTFUL:-0}"
EPOCHS="${EPOCHS:-1}"
MAX_MINUTES="${MAX_MINUTES:-0}"
TRAIN_THREADS="${TRAIN_THREADS:-0}"
BF16="${BF16:-1}"
SEED="${SEED:-1234}"

# torch from PyPI is a CUDA build (several GB); it runs on the CPU all the same and uses a GPU when there is one.
TRAIN_PINS=(torch==2.13.0 transformers==5.23.0 peft==0.21.2 gguf==0.19.0 safetensors==0.8.0 sentencepiece==0.2.3 numpy==2.4.6)
# NESTFUL's data (evaluation only). Installed with --no-deps: nestful_eval.py reads the package's JSON files and
# needs none of its dependencies (sentence-transformers and others).
EVAL_PINS=(nestful-wrapper==0.1.7)

log() { printf '[adapter] %s\n' "$*"; }
die() { printf '[adapter] ERROR: %s\n' "$*" >&2; exit 1; }

[ -x "$BIN" ] || die "$BIN not found: run make build first"
[ -f "$MODEL_DIR/$MODEL_FILE" ] || die "the default model is missing: run make deps"
[ -f "$LLAMA_SRC/convert_lora_to_gguf.py" ] || die "the llama.cpp source is missing: run make deps"

key="$(printf '%s' "${TRAIN_PINS[*]} $(python3 --version 2>&1)" | sha256sum | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.pins" 2>/dev/null)" != "$key" ]; then
    log "venv: installing ${TRAIN_PINS[*]} into $VENV (torch brings several GB)"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "${TRAIN_PINS[@]}"
    printf '%s' "$key" > "$VENV/.pins"
fi
PY="$VENV/bin/python"
if [ "$NESTFUL" = "1" ] && [ "$("$VENV/bin/pip" show nestful-wrapper 2>/dev/null | sed -n 's/^Version: //p')" != "${EVAL_PINS[0]#*==}" ]; then
    log "venv: installing ${EVAL_PINS[*]} (no dependencies)"
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps "${EVAL_PINS[@]}"
fi

mkdir -p "$WORK"
log "1. data ($GENERATOR): $TRAIN_N training conversations${LIBRARY_N:+ (world) and $LIBRARY_N (library)}, $DEV_N dev conversations (seed $SEED)"
if [ "$GENERATOR" = "world" ]; then
    "$PY" training/gen_world.py --out "$WORK/data" --train "$TRAIN_N" --dev "$DEV_N" --seed "$SEED"
elif [ "$GENERATOR" = "mix" ]; then
    "$PY" training/gen_world.py --out "$WORK/data/world" --train "$TRAIN_N" --dev "$DEV_N" --seed "$SEED"
    "$PY" training/gen_data.py --out "$WORK/data/library" --train "$LIBRARY_N" --dev 100 --seed "$SEED"
    "$PY" training/mix_data.py --library "$WORK/data/library" --world "$WORK/data/world" --out "$WORK/data" --seed "$SEED"
else
    "$PY" training/gen_data.py --out "$WORK/data" --train "$TRAIN_N" --dev "$DEV_N" --seed "$SEED"
fi

log "2. check"
"$BIN" dataset check "$WORK/data/train.jsonl"

log "3. render (gemma3)"
"$BIN" dataset render --template gemma3 "$WORK/data/train.jsonl" > "$WORK/rendered.jsonl"

log "4. train"
set +e
nice -n "${NICE:-10}" "$PY" training/train.py --rendered "$WORK/rendered.jsonl" --model-dir "$MODEL_DIR" --gguf "$MODEL_FILE" \
    --out "$WORK/train" --epochs "$EPOCHS" --seed "$SEED" --max-minutes "$MAX_MINUTES" --threads "$TRAIN_THREADS" \
    --layers-from "$LAYERS_FROM" --resume \
    $([ "$BF16" = "1" ] && echo --bf16) 2>&1 | tee -i -a "$WORK/train.log" | { grep -v '^{"step"' || true; }
status=${PIPESTATUS[0]}
set -e
# Stopped (Ctrl-C, SIGTERM: exit 130 after writing the checkpoint) or failed: no export of an unfinished adapter.
[ "$status" = "0" ] || die "training stopped (exit $status; see $WORK/train.log); make adapter again resumes it"
[ -f "$WORK/train/adapter/adapter_model.safetensors" ] || die "training did not save an adapter (see $WORK/train.log)"

log "5. export"
PYTHONPATH="$LLAMA_SRC/gguf-py${PYTHONPATH:+:$PYTHONPATH}" "$PY" "$LLAMA_SRC/convert_lora_to_gguf.py" \
    --base "$WORK/train/base" --outtype f16 --outfile "$WORK/$ADAPTER_NAME.gguf" "$WORK/train/adapter" > "$WORK/export.log" 2>&1 \
    || { tail -20 "$WORK/export.log" >&2; die "export failed"; }
ls -l "$WORK/$ADAPTER_NAME.gguf"

log "6. eval on the dev set"
# --no-default-adapter: the committed adapter would otherwise be applied too, under the new one.
"$BIN" eval --no-default-adapter --lora "$WORK/$ADAPTER_NAME.gguf" --cases "$WORK/data/dev-set.jsonl" --report "$WORK/eval-report.json"
if [ "$GENERATOR" = "mix" ]; then
    log "6b. eval on the library's dev set (models/tool-use-dev.jsonl's cases)"
    "$BIN" eval --no-default-adapter --lora "$WORK/$ADAPTER_NAME.gguf" --cases "$WORK/data/library-dev-set.jsonl" \
        --report "$WORK/library-eval-report.json"
fi

if [ "$NESTFUL" = "1" ]; then
    log "7. NESTFUL (external dev set, evaluation only)"
    "$PY" training/nestful_eval.py --out "$WORK/nestful" --bin "$BIN" --limit "${NESTFUL_LIMIT:-0}" \
        --eval-args "--no-default-adapter --lora $WORK/$ADAPTER_NAME.gguf"
fi

if [ "${INSTALL:-0}" = "1" ]; then
    cp "$WORK/$ADAPTER_NAME.gguf" "models/$ADAPTER_NAME.gguf"
    if [ "$GENERATOR" = "mix" ]; then
        # The library's dev set stays the default input of `functionary eval`; the world's is beside it.
        cp "$WORK/data/library-dev-set.jsonl" models/tool-use-dev.jsonl
        cp "$WORK/library-eval-report.json" models/eval-report.json
        cp "$WORK/data/dev-set.jsonl" models/world-dev.jsonl
        cp "$WORK/eval-report.json" models/world-eval-report.json
    else
        cp "$WORK/data/dev-set.jsonl" models/tool-use-dev.jsonl
        cp "$WORK/eval-report.json" models/eval-report.json
    fi
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("log"); json.dump(d, open(sys.argv[2],"w"), indent=1)' \
        "$WORK/train/train-log.json" models/train-summary.json
    log "installed into models/"
elif [ -f models/eval-report.json ]; then
    log "the committed adapter's scores (models/eval-report.json) are beside this run's ($WORK/eval-report.json)"
fi
