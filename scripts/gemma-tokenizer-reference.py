#!/usr/bin/env python3
"""Token ids of llama.cpp's tokenizer for the Gemma 3 270M GGUF on a varied corpus.

Usage: python3 scripts/gemma-tokenizer-reference.py [GGUF] [OUT_JSON]
  (needs: pip install llama-cpp-python; the GGUF from scripts/fetch-models)
  OUT_JSON defaults to Tests/EngineTests/Fixtures/gemma3-tokenizer-reference.json.

For each text: llama_cpp.Llama(vocab_only=True).tokenize(text, add_bos=False, special=True) — control
tokens written in the text (<start_of_turn>) parsed, as EvalKit's SentencePieceTokenizer.encode does —
and with special=False (control tokens kept as text).
"""
import json
import os
import sys

import llama_cpp

CORPUS = [
    "Hello world",
    "Hello, world! How are you?",
    " leading space",
    "trailing space ",
    "two  spaces   three    four",
    "line one\nline two\n\nline four\n",
    "\ttab\tseparated\tvalues",
    "\r\nWindows line endings\r\n",
    "Numbers: 0 7 42 123 4567 89012 3.14159 -273.15 1,000,000",
    "Dates 2024-02-29, times 23:59:59",
    "Emoji: 🙂 👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️",
    "中文分词测试：我爱自然语言处理。",
    "東京は日本の首都です。",
    "한국어 문장도 있습니다.",
    "Ελληνικά και русский текст",
    "العربية نص قصير",
    "हिन्दी वाक्य",
    "Café naïve résumé — déjà vu",
    "Cafe\u0301 (decomposed accent)",
    "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
    "for (int i = 0; i < n; ++i) { sum += a[i] * b[i]; }",
    '{"key": [1, 2, 3], "nested": {"ok": true, "null": null}}',
    "https://example.com/path?q=search&lang=en#anchor",
    "<start_of_turn>user\nWhat is 2 + 2?<end_of_turn>\n<start_of_turn>model\n",
    "<bos>text after a BOS written as text",
    "    indented with four spaces",
    "a" * 40,
    "!!!???...,,,;;;:::",
    "The quick brown fox jumps over the lazy dog. " * 3,
    "",
    " ",
    "\n",
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/evalkit/models/gemma-3-270m-q4_k_m.gguf")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "Tests", "EngineTests", "Fixtures", "gemma3-tokenizer-reference.json")
    vocab = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
    cases = []
    for text in CORPUS:
        data = text.encode("utf-8")
        cases.append({
            "text": text,
            "ids": vocab.tokenize(data, add_bos=False, special=True) if data else [],
            "ids_control_as_text": vocab.tokenize(data, add_bos=False, special=False) if data else [],
        })
    reference = {
        "source": "scripts/gemma-tokenizer-reference.py: llama-cpp-python %s, Llama(vocab_only=True).tokenize(add_bos=False), %s"
        % (llama_cpp.__version__, os.path.basename(path)),
        "cases": cases,
    }
    with open(out, "w") as f:
        json.dump(reference, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote", out, len(cases), "texts", file=sys.stderr)


if __name__ == "__main__":
    main()
