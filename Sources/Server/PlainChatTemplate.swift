import EvalCore

/// The chat template for base models (which have none of their own): each message as
/// `Role: content` followed by a blank line, then `Assistant:` for the model to continue.
///
///     System: You are terse.
///
///     User: Name a colour.
///
///     Assistant:
///
/// Roles are capitalised (`system` → `System`, `user` → `User`, `assistant` → `Assistant`; any other
/// role likewise). Generation also stops at `\nUser:` and `\nSystem:` (a base model goes on to
/// write the next turn), and the reply loses its leading white space.
public enum PlainChatTemplate {
    /// Stop sequences added to every chat request rendered with this template.
    public static let stopSequences = ["\nUser:", "\nSystem:"]

    public static func render(_ messages: [ChatMessage]) -> String {
        var text = ""
        for message in messages {
            text += "\(roleName(message.role)): \(message.content)\n\n"
        }
        return text + "Assistant:"
    }

    static func roleName(_ role: String) -> String {
        guard let first = role.first else { return role }
        return first.uppercased() + role.dropFirst()
    }
}
