import Foundation
import EvalMetrics

/// What a metric contributes for one doc: a value to average, or the inputs of a corpus statistic.
public enum MetricSample: Sendable, Equatable {
    case value(Double)
    case text(prediction: String, references: [String])
    case perplexity(logLikelihood: Double, words: Int, bytes: Int)

    /// The value printed in samples.jsonl (corpus metrics have none per doc).
    var perSampleValue: Double? {
        if case .value(let v) = self { return v }
        return nil
    }
}

/// The responses a doc received, in the order of its requests.
public struct DocResponses: Sendable {
    public var logLikelihoods: [LogLikelihoodResponse] = []
    public var unconditional: [LogLikelihoodResponse] = []
    public var rolling: RollingLogLikelihoodResponse?
    public var generations: [GenerationResponse] = []

    public init(logLikelihoods: [LogLikelihoodResponse] = [], unconditional: [LogLikelihoodResponse] = [],
                rolling: RollingLogLikelihoodResponse? = nil, generations: [GenerationResponse] = []) {
        self.logLikelihoods = logLikelihoods
        self.unconditional = unconditional
        self.rolling = rolling
        self.generations = generations
    }
}

/// One doc's scores under one filter pipeline.
public struct DocScore: Sendable {
    public var filter: String
    /// The answers after filtering (generation tasks).
    public var answers: [String]
    /// Multiple choice: the predicted choice under `acc`.
    public var predictedIndex: Int?
    public var metrics: [String: MetricSample]
}

/// Scores one doc from its responses. Pure: the same inputs give the same scores.
public enum DocScorer {
    public static func score(task: TaskSpec, instance: DocInstance, responses: DocResponses) throws -> [DocScore] {
        switch task.kind {
        case .multipleChoice: return [try multipleChoice(task: task, instance: instance, responses: responses)]
        case .generation:
            return try task.filters.map { pipeline in
                try generation(task: task, instance: instance, responses: responses, pipeline: pipeline)
            }
        case .perplexity:
            guard let rolling = responses.rolling else { throw ModelError("missing rolling log-likelihood") }
            let text = instance.prompt
            let words = text.split(whereSeparator: { $0.isWhitespace }).count
            let sample = MetricSample.perplexity(logLikelihood: rolling.logLikelihood, words: words, bytes: text.utf8.count)
            return [DocScore(filter: "none", answers: [], predictedIndex: nil,
                             metrics: Dictionary(uniqueKeysWithValues: task.metrics.map { ($0.key, sample) }))]
        case .judge, .chess:
            throw ModelError("kind \(task.kind.rawValue) is not scored by DocScorer")
        }
    }

    static func multipleChoice(task: TaskSpec, instance: DocInstance, responses: DocResponses) throws -> DocScore {
        let lls = responses.logLikelihoods.map(\.logLikelihood)
        let gold = Set(instance.goldIndices)
        var metrics: [String: MetricSample] = [:]
        for metric in task.metrics {
            let value: Double
            switch metric.name {
            case "acc": value = MultipleChoiceMetrics.accuracy(logLikelihoods: lls, gold: gold)
            case "acc_norm":
                value = MultipleChoiceMetrics.normalizedAccuracy(logLikelihoods: lls, lengths: instance.choices.map { $0.count }, gold: gold)
            case "acc_norm_bytes":
                value = MultipleChoiceMetrics.normalizedAccuracy(logLikelihoods: lls, lengths: instance.choices.map { $0.utf8.count }, gold: gold)
            case "acc_norm_tokens":
                value = MultipleChoiceMetrics.normalizedAccuracy(logLikelihoods: lls, lengths: responses.logLikelihoods.map { max(1, $0.tokenCount) }, gold: gold)
            case "acc_pmi":
                value = MultipleChoiceMetrics.pmiAccuracy(conditional: lls, unconditional: responses.unconditional.map(\.logLikelihood), gold: gold)
            case "brier":
                value = MultipleChoiceMetrics.brier(logLikelihoods: lls, gold: gold)
            default:
                throw ModelError("metric \(metric.name) does not apply to multiple choice")
            }
            metrics[metric.key] = .value(value)
        }
        let predicted = lls.indices.max(by: { lls[$0] < lls[$1] || (lls[$0] == lls[$1] && $0 > $1) })
        return DocScore(filter: "none", answers: [], predictedIndex: predicted, metrics: metrics)
    }

    static func generation(task: TaskSpec, instance: DocInstance, responses: DocResponses, pipeline: FilterPipeline) throws -> DocScore {
        let answers = pipeline.apply(responses.generations.map(\.text))
        let answer = answers.first ?? ""
        let references = instance.references
        var metrics: [String: MetricSample] = [:]
        for metric in task.metrics {
            switch metric.name {
            case "bleu", "chrf":
                metrics[metric.key] = .text(prediction: answer, references: references)
            case "pass_at_k":
                let k = metric.options["k"]?.integerValue ?? 1
                let inner = metric.options["metric"]?.stringValue ?? "exact_match"
                let correct = try answers.filter { try perAnswer(inner, answer: $0, references: references, options: [:]) == 1 }.count
                metrics[metric.key] = .value(SamplingMetrics.passAtK(n: answers.count, correct: correct, k: min(k, max(1, answers.count))))
            case "maj_at_k":
                let k = metric.options["k"]?.integerValue ?? 1
                let inner = metric.options["metric"]?.stringValue ?? "exact_match"
                let majority = SamplingMetrics.majorityAtK(answers: answers, k: k)
                metrics[metric.key] = .value(try perAnswer(inner, answer: majority, references: references, options: [:]))
            default:
                metrics[metric.key] = .value(try perAnswer(metric.name, answer: answer, references: references, options: metric.options))
            }
        }
        return DocScore(filter: pipeline.name, answers: answers, predictedIndex: nil, metrics: metrics)
    }

    /// A metric that scores one answer against the references.
    static func perAnswer(_ name: String, answer: String, references: [String], options: [String: JSONValue]) throws -> Double {
        switch name {
        case "exact_match":
            var prediction = answer
            var refs = references
            for pattern in options["regexes_to_ignore"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                prediction = prediction.replacingOccurrences(of: pattern, with: "", options: .regularExpression)
                refs = refs.map { $0.replacingOccurrences(of: pattern, with: "", options: .regularExpression) }
            }
            if options["ignore_punctuation"] == .bool(true) {
                prediction = TextNormalization.removePunctuation(prediction)
                refs = refs.map(TextNormalization.removePunctuation)
            }
            if options["ignore_case"] == .bool(true) {
                prediction = prediction.lowercased()
                refs = refs.map { $0.lowercased() }
            }
            return GenerationMetrics.exactMatch(prediction: prediction, references: refs)
        case "quasi_exact_match": return GenerationMetrics.quasiExactMatch(prediction: answer, references: references)
        case "f1": return GenerationMetrics.f1(prediction: answer, references: references)
        case "contains":
            if options["ignore_case"] == .bool(true) {
                return GenerationMetrics.contains(prediction: answer.lowercased(), references: references.map { $0.lowercased() })
            }
            return GenerationMetrics.contains(prediction: answer, references: references)
        case "rouge_l": return GenerationMetrics.rougeL(prediction: answer, references: references)
        case "regex_match":
            let pattern = options["pattern"]?.stringValue ?? ""
            if pattern.contains("{{target}}") {
                for reference in references {
                    let filled = pattern.replacingOccurrences(of: "{{target}}", with: NSRegularExpression.escapedPattern(for: reference))
                    if try GenerationMetrics.regexMatch(prediction: answer, pattern: filled) == 1 { return 1 }
                }
                return 0
            }
            return try GenerationMetrics.regexMatch(prediction: answer, pattern: pattern)
        default:
            throw ModelError("metric \(name) does not score single answers")
        }
    }
}
