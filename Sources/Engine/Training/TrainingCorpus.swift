import Foundation

/// Reads the documents of a training corpus: listed files, plus every `.txt` file under listed
/// folders, in sorted path order so the token stream is the same on every run.
enum TrainingCorpus {
    /// - Parameter relativeTo: base for relative paths (the CLI passes the config file's folder or the cwd).
    static func documentURLs(_ paths: [String], relativeTo base: URL) throws -> [URL] {
        let fileManager = FileManager.default
        var files: [URL] = []
        for path in paths {
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw EngineError.file(path: url.path, message: "corpus path does not exist")
            }
            if isDirectory.boolValue {
                guard let enumerator = fileManager.enumerator(at: url, includingPropertiesForKeys: nil) else { continue }
                var found: [URL] = []
                for case let file as URL in enumerator where file.pathExtension == "txt" { found.append(file) }
                files += found.sorted { $0.path < $1.path }
            } else {
                files.append(url)
            }
        }
        return files
    }

    /// The documents' texts; throws when there is no text at all.
    static func read(_ paths: [String], relativeTo base: URL) throws -> [String] {
        let urls = try documentURLs(paths, relativeTo: base)
        var documents: [String] = []
        for url in urls {
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw EngineError.file(path: url.path, message: "unreadable corpus file")
            }
            let text = String(decoding: data, as: UTF8.self)
            if !text.isEmpty { documents.append(text) }
        }
        guard !documents.isEmpty else {
            throw EngineError.invalidArgument("the corpus is empty: \(urls.count) file(s) found under \(paths.joined(separator: ", ")), none with text (folders are searched for .txt files)")
        }
        return documents
    }
}
