#!/usr/bin/env python3
"""Reference per-token log-probabilities of Gemma 3 270M, computed independently in numpy.

Usage: python3 scripts/gemma-reference.py [GGUF] [OUT_JSON]
  (needs: pip install gguf numpy; llama-cpp-python optional, for the token ids)
  GGUF defaults to ~/.cache/evalkit/models/gemma-3-270m-q4_k_m.gguf (scripts/fetch-models),
  OUT_JSON to Tests/EngineTests/Fixtures/gemma3-270m-reference.json.

The weights are dequantised by the `gguf` package (gguf.quants.dequantize), not by EvalKit, and the
forward pass below is written from the Gemma 3 architecture (as llama.cpp runs a GGUF file), in
float64 throughout:
  x = embedding[ids] * sqrt(C)
  per layer: h = rms(x) * attn_norm; q, k, v = h Wq, h Wk, h Wv; per-head rms(q) * q_norm,
    rms(k) * k_norm; RoPE on halves (NeoX) with base 10,000 on sliding-window layers (window from
    gemma3.attention.sliding_window: keys p-window+1..p) and rope.freq_base on every 6th layer
    (global); softmax(q k^T / sqrt(head_dim)) v with 4 query heads sharing 1 key/value head;
    x += rms(attn Wo) * post_attention_norm; h = rms(x) * ffn_norm;
    x += rms((gelu_tanh(h Wgate) * (h Wup)) Wdown) * post_ffw_norm
  logits = rms(x) * output_norm @ embedding^T (tied)
The GGUF norm weights already hold Gemma's (1 + weight) (llama.cpp's converter adds the 1), so they
multiply as stored. RMS: x / sqrt(mean(x^2) + eps).

Token ids come from llama.cpp's tokenizer (llama_cpp.Llama(vocab_only=True), with BOS) when
llama-cpp-python is installed; the ids are stored in the fixture, and the Swift test feeds those
ids, so the test checks the model alone.
"""
import json
import math
import os
import sys

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize

TEXTS = [
    "The capital of France is Paris.",
    "def add(a, b):\n    return a + b\n",
    "Water boils at 100 degrees Celsius at sea level, and freezes at 0.",
    "東京は日本の首都です。 🙂",
]
# A long text: checks the sliding window (512) — only its last tokens are stored.
LONG_TEXT = " ".join(["Once upon a time, in a land far away, there lived a curious fox who counted the stars every night."] * 30)
LONG_SCORED_TAIL = 24


def tensor(reader, name):
    t = next(t for t in reader.tensors if t.name == name)
    values = dequantize(t.data, t.tensor_type)
    return np.asarray(values, dtype=np.float32).reshape([int(d) for d in reversed(t.shape)])


def field(reader, key):
    return reader.fields[key].contents()


def rms(x, weight, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * weight


def rope(x, positions, base):
    # x: (T, heads, hd); NeoX pairing (i, i + hd/2).
    hd = x.shape[-1]
    half = hd // 2
    freqs = base ** (-2.0 * np.arange(half, dtype=np.float64) / hd)
    angles = positions[:, None].astype(np.float64) * freqs[None, :]
    cos, sin = np.cos(angles)[:, None, :], np.sin(angles)[:, None, :]
    x0, x1 = x[..., :half], x[..., half:]
    return np.concatenate([x0 * cos - x1 * sin, x0 * sin + x1 * cos], axis=-1)


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


class Gemma3:
    def __init__(self, path):
        r = GGUFReader(path)
        a = "gemma3"
        self.c = int(field(r, f"{a}.embedding_length"))
        self.layers = int(field(r, f"{a}.block_count"))
        self.nh = int(field(r, f"{a}.attention.head_count"))
        self.kvh = int(field(r, f"{a}.attention.head_count_kv"))
        self.hd = int(field(r, f"{a}.attention.key_length"))
        self.eps = float(field(r, f"{a}.attention.layer_norm_rms_epsilon"))
        self.window = int(field(r, f"{a}.attention.sliding_window"))
        self.global_base = float(field(r, f"{a}.rope.freq_base"))
        self.embedding = tensor(r, "token_embd.weight")  # (V, C) float32
        self.embedding64 = None
        self.pieces = {p: i for i, p in reversed(list(enumerate(field(r, "tokenizer.ggml.tokens"))))}
        self.bos = int(field(r, "tokenizer.ggml.bos_token_id"))
        self.output_norm = tensor(r, "output_norm.weight").astype(np.float64)
        names = ["attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "attn_q_norm", "attn_k_norm",
                 "post_attention_norm", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down", "post_ffw_norm"]
        self.blocks = [{n: tensor(r, f"blk.{l}.{n}.weight").astype(np.float64) for n in names} for l in range(self.layers)]

    def hidden(self, ids):
        t = len(ids)
        positions = np.arange(t)
        x = self.embedding[ids].astype(np.float64) * math.sqrt(self.c)
        causal = positions[None, :] <= positions[:, None]
        for l, w in enumerate(self.blocks):
            is_global = (l + 1) % 6 == 0
            mask = causal if is_global else causal & (positions[:, None] - positions[None, :] < self.window)
            base = self.global_base if is_global else 10000.0
            h = rms(x, w["attn_norm"], self.eps)
            q = (h @ w["attn_q"].T).reshape(t, self.nh, self.hd)
            k = (h @ w["attn_k"].T).reshape(t, self.kvh, self.hd)
            v = (h @ w["attn_v"].T).reshape(t, self.kvh, self.hd)
            q = rope(rms(q, w["attn_q_norm"], self.eps), positions, base)
            k = rope(rms(k, w["attn_k_norm"], self.eps), positions, base)
            out = np.zeros((t, self.nh, self.hd))
            for head in range(self.nh):
                g = head // (self.nh // self.kvh)
                scores = q[:, head, :] @ k[:, g, :].T / math.sqrt(self.hd)
                scores = np.where(mask, scores, -np.inf)
                scores = np.exp(scores - scores.max(axis=1, keepdims=True))
                scores /= scores.sum(axis=1, keepdims=True)
                out[:, head, :] = scores @ v[:, g, :]
            attn = out.reshape(t, self.nh * self.hd) @ w["attn_output"].T
            x = x + rms(attn, w["post_attention_norm"], self.eps)
            h = rms(x, w["ffn_norm"], self.eps)
            mlp = (gelu_tanh(h @ w["ffn_gate"].T) * (h @ w["ffn_up"].T)) @ w["ffn_down"].T
            x = x + rms(mlp, w["post_ffw_norm"], self.eps)
        return rms(x, self.output_norm, self.eps)

    def token_log_probabilities(self, ids, scored_from=0):
        """Value k: log p(ids[scored_from + k + 1] | ids[:scored_from + k + 1])."""
        h = self.hidden(ids[:-1])
        result = []
        if self.embedding64 is None:
            self.embedding64 = self.embedding.astype(np.float64)
        for row in range(scored_from, len(ids) - 1):
            logits = self.embedding64 @ h[row]
            m = logits.max()
            log_z = m + math.log(np.exp(logits - m).sum())
            result.append(float(logits[ids[row + 1]] - log_z))
        return result


def greedy_ids(model, text):
    """Longest-match over the vocabulary with byte fallback: a valid (if not canonical) id sequence."""
    text = text.replace(" ", "\u2581")
    ids, i = [model.bos], 0
    while i < len(text):
        for j in range(min(len(text), i + 32), i, -1):
            if text[i:j] in model.pieces:
                ids.append(model.pieces[text[i:j]])
                i = j
                break
        else:
            ids += [model.pieces["<0x%02X>" % b] for b in text[i].encode("utf-8")]
            i += 1
    return ids


def tokenize(path, texts, model):
    try:
        import llama_cpp
    except ImportError:
        return [greedy_ids(model, t) for t in texts], "greedy longest match over the GGUF vocabulary (llama-cpp-python absent)"
    vocab = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
    return [vocab.tokenize(t.encode("utf-8"), add_bos=True, special=False) for t in texts], "llama-cpp-python %s" % llama_cpp.__version__


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/evalkit/models/gemma-3-270m-q4_k_m.gguf")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "Tests", "EngineTests", "Fixtures", "gemma3-270m-reference.json")
    model = Gemma3(path)
    ids, tokenizer = tokenize(path, TEXTS + [LONG_TEXT], model)
    cases = []
    for text, tokens in zip(TEXTS + [LONG_TEXT], ids):
        scored_from = max(0, len(tokens) - 1 - LONG_SCORED_TAIL) if text is LONG_TEXT else 0
        values = model.token_log_probabilities(tokens, scored_from)
        cases.append({"text": text, "ids": tokens, "scored_from": scored_from, "log_probabilities": [round(v, 7) for v in values]})
        print(f"{len(tokens)} tokens, scored from {scored_from}: sum {sum(values):.4f}", file=sys.stderr)
    import gguf
    reference = {
        "source": "scripts/gemma-reference.py: numpy %s float64 forward pass, weights dequantised by gguf %s, token ids from %s"
        % (np.__version__, getattr(gguf, "__version__", "0.19.0"), tokenizer),
        "model": os.path.basename(path),
        "cases": cases,
    }
    with open(out, "w") as f:
        json.dump(reference, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote", out, file=sys.stderr)


if __name__ == "__main__":
    main()
