import Engine
import Tokenizers

/// Generated tokens for one prompt, with the text cut before the first stop sequence.
struct GeneratedText: Sendable {
    /// Ids generated (end-of-text not included).
    var ids: [Int]
    /// The decoded ids, cut before the first stop sequence.
    var text: String
    /// `stop` (a stop sequence or end of text) or `length` (max tokens or the context full).
    var finishReason: String
}

/// Releases generated text to a stream only once it can no longer change: not while it ends in
/// part of a character, nor while its end could be the start of a stop sequence.
struct StreamingTextGate {
    let stop: [String]
    private(set) var released = ""

    init(stop: [String]) { self.stop = stop }

    /// The text that may be sent now, given everything decoded so far (`final`: nothing follows).
    mutating func release(_ decoded: String, final: Bool) -> String {
        var safe = decoded
        if !final {
            if safe.hasSuffix("\u{FFFD}") { safe.removeLast() }
            // Hold back the longest end of the text that begins some stop sequence.
            var held = 0
            for sequence in stop {
                for length in stride(from: min(sequence.count - 1, safe.count), through: 1, by: -1)
                where safe.hasSuffix(sequence.prefix(length)) {
                    held = max(held, length)
                    break
                }
            }
            safe = String(safe.dropLast(held))
        }
        guard safe.count > released.count, safe.hasPrefix(released) else { return "" }
        let delta = String(safe.dropFirst(released.count))
        released = safe
        return delta
    }
}

/// Generation over a `CausalLanguageModel` as `EngineLanguageModel` does it (stop at end of text or
/// a stop sequence, cut the text before the stop sequence), with each piece of text reported as
/// soon as it is final. Runs on the inference queue's thread.
enum TokenGeneration {
    /// - Parameters:
    ///   - onText: called with each new piece of final text; return false to stop (client gone).
    static func run(model: any CausalLanguageModel, tokenizer: any Tokenizer, endTokens: Set<Int>, prompt: [Int], maxTokens: Int,
                    stop: [String], sampling: SamplingParameters, onText: ((String) -> Bool)?) throws -> GeneratedText {
        var generated: [Int] = []
        var stopped = false
        var gate = StreamingTextGate(stop: stop)
        var listening = true
        _ = try model.generate(prompt: prompt, maxTokens: maxTokens, sampling: sampling) { token in
            if endTokens.contains(token) {
                stopped = true
                return false
            }
            generated.append(token)
            guard !stop.isEmpty || onText != nil else { return true }
            let text = tokenizer.decode(generated)
            if stop.contains(where: { text.contains($0) }) {
                stopped = true
                return false
            }
            if let onText, listening {
                let delta = gate.release(text, final: false)
                if !delta.isEmpty, !onText(delta) { listening = false }
            }
            return listening
        }
        var text = tokenizer.decode(generated)
        if let cut = stop.compactMap({ text.range(of: $0)?.lowerBound }).min() {
            text = String(text[..<cut])
        }
        if let onText, listening {
            let delta = gate.release(text, final: true)
            if !delta.isEmpty { _ = onText(delta) }
        }
        return GeneratedText(ids: generated, text: text, finishReason: stopped ? "stop" : "length")
    }
}
