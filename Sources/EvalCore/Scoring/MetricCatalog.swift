/// Every metric a task file can name: which kinds it fits, its options, how it aggregates.
public struct MetricDefinition: Sendable {
    public enum Aggregation: Sendable, Equatable {
        /// Mean of per-doc values, standard error = sample std / sqrt(n).
        case mean
        /// Corpus statistic over all docs, standard error by seeded bootstrap.
        case corpusBLEU, corpusChrF
        /// Corpus perplexity from summed log-likelihoods and counts, bootstrap standard error.
        case wordPerplexity, bytePerplexity, bitsPerByte
    }

    public enum OptionType: Sendable, Equatable { case bool, int, string, stringList }

    public let name: String
    public let kinds: Set<TaskKind>
    public let options: [String: OptionType]
    public let aggregation: Aggregation
    public let higherIsBetter: Bool
    public let summary: String
}

public enum MetricCatalog {
    public static let all: [MetricDefinition] = [
        .init(name: "acc", kinds: [.multipleChoice], options: [:], aggregation: .mean, higherIsBetter: true,
              summary: "1 if the choice with the highest log-likelihood is a gold choice"),
        .init(name: "acc_norm", kinds: [.multipleChoice], options: [:], aggregation: .mean, higherIsBetter: true,
              summary: "as acc, with each log-likelihood divided by the choice's length in characters (lm-evaluation-harness)"),
        .init(name: "acc_norm_tokens", kinds: [.multipleChoice], options: [:], aggregation: .mean, higherIsBetter: true,
              summary: "as acc, with log-likelihoods divided by the choice's length in tokens"),
        .init(name: "acc_norm_bytes", kinds: [.multipleChoice], options: [:], aggregation: .mean, higherIsBetter: true,
              summary: "as acc, with log-likelihoods divided by the choice's length in UTF-8 bytes"),
        .init(name: "acc_pmi", kinds: [.multipleChoice], options: [:], aggregation: .mean, higherIsBetter: true,
              summary: "as acc, scoring log p(choice|prompt) - log p(choice|unconditional_prompt)"),
        .init(name: "brier", kinds: [.multipleChoice], options: [:], aggregation: .mean, higherIsBetter: false,
              summary: "Brier score of the softmax over choice log-likelihoods against the gold (lower is better)"),
        .init(name: "exact_match", kinds: [.generation], options: ["ignore_case": .bool, "ignore_punctuation": .bool, "regexes_to_ignore": .stringList],
              aggregation: .mean, higherIsBetter: true,
              summary: "1 if the answer equals a reference (after removing `regexes_to_ignore` matches from both, as lm-evaluation-harness)"),
        .init(name: "quasi_exact_match", kinds: [.generation], options: [:], aggregation: .mean, higherIsBetter: true,
              summary: "exact match after lower-casing and removing punctuation, articles and extra white space"),
        .init(name: "f1", kinds: [.generation], options: [:], aggregation: .mean, higherIsBetter: true,
              summary: "SQuAD token F1, best over references"),
        .init(name: "contains", kinds: [.generation], options: ["ignore_case": .bool], aggregation: .mean, higherIsBetter: true,
              summary: "1 if the answer contains a reference"),
        .init(name: "regex_match", kinds: [.generation], options: ["pattern": .string], aggregation: .mean, higherIsBetter: true,
              summary: "1 if the answer matches `pattern` (a regular expression; {{target}} stands for the escaped reference)"),
        .init(name: "bleu", kinds: [.generation], options: [:], aggregation: .corpusBLEU, higherIsBetter: true,
              summary: "corpus BLEU with sacrebleu's defaults (0-100)"),
        .init(name: "chrf", kinds: [.generation], options: [:], aggregation: .corpusChrF, higherIsBetter: true,
              summary: "corpus chrF with sacrebleu's defaults (0-100)"),
        .init(name: "rouge_l", kinds: [.generation], options: [:], aggregation: .mean, higherIsBetter: true,
              summary: "ROUGE-L F-measure (longest common subsequence), best over references"),
        .init(name: "pass_at_k", kinds: [.generation], options: ["k": .int, "metric": .string], aggregation: .mean,
              higherIsBetter: true, summary: "unbiased pass@k over the samples; a sample passes when `metric` (default exact_match) is 1"),
        .init(name: "maj_at_k", kinds: [.generation], options: ["k": .int, "metric": .string], aggregation: .mean,
              higherIsBetter: true, summary: "the majority answer of the first k samples, scored with `metric` (default exact_match)"),
        .init(name: "word_perplexity", kinds: [.perplexity], options: [:], aggregation: .wordPerplexity, higherIsBetter: false,
              summary: "exp(-total log-likelihood / total words)"),
        .init(name: "byte_perplexity", kinds: [.perplexity], options: [:], aggregation: .bytePerplexity, higherIsBetter: false,
              summary: "exp(-total log-likelihood / total UTF-8 bytes)"),
        .init(name: "bits_per_byte", kinds: [.perplexity], options: [:], aggregation: .bitsPerByte, higherIsBetter: false,
              summary: "-total log-likelihood / (total bytes x ln 2)"),
    ]

    public static func definition(_ name: String) -> MetricDefinition? { all.first { $0.name == name } }

    /// Metrics a task of `kind` gets when its file names none.
    public static func defaults(for kind: TaskKind) -> [String] {
        switch kind {
        case .multipleChoice: return ["acc", "acc_norm"]
        case .generation: return ["exact_match"]
        case .perplexity: return ["word_perplexity", "byte_perplexity", "bits_per_byte"]
        case .judge, .chess: return []
        }
    }

    /// Metrics that `pass_at_k` / `maj_at_k` may use to judge one answer.
    static let perAnswerMetrics = ["exact_match", "quasi_exact_match", "contains", "f1"]
}
