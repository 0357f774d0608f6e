#!/usr/bin/env python3
"""A Llama-2-style tokenizer.json (SentencePiece BPE as Hugging Face stores it) and its reference ids.

usage: python3 scripts/llama2-tokenizer-reference.py      (needs: pip install tokenizers)

Reads  Tests/TokenizersTests/Fixtures/spm-model.json (the tiny SentencePiece BPE model written by
       scripts/tokenizer-reference.py, Llama-style: dummy space prefix, byte fallback).
Writes Tests/TokenizersTests/Fixtures/
       spm-llama2-tokenizer.json   that model converted the way transformers' LlamaConverter converts
                                   Llama 2's tokenizer.model (legacy form): a BPE model with
                                   byte_fallback whose merges are every split of a piece into two
                                   pieces, ordered by the piece's score; normalizer Prepend("▁") +
                                   Replace(" ", "▁"); no pre-tokenizer; decoder Replace + ByteFallback +
                                   Fuse + Strip; a TemplateProcessing post-processor putting <s> first
       spm-llama2-metaspace-tokenizer.json  the same with the newer form (legacy: false): no normalizer,
                                   a Metaspace pre-tokenizer (prepend_scheme "first", split false)
       spm-llama2-reference.json   Hugging Face `tokenizers` ids (no special tokens added) and decoded
                                   text for scripts/tokenizer-reference.py's SPM_TEXTS, with both files
"""
import importlib.util
import json
import os

from tokenizers import AddedToken, Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import BPE

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "TokenizersTests", "Fixtures")


def spm_texts():
    spec = importlib.util.spec_from_file_location("tokenizer_reference", os.path.join(ROOT, "scripts", "tokenizer-reference.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SPM_TEXTS


def merges_of(tokens, scores):
    """transformers' SentencePieceExtractor.extract with vocab scores: every split of a piece into
    two pieces, the splits of one piece by their ids, then all by the piece's score, highest first."""
    vocab = {piece: i for i, piece in enumerate(tokens)}
    merges = []
    for piece, score in zip(tokens, scores):
        local = []
        for index in range(1, len(piece)):
            left, right = piece[:index], piece[index:]
            if left in vocab and right in vocab:
                local.append((left, right, score))
        local.sort(key=lambda m: (vocab[m[0]], vocab[m[1]]))
        merges.extend(local)
    merges.sort(key=lambda m: m[2], reverse=True)
    return vocab, [(m[0], m[1]) for m in merges]


def build(model, metaspace):
    tokens, types = model["tokens"], model["token_types"]
    vocab, merges = merges_of(tokens, model["scores"])
    unk = tokens[model["unk_id"]]
    tokenizer = Tokenizer(BPE(vocab, merges, unk_token=unk, fuse_unk=True, byte_fallback=True))
    # Control (3) and unknown (2) pieces are special added tokens; user-defined (4) ones plain added tokens.
    tokenizer.add_special_tokens([AddedToken(tokens[i], normalized=False, special=True) for i, t in enumerate(types) if t in (2, 3)])
    tokenizer.add_tokens([AddedToken(tokens[i], normalized=False, special=False) for i, t in enumerate(types) if t == 4])
    if metaspace:
        tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="first", split=False)
        tokenizer.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="first", split=False)
    else:
        tokenizer.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")])
        tokenizer.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(),
                                               decoders.Strip(" ", 1, 0)])
    bos = tokens[model["bos_id"]]
    tokenizer.post_processor = processors.TemplateProcessing(single=f"{bos} $A", pair=f"{bos} $A {bos} $B",
                                                             special_tokens=[(bos, model["bos_id"])])
    return tokenizer


def main():
    with open(os.path.join(FIXTURES, "spm-model.json"), encoding="utf-8") as file:
        model = json.load(file)
    texts = spm_texts()
    cases = {}
    for name, metaspace in [("spm-llama2-tokenizer.json", False), ("spm-llama2-metaspace-tokenizer.json", True)]:
        tokenizer = build(model, metaspace)
        tokenizer.save(os.path.join(FIXTURES, name))
        cases[name] = [{"text": t, "ids": tokenizer.encode(t, add_special_tokens=False).ids,
                        "with_bos": tokenizer.encode(t).ids,
                        "decoded": tokenizer.decode(tokenizer.encode(t, add_special_tokens=False).ids, skip_special_tokens=False)}
                       for t in texts]
    import tokenizers
    reference = {"source": f"scripts/llama2-tokenizer-reference.py: tokenizers {tokenizers.__version__}, spm-model.json converted as transformers' LlamaConverter does",
                 "files": cases}
    with open(os.path.join(FIXTURES, "spm-llama2-reference.json"), "w", encoding="utf-8") as file:
        json.dump(reference, file, ensure_ascii=False, indent=1)
    same = sum(a["ids"] == b["ids"] for a, b in zip(*cases.values()))
    print(f"{len(texts)} texts; legacy and Metaspace forms agree on {same}")


if __name__ == "__main__":
    main()
