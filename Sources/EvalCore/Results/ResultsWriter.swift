import Foundation

/// Writes a run's folder: `results.json` and `samples.jsonl`, built in a hidden temporary folder and
/// renamed into place, so a results folder either is complete or does not exist.
public enum ResultsWriter {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// A run id: UTC time, model and task names, made filesystem-safe.
    public static func makeRunID(model: String, task: String, date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        func safe(_ s: String) -> String {
            String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" }.prefix(40))
        }
        return "\(formatter.string(from: date))-\(safe(model))-\(safe(task))"
    }

    /// - Returns: the folder written.
    @discardableResult
    public static func write(results: RunResults, runs: [TaskRun], to directory: URL) throws -> URL {
        try write(results: results, samples: try samplesJSONL(runs), to: directory)
    }

    /// Writes results.json and the given samples.jsonl bytes (judge tasks build their own lines).
    /// - Returns: the folder written.
    @discardableResult
    public static func write(results: RunResults, samples: Data, to directory: URL) throws -> URL {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        var runID = results.runID
        var final = directory.appendingPathComponent(runID)
        var suffix = 1
        while fileManager.fileExists(atPath: final.path) {
            suffix += 1
            runID = "\(results.runID)-\(suffix)"
            final = directory.appendingPathComponent(runID)
        }
        var results = results
        results.runID = runID
        let temporary = directory.appendingPathComponent(".tmp-\(runID)-\(ProcessInfo.processInfo.processIdentifier)")
        try? fileManager.removeItem(at: temporary)
        try fileManager.createDirectory(at: temporary, withIntermediateDirectories: true)
        do {
            try encoder().encode(results).write(to: temporary.appendingPathComponent("results.json"))
            try samples.write(to: temporary.appendingPathComponent("samples.jsonl"))
            try fileManager.moveItem(at: temporary, to: final)
        } catch {
            try? fileManager.removeItem(at: temporary)
            throw error
        }
        return final
    }

    /// The encoder of samples.jsonl lines (compact, sorted keys).
    public static func lineEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static func samplesJSONL(_ runs: [TaskRun]) throws -> Data {
        let encoder = lineEncoder()
        var data = Data()
        for run in runs {
            for (index, instance) in run.prepared.instances.enumerated() {
                let line = SampleRecord(task: run.prepared.task.name, instance: instance, responses: run.responses[index],
                                        scores: run.scores[index])
                data.append(try encoder.encode(line))
                data.append(UInt8(ascii: "\n"))
            }
        }
        return data
    }
}

/// One line of samples.jsonl.
public struct SampleRecord: Codable, Sendable {
    public struct Scored: Codable, Sendable {
        public var filter: String
        public var answers: [String]?
        public var predicted: Int?
        public var metrics: [String: Double]
    }

    public var task: String
    public var docIndex: Int
    public var doc: [String: JSONValue]
    public var prompt: String
    public var choices: [String]?
    public var gold: [Int]?
    public var references: [String]?
    public var logLikelihoodRequests: [LogLikelihoodRequest]?
    public var logLikelihoods: [LogLikelihoodResponse]?
    public var unconditionalLogLikelihoods: [LogLikelihoodResponse]?
    public var rolling: RollingLogLikelihoodResponse?
    public var generationRequests: [GenerationRequest]?
    public var generations: [GenerationResponse]?
    public var scores: [Scored]

    enum CodingKeys: String, CodingKey {
        case task, docIndex = "doc_index", doc, prompt, choices, gold, references
        case logLikelihoodRequests = "loglikelihood_requests", logLikelihoods = "loglikelihoods"
        case unconditionalLogLikelihoods = "unconditional_loglikelihoods", rolling
        case generationRequests = "generation_requests", generations, scores
    }

    init(task: String, instance: DocInstance, responses: DocResponses, scores: [DocScore]) {
        self.task = task
        docIndex = instance.docIndex
        doc = instance.doc
        prompt = instance.prompt
        choices = instance.choices.isEmpty ? nil : instance.choices
        gold = instance.goldIndices.isEmpty ? nil : instance.goldIndices
        references = instance.references.isEmpty ? nil : instance.references
        logLikelihoodRequests = instance.logLikelihoodRequests.isEmpty ? nil : instance.logLikelihoodRequests
        logLikelihoods = responses.logLikelihoods.isEmpty ? nil : responses.logLikelihoods
        unconditionalLogLikelihoods = responses.unconditional.isEmpty ? nil : responses.unconditional
        rolling = responses.rolling
        generationRequests = instance.generationRequests.isEmpty ? nil : instance.generationRequests
        generations = responses.generations.isEmpty ? nil : responses.generations
        self.scores = scores.map { score in
            Scored(filter: score.filter, answers: score.answers.isEmpty ? nil : score.answers, predicted: score.predictedIndex,
                   metrics: score.metrics.compactMapValues(\.perSampleValue))
        }
    }
}
