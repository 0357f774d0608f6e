import Foundation

/// Writing Hugging Face `tokenizer.json` (schema 1.0), loadable by `tokenizers.Tokenizer.from_file`.
extension ByteLevelBPETokenizer {
    /// The tokenizer as tokenizer.json text (UTF-8): keys in Hugging Face's order, vocab in id order,
    /// merges as `"left right"` strings (readable by every `tokenizers` version).
    public func tokenizerJSON() throws -> Data {
        // Every token goes in model.vocab, added ones too (GPT-2's file has <|endoftext|> in both).
        let modelVocabularyCount = vocabulary.count

        var lines: [String] = []
        lines.append("{")
        lines.append("  \"version\": \"1.0\",")
        lines.append("  \"truncation\": null,")
        lines.append("  \"padding\": null,")
        if addedTokens.isEmpty {
            lines.append("  \"added_tokens\": [],")
        } else {
            lines.append("  \"added_tokens\": [")
            for (index, token) in addedTokens.enumerated() {
                let comma = index + 1 < addedTokens.count ? "," : ""
                lines.append("    {\"id\": \(token.id), \"content\": \(JSONText.quoted(token.content)), \"single_word\": false, "
                             + "\"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": \(token.isSpecial)}\(comma)")
            }
            lines.append("  ],")
        }
        lines.append("  \"normalizer\": \(normalizesToNFC ? "{\"type\": \"NFC\"}" : "null"),")
        let byteLevel = "{\"type\": \"ByteLevel\", \"add_prefix_space\": \(addsPrefixSpace), \"trim_offsets\": \(trimOffsets), "
        if preTokenizerPattern == .gpt2 {
            lines.append("  \"pre_tokenizer\": \(byteLevel)\"use_regex\": true},")
        } else {
            lines.append("  \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": "
                         + "\(JSONText.quoted(preTokenizerPattern.regex))}, \"behavior\": \"Isolated\", \"invert\": false}, \(byteLevel)\"use_regex\": false}]},")
        }
        lines.append("  \"post_processor\": \(postProcessorJSON()),")
        lines.append("  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true},")
        lines.append("  \"model\": {")
        lines.append("    \"type\": \"BPE\",")
        lines.append("    \"dropout\": null,")
        lines.append("    \"unk_token\": null,")
        lines.append("    \"continuing_subword_prefix\": null,")
        lines.append("    \"end_of_word_suffix\": null,")
        lines.append("    \"fuse_unk\": false,")
        lines.append("    \"byte_fallback\": false,")
        lines.append("    \"ignore_merges\": \(ignoresMerges),")
        lines.append("    \"vocab\": {")
        for id in 0..<modelVocabularyCount {
            let comma = id + 1 < modelVocabularyCount ? "," : ""
            lines.append("      \(JSONText.quoted(vocabulary[id])): \(id)\(comma)")
        }
        lines.append("    },")
        lines.append("    \"merges\": [")
        for (index, merge) in merges.enumerated() {
            guard !merge.0.contains(" "), !merge.1.contains(" ") else {
                throw TokenizerError(key: "model.merges[\(index)]", "merge token contains a space and cannot be written as \"left right\"")
            }
            let comma = index + 1 < merges.count ? "," : ""
            lines.append("      \(JSONText.quoted(merge.0 + " " + merge.1))\(comma)")
        }
        lines.append("    ]")
        lines.append("  }")
        lines.append("}")
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// Writes tokenizer.json atomically: a temporary file in the same folder, then a rename.
    public func write(to url: URL) throws {
        let data = try tokenizerJSON()
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.globallyUniqueString)")
        do {
            try data.write(to: temporary)
            // POSIX rename replaces an existing file atomically (FileManager's replace is not atomic on Linux).
            guard rename(temporary.path, url.path) == 0 else {
                throw TokenizerError(file: url.path, "cannot rename \(temporary.lastPathComponent) over it (errno \(errno))")
            }
        } catch let error as TokenizerError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw TokenizerError(file: url.path, "cannot write the tokenizer: \(error.localizedDescription)")
        }
    }

    private func postProcessorJSON() -> String {
        if prefixTokenIDs.isEmpty && suffixTokenIDs.isEmpty {
            return "{\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": false, \"use_regex\": true}"
        }
        func special(_ id: Int) -> String { "{\"SpecialToken\": {\"id\": \(JSONText.quoted(vocabulary[id])), \"type_id\": 0}}" }
        func sequence(_ name: String, _ typeID: Int) -> String { "{\"Sequence\": {\"id\": \"\(name)\", \"type_id\": \(typeID)}}" }
        let single = prefixTokenIDs.map(special) + [sequence("A", 0)] + suffixTokenIDs.map(special)
        let pair = single + [sequence("B", 1)]
        var definitions: [String] = []
        for id in Set(prefixTokenIDs + suffixTokenIDs).sorted() {
            let name = JSONText.quoted(vocabulary[id])
            definitions.append("\(name): {\"id\": \(name), \"ids\": [\(id)], \"tokens\": [\(name)]}")
        }
        return "{\"type\": \"TemplateProcessing\", \"single\": [\(single.joined(separator: ", "))], "
            + "\"pair\": [\(pair.joined(separator: ", "))], \"special_tokens\": {\(definitions.joined(separator: ", "))}}"
    }
}
