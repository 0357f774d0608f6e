#!/usr/bin/env python3
"""Reference token ids for the Tokenizers tests, computed with independent implementations.

usage: python3 scripts/tokenizer-reference.py [--whisper-sdist PATH]

Needs: pip install tokenizers sentencepiece   (and, for the real GPT-2 vocabulary, the openai-whisper
source distribution, fetched with `pip download --no-deps openai-whisper` unless --whisper-sdist is given;
only its assets/gpt2.tiktoken file is read: GPT-2's 50,257 byte-level BPE tokens with their ranks).

Reads  Tests/TokenizersTests/Fixtures/bpe-trained-tokenizer.json (written by our Swift trainer from
       bpe-corpus.txt, see docs/tokenizers.md) and bpe-corpus.txt.
Writes Tests/TokenizersTests/Fixtures/
       bpe-reference.json    Hugging Face `tokenizers` ids + GPT-2 pre-tokenizer pieces for TEXTS
       bpe-prefix-template-*.json  the same with add_prefix_space and a TemplateProcessing post-processor
       bpe-llama3-*.json, bpe-qwen2-*.json  the same vocabulary with Llama 3's / Qwen 2's pre-tokenizer
       gpt2-tokenizer.json   GPT-2's tokenizer.json rebuilt from gpt2.tiktoken (merges as [a, b] pairs)
       gpt2-reference.json   Hugging Face ids for TEXTS with that tokenizer
       spm-model.json        a tiny SentencePiece BPE model (pieces, scores, types) trained here,
                             Llama-style (dummy space prefix)
       spm-reference.json    `sentencepiece` ids for SPM_TEXTS with that model
       spm-no-prefix-*.json  the same, Gemma-style (add_dummy_prefix = false)
"""
import argparse
import base64
import glob
import json
import os
import subprocess
import sys
import tarfile
import tempfile

import tokenizers
from tokenizers import Tokenizer, pre_tokenizers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "TokenizersTests", "Fixtures")

# Varied test texts: spaces, runs of spaces, newlines, tabs, digits, contractions, punctuation,
# emoji, CJK, accents (composed and decomposed), other scripts, code, special tokens.
TEXTS = [
    "",
    " ",
    "   ",
    "hello",
    " hello",
    "Hello world",
    "Hello  world",
    "Hello   world   ",
    "trailing space ",
    "\n",
    "\n\n\n",
    "line one\nline two\r\nline three\n",
    "\ttab\tseparated\tvalues\t",
    " \t \n  \n\t",
    "indented\n    four spaces\n\ttab\n",
    "123456789 3.14159 1,000,000 2024-01-15 007",
    "I'm sure we'll see they've done it, she'd say it's you're HE'S",
    "'s 't 're 've 'm 'll 'd ' s don''t rock'n'roll",
    "Hello!!! What?... (yes) [no] {maybe} <tag> --- *** ~~~ @#$%^&",
    "🙂 👍🏽 👨‍👩‍👧 🎉🎉🎉",
    "東京は日本の首都です。北京是中国的首都。",
    "서울은 한국의 수도입니다.",
    "Café naïve résumé façade Ærøskøbing Zürich",
    "Cafe\u0301 decomposed e\u0301 and composed é",
    "Ohm \u2126 and omega \u03a9",
    "مرحبا بالعالم",
    "नमस्ते दुनिया",
    "non\u00a0breaking\u00a0space and ideographic\u3000space",
    "line\u2028separator and zero\u200bwidth",
    "½ ² Ⅻ ① digits and letter-numbers",
    "def square(x):\n    return x ** 2  # comment\n\nprint(square(12))\n",
    "func encode(_ text: String) -> [Int] {\n\treturn text.utf8.map { Int($0) }\n}\n",
    '{"key": [1, 2, 3], "nested": {"flag": true}}',
    "https://example.com/path?query=value&other=1 someone@example.org",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    # Pieces longer than 96 bytes take the priority-queue merge path.
    "pneumonoultramicroscopicsilicovolcanoconiosis" * 7,
    "x" + " " * 200 + "y",
    "1234567890" * 20,
    "QmFzZTY0IGJsb2JzIGFyZSBsb25nIHdvcmRzIHdpdGhvdXQgc3BhY2Vz" * 3 + "==",
    "é" * 120,
    "abc123def 4th 1st x86_64 UTF-8",
    "It'S WE'LL THEY'RE I'M YOU'VE HE'D WE'Ll x'ſ y'ſt",
    "1 12 123 1234 12345 1234567 3.14159",
    "windows\r\nline\r\n\r\nends\r",
    "  \n\n  x \n y\t\n\tz",
    "'quoted' (word) [x] {y} ...dots!!!\n\nnext ?!\r\n",
    "\tword \u00a0word \u3000word",
    "<|endoftext|>",
    "a<|endoftext|>b",
    "<|endoftext|><|endoftext|> text after two",
    "end of doc.<|endoftext|>Start of next",
    "<|endoftext <|endoftext|",
    "The quick brown fox jumps over the lazy dog. The dog doesn't mind; it's seen the fox before.",
    "It was the best of times, it was the worst of times, it was the age of wisdom.",
]

# Texts for the SentencePiece model (no GPT-2 special token; user-defined symbols instead).
SPM_TEXTS = [t for t in TEXTS if "<|endoftext" not in t] + [
    "a<sep>b",
    "<sep> at start and at end <sep>",
    "Hello<sep>world  <sep>  spaced",
    "<s> and </s> are control tokens, written as plain text",
    "unknown chars: \u0915\u094d\u0937 \U0001F600 \u00ff\u00fe",
]


def write_json(name, value):
    path = os.path.join(FIXTURES, name)
    with open(path, "w", encoding="utf-8") as file:
        json.dump(value, file, ensure_ascii=False, indent=1)
        file.write("\n")
    print("wrote", os.path.relpath(path, ROOT))


def byte_decoder():
    """Inverse of GPT-2's bytes_to_unicode, written from its definition."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    mapping = {}
    extra = 0
    for byte in range(256):
        if byte in printable:
            mapping[chr(byte)] = byte
        else:
            mapping[chr(256 + extra)] = byte
            extra += 1
    return mapping


BYTE_DECODER = byte_decoder()
BYTE_ENCODER = {value: key for key, value in BYTE_DECODER.items()}


def raw_piece(piece):
    return bytes(BYTE_DECODER[c] for c in piece).decode("utf-8")


def hf_cases(tokenizer, texts):
    pre = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    cases = []
    for text in texts:
        ids = tokenizer.encode(text).ids
        # Pieces of the text between special tokens, as the GPT-2 pattern splits them.
        pieces = [] if "<|endoftext" in text else [raw_piece(p) for p, _ in pre.pre_tokenize_str(text)]
        case = {"text": text, "ids": ids, "decoded": tokenizer.decode(ids, skip_special_tokens=False)}
        if "<|endoftext" not in text:
            case["pieces"] = pieces
        cases.append(case)
    return cases


def self_trained():
    path = os.path.join(FIXTURES, "bpe-trained-tokenizer.json")
    tokenizer = Tokenizer.from_file(path)
    write_json("bpe-reference.json", {
        "source": f"scripts/tokenizer-reference.py with Hugging Face tokenizers {tokenizers.__version__} "
                  "on bpe-trained-tokenizer.json",
        "cases": hf_cases(tokenizer, TEXTS),
    })


def prefix_space_and_template():
    """The self-trained tokenizer with add_prefix_space and a TemplateProcessing post-processor."""
    with open(os.path.join(FIXTURES, "bpe-trained-tokenizer.json"), encoding="utf-8") as file:
        spec = json.load(file)
    eot = {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}
    spec["pre_tokenizer"]["add_prefix_space"] = True
    spec["post_processor"] = {
        "type": "TemplateProcessing",
        "single": [eot, {"Sequence": {"id": "A", "type_id": 0}}, eot],
        "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [399], "tokens": ["<|endoftext|>"]}},
    }
    path = os.path.join(FIXTURES, "bpe-prefix-template-tokenizer.json")
    with open(path, "w", encoding="utf-8") as file:
        json.dump(spec, file, ensure_ascii=False)
    print("wrote", os.path.relpath(path, ROOT))
    tokenizer = Tokenizer.from_file(path)
    cases = []
    for text in TEXTS:
        ids = tokenizer.encode(text).ids
        cases.append({"text": text, "ids": ids, "decoded": tokenizer.decode(ids, skip_special_tokens=False)})
    write_json("bpe-prefix-template-reference.json", {
        "source": f"scripts/tokenizer-reference.py with Hugging Face tokenizers {tokenizers.__version__} "
                  "on bpe-prefix-template-tokenizer.json (add_prefix_space, <|endoftext|> around each text)",
        "cases": cases,
    })


LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
                  r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
                 r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")


def split_pattern_variants():
    """The self-trained vocabulary with Llama 3's and Qwen 2's pre-tokenizers (as their tokenizer.json
    files write them): Llama 3 also sets ignore_merges and a Sequence post-processor adding BOS
    (here <|endoftext|>); Qwen 2 also has an NFC normalizer."""
    for name, pattern in [("llama3", LLAMA3_PATTERN), ("qwen2", QWEN2_PATTERN)]:
        with open(os.path.join(FIXTURES, "bpe-trained-tokenizer.json"), encoding="utf-8") as file:
            spec = json.load(file)
        spec["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]}
        if name == "llama3":
            spec["model"]["ignore_merges"] = True
            eot = {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}
            spec["post_processor"] = {"type": "Sequence", "processors": [
                {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
                {"type": "TemplateProcessing", "single": [eot, {"Sequence": {"id": "A", "type_id": 0}}],
                 "pair": [eot, {"Sequence": {"id": "A", "type_id": 0}}, eot, {"Sequence": {"id": "B", "type_id": 1}}],
                 "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [399], "tokens": ["<|endoftext|>"]}}}]}
        else:
            spec["normalizer"] = {"type": "NFC"}
        path = os.path.join(FIXTURES, f"bpe-{name}-tokenizer.json")
        with open(path, "w", encoding="utf-8") as file:
            json.dump(spec, file, ensure_ascii=False)
        print("wrote", os.path.relpath(path, ROOT))
        tokenizer = Tokenizer.from_file(path)
        cases = []
        for text in TEXTS:
            ids = tokenizer.encode(text).ids
            case = {"text": text, "ids": ids, "decoded": tokenizer.decode(ids, skip_special_tokens=False)}
            if "<|endoftext" not in text:
                case["pieces"] = [raw_piece(p) for p, _ in tokenizer.pre_tokenizer.pre_tokenize_str(text)]
            cases.append(case)
        write_json(f"bpe-{name}-reference.json", {
            "source": f"scripts/tokenizer-reference.py with Hugging Face tokenizers {tokenizers.__version__} "
                      f"on bpe-{name}-tokenizer.json",
            "cases": cases,
        })


def rank_bpe(ranks, token, max_rank):
    """Split `token` (bytes) by merging the lowest-ranked adjacent pair while its rank < max_rank."""
    parts = [bytes([b]) for b in token]
    while True:
        best = None
        for index in range(len(parts) - 1):
            rank = ranks.get(parts[index] + parts[index + 1])
            if rank is not None and rank < max_rank and (best is None or rank < best[0]):
                best = (rank, index)
        if best is None:
            return parts
        index = best[1]
        parts = parts[:index] + [parts[index] + parts[index + 1]] + parts[index + 2:]


def gpt2(whisper_sdist):
    if whisper_sdist is None:
        folder = tempfile.mkdtemp()
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        "-d", folder, "openai-whisper"], check=True)
        whisper_sdist = glob.glob(os.path.join(folder, "openai_whisper-*.tar.gz"))[0]
    with tarfile.open(whisper_sdist) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("whisper/assets/gpt2.tiktoken"))
        lines = archive.extractfile(member).read().decode().split("\n")
    ranks = {}
    for line in lines:
        if line.strip():
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    vocab = {"".join(BYTE_ENCODER[b] for b in token): rank for token, rank in ranks.items()}
    merges = []
    for token, rank in sorted(ranks.items(), key=lambda item: item[1]):
        if len(token) == 1:
            continue
        parts = rank_bpe(ranks, token, rank)
        assert len(parts) == 2, (token, parts)
        merges.append(["".join(BYTE_ENCODER[b] for b in parts[0]), "".join(BYTE_ENCODER[b] for b in parts[1])])
    vocab["<|endoftext|>"] = len(vocab)
    spec = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": vocab["<|endoftext|>"], "content": "<|endoftext|>", "single_word": False,
                          "lstrip": False, "rstrip": False, "normalized": True, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": merges},
    }
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"))
    path = os.path.join(FIXTURES, "gpt2-tokenizer.json")
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
    print("wrote", os.path.relpath(path, ROOT), len(vocab), "tokens", len(merges), "merges")
    tokenizer = Tokenizer.from_file(path)
    cases = hf_cases(tokenizer, TEXTS)
    # Cross-check Hugging Face against plain rank-ordered BPE over the tiktoken ranks.
    pre = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    for case in cases:
        if "pieces" in case:
            expected = []
            for piece, _ in pre.pre_tokenize_str(case["text"]):
                raw = bytes(BYTE_DECODER[c] for c in piece)
                expected += [ranks[p] for p in rank_bpe(ranks, raw, len(ranks) + 1)]
            assert expected == case["ids"], case["text"]
    write_json("gpt2-reference.json", {
        "source": f"scripts/tokenizer-reference.py with Hugging Face tokenizers {tokenizers.__version__} on "
                  "gpt2-tokenizer.json (GPT-2's ranks from openai-whisper's assets/gpt2.tiktoken), "
                  "cross-checked against rank-ordered BPE in Python",
        "cases": cases,
    })


def sentencepiece_model(name, add_dummy_prefix):
    import sentencepiece

    folder = tempfile.mkdtemp()
    prefix = os.path.join(folder, "tiny")
    # Llama-style settings: BPE, identity normalisation, spaces kept, dummy prefix, split digits,
    # byte fallback; character_coverage < 1 so rare characters of the corpus fall back to bytes.
    sentencepiece.SentencePieceTrainer.train(
        input=os.path.join(FIXTURES, "bpe-corpus.txt"), model_prefix=prefix, vocab_size=600,
        model_type="bpe", byte_fallback=True, normalization_rule_name="identity",
        remove_extra_whitespaces=False, add_dummy_prefix=add_dummy_prefix, split_digits=True,
        character_coverage=0.98, user_defined_symbols=["<sep>"], hard_vocab_limit=False,
        unk_id=0, bos_id=1, eos_id=2, pad_id=-1, num_threads=1, minloglevel=2)
    model = sentencepiece.SentencePieceProcessor(model_file=prefix + ".model")
    pieces, scores, types = [], [], []
    for i in range(model.get_piece_size()):
        pieces.append(model.id_to_piece(i))
        scores.append(model.get_score(i))
        if model.is_unknown(i):
            types.append(2)
        elif model.is_control(i):
            types.append(3)
        elif model.is_byte(i):
            types.append(6)
        elif model.is_unused(i):
            types.append(5)
        elif model.id_to_piece(i) == "<sep>":
            types.append(4)
        else:
            types.append(1)
    write_json(f"{name}-model.json", {
        "source": f"scripts/tokenizer-reference.py: sentencepiece {sentencepiece.__version__} BPE trained on "
                  "bpe-corpus.txt; types as GGUF tokenizer.ggml.token_type (1 normal, 2 unknown, 3 control, "
                  "4 user-defined, 5 unused, 6 byte)",
        "tokens": pieces, "scores": scores, "token_types": types,
        "unk_id": model.unk_id(), "bos_id": model.bos_id(), "eos_id": model.eos_id(), "pad_id": model.pad_id(),
        "add_space_prefix": add_dummy_prefix,
    })
    cases = []
    for text in SPM_TEXTS:
        ids = model.encode(text)
        cases.append({"text": text, "ids": ids, "decoded": model.decode(ids)})
    write_json(f"{name}-reference.json", {
        "source": f"scripts/tokenizer-reference.py: sentencepiece {sentencepiece.__version__} encode/decode "
                  f"with {name}-model.json's model (no BOS/EOS)",
        "cases": cases,
    })


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--whisper-sdist", help="path to openai_whisper-*.tar.gz (else pip download)")
    parser.add_argument("--skip-gpt2", action="store_true")
    parser.add_argument("--skip-spm", action="store_true")
    args = parser.parse_args()
    self_trained()
    prefix_space_and_template()
    split_pattern_variants()
    if not args.skip_gpt2:
        gpt2(args.whisper_sdist)
    if not args.skip_spm:
        sentencepiece_model("spm", add_dummy_prefix=True)  # Llama-style
        sentencepiece_model("spm-no-prefix", add_dummy_prefix=False)  # Gemma-style


if __name__ == "__main__":
    main()
