import Foundation

/// Turns text into token ids and back.
///
/// Implementations are immutable after construction (any cache is internally synchronised),
/// so one instance can be shared by every thread of an evaluation run.
public protocol Tokenizer: Sendable {
    /// Token ids for `text` (no BOS/EOS added unless the tokenizer's own config says so).
    /// - Parameter text: Any Unicode text; never fails (unknown bytes use byte tokens or the unknown token).
    func encode(_ text: String) -> [Int]
    /// Text for `ids`; `decode(encode(s)) == s` for byte-level BPE.
    /// Ids out of range are skipped; byte sequences that are not valid UTF-8 become U+FFFD.
    func decode(_ ids: [Int]) -> String
    /// Number of token ids (the embedding table's row count): every id is in `0..<vocabularySize`.
    var vocabularySize: Int { get }
    /// `<|endoftext|>` for GPT-2 style; EOS for SentencePiece models.
    var endOfTextTokenID: Int? { get }
    /// The id a model expects at the start of a sequence, if it has one.
    var beginningOfTextTokenID: Int? { get }
    /// The string of one token (for debugging/streaming), nil if out of range.
    func tokenString(_ id: Int) -> String?
}

/// What went wrong while building, reading or writing a tokenizer, and where.
public struct TokenizerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file involved, if any (a path, or "<data>" for in-memory input).
    public var file: String?
    /// The key path inside the file (e.g. `model.merges[12]`), if any.
    public var key: String?
    /// A 1-based line number inside the file, if known.
    public var line: Int?
    /// What is wrong and what would be accepted.
    public var message: String

    public init(file: String? = nil, key: String? = nil, line: Int? = nil, _ message: String) {
        self.file = file
        self.key = key
        self.line = line
        self.message = message
    }

    public var description: String {
        var location: [String] = []
        if let file { location.append(line.map { "\(file):\($0)" } ?? file) }
        else if let line { location.append("line \(line)") }
        if let key { location.append("key '\(key)'") }
        return location.isEmpty ? "tokenizer error: \(message)" : "tokenizer error in \(location.joined(separator: ", ")): \(message)"
    }
}
