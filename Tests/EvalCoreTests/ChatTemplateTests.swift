import EvalCore
import Testing

/// The built-in chat templates against hand-written renderings of each family's documented format.
@Suite struct ChatTemplateTests {
    let conversation = [
        ChatMessage(role: "system", content: "Be brief."),
        ChatMessage(role: "user", content: " Hi there \n"),
        ChatMessage(role: "assistant", content: "Hello."),
        ChatMessage(role: "user", content: "Name a colour."),
    ]

    @Test func gemmaFoldsTheSystemMessageIntoTheFirstUserTurn() throws {
        #expect(try ChatTemplate.gemma.render(conversation) == """
            <start_of_turn>user
            Be brief.

            Hi there<end_of_turn>
            <start_of_turn>model
            Hello.<end_of_turn>
            <start_of_turn>user
            Name a colour.<end_of_turn>
            <start_of_turn>model

            """)
        #expect(try ChatTemplate.gemma.render([ChatMessage(role: "user", content: "Hi")]) == "<start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n")
    }

    @Test func gemmaRefusesRolesThatDoNotAlternate() {
        let cases: [([ChatMessage], String)] = [
            ([ChatMessage(role: "assistant", content: "a")], "message 0 has role 'assistant' where 'user' was expected"),
            ([ChatMessage(role: "system", content: "s"), ChatMessage(role: "user", content: "a"), ChatMessage(role: "user", content: "b")],
             "message 2 has role 'user' where 'assistant' was expected"),
            ([ChatMessage(role: "user", content: "a"), ChatMessage(role: "system", content: "b")], "message 1 has role 'system'"),
        ]
        for (messages, message) in cases {
            #expect { try ChatTemplate.gemma.render(messages) } throws: { "\($0)".contains(message) && "\($0)".hasPrefix("chat template 'gemma'") }
        }
        #expect(throws: ChatTemplateError.self) { try ChatTemplate.chatml.render([]) }
    }

    @Test func llama3UsesHeaderIdsAndTrimsContent() throws {
        #expect(try ChatTemplate.llama3.render(conversation) ==
            "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nName a colour.<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n")
    }

    @Test func chatMLKeepsContentAsWritten() throws {
        #expect(try ChatTemplate.chatml.render(conversation) ==
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n Hi there \n<|im_end|>\n"
            + "<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nName a colour.<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func llama31AlwaysWritesTheSystemBlockWithItsPreamble() throws {
        let header = "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
        #expect(try ChatTemplate.llama31.render(conversation) ==
            header + "Be brief.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nName a colour.<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n")
        #expect(try ChatTemplate.llama31.render([conversation[1]]) ==
            header + "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
        #expect(ChatTemplate.llama31.endOfTurn == "<|eot_id|>" && ChatTemplate(rawValue: "llama3.1") == .llama31)
    }

    @Test func qwenWritesItsDefaultSystemMessageOnlyWhenThereIsNone() throws {
        let withSystem = try ChatTemplate.chatml.render(conversation)
        #expect(try ChatTemplate.qwen2.render(conversation) == withSystem && ChatTemplate.qwen25.render(conversation) == withSystem)
        let user = [conversation[1]]
        let turn = "<|im_start|>user\n Hi there \n<|im_end|>\n<|im_start|>assistant\n"
        #expect(try ChatTemplate.chatml.render(user) == turn)
        #expect(try ChatTemplate.qwen2.render(user) == "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n" + turn)
        #expect(try ChatTemplate.qwen25.render(user) == "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n" + turn)
        #expect(ChatTemplate(rawValue: "qwen2.5") == .qwen25 && ChatTemplate.qwen25.endOfTurn == "<|im_end|>")
    }

    @Test func plainIsTheTranscriptBaseModelsGet() throws {
        #expect(try ChatTemplate.plain.render(conversation) == "System: Be brief.\n\nUser: Hi there\n\nAssistant: Hello.\n\nUser: Name a colour.\n\nAssistant:")
        #expect(ChatTemplate.plain.stopSequences == ["\nUser:", "\nSystem:"])
        #expect(ChatTemplate.plain.endOfTurn == nil)
        #expect(ChatTemplate.gemma.endOfTurn == "<end_of_turn>" && ChatTemplate.llama3.endOfTurn == "<|eot_id|>" && ChatTemplate.chatml.endOfTurn == "<|im_end|>")
    }

    @Test func familiesAreRecognisedFromTheirJinja() {
        // Opening lines of the templates shipped with Gemma 3, Llama 3 and Qwen 2.5 instruct models,
        // and a Mistral [INST] template, which has no built-in rendering.
        let gemma = "{{ bos_token }}\n{%- if messages[0]['role'] == 'system' -%}...{{ '<start_of_turn>' + role + '\\n' }}"
        let llama3 = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' %}"
        let qwen = "{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}{%- endfor %}"
        let mistral = "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% endif %}{% endfor %}"
        #expect(ChatTemplate.recognize(jinja: gemma) == .recognized(.gemma))
        #expect(ChatTemplate.recognize(jinja: llama3) == .recognized(.llama3))
        #expect(ChatTemplate.recognize(jinja: qwen) == .recognized(.chatml))
        // Llama 3.1's preamble, Qwen 2's and Qwen 2.5's default system messages (fragments of their templates).
        let llama31 = "{%- if not date_string is defined %}{%- set date_string = \"26 Jul 2024\" %}{%- endif %}{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}{{- \"Cutting Knowledge Date: December 2023\\n\" }}"
        let qwen2 = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
        let qwen25 = "{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}{%- endif %}"
        #expect(ChatTemplate.recognize(jinja: llama31) == .recognized(.llama31))
        #expect(ChatTemplate.recognize(jinja: qwen2) == .recognized(.qwen2))
        #expect(ChatTemplate.recognize(jinja: qwen25) == .recognized(.qwen25))
        #expect(ChatTemplate.recognize(jinja: nil) == .absent)
        #expect(ChatTemplate.recognize(jinja: "  \n") == .absent)
        guard case .unrecognized(let excerpt) = ChatTemplate.recognize(jinja: mistral) else {
            Issue.record("a Mistral template was recognised")
            return
        }
        #expect(excerpt.hasPrefix("{{ bos_token }}{% for message in messages %}") && excerpt.hasSuffix("…") && excerpt.count == 81)
    }
}
