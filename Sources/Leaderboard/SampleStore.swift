import EvalCore
import Foundation

/// The part of a `samples.jsonl` line (a `SampleRecord`) that comparisons need: which doc, how many
/// choices, and the per-doc metric values per filter. Decoding only these keys keeps reading fast
/// (prompts and log-likelihoods are most of the bytes) and tolerant of fields added later.
public struct SampleScores: Decodable, Sendable {
    public var task: String
    public var docIndex: Int
    /// The multiple-choice options, when the task has them (their count gives the chance level).
    public var choices: [String]?
    public var scores: [SampleRecord.Scored]

    enum CodingKeys: String, CodingKey {
        case task, docIndex = "doc_index", choices, scores
    }

    /// The per-doc value of `metric` under `filter`, when the doc has one.
    public func value(metric: String, filter: String) -> Double? {
        scores.first { $0.filter == filter }?.metrics[metric]
    }
}

public enum SampleStore {
    /// Reads `samples.jsonl` in a run folder.
    /// - Returns: the decoded lines and one warning per line that could not be read (with its line number).
    /// - Throws: ``ResultsReadError`` when the file is missing or unreadable.
    public static func read(runFolder: String) throws -> (samples: [SampleScores], warnings: [StoreWarning]) {
        let path = URL(fileURLWithPath: runFolder).appendingPathComponent("samples.jsonl").path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ResultsReadError(path: path, reason: FileManager.default.fileExists(atPath: path)
                                   ? "cannot read the file" : "no samples.jsonl in the run folder")
        }
        let decoder = ResultStore.jsonDecoder()
        var samples: [SampleScores] = []
        var warnings: [StoreWarning] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
            do {
                samples.append(try decoder.decode(SampleScores.self, from: Data(line)))
            } catch {
                warnings.append(StoreWarning(path: "\(path):\(lineNumber)", reason: ResultStore.describe(error)))
            }
        }
        return (samples, warnings)
    }

    /// The chance accuracy of a multiple-choice task: the mean over docs of 1 / number of choices.
    /// Nil when no doc of the task lists choices.
    public static func chanceLevel(task: String, samples: [SampleScores]) -> Double? {
        let levels = samples.compactMap { sample -> Double? in
            guard sample.task == task, let count = sample.choices?.count, count > 0 else { return nil }
            return 1 / Double(count)
        }
        return levels.isEmpty ? nil : levels.reduce(0, +) / Double(levels.count)
    }
}
