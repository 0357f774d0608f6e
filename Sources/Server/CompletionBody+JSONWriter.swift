import Foundation

/// Appends JSON to a byte array, for bodies too large for `JSONEncoder` to write quickly.
///
/// An echo with log-probabilities answers four values per prompt token (a scoring client sends
/// hundreds of prompts a second); through `JSONEncoder` the `top_logprobs` dictionaries alone took
/// as long as the engine's forward pass (docs/PERFORMANCE.md, "eval serve").
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private static let hexDigits = Array("0123456789abcdef".utf8)

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A string literal; `"`, `\` and control characters escaped, everything else as UTF-8.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw(#"\""#)
            case UInt8(ascii: "\\"): raw(#"\\"#)
            case UInt8(ascii: "\n"): raw(#"\n"#)
            case UInt8(ascii: "\r"): raw(#"\r"#)
            case UInt8(ascii: "\t"): raw(#"\t"#)
            case 0..<0x20:
                raw(#"\u00"#)
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 15)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func integer(_ value: Int) { bytes.append(contentsOf: String(value).utf8) }

    /// Shortest text that reads back as the same double; -infinity as -9999.0 (as vLLM writes an
    /// impossible token's log-probability), NaN as null.
    mutating func number(_ value: Double) {
        if value.isNaN { raw("null"); return }
        if value.isInfinite { raw(value < 0 ? "-9999.0" : "9999.0"); return }
        bytes.append(contentsOf: value.description.utf8)
    }

    mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }
}

extension CompletionBody {
    /// The same JSON `JSONEncoder` writes for this body (keys in declaration order; `top_logprobs`
    /// entries most likely first), written by `JSONWriter`.
    func jsonBytes() -> [UInt8] {
        let tokenCount = choices.reduce(0) { $0 + ($1.logprobs?.logprobs.tokens.count ?? 0) }
        var json = JSONWriter(capacity: 512 + 96 * tokenCount)
        json.raw(#"{"id":"#); json.string(id)
        json.raw(#","object":"#); json.string(object)
        json.raw(#","created":"#); json.integer(created)
        json.raw(#","model":"#); json.string(model)
        json.raw(#","choices":["#)
        for (position, choice) in choices.enumerated() {
            if position > 0 { json.raw(",") }
            json.raw(#"{"index":"#); json.integer(choice.index)
            json.raw(#","text":"#); json.string(choice.text)
            json.raw(#","logprobs":"#)
            if let logprobs = choice.logprobs?.logprobs { json.write(logprobs) } else { json.raw("null") }
            json.raw(#","finish_reason":"#); json.optionalString(choice.finishReason)
            json.raw("}")
        }
        json.raw("]")
        if let usage {
            json.raw(#","usage":{"prompt_tokens":"#); json.integer(usage.promptTokens)
            json.raw(#","completion_tokens":"#); json.integer(usage.completionTokens)
            json.raw(#","total_tokens":"#); json.integer(usage.promptTokens + usage.completionTokens)
            json.raw("}")
        }
        json.raw("}")
        return json.bytes
    }
}

extension JSONWriter {
    /// The legacy completions `logprobs` object, as `CompletionLogprobsBody` encodes it.
    mutating func write(_ logprobs: TokenLogprobs) {
        raw(#"{"tokens":["#)
        for (index, token) in logprobs.tokens.enumerated() {
            if index > 0 { raw(",") }
            string(token)
        }
        raw(#"],"token_logprobs":["#)
        for (index, value) in logprobs.tokenLogprobs.enumerated() {
            if index > 0 { raw(",") }
            if let value { number(value) } else { raw("null") }
        }
        raw(#"],"top_logprobs":["#)
        for (index, entries) in logprobs.topLogprobs.enumerated() {
            if index > 0 { raw(",") }
            guard let entries else { raw("null"); continue }
            // Token text → log-probability; the likelier of two tokens with the same text wins
            // (entries come most likely first, so the first of a text is kept).
            var seen: Set<String> = []
            raw("{")
            for entry in entries where seen.insert(entry.token).inserted {
                if seen.count > 1 { raw(",") }
                string(entry.token)
                raw(":")
                number(entry.logprob)
            }
            raw("}")
        }
        raw(#"],"text_offset":["#)
        for (index, offset) in logprobs.textOffset.enumerated() {
            if index > 0 { raw(",") }
            integer(offset)
        }
        raw("]}")
    }
}
