import Arena
import Backends
import EvalCore
import Foundation
import Yams

/// `eval run` on a `kind: chess` task: a tournament between the task's players and the `--model`s.
/// Games are appended to `<output-dir>/<task>-chess/games.pgn` as they finish, so an interrupted
/// run resumes without replaying them; standings (W/D/L, illegal moves, ratings) go to
/// standings.md and stdout.
enum ChessRun {
    static func isChessTask(_ path: String) -> Bool {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let node = try? Yams.compose(yaml: text), let kind = node["kind"]?.string else { return false }
        return kind == "chess"
    }

    /// Checks a chess task file's keys and players without loading any model.
    /// - Returns: the number of players the file names.
    static func validate(path: String) throws -> Int {
        let config = try decode(path: path)
        _ = try Tournament(config: config) { spec in throw UsageError("model player '\(spec)' is not loaded while validating") }
        return config.players.count
    }

    static func decode(path: String) throws -> TournamentConfig {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        do {
            return try YAMLDecoder().decode(TournamentConfig.self, from: text)
        } catch {
            if let configError = TournamentConfigError.unwrapping(error) { throw UsageError("\(path): \(configError)") }
            throw UsageError("\(path): \(error)")
        }
    }

    static func run(path: String, models: [String], outputDir: String, quiet: Bool,
                    wrap: @escaping (any LanguageModel) throws -> any LanguageModel) async throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var config = try decode(path: path)
        for spec in models { config.players.append(PlayerSpec(spec: spec)) }
        let tournament: Tournament
        do {
            tournament = try Tournament(config: config) { spec in
                let resolved = try ModelResolver.resolve(spec)
                guard resolved.count == 1, let only = resolved.first else {
                    throw UsageError("'\(spec)' names \(resolved.count) models; a chess player is one checkpoint or endpoint")
                }
                return try wrap(only.load())
            }
        } catch let error as UsageError {
            throw error
        } catch {
            throw UsageError("\(path): \(error)")
        }
        let name = (try? Yams.compose(yaml: text))?["name"]?.string ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let folder = URL(fileURLWithPath: outputDir).appendingPathComponent("\(name)-chess")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let gamesURL = folder.appendingPathComponent("games.pgn")
        let finished = FileManager.default.fileExists(atPath: gamesURL.path)
            ? try GameRecord.read(pgn: String(contentsOf: gamesURL, encoding: .utf8)) : []
        if !finished.isEmpty { FileHandle.standardError.write(Data("resuming: \(finished.count) game(s) already in \(gamesURL.path)\n".utf8)) }
        let log = GamesLog(url: gamesURL)
        let result = try await tournament.run(finished: finished) { record, done, total in
            log.append(record.pgn)
            if !quiet { FileHandle.standardError.write(Data("game \(done)/\(total): \(record.pgn.split(separator: "\n").first { $0.hasPrefix("[Result") } ?? "")\n".utf8)) }
        }
        // The complete file, in schedule order, replaces the append log.
        let temporary = folder.appendingPathComponent(".games.pgn.tmp")
        try result.pgn.write(to: temporary, atomically: false, encoding: .utf8)
        if FileManager.default.fileExists(atPath: gamesURL.path) { try FileManager.default.removeItem(at: gamesURL) }
        try FileManager.default.moveItem(at: temporary, to: gamesURL)
        let table = result.markdownTable()
        try table.write(to: folder.appendingPathComponent("standings.md"), atomically: true, encoding: .utf8)
        print(table)
        if let error = result.ratingError { FileHandle.standardError.write(Data("ratings: \(error)\n".utf8)) }
        FileHandle.standardError.write(Data("games: \(gamesURL.path)\n".utf8))
    }
}

/// Appends finished games to the games file as they arrive (the resume log).
final class GamesLog: @unchecked Sendable {
    private let url: URL
    private let lock = NSLock()
    init(url: URL) { self.url = url }

    func append(_ pgn: String) {
        lock.withLock {
            let data = Data((pgn.hasSuffix("\n") ? pgn : pgn + "\n") .utf8) + Data("\n".utf8)
            if let handle = try? FileHandle(forWritingTo: url) {
                handle.seekToEndOfFile()
                handle.write(data)
                try? handle.close()
            } else {
                try? data.write(to: url)
            }
        }
    }
}
