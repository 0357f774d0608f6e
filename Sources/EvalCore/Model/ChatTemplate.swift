/// The built-in chat templates: how a model family turns chat messages into the text it was
/// instruction-tuned on (docs/chat-templates.md).
///
/// Instruction-tuned GGUF files carry their template as Jinja (`tokenizer.chat_template`); EvalKit's
/// template engine is Mustache, so instead of running the Jinja it recognises which family the file's
/// template belongs to (`recognize(jinja:)`) and renders that family's documented format, written out
/// here. The rendered text does not start with BOS: the engine puts BOS first when the model uses one
/// (the templates' leading `{{ bos_token }}`).
public enum ChatTemplate: String, CaseIterable, Sendable, Codable {
    /// Gemma (2, 3): `<start_of_turn>user\n…<end_of_turn>\n`, the assistant's role is `model`, a
    /// system message is folded into the first user turn.
    case gemma
    /// Llama 3: `<|start_header_id|>role<|end_header_id|>\n\n…<|eot_id|>`.
    case llama3
    /// Llama 3.1, 3.2 and 3.3: Llama 3's blocks, and a system block that is always written and starts
    /// with the knowledge cutoff and the date (`Llama31Preamble`), the system message after it.
    case llama31 = "llama3.1"
    /// ChatML (Qwen 2 and 2.5, and others): `<|im_start|>role\n…<|im_end|>\n`.
    case chatml
    /// Qwen 2: ChatML with "You are a helpful assistant." as the system message when none is given.
    case qwen2
    /// Qwen 2.5: ChatML with "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
    /// as the system message when none is given.
    case qwen25 = "qwen2.5"
    /// No chat format: `Role: content` blocks ending with `Assistant:` (ChatTranscript.plainText), for base models.
    case plain

    /// The names `chat_template:` accepts, for error messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The token that ends a turn, at which generation of a reply stops (nil for `plain`).
    public var endOfTurn: String? {
        switch self {
        case .gemma: "<end_of_turn>"
        case .llama3, .llama31: "<|eot_id|>"
        case .chatml, .qwen2, .qwen25: "<|im_end|>"
        case .plain: nil
        }
    }

    /// Text pieces that must each be one special token of the model's vocabulary for the template to work.
    public var specialTokens: [String] {
        switch self {
        case .gemma: ["<start_of_turn>", "<end_of_turn>"]
        case .llama3, .llama31: ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
        case .chatml, .qwen2, .qwen25: ["<|im_start|>", "<|im_end|>"]
        case .plain: []
        }
    }

    /// Stop sequences a reply rendered with this template needs beyond its end-of-turn token: a base
    /// model given the plain template goes on to write the next turn.
    public var stopSequences: [String] { self == .plain ? ["\nUser:", "\nSystem:"] : [] }

    /// What a GGUF file's `tokenizer.chat_template` says about the family.
    public enum Recognition: Equatable, Sendable {
        /// The file has no template (a base model): chats are rendered as plain text.
        case absent
        case recognized(ChatTemplate)
        /// A template of a family EvalKit has no built-in rendering for; the first line of it, for messages.
        case unrecognized(excerpt: String)
    }

    /// Recognises the family of a Jinja chat template by the special tokens it writes:
    /// `<start_of_turn>` (Gemma), `<|start_header_id|>` (Llama 3; Llama 3.1 when it writes the
    /// "Cutting Knowledge Date" preamble), `<|im_start|>` (ChatML; Qwen 2.5 or Qwen 2 when it writes
    /// their default system message).
    public static func recognize(jinja: String?) -> Recognition {
        guard let jinja, !jinja.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return .absent }
        if jinja.contains("<start_of_turn>") { return .recognized(.gemma) }
        if jinja.contains("<|start_header_id|>") { return .recognized(jinja.contains("Cutting Knowledge Date") ? .llama31 : .llama3) }
        if jinja.contains("<|im_start|>") {
            for template in [ChatTemplate.qwen25, .qwen2] {
                if let message = template.defaultSystemMessage, jinja.contains(message) { return .recognized(template) }
            }
            return .recognized(.chatml)
        }
        let firstLine = jinja.split(whereSeparator: \.isNewline).first.map(String.init) ?? jinja
        return .unrecognized(excerpt: firstLine.count > 80 ? String(firstLine.prefix(80)) + "…" : firstLine)
    }

    /// The system message the family's template writes when the chat has none (Qwen's).
    public var defaultSystemMessage: String? {
        switch self {
        case .qwen2: "You are a helpful assistant."
        case .qwen25: "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
        default: nil
        }
    }

    /// The start of Llama 3.1's system block, as its template writes it with no tools and no
    /// `date_string` given (3.2's writes today's date when it can; EvalKit keeps the template's fixed
    /// default so a rendering does not change from day to day).
    public static let llama31Preamble = "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"

    /// The prompt text for `messages`, ending with the opening of the assistant's turn.
    /// - Throws: `ChatTemplateError` when the messages break the family's rules (Gemma: roles must
    ///   alternate user/assistant after an optional leading system message; every family: no messages).
    public func render(_ messages: [ChatMessage]) throws -> String {
        guard !messages.isEmpty else { throw ChatTemplateError(template: self, "a chat needs at least one message") }
        switch self {
        case .plain:
            return ChatTranscript.plainText(messages)
        case .gemma:
            return try Self.renderGemma(messages)
        case .llama3:
            return Self.llama3Blocks(messages[...])
        case .llama31:
            // The system block is always written: the preamble, then the system message (trimmed) if any.
            let system = messages[0].role == "system" ? Self.trimmed(messages[0].content) : ""
            let rest = messages[0].role == "system" ? messages.dropFirst() : messages[...]
            return "<|start_header_id|>system<|end_header_id|>\n\n\(Self.llama31Preamble)\(system)<|eot_id|>" + Self.llama3Blocks(rest)
        case .chatml, .qwen2, .qwen25:
            var turns = messages
            if let system = defaultSystemMessage, messages[0].role != "system" { turns.insert(ChatMessage(role: "system", content: system), at: 0) }
            return turns.map { "<|im_start|>\($0.role)\n\($0.content)<|im_end|>\n" }.joined() + "<|im_start|>assistant\n"
        }
    }

    /// Llama 3's header blocks, then the assistant's header. Content is trimmed, as the template's
    /// `message['content'] | trim`.
    static func llama3Blocks(_ messages: ArraySlice<ChatMessage>) -> String {
        messages.map { "<|start_header_id|>\($0.role)<|end_header_id|>\n\n\(trimmed($0.content))<|eot_id|>" }.joined()
            + "<|start_header_id|>assistant<|end_header_id|>\n\n"
    }

    /// Gemma 3's template: a leading system message becomes "system text\n\n" at the start of the
    /// first user turn; `assistant` is written `model`; content is trimmed; roles must alternate.
    static func renderGemma(_ messages: [ChatMessage]) throws -> String {
        var turns = messages[...]
        var firstUserPrefix = ""
        if messages[0].role == "system" {
            firstUserPrefix = messages[0].content + "\n\n"
            turns = messages.dropFirst()
        }
        var text = ""
        for (index, message) in turns.enumerated() {
            let expected = index % 2 == 0 ? "user" : "assistant"
            guard message.role == expected else {
                throw ChatTemplateError(template: .gemma, "message \(turns.startIndex + index) has role '\(message.role)' where '\(expected)' was expected: Gemma's template needs an optional system message, then user and assistant turns alternating, starting with user")
            }
            let role = message.role == "assistant" ? "model" : message.role
            text += "<start_of_turn>\(role)\n\(index == 0 ? firstUserPrefix : "")\(trimmed(message.content))<end_of_turn>\n"
        }
        return text + "<start_of_turn>model\n"
    }

    static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// A Jinja template equivalent to this rendering, for clients that render chats themselves
    /// (`/tokenizer_info`); it writes `bos_token` first where the family's template does.
    public var jinja: String {
        switch self {
        case .plain:
            "{% for message in messages %}{{ message['role'] | capitalize }}: {{ message['content'] | trim }}\n\n{% endfor %}{% if add_generation_prompt %}Assistant:{% endif %}"
        case .gemma:
            "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{% set first_user_prefix = messages[0]['content'] + '\n\n' %}{% set loop_messages = messages[1:] %}{% else %}{% set first_user_prefix = '' %}{% set loop_messages = messages %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% set role = 'model' if message['role'] == 'assistant' else message['role'] %}{{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else '') + (message['content'] | trim) + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}"
        case .llama3:
            "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + (message['content'] | trim) + '<|eot_id|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
        case .llama31:
            "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{% set system_message = messages[0]['content'] | trim %}{% set loop_messages = messages[1:] %}{% else %}{% set system_message = '' %}{% set loop_messages = messages %}{% endif %}{{ '<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n' + system_message + '<|eot_id|>' }}{% for message in loop_messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + (message['content'] | trim) + '<|eot_id|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
        case .chatml:
            "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
        case .qwen2:
            "{% if messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
        case .qwen25:
            "{% if messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}{% endif %}{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
        }
    }
}

/// Messages a chat template cannot render, and why.
public struct ChatTemplateError: Error, CustomStringConvertible, Sendable, Equatable {
    public let template: ChatTemplate
    public let message: String
    public init(template: ChatTemplate, _ message: String) {
        self.template = template
        self.message = message
    }
    public var description: String { "chat template '\(template.rawValue)': \(message)" }
}
