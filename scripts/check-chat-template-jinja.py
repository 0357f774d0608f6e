#!/usr/bin/env python3
"""Checks that each built-in chat template's Jinja form (ChatTemplate.jinja, what eval serve's
/tokenizer_info returns) renders, with Python's jinja2, exactly the text the Swift rendering gives
(the expected strings of Tests/EvalCoreTests/ChatTemplateTests.swift). Needs `pip install jinja2`.

usage: scripts/check-chat-template-jinja.py
"""
import os
import re
import sys

import jinja2

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": " Hi there \n"},
            {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Name a colour."}]
EXPECTED = {
    "gemma": "<start_of_turn>user\nBe brief.\n\nHi there<end_of_turn>\n<start_of_turn>model\nHello.<end_of_turn>\n"
             "<start_of_turn>user\nName a colour.<end_of_turn>\n<start_of_turn>model\n",
    "llama3": "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nName a colour.<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\n",
    "chatml": "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n Hi there \n<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n"
              "<|im_start|>user\nName a colour.<|im_end|>\n<|im_start|>assistant\n",
    "plain": "System: Be brief.\n\nUser: Hi there\n\nAssistant: Hello.\n\nUser: Name a colour.\n\nAssistant:",
    "llama31": "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nBe brief.<|eot_id|>"
               "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
               "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nName a colour.<|eot_id|>"
               "<|start_header_id|>assistant<|end_header_id|>\n\n",
    "qwen2": "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n Hi there \n<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n"
             "<|im_start|>user\nName a colour.<|im_end|>\n<|im_start|>assistant\n",
    "qwen25": "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n Hi there \n<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n"
              "<|im_start|>user\nName a colour.<|im_end|>\n<|im_start|>assistant\n",
}
# Without a system message: the families that write a default one (ChatTemplateTests has the same strings).
WITHOUT_SYSTEM = MESSAGES[1:2]
EXPECTED_WITHOUT_SYSTEM = {
    "llama31": "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
               "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
    "qwen2": "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n Hi there \n<|im_end|>\n<|im_start|>assistant\n",
    "qwen25": "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
              "<|im_start|>user\n Hi there \n<|im_end|>\n<|im_start|>assistant\n",
}


def main():
    source = open(os.path.join(ROOT, "Sources/EvalCore/Model/ChatTemplate.swift"), encoding="utf-8").read()
    body = source[source.index("public var jinja: String"):]
    environment = jinja2.Environment()
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)
    environment.globals["raise_exception"] = raise_exception
    failures = 0
    cases = [(family, MESSAGES, expected, "") for family, expected in EXPECTED.items()]
    cases += [(family, WITHOUT_SYSTEM, expected, " (no system message)") for family, expected in EXPECTED_WITHOUT_SYSTEM.items()]
    for family, messages, expected, note in cases:
        match = re.search(r"case \." + family + r':\s*\n\s*"((?:[^"\\]|\\.)*)"', body)
        template = match.group(1).encode().decode("unicode_escape")
        # bos_token is empty here: the Swift rendering leaves BOS to the engine.
        rendered = environment.from_string(template).render(messages=messages, bos_token="", add_generation_prompt=True)
        ok = rendered == expected
        failures += not ok
        print(f"{family}{note}: {'same' if ok else 'DIFFERENT: ' + repr(rendered)}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
