"""Trains a LoRA adapter on the default model (Gemma 3 270M, loaded from its GGUF, dequantized).

    python training/train.py --rendered rendered.jsonl --model-dir DIR --gguf FILE --out OUTDIR

The input is the output of `functionary dataset render --template gemma3`: one {"prompt", "spans"} object per
line; the spans (Unicode scalar offsets into the prompt) are the assistant turns that are learned. The loss is
the cross-entropy on the tokens inside the spans only, and the output layer (262k-token vocabulary) is computed
at those positions only. Writes OUTDIR/adapter (PEFT), OUTDIR/base (the base model's config.json, for the GGUF
converter) and OUTDIR/train-log.json.
"""

import argparse
import json
import math
import os
import random
import time
from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def encode(tok, line, max_tokens):
    """Token ids and, for each position, whether the token there is learned (inside a span)."""
    prompt, spans = line["prompt"], line["spans"]
    enc = tok(prompt, return_offsets_mapping=True, add_special_tokens=True)
    ids, offsets = enc["input_ids"], enc["offset_mapping"]
    learned = []
    for (start, end) in offsets:
        inside = end > start and any(s <= start < e for s, e in spans)
        learned.append(inside)
    if len(ids) > max_tokens:
        return None
    return ids, learned


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rendered", required=True)
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N conversations")
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--alpha", type=float, default=32)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--accum", type=int, default=8, help="conversations per optimizer step")
    ap.add_argument("--warmup", type=int, default=8, help="optimizer steps of linear warm-up")
    ap.add_argument("--max-tokens", type=int, default=1536)
    ap.add_argument("--max-minutes", type=float, default=0, help="stop early after this long (0: no limit)")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--bf16", action="store_true", help="compute in bfloat16 (autocast; weights and optimizer stay float32)")
    ap.add_argument("--seed", type=int, default=1234)
    a = ap.parse_args()

    random.seed(a.seed)
    torch.manual_seed(a.seed)
    if a.threads:
        torch.set_num_threads(a.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)

    t0 = time.time()
    tok = AutoTokenizer.from_pretrained(a.model_dir, gguf_file=a.gguf)
    model = AutoModelForCausalLM.from_pretrained(a.model_dir, gguf_file=a.gguf, dtype=torch.float32)
    # the converter needs the base model's config.json (no weights)
    base_cfg = model.config.to_dict()
    base_cfg.pop("quantization_config", None)
    base_cfg["architectures"] = ["Gemma3ForCausalLM"]
    (out / "base").mkdir(exist_ok=True)
    (out / "base" / "config.json").write_text(json.dumps(base_cfg, indent=1) + "\n")
    print(f"loaded model in {time.time() - t0:.0f}s", flush=True)

    lines = [json.loads(x) for x in open(a.rendered, encoding="utf-8")]
    if a.limit:
        lines = lines[: a.limit]
    data = []
    skipped = 0
    for line in lines:
        e = encode(tok, line, a.max_tokens)
        if e is None or not any(e[1]):
            skipped += 1
            continue
        data.append(e)
    total_tokens = sum(len(ids) for ids, _ in data)
    learned_tokens = sum(sum(m) for _, m in data)
    print(f"{len(data)} conversations ({skipped} skipped), {total_tokens} tokens, {learned_tokens} learned", flush=True)

    cfg = LoraConfig(r=a.rank, lora_alpha=a.alpha, lora_dropout=0.0, target_modules=TARGETS, bias="none", task_type="CAUSAL_LM")
    model = get_peft_model(model, cfg)
    model.to(device)
    model.print_trainable_parameters()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.0)
    order = []
    epochs_full = math.ceil(a.epochs)
    for ep in range(epochs_full):
        idx = list(range(len(data)))
        random.Random(a.seed + ep).shuffle(idx)
        order += idx
    order = order[: int(len(data) * a.epochs)]
    steps = math.ceil(len(order) / a.accum)

    budget_s = a.max_minutes * 60

    def lr_at(step, elapsed):
        """Warm-up, then cosine decay over the run. With --max-minutes the decay follows whichever is further
        along, the steps or the time, so that a run cut short by its time budget still ends at a low rate."""
        if step < a.warmup:
            return a.lr * (step + 1) / a.warmup
        progress = (step - a.warmup) / max(1, steps - a.warmup)
        if budget_s:
            progress = max(progress, elapsed / budget_s)
        return a.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    base = model.base_model.model  # Gemma3ForCausalLM with LoRA layers
    model.train()
    log = []
    t_train = time.time()
    seen_tokens = 0
    step = 0
    stopped_early = False
    for start in range(0, len(order), a.accum):
        batch = order[start: start + a.accum]
        lr = lr_at(step, time.time() - t_train)
        for g in opt.param_groups:
            g["lr"] = lr
        batch_learned = sum(sum(data[i][1][1:]) for i in batch)
        loss_sum = 0.0
        for i in batch:
            ids, learned = data[i]
            input_ids = torch.tensor([ids], device=device)
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=a.bf16):
                hidden = base.model(input_ids=input_ids).last_hidden_state[0]  # [T, H]
                # position t predicts token t+1: keep the positions whose next token is learned
                pos = torch.tensor([t for t in range(len(ids) - 1) if learned[t + 1]], device=device)
                targets = input_ids[0, pos + 1]
                logits = base.lm_head(hidden[pos]).float()
            loss = torch.nn.functional.cross_entropy(logits, targets, reduction="sum") / batch_learned
            loss.backward()
            loss_sum += loss.item()
            seen_tokens += len(ids)
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        elapsed = time.time() - t_train
        entry = {"step": step, "of": steps, "loss": round(loss_sum, 4), "lr": lr, "elapsed_s": round(elapsed),
                 "tokens_per_s": round(seen_tokens / elapsed, 1)}
        log.append(entry)
        print(json.dumps(entry), flush=True)
        if step % 25 == 0:
            model.save_pretrained(out / "adapter")  # a usable adapter even if the run is stopped
        if budget_s and elapsed > budget_s:
            stopped_early = True
            print(f"stopping early after {elapsed / 60:.1f} minutes (--max-minutes)", flush=True)
            break

    model.save_pretrained(out / "adapter")
    train_s = time.time() - t_train
    summary = {
        "conversations": len(data), "skipped": skipped, "tokens": total_tokens, "learned_tokens": learned_tokens,
        "steps": step, "planned_steps": steps, "stopped_early": stopped_early, "train_seconds": round(train_s),
        "tokens_per_second": round(seen_tokens / train_s, 1), "device": device, "threads": torch.get_num_threads(),
        "bf16": a.bf16, "rank": a.rank, "alpha": a.alpha, "lr": a.lr, "accum": a.accum, "epochs": a.epochs, "seed": a.seed,
        "targets": TARGETS, "torch": torch.__version__, "cpu_count": os.cpu_count(),
        "final_loss": log[-1]["loss"] if log else None, "log": log,
    }
    (out / "train-log.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "log"}), flush=True)


if __name__ == "__main__":
    main()
