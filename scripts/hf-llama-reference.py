#!/usr/bin/env python3
"""A tiny random Llama in the Hugging Face layout, and reference log-probabilities for it.

Writes Tests/EngineTests/Fixtures/tiny-hf-llama/ (config.json, model.safetensors, tokenizer.json,
tokenizer_config.json) and Tests/EngineTests/Fixtures/tiny-hf-llama-reference.json.

The weights are random (numpy seed 7), in the orientation and with the tensor names of
transformers' LlamaForCausalLM (q/k NOT permuted: Hugging Face's rotate-half RoPE layout). The
reference is a float64 numpy forward pass written from the conventions of transformers'
modeling_llama.py (RMSNorm, rotate_half RoPE with cos/sin of [freqs, freqs], repeat_kv for grouped-
query attention, causal softmax scaled by 1/sqrt(head_dim), SiLU-gated MLP, untied lm_head); no
transformers needed. The safetensors file and the byte-level BPE tokenizer.json are written by hand.

usage: scripts/hf-llama-reference.py [FIXTURES_DIR]   (needs numpy)
"""
import json
import os
import struct
import sys

import numpy as np

CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": 266,
    "hidden_size": 32,
    "intermediate_size": 48,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 8,
    "hidden_act": "silu",
    "max_position_embeddings": 64,
    "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0,
    "rope_scaling": None,
    "tie_word_embeddings": False,
    "attention_bias": False,
    "mlp_bias": False,
    "bos_token_id": 264,
    "eos_token_id": 265,
    "torch_dtype": "float32",
}

# Token id sequences scored by the reference (BOS = 264 first); the Swift test feeds the same ids.
SEQUENCES = [
    [264, 72, 101, 108, 108, 111, 257, 119, 111, 114, 108, 100, 33],
    [264, 256, 258, 260, 32, 97, 98, 99, 10, 49, 50, 51, 261, 262, 263, 40, 41, 123, 125, 255, 0, 17, 200, 150],
    [264, 84, 259, 259, 259, 46, 265],
]


def bytes_to_unicode():
    """GPT-2's byte <-> printable character map (the ByteLevel alphabet)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    n = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + n)
            n += 1
    return dict(zip(printable, [chr(c) for c in chars]))


def tokenizer_json():
    alphabet = bytes_to_unicode()
    vocab = {alphabet[b]: b for b in range(256)}
    merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("l", "l"), ("o", "r"), ("i", "n"), ("Ġ", "w"), ("Ġ", "a")]
    for a, b in merges:
        vocab[a + b] = len(vocab)
    assert len(vocab) == 264
    added = [{"id": 264, "content": "<|begin_of_text|>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True},
             {"id": 265, "content": "<|end_of_text|>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                    {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                           "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [264], "tokens": ["<|begin_of_text|>"]}}},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": False, "vocab": vocab, "merges": [a + " " + b for a, b in merges]},
    }


def weights(rng):
    c, f, v = CONFIG["hidden_size"], CONFIG["intermediate_size"], CONFIG["vocab_size"]
    nh, kvh, hd = CONFIG["num_attention_heads"], CONFIG["num_key_value_heads"], CONFIG["head_dim"]
    def mat(rows, cols, std):
        return (rng.standard_normal((rows, cols)) * std).astype(np.float32)
    def norm(n):
        return (1 + 0.2 * rng.standard_normal(n)).astype(np.float32)
    w = {"model.embed_tokens.weight": mat(v, c, 0.5)}
    for l in range(CONFIG["num_hidden_layers"]):
        p = f"model.layers.{l}."
        w[p + "input_layernorm.weight"] = norm(c)
        w[p + "self_attn.q_proj.weight"] = mat(nh * hd, c, 0.3)
        w[p + "self_attn.k_proj.weight"] = mat(kvh * hd, c, 0.3)
        w[p + "self_attn.v_proj.weight"] = mat(kvh * hd, c, 0.3)
        w[p + "self_attn.o_proj.weight"] = mat(c, nh * hd, 0.3)
        w[p + "post_attention_layernorm.weight"] = norm(c)
        w[p + "mlp.gate_proj.weight"] = mat(f, c, 0.3)
        w[p + "mlp.up_proj.weight"] = mat(f, c, 0.3)
        w[p + "mlp.down_proj.weight"] = mat(c, f, 0.3)
    w["model.norm.weight"] = norm(c)
    w["lm_head.weight"] = mat(v, c, 0.5)
    return w


def write_safetensors(tensors, path):
    header, offset, blobs = {"__metadata__": {"format": "pt"}}, 0, []
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for blob in blobs:
            out.write(blob)


def rms_norm(x, weight, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


# A second configuration: Llama 3.1's rope_scaling, as transformers' _compute_llama3_parameters.
LLAMA3_SCALING = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                  "original_max_position_embeddings": 16}


def llama3_inverse_frequencies(inv_freq, scaling):
    factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
    old = scaling["original_max_position_embeddings"]
    wavelen = 2 * np.pi / inv_freq
    scaled = np.where(wavelen > old / low, inv_freq / factor, inv_freq)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = ~(wavelen < old / high) & ~(wavelen > old / low)
    return np.where(medium, smoothed, scaled)


def forward(w, ids, rope_scaling=None):
    """log-softmax logits (T, V) of a float64 Llama forward pass, as transformers' LlamaForCausalLM."""
    c, nh, kvh, hd = CONFIG["hidden_size"], CONFIG["num_attention_heads"], CONFIG["num_key_value_heads"], CONFIG["head_dim"]
    eps, theta = CONFIG["rms_norm_eps"], CONFIG["rope_theta"]
    w = {k: v.astype(np.float64) for k, v in w.items()}
    t = len(ids)
    x = w["model.embed_tokens.weight"][ids]
    inv_freq = 1.0 / theta ** (np.arange(0, hd, 2, dtype=np.float64) / hd)
    if rope_scaling is not None:
        inv_freq = llama3_inverse_frequencies(inv_freq, rope_scaling)
    freqs = np.outer(np.arange(t, dtype=np.float64), inv_freq)
    emb = np.concatenate([freqs, freqs], axis=-1)
    cos, sin = np.cos(emb), np.sin(emb)
    mask = np.triu(np.full((t, t), -np.inf), k=1)
    for l in range(CONFIG["num_hidden_layers"]):
        p = f"model.layers.{l}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (h @ w[p + "self_attn.q_proj.weight"].T).reshape(t, nh, hd).transpose(1, 0, 2)
        k = (h @ w[p + "self_attn.k_proj.weight"].T).reshape(t, kvh, hd).transpose(1, 0, 2)
        v = (h @ w[p + "self_attn.v_proj.weight"].T).reshape(t, kvh, hd).transpose(1, 0, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = np.repeat(k, nh // kvh, axis=0)
        v = np.repeat(v, nh // kvh, axis=0)
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(hd) + mask
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        attn = (scores @ v).transpose(1, 0, 2).reshape(t, nh * hd)
        x = x + attn @ w[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (gate / (1 + np.exp(-gate)) * up) @ w[p + "mlp.down_proj.weight"].T
    logits = rms_norm(x, w["model.norm.weight"], eps) @ w["lm_head.weight"].T
    logits -= logits.max(axis=-1, keepdims=True)
    return logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Tests", "EngineTests", "Fixtures")
    folder = os.path.join(root, "tiny-hf-llama")
    os.makedirs(folder, exist_ok=True)
    w = weights(np.random.default_rng(7))
    write_safetensors(w, os.path.join(folder, "model.safetensors"))
    with open(os.path.join(folder, "config.json"), "w") as out:
        json.dump(CONFIG, out, indent=2)
    with open(os.path.join(folder, "tokenizer.json"), "w") as out:
        json.dump(tokenizer_json(), out, ensure_ascii=False)
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as out:
        json.dump({"add_bos_token": True, "bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>"}, out, indent=2)
    def cases(rope_scaling):
        result = []
        for ids in SEQUENCES:
            logp = forward(w, ids, rope_scaling)
            result.append({"ids": ids, "log_probabilities": [float(logp[i, ids[i + 1]]) for i in range(len(ids) - 1)],
                           "greedy": [int(np.argmax(logp[i])) for i in range(len(ids) - 1)]})
        return result
    reference = {"source": "scripts/hf-llama-reference.py: float64 numpy forward pass following transformers' modeling_llama.py (rotate_half RoPE), random weights, numpy seed 7",
                 "cases": cases(None),
                 "llama3_rope_scaling": LLAMA3_SCALING,
                 "llama3_rope_scaling_cases": cases(LLAMA3_SCALING)}
    with open(os.path.join(root, "tiny-hf-llama-reference.json"), "w") as out:
        json.dump(reference, out, indent=1)
    print(f"wrote {folder} and tiny-hf-llama-reference.json")


if __name__ == "__main__":
    main()
