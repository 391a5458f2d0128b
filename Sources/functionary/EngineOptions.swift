// Shared engine flags (--model, --ctx-size, --threads, --n-gpu-layers, --template).
