/// Chat messages for models with and without a chat template.
public enum ChatTranscript {
    /// The messages as plain text, for models without chat support: each message as
    /// `Role: content` (role capitalised, content trimmed), separated by blank lines, ending with
    /// `Assistant:` so the model's continuation is the assistant's reply.
    public static func plainText(_ messages: [ChatMessage]) -> String {
        messages.map { message in
            let role = message.role.prefix(1).uppercased() + message.role.dropFirst()
            return "\(role): \(message.content.trimmingCharacters(in: .whitespacesAndNewlines))"
        }.joined(separator: "\n\n") + "\n\nAssistant:"
    }

    /// `.chat(messages)` for chat models, otherwise their plain-text rendering.
    public static func prompt(_ messages: [ChatMessage], supportsChat: Bool) -> GenerationPrompt {
        supportsChat ? .chat(messages) : .text(plainText(messages))
    }
}
