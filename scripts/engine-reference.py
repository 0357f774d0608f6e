#!/usr/bin/env python3
"""Reference logits for the Engine's GPT-2 parity test, computed by Hugging Face transformers.

Usage: python3 scripts/engine-reference.py [FIXTURES_DIR]
  (needs: pip install torch transformers safetensors tokenizers; CPU is enough)

Reads FIXTURES_DIR/tiny-gpt2/ (a checkpoint written by EvalKit's engine, see
Tests/EngineTests/ReferenceParityTests.swift `writeParityFixture`), tokenizes a fixed text with the
checkpoint's tokenizer.json through the `tokenizers` library, runs GPT2LMHeadModel in float32, and
writes FIXTURES_DIR/tiny-gpt2-reference.json with the input ids and the logits (T x V).
"""
import json
import os
import sys

import torch
from tokenizers import Tokenizer
from transformers import GPT2LMHeadModel

TEXT = "The lazy fox scores small words."


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    fixtures = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "Tests", "EngineTests", "Fixtures")
    folder = os.path.join(fixtures, "tiny-gpt2")
    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    ids = tokenizer.encode(TEXT).ids
    model = GPT2LMHeadModel.from_pretrained(folder, torch_dtype=torch.float32)
    model.eval()
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0]
    reference = {
        "source": "scripts/engine-reference.py: transformers %s GPT2LMHeadModel, torch %s, float32 CPU"
        % (__import__("transformers").__version__, torch.__version__),
        "text": TEXT,
        "input_ids": ids,
        "logits": [[round(float(x), 7) for x in row] for row in logits],
    }
    out = os.path.join(fixtures, "tiny-gpt2-reference.json")
    with open(out, "w") as f:
        json.dump(reference, f, separators=(",", ":"))
    print("wrote", out, "tokens", len(ids), "vocab", logits.shape[-1])


if __name__ == "__main__":
    main()
