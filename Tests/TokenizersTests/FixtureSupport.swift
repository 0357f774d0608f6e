import Foundation
import Testing

/// Locates and decodes files in Tests/TokenizersTests/Fixtures.
enum Fixtures {
    static func url(_ name: String) throws -> URL {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return folder.appendingPathComponent(name)
    }

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: url(name))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: data(name))
    }

    /// bpe-corpus.txt split into lines, each keeping its newline (the training corpus of bpe-trained-tokenizer.json).
    static func corpusLines() throws -> [String] {
        let text = String(decoding: try data("bpe-corpus.txt"), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
    }

    /// A fresh empty folder under the temporary directory.
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("TokenizersTests-\(ProcessInfo.processInfo.globallyUniqueString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

/// One reference case written by scripts/tokenizer-reference.py.
struct ReferenceCase: Decodable {
    var text: String
    var ids: [Int]
    var decoded: String
    /// GPT-2 pre-tokenizer pieces (absent for texts with special tokens).
    var pieces: [String]?
}

struct ReferenceFile: Decodable {
    var source: String
    var cases: [ReferenceCase]
}
