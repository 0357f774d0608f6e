#!/usr/bin/env python3
"""Reference token ids of Gemma chats, for Tests/BackendsTests/ChatTemplateModelTests.swift.

Renders two chats in Gemma 3's chat format (written out by hand below, following the template in
Gemma 3's tokenizer_config.json: optional system text folded into the first user turn followed by a
blank line, `assistant` written `model`, content trimmed, `<start_of_turn>model\n` to finish) and
tokenizes them with llama.cpp's tokenizer from the real GGUF (llama-cpp-python, vocab only), with BOS
and special-token parsing, as llama.cpp's server does for a chat. Prints Swift literals to paste.

usage: scripts/chat-template-reference.py [GGUF]
       (default ~/.cache/evalkit/models/gemma-3-270m-q4_k_m.gguf; needs `pip install llama-cpp-python`)
"""
import json
import os
import sys

from llama_cpp import Llama

CHATS = [
    [
        {"role": "system", "content": "You are a terse assistant."},
        {"role": "user", "content": "  What is 2 + 2?\n"},
        {"role": "assistant", "content": "4."},
        {"role": "user", "content": "And in words? 🙂"},
    ],
    [
        {"role": "user", "content": "Write one line of Python:\nprint('hi')"},
    ],
]


def render_gemma(messages):
    prefix = ""
    turns = messages
    if messages[0]["role"] == "system":
        prefix = messages[0]["content"] + "\n\n"
        turns = messages[1:]
    text = ""
    for index, message in enumerate(turns):
        role = "model" if message["role"] == "assistant" else message["role"]
        text += "<start_of_turn>" + role + "\n" + (prefix if index == 0 else "") + message["content"].strip() + "<end_of_turn>\n"
    return text + "<start_of_turn>model\n"


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/evalkit/models/gemma-3-270m-q4_k_m.gguf")
    llama = Llama(model_path=path, vocab_only=True, verbose=False)
    for messages in CHATS:
        text = render_gemma(messages)
        ids = llama.tokenize(text.encode("utf-8"), add_bos=True, special=True)
        print("// " + json.dumps(messages, ensure_ascii=False))
        print("text: " + json.dumps(text, ensure_ascii=False))
        print("ids: " + json.dumps(ids))
    print("// end_of_turn: " + json.dumps(llama.tokenize(b"<end_of_turn>", add_bos=False, special=True)))


if __name__ == "__main__":
    main()
