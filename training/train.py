"""Trains a LoRA adapter on the default model (Gemma 3 270M, loaded from its GGUF, dequantized).

    python training/train.py --rendered rendered.jsonl --model-dir DIR --gguf FILE --out OUTDIR

The input is the output of `functionary dataset render --template gemma3`: one {"prompt", "spans"} object per
line; the spans (Unicode scalar offsets into the prompt) are the assistant turns that are learned. The loss is
the cross-entropy on the tokens inside the spans only, and the output layer (262k-token vocabulary) is computed
at those positions only. Writes OUTDIR/adapter (PEFT), OUTDIR/base (the base model's config.json, for the GGUF
converter) and OUTDIR/train-log.json.

Resumable: every --save-every optimizer steps the run writes OUTDIR/checkpoint (the adapter's weights, the
optimizer's state, the step, the log and the elapsed time; replaced atomically). --resume continues from it with the
same data order and learning-rate schedule, so a run that outlasts a session (or is killed) loses at most
--save-every steps; SIGTERM and SIGINT finish the step and write the checkpoint first. A checkpoint only resumes the
run it came from: the settings that shape the run (data, seed, rank, layers, targets, accum, epochs, lr) are stored
with it, and a checkpoint of another run is moved aside.

--layers-from K adapts decoder layers K and above only: autograd then stops below layer K, so the backward pass
skips the lower layers (measured in docs/model.md). --max-steps N stops after N optimizer steps (measurements).
"""

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import signal
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
    ap.add_argument("--layers-from", type=int, default=0, help="adapt decoder layers from this index up (0: all)")
    ap.add_argument("--targets", default=",".join(TARGETS), help="comma-separated projections to adapt")
    ap.add_argument("--save-every", type=int, default=10, help="optimizer steps between checkpoints")
    ap.add_argument("--resume", action="store_true", help="continue from OUTDIR/checkpoint when there is one")
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many optimizer steps (0: no limit)")
    a = ap.parse_args()
    adapt_targets = [t for t in a.targets.split(",") if t]

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

    n_layers = model.config.num_hidden_layers
    layers = list(range(max(0, a.layers_from), n_layers))
    cfg = LoraConfig(r=a.rank, lora_alpha=a.alpha, lora_dropout=0.0, target_modules=adapt_targets, bias="none",
                     task_type="CAUSAL_LM", layers_to_transform=layers if a.layers_from > 0 else None)
    model = get_peft_model(model, cfg)
    model.to(device)
    model.print_trainable_parameters()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.0)
    # What a checkpoint must agree on to resume: the data and every setting that shapes the run.
    run_key = hashlib.sha256(json.dumps({
        "data": hashlib.sha256(open(a.rendered, "rb").read()).hexdigest(), "limit": a.limit, "seed": a.seed,
        "rank": a.rank, "alpha": a.alpha, "lr": a.lr, "accum": a.accum, "epochs": a.epochs, "warmup": a.warmup,
        "max_tokens": a.max_tokens, "layers": layers, "targets": adapt_targets, "max_minutes": a.max_minutes,
    }, sort_keys=True).encode()).hexdigest()
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
    seen_tokens = 0
    step = 0
    elapsed_before = 0.0  # training seconds of earlier sessions of this run
    ckpt = out / "checkpoint"
    # A save interrupted between its two renames leaves the complete state in checkpoint.old (or checkpoint.tmp,
    # whose state.json is written last): take it back.
    if not ckpt.exists():
        for kept in (out / "checkpoint.old", out / "checkpoint.tmp"):
            if (kept / "state.json").exists():
                kept.rename(ckpt)
                break
    # The settings that are not in run_key (the checkpoints of the first runs did not have them) are stored beside it.
    same_setup = {"bf16": a.bf16, "gguf": a.gguf}

    def other_run(state):
        return state["run_key"] != run_key or any(state.get(k, v) != v for k, v in same_setup.items())

    if a.resume and (ckpt / "state.json").exists() and other_run(json.loads((ckpt / "state.json").read_text())):
        stale = out / f"checkpoint.stale-{int(time.time())}"
        ckpt.rename(stale)
        print(f"the checkpoint belongs to another run (other data or settings): moved to {stale}, starting afresh", flush=True)
    if a.resume and (ckpt / "state.json").exists():
        state = json.loads((ckpt / "state.json").read_text())
        from safetensors.torch import load_file
        from peft import set_peft_model_state_dict
        set_peft_model_state_dict(model, load_file(str(ckpt / "adapter_model.safetensors"), device=device))
        opt.load_state_dict(torch.load(ckpt / "optimizer.pt", map_location=device))
        step, log, seen_tokens, elapsed_before = state["step"], state["log"], state["seen_tokens"], state["elapsed_s"]
        torch.set_rng_state(torch.tensor(state["torch_rng"], dtype=torch.uint8))
        print(f"resumed at step {step} of {steps} ({elapsed_before / 60:.1f} minutes trained before)", flush=True)

    def save_checkpoint(elapsed):
        tmp, old = out / "checkpoint.tmp", out / "checkpoint.old"
        shutil.rmtree(tmp, ignore_errors=True)
        model.save_pretrained(tmp)
        torch.save(opt.state_dict(), tmp / "optimizer.pt")
        (tmp / "state.json").write_text(json.dumps({
            "run_key": run_key, **same_setup, "step": step, "log": log, "seen_tokens": seen_tokens, "elapsed_s": elapsed,
            "torch_rng": torch.get_rng_state().tolist()}))
        if ckpt.exists():
            shutil.rmtree(old, ignore_errors=True)  # the checkpoint exists, so this is a leftover
            ckpt.rename(old)
            tmp.rename(ckpt)
            shutil.rmtree(old)
        else:
            tmp.rename(ckpt)

    # SIGTERM or SIGINT (a session ending, Ctrl-C): finish the step, write the checkpoint, stop. The checkpoint is
    # written before anything is printed: the pipe the log goes to may be gone by then (its reader got the signal too).
    interrupted = []
    handlers = {sig: signal.signal(sig, lambda signum, frame: interrupted.append(signum)) for sig in (signal.SIGTERM, signal.SIGINT)}

    def say(text):
        try:
            print(text, flush=True)
        except (BrokenPipeError, OSError):
            pass

    t_train = time.time() - elapsed_before
    stopped_early = False
    for start in range(step * a.accum, len(order), a.accum):
        if a.max_steps and step >= a.max_steps:
            break
        if budget_s and time.time() - t_train > budget_s:  # a resumed run whose time is already spent
            stopped_early = True
            break
        batch = order[start: start + a.accum]
        lr = lr_at(step, time.time() - t_train)
        for g in opt.param_groups:
            g["lr"] = lr
        batch_learned = sum(sum(data[i][1][1:]) for i in batch)
        loss_sum = 0.0
        forward_s = backward_s = 0.0
        for i in batch:
            ids, learned = data[i]
            input_ids = torch.tensor([ids], device=device)
            t_f = time.time()
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=a.bf16):
                hidden = base.model(input_ids=input_ids).last_hidden_state[0]  # [T, H]
                # position t predicts token t+1: keep the positions whose next token is learned
                pos = torch.tensor([t for t in range(len(ids) - 1) if learned[t + 1]], device=device)
                targets = input_ids[0, pos + 1]
                logits = base.lm_head(hidden[pos]).float()
            loss = torch.nn.functional.cross_entropy(logits, targets, reduction="sum") / batch_learned
            t_b = time.time()
            loss.backward()
            forward_s += t_b - t_f
            backward_s += time.time() - t_b
            loss_sum += loss.item()
            seen_tokens += len(ids)
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        elapsed = time.time() - t_train
        entry = {"step": step, "of": steps, "loss": round(loss_sum, 4), "lr": lr, "elapsed_s": round(elapsed),
                 "tokens_per_s": round(seen_tokens / elapsed, 1), "forward_s": round(forward_s, 1),
                 "backward_s": round(backward_s, 1)}
        log.append(entry)
        if step % a.save_every == 0 or interrupted:
            save_checkpoint(elapsed)
        if interrupted:
            say(f"interrupted at step {step}: the checkpoint is saved, --resume continues")
            raise SystemExit(130)
        if step % a.save_every == 0:
            model.save_pretrained(out / "adapter")  # a usable adapter even if the run is stopped
        say(json.dumps(entry))
        if budget_s and elapsed > budget_s:
            stopped_early = True
            say(f"stopping early after {elapsed / 60:.1f} minutes (--max-minutes)")
            break

    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    if log and step % a.save_every:
        save_checkpoint(time.time() - t_train)
    model.save_pretrained(out / "adapter")
    train_s = time.time() - t_train
    summary = {
        "conversations": len(data), "skipped": skipped, "tokens": total_tokens, "learned_tokens": learned_tokens,
        "steps": step, "planned_steps": steps, "stopped_early": stopped_early, "train_seconds": round(train_s),
        "tokens_per_second": round(seen_tokens / train_s, 1), "device": device, "threads": torch.get_num_threads(),
        "bf16": a.bf16, "rank": a.rank, "alpha": a.alpha, "lr": a.lr, "accum": a.accum, "epochs": a.epochs, "seed": a.seed,
        "targets": adapt_targets, "layers": layers, "torch": torch.__version__, "cpu_count": os.cpu_count(),
        "final_loss": log[-1]["loss"] if log else None, "log": log,
    }
    (out / "train-log.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "log"}), flush=True)


if __name__ == "__main__":
    main()
