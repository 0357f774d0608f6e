import EvalCore
import Foundation

/// Output formats of `eval leaderboard`.
public enum LeaderboardFormat: String, Sendable, CaseIterable {
    case markdown, json, csv
}

/// Everything a board shows: the models × tasks table, the optional checkpoint progression,
/// and the files that were skipped.
public struct LeaderboardReport: Sendable, Codable, Equatable {
    public var board: LeaderboardTable
    public var progression: ProgressionReport?
    /// Files skipped while reading, as "path: reason".
    public var warnings: [String]
    /// Ratings tables the board asks for (`ratings:`), in order.
    public var ratings: [RatingsTable] = []

    /// A head-to-head standings table (Markdown as the arena wrote it) and where it came from.
    public struct RatingsTable: Sendable, Codable, Equatable {
        public var source: String
        public var markdown: String
    }

    /// Reads the folders and builds the report.
    /// - Parameters:
    ///   - directories: results folders; empty means the board's `results`, else `results/`.
    ///   - spec: the board definition (a default one when there is no board file).
    public static func make(directories: [String], spec: BoardSpec) -> LeaderboardReport {
        let folders = !directories.isEmpty ? directories : (!spec.results.isEmpty ? spec.results : [ResultStore.defaultDirectory])
        let scan = ResultStore.scan(folders)
        return make(runs: scan.runs, spec: spec, warnings: scan.warnings.map(\.description))
    }

    /// Builds the report from runs already read. Checkpoints of the progression run appear in the
    /// main table only at their latest step, named by the run.
    public static func make(runs: [StoredRun], spec: BoardSpec, warnings: [String] = []) -> LeaderboardReport {
        var boardRuns = runs
        if let progression = spec.progression {
            let steps = runs.compactMap { ProgressionReport.step(model: $0.results.model.name, run: progression.run) }
            if let last = steps.max() {
                boardRuns = runs.filter { run in
                    guard let step = ProgressionReport.step(model: run.results.model.name, run: progression.run) else { return true }
                    return step == last
                }
            }
        }
        let board = LeaderboardTable.build(runs: boardRuns, spec: spec)
        let progression = ProgressionReport.build(runs: runs, spec: spec, columns: board.columns)
        var warnings = warnings
        var ratings: [RatingsTable] = []
        for path in spec.ratings {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), !text.isEmpty {
                ratings.append(RatingsTable(source: path, markdown: text))
            } else {
                warnings.append("\(path): ratings table not found or unreadable; skipped")
            }
        }
        return LeaderboardReport(board: board, progression: progression, warnings: warnings, ratings: ratings)
    }

    /// The report in a format. `chartFile` (the progression SVG) and `averageChartFile` (the averages bar
    /// chart) are file names linked from Markdown when given.
    public func render(_ format: LeaderboardFormat, chartFile: String? = nil, averageChartFile: String? = nil) throws -> String {
        switch format {
        case .markdown: return markdown(chartFile: chartFile, averageChartFile: averageChartFile)
        case .csv: return board.csv()
        case .json: return try LeaderboardJSON.string(self)
        }
    }

    public func markdown(chartFile: String? = nil, averageChartFile: String? = nil) -> String {
        var text = board.markdown(includeNotes: false)
        if let averageChartFile { text += "\n![averages](\(averageChartFile))\n" }
        if let progression {
            text += "\n" + progression.markdown()
            if let chartFile { text += "\n![\(progression.run) progression](\(chartFile))\n" }
        }
        if !ratings.isEmpty {
            text += "\n## Ratings\n"
            for table in ratings {
                text += "\nFrom `\(table.source)`:\n\n" + table.markdown.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
            }
        }
        if let notes = board.notes, !notes.isEmpty {
            text += "\n## Notes\n\n" + notes.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
        }
        return text
    }
}

/// JSON as EvalKit writes its files: pretty, sorted, snake_case keys, non-finite numbers as "nan"/"inf"/"-inf".
public enum LeaderboardJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = ResultsWriter.encoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    /// Reads what ``encoder()`` writes.
    public static func decoder() -> JSONDecoder {
        let decoder = ResultStore.jsonDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// The value as JSON text with a final newline.
    public static func string<Value: Encodable>(_ value: Value) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self) + "\n"
    }
}

/// Writes a file through a temporary file in the same folder and a rename, so readers never see half a file.
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try Data(text.utf8).write(to: temporary)
            // rename(2) replaces the destination atomically on the same file system.
            guard rename(temporary.path, url.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
