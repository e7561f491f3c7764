"""PyTorch replica of `arpo sft` (tools/sft-replica/README.md): the same initial weights, samples, batch order,
masked token-mean NLL, AdamW (decoupled decay on every parameter), HF warm-up + cosine schedule and global-norm
clipping as @arpo/optimizer, on a GPU. Writes HF folders (config.json and tokenizer.json copied from the export)
at the requested steps.

usage: python3 train_sft.py <export-dir> <variant> <out-dir> <save-steps,comma-separated>
"""
import gzip
import json
import math
import os
import shutil
import sys
import time

import torch
from transformers import LlamaForCausalLM


def lr_at(step, lr, warmup, total, schedule):
    if step < warmup:
        return lr * step / max(1, warmup)
    if schedule == "constant":
        return lr
    p = min(1.0, (step - warmup) / max(1, total - warmup))
    return lr * max(0.0, 0.5 * (1 + math.cos(math.pi * p)))


def load_json(path):
    """Reads `path`, or `path.gz` when only the compressed file is there."""
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz", "rt") as f:
            return json.load(f)
    with open(path) as f:
        return json.load(f)


def main():
    export_dir, variant, out_dir, save_arg = sys.argv[1:5]
    save_steps = {int(x) for x in save_arg.split(",") if x}
    meta = load_json(os.path.join(export_dir, "variants.json"))[variant]
    samples = load_json(os.path.join(export_dir, "samples.json"))
    s = meta["sft"]
    init = os.path.join(export_dir, variant)
    torch.manual_seed(0)
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    model = LlamaForCausalLM.from_pretrained(init, dtype=torch.float32).to(dev)
    model.config.use_cache = False
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=s["learningRate"], betas=(0.9, 0.999), eps=1e-8, weight_decay=s["weightDecay"])
    total = s["steps"]
    warmup = int(s["warmupRatio"] * total)
    t0 = time.time()
    tokens = 0
    for step, idx in enumerate(meta["order"]):
        batch = [samples[i] for i in idx]
        L = max(len(x["p"]) + len(x["r"]) for x in batch)
        ids = torch.zeros((len(batch), L), dtype=torch.long)
        labels = torch.full((len(batch), L), -100, dtype=torch.long)
        for b, x in enumerate(batch):
            seq = x["p"] + x["r"]
            ids[b, : len(seq)] = torch.tensor(seq)
            n = len(x["p"])
            for j, (tok, m) in enumerate(zip(x["r"], x["m"])):
                if m:
                    labels[b, n + j] = tok
        ids, labels = ids.to(dev), labels.to(dev)
        logits = model(input_ids=ids).logits.float()
        logp = torch.log_softmax(logits[:, :-1], dim=-1)
        target = labels[:, 1:]
        mask = target != -100
        nll = -logp.gather(-1, target.clamp(min=0).unsqueeze(-1)).squeeze(-1)
        loss = (nll * mask).sum() / mask.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), s["gradClip"]) if s["gradClip"] > 0 else torch.tensor(0.0)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, s["learningRate"], warmup, total, s["schedule"])
        opt.step()
        tokens += int(mask.sum())
        done = step + 1
        if done % 200 == 0 or done in save_steps:
            print(f"{variant} step {done} loss {loss.item():.4f} gn {gn.item():.3f} trained_tokens {tokens} {time.time() - t0:.1f}s", flush=True)
        if done in save_steps:
            d = os.path.join(out_dir, f"{variant}-step{done}")
            model.save_pretrained(d, safe_serialization=True)
            for f in ("config.json", "tokenizer.json", "generation_config.json"):
                if os.path.exists(os.path.join(init, f)):
                    shutil.copy(os.path.join(init, f), os.path.join(d, f))


if __name__ == "__main__":
    main()
