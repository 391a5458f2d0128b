#!/usr/bin/env bash
# Serve a Functionary model on vLLM across GPUs, optionally with `functionary serve` in front.
#
#   scripts/launch_vllm.sh [MODEL] [TP] [PORT]        vLLM only
#   FRONT=1 TEMPLATE=v3-llama3.1 scripts/launch_vllm.sh meetkai/functionary-medium-v3.1 4 8001
#                                                      vLLM, then functionary serve on :8000 in front
#
# Environment: MAX_MODEL_LEN (8192), GPU_MEMORY_UTILIZATION (0.90), FRONT (0), TEMPLATE (v3-llama3.1),
# FUNCTIONARY (.build/release/functionary), FRONT_PORT (8000), VLLM_ARGS (extra vllm serve flags).
set -euo pipefail

MODEL="${1:-meetkai/functionary-medium-v3.1}"
TP="${2:-4}"
PORT="${3:-8001}"
MAX_MODEL_LEN="${MAX_MODEL_LEN:-8192}"
GPU_MEMORY_UTILIZATION="${GPU_MEMORY_UTILIZATION:-0.90}"
FRONT="${FRONT:-0}"
TEMPLATE="${TEMPLATE:-v3-llama3.1}"
FUNCTIONARY="${FUNCTIONARY:-.build/release/functionary}"
FRONT_PORT="${FRONT_PORT:-8000}"

command -v vllm >/dev/null || { echo "vllm not found: pip install 'vllm>=0.10.2'" >&2; exit 1; }

# shellcheck disable=SC2086
vllm serve "$MODEL" \
    --tensor-parallel-size "$TP" \
    --max-model-len "$MAX_MODEL_LEN" \
    --gpu-memory-utilization "$GPU_MEMORY_UTILIZATION" \
    --enable-prefix-caching \
    --host 0.0.0.0 --port "$PORT" ${VLLM_ARGS:-} &
VLLM_PID=$!
trap 'kill "$VLLM_PID" 2>/dev/null || true' EXIT INT TERM

if [ "$FRONT" != "1" ]; then
    wait "$VLLM_PID"
    exit $?
fi

# functionary waits (up to --engine-startup-timeout) for vLLM to load the model.
"$FUNCTIONARY" serve \
    --engine-url "http://127.0.0.1:$PORT/v1" \
    --engine-kind vllm \
    --engine-startup-timeout 1800 \
    --template "$TEMPLATE" \
    --served-model-name "$(basename "$MODEL")" \
    --host 0.0.0.0 --port "$FRONT_PORT"
