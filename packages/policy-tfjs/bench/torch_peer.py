#!/usr/bin/env python3
"""PyTorch-on-CPU peer of bench/policy-bench.mjs: the same Llama-architecture model (RMSNorm, RoPE,
causal GQA, SwiGLU, untied head, fp32), same shapes, same thread count as ours (1: tfjs wasm in Node is
single-threaded; --threads 1,2 adds 2 threads for reference). Prints JSON lines and the ratio ours / PyTorch.

Setup (benchmark only, tests never need it):
  apt-get install -y python3-torch libopenblas0-openmp     # the openmp OpenBLAS, not the reference BLAS
  /usr/bin/python3 bench/torch_peer.py --ours bench/results/latest.json
Model code follows research/pytorch-peer.md (hand-written attention: works on Debian's torch 1.13)."""
import argparse, json, math, resource, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {
    "tiny": dict(vocab=512, hidden=128, layers=4, heads=4, kv_heads=2, inter=344, ctx=256),
    "small": dict(vocab=512, hidden=256, layers=6, heads=8, kv_heads=4, inter=688, ctx=512),
}


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.eps, self.weight = eps, nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, self.h, self.kvh = c["hidden"], c["heads"], c["kv_heads"]
        self.hd, self.rep = d // c["heads"], c["heads"] // c["kv_heads"]
        self.input_layernorm, self.post_attention_layernorm = RMSNorm(d), RMSNorm(d)
        self.q_proj = nn.Linear(d, self.h * self.hd, bias=False)
        self.k_proj = nn.Linear(d, self.kvh * self.hd, bias=False)
        self.v_proj = nn.Linear(d, self.kvh * self.hd, bias=False)
        self.o_proj = nn.Linear(self.h * self.hd, d, bias=False)
        self.gate_proj = nn.Linear(d, c["inter"], bias=False)
        self.up_proj = nn.Linear(d, c["inter"], bias=False)
        self.down_proj = nn.Linear(c["inter"], d, bias=False)

    def attn(self, x, cos, sin, pos, cache):
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(B, T, self.kvh, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(B, T, self.kvh, self.hd).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        if cache is not None:
            kc, vc = cache
            kc[:, :, pos:pos + T], vc[:, :, pos:pos + T] = k, v
            k, v = kc[:, :, :pos + T], vc[:, :, :pos + T]
        S = k.shape[2]
        k = k[:, :, None].expand(B, self.kvh, self.rep, S, self.hd).reshape(B, self.h, S, self.hd)
        v = v[:, :, None].expand(B, self.kvh, self.rep, S, self.hd).reshape(B, self.h, S, self.hd)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.hd))
        if T > 1:
            att = att.masked_fill(torch.arange(S)[None, :] > torch.arange(pos, pos + T)[:, None], float("-inf"))
        y = torch.softmax(att, dim=-1) @ v
        return self.o_proj(y.transpose(1, 2).reshape(B, T, self.h * self.hd))

    def forward(self, x, cos, sin, pos, cache):
        x = x + self.attn(self.input_layernorm(x), cos, sin, pos, cache)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class Llama(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c["vocab"], c["hidden"])
        self.layers = nn.ModuleList([Block(c) for _ in range(c["layers"])])
        self.norm = RMSNorm(c["hidden"])
        self.lm_head = nn.Linear(c["hidden"], c["vocab"], bias=False)
        hd = c["hidden"] // c["heads"]
        inv = 1.0 / (10000.0 ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
        f = torch.outer(torch.arange(c["ctx"] + 160, dtype=torch.float32), inv)
        emb = torch.cat([f, f], dim=-1)
        self.register_buffer("cos", emb.cos(), persistent=False)
        self.register_buffer("sin", emb.sin(), persistent=False)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)

    def forward(self, ids, pos=0, caches=None, last_only=False):
        T = ids.shape[1]
        cos, sin = self.cos[pos:pos + T], self.sin[pos:pos + T]
        x = self.embed_tokens(ids)
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, pos, None if caches is None else caches[i])
        x = self.norm(x)
        return self.lm_head(x[:, -1:] if last_only else x)


def sample(logits):
    return torch.multinomial(torch.softmax(logits[:, -1], dim=-1), 1)


@torch.no_grad()
def gen_cached(model, prompt, n_new):
    B, P = prompt.shape
    c = model.c
    shp = (B, c["kv_heads"], P + n_new, c["hidden"] // c["heads"])
    caches = [(torch.zeros(shp), torch.zeros(shp)) for _ in range(c["layers"])]
    tok = sample(model(prompt, 0, caches, last_only=True))
    for i in range(n_new - 1):
        tok = sample(model(tok, P + i, caches, last_only=True))


@torch.no_grad()
def gen_nocache(model, prompt, n_new):
    seq = prompt
    for _ in range(n_new):
        seq = torch.cat([seq, sample(model(seq, last_only=True))], 1)


def timed(fn, warmup, iters):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(iters):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def run(name, threads, seq, nocache_tokens, steps):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    c = CONFIGS[name]
    model = Llama(c)
    B, V = 16, c["vocab"]
    data = torch.randint(0, V, (B, seq + 1))
    inp, tgt = data[:, :-1].contiguous(), data[:, 1:].contiguous()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)

    def step():
        loss = F.cross_entropy(model(inp).reshape(-1, V), tgt.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    model.train()
    train_s = timed(step, 1, steps)
    model.eval()
    prompt = torch.randint(0, V, (16, 16))
    kv_s = timed(lambda: gen_cached(model, prompt, 128), 1, 3)
    nc_s = timed(lambda: gen_nocache(model, prompt, nocache_tokens), 0, 1)
    return dict(config=name, torch=torch.__version__, threads=torch.get_num_threads(), batch=B, seq=seq,
                train_tokens_per_s=round(B * seq / train_s), sample_kv_tokens_per_s=round(16 * 128 / kv_s),
                sample_nocache_tokens_per_s=round(16 * nocache_tokens / nc_s), sample_nocache_new_tokens=nocache_tokens,
                peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", help="bench/results/latest.json from policy-bench.mjs")
    ap.add_argument("--configs", default="tiny,small")
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", default="1", help="comma list, e.g. 1,2 (ours runs on 1 thread)")
    a = ap.parse_args()
    ours = {}
    if a.ours:
        with open(a.ours) as f:
            ours = {r["config"]: r for r in json.load(f)["results"]}
    rows = []
    for name in a.configs.split(","):
        nct = ours.get(name, {}).get("sample_nocache_new_tokens", 32)
        for threads in [int(t) for t in a.threads.split(",")]:
            r = run(name, threads, a.seq, nct, a.steps)
            print(json.dumps(r), flush=True)
            rows.append(r)
    if ours:
        print("\n| config | torch threads | train ours/PyTorch | sample KV ours/PyTorch | sample no-cache ours/PyTorch |")
        print("|---|---|---|---|---|")
        for r in rows:
            o = ours.get(r["config"])
            if not o:
                continue
            ratio = lambda k: o[k] / r[k]
            print(f"| {r['config']} | {r['threads']} | {ratio('train_tokens_per_s'):.2f} ({o['train_tokens_per_s']} vs {r['train_tokens_per_s']} tok/s)"
                  f" | {ratio('sample_kv_tokens_per_s'):.2f} ({o['sample_kv_tokens_per_s']} vs {r['sample_kv_tokens_per_s']})"
                  f" | {ratio('sample_nocache_tokens_per_s'):.2f} ({o['sample_nocache_tokens_per_s']} vs {r['sample_nocache_tokens_per_s']}) |")


if __name__ == "__main__":
    main()
