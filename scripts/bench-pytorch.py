"""PyTorch eager (CPU) on the same shapes as Tests/EngineTests/EngineBenchmarks.swift, for the
side-by-side figures in docs/PERFORMANCE.md. Run by scripts/bench when torch is installed.

Usage: python3 scripts/bench-pytorch.py [THREADS]

Model: GPT-2, 6 layers, width 384, 6 heads, context 256, vocabulary 4096 (12.3M parameters with
tied embeddings), fp32. Measures
  - training: batch 8 x 256 tokens, forward + backward + AdamW step, tokens/s;
  - scoring: a 200-token context and continuations of 1, 2, 30 and 20 tokens, ms per request,
    (a) the way Hugging Face / lm-eval score: the four context+continuation sequences in one padded
        batch, logits at every position; (b) with a KV cache over the context, continuations batched
        on top (what EvalKit's prefix sharing does);
  - greedy generation of 50 tokens after a 200-token prompt with a KV cache, tokens/s.
Prints lines starting with "[pytorch-bench]".
"""
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
torch.manual_seed(1)

LAYERS, WIDTH, HEADS, CONTEXT, VOCAB = 6, 384, 6, 256, 4096


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(WIDTH)
        self.c_attn = nn.Linear(WIDTH, 3 * WIDTH)
        self.c_proj = nn.Linear(WIDTH, WIDTH)
        self.ln_2 = nn.LayerNorm(WIDTH)
        self.c_fc = nn.Linear(WIDTH, 4 * WIDTH)
        self.mlp_proj = nn.Linear(4 * WIDTH, WIDTH)

    def forward(self, x, past=None):
        # x is (B, T, C); past is (k, v) each (B, H, Tpast, C/H) or None.
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(WIDTH, dim=2)
        q, k, v = (z.view(b, t, HEADS, c // HEADS).transpose(1, 2) for z in (q, k, v))
        if past is not None:
            k = torch.cat([past[0].expand(b, -1, -1, -1), k], dim=2)
            v = torch.cat([past[1].expand(b, -1, -1, -1), v], dim=2)
        offset = k.shape[2] - t
        mask = torch.ones(t, k.shape[2], dtype=torch.bool).tril(diagonal=offset)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = x + self.c_proj(y.transpose(1, 2).contiguous().view(b, t, c))
        x = x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))
        return x, (k, v)


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, WIDTH)
        self.wpe = nn.Embedding(CONTEXT, WIDTH)
        self.h = nn.ModuleList(Block() for _ in range(LAYERS))
        self.ln_f = nn.LayerNorm(WIDTH)

    def hidden(self, idx, past=None, start=0):
        x = self.wte(idx) + self.wpe(torch.arange(start, start + idx.shape[1]))
        presents = []
        for i, block in enumerate(self.h):
            x, present = block(x, None if past is None else past[i])
            presents.append(present)
        return self.ln_f(x), presents

    def logits(self, hidden):
        return hidden @ self.wte.weight.T  # tied output projection


model = GPT()
parameters = sum(p.numel() for p in model.parameters())
tokens = torch.tensor([(i * 7919 + i // 13) % VOCAB for i in range(200_000)])

# Training: batch 8 x 256, AdamW with no decay on biases and norms (as EvalKit's trainer).
decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=3e-4)


def train_step(step):
    start = (step * 8 * 257) % (len(tokens) - 8 * 257)
    batch = tokens[start:start + 8 * 257].view(8, 257)
    x, y = batch[:, :-1], batch[:, 1:]
    hidden, _ = model.hidden(x)
    loss = F.cross_entropy(model.logits(hidden).view(-1, VOCAB), y.reshape(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()


train_step(0)
steps = 5
start = time.perf_counter()
for step in range(1, steps + 1):
    train_step(step)
elapsed = time.perf_counter() - start
tokens_per_second = steps * 8 * 256 / elapsed
flops_per_token = 6 * (parameters - CONTEXT * WIDTH) + 12 * LAYERS * CONTEXT * WIDTH  # nanoGPT's count
print(f"[pytorch-bench] torch {torch.__version__}, {threads} threads, {parameters} parameters")
print(f"[pytorch-bench] training B=8 T=256: {tokens_per_second:.0f} tokens/s, {flops_per_token * tokens_per_second / 1e9:.1f} GFLOP/s")

context = tokens[0:200]
continuations = [tokens[5:6], tokens[7:9], tokens[400:430], tokens[500:520]]
requests = 10


def score_padded():
    # Every sequence whole, right-padded, logits at every position (the Hugging Face way).
    sequences = [torch.cat([context, c]) for c in continuations]
    length = max(len(s) for s in sequences)
    batch = torch.stack([F.pad(s, (0, length - len(s))) for s in sequences])
    hidden, _ = model.hidden(batch)
    logprobs = F.log_softmax(model.logits(hidden), dim=-1)
    scores = []
    for row, c in enumerate(continuations):
        positions = torch.arange(len(context) - 1, len(context) - 1 + len(c))
        scores.append(logprobs[row, positions, c].sum().item())
    return scores


def score_shared():
    # The context once into a KV cache, the continuations batched on top, logits only where scored.
    hidden, past = model.hidden(context.unsqueeze(0))
    last = F.log_softmax(model.logits(hidden[:, -1]), dim=-1)[0]
    length = max(len(c) for c in continuations)
    batch = torch.stack([F.pad(c, (0, length - len(c))) for c in continuations])
    hidden, _ = model.hidden(batch, past=past, start=len(context))
    scores = []
    for row, c in enumerate(continuations):
        total = last[c[0]].item()
        if len(c) > 1:
            logprobs = F.log_softmax(model.logits(hidden[row, : len(c) - 1]), dim=-1)
            total += logprobs[torch.arange(len(c) - 1), c[1:]].sum().item()
        scores.append(total)
    return scores


with torch.no_grad():
    padded, shared = score_padded(), score_shared()
    assert max(abs(a - b) for a, b in zip(padded, shared)) < 1e-3, (padded, shared)
    for name, score in [("padded batch, logits everywhere", score_padded), ("KV-cache prefix sharing", score_shared)]:
        start = time.perf_counter()
        for _ in range(requests):
            score()
        print(f"[pytorch-bench] scoring context 200 + continuations 1/2/30/20 tokens, {name}: {(time.perf_counter() - start) / requests * 1000:.1f} ms/request")

    hidden, past = model.hidden(context.unsqueeze(0))
    start = time.perf_counter()
    position = len(context)
    for _ in range(50):
        token = model.logits(hidden[:, -1]).argmax(dim=-1, keepdim=True)
        hidden, past = model.hidden(token, past=past, start=position)
        position += 1
    print(f"[pytorch-bench] greedy generation after a 200-token prompt: {50 / (time.perf_counter() - start):.1f} tokens/s")
