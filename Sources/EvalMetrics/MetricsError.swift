/// Errors raised by metric functions whose input can be malformed in a way no score can
/// represent. Most metrics never throw: they document what they return for degenerate input.
public enum MetricsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A `regex` metric pattern that does not compile.
    case invalidRegex(pattern: String, reason: String)
    /// An argument outside the range the function accepts, e.g. a negative count.
    case invalidArgument(function: String, message: String)

    /// A message naming the offending input.
    public var description: String {
        switch self {
        case let .invalidRegex(pattern, reason):
            return "invalid regular expression \(pattern.debugDescription): \(reason)"
        case let .invalidArgument(function, message):
            return "\(function): \(message)"
        }
    }
}
