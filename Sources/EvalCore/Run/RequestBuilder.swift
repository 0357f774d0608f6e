import Foundation
import SeededRandom

/// One evaluated doc with everything rendered: what was asked, what counts as right.
public struct DocInstance: Sendable {
    /// Index of the doc in the dataset.
    public var docIndex: Int
    public var doc: Doc
    /// The full prompt the model receives (few-shot examples included).
    public var prompt: String
    /// Multiple choice: the choice texts.
    public var choices: [String]
    /// Multiple choice: gold choice indices. Generation: indices into `references` are all of them.
    public var goldIndices: [Int]
    /// Generation: reference answers. Multiple choice: the gold choices' texts.
    public var references: [String]
    public var logLikelihoodRequests: [LogLikelihoodRequest]
    /// Multiple choice with `acc_pmi`: the same continuations after `unconditional_prompt`.
    public var unconditionalRequests: [LogLikelihoodRequest]
    public var rollingRequest: RollingLogLikelihoodRequest?
    public var generationRequests: [GenerationRequest]
    /// Judge tasks: the question's turns, references and category (answers come turn by turn).
    public var judge: JudgeQuestion? = nil
}

/// A doc that cannot be turned into requests, with its index and the reason.
public struct DocError: Error, CustomStringConvertible, Sendable {
    public let task: String
    public let file: String
    public let docIndex: Int
    public let message: String
    public var description: String { "\(file): doc \(docIndex): \(message)" }
}

/// A task whose data comes from `scripts/fetch-data` (`dataset.fetch`) before it has been fetched.
public struct DatasetNotFetched: Error, CustomStringConvertible, Sendable {
    public let task: String
    public let file: String
    public let path: String
    /// The argument of `scripts/fetch-data`.
    public let fetch: String
    public var description: String {
        "\(file): the data of task '\(task)' is not fetched yet (no \(path)); run `scripts/fetch-data \(fetch)`"
    }
}

/// Builds every request of a task up front, before any model runs.
public struct RequestBuilder: Sendable {
    public let task: TaskSpec
    public let fewshotCount: Int
    public let fewshotSeed: UInt64

    public init(task: TaskSpec, fewshotCount: Int? = nil, fewshotSeed: UInt64? = nil) {
        self.task = task
        self.fewshotCount = fewshotCount ?? task.fewshot.n
        self.fewshotSeed = fewshotSeed ?? task.fewshot.seed
    }

    /// Loads the task's docs, with derived `fields` added.
    public static func loadDocs(_ task: TaskSpec) throws -> [Doc] {
        let raw: [Doc]
        switch task.dataset.source {
        case .inline(let docs): raw = docs
        case .file(let url, let format, let split):
            if let fetch = task.dataset.fetch, !FileManager.default.fileExists(atPath: url.path) {
                throw DatasetNotFetched(task: task.name, file: task.file, path: url.path, fetch: fetch)
            }
            raw = try DatasetLoader.load(url: url, format: format, split: split)
        }
        if raw.isEmpty { throw DocError(task: task.name, file: task.file, docIndex: 0, message: "the dataset has no docs") }
        return try raw.enumerated().map { index, doc in try withFields(doc, task: task, index: index) }
    }

    static func withFields(_ doc: Doc, task: TaskSpec, index: Int) throws -> Doc {
        var doc = doc
        for (name, template) in task.fields {
            do { doc[name] = .string(try template.render(doc)) } catch {
                throw DocError(task: task.name, file: task.file, docIndex: index, message: "fields.\(name): \(error)")
            }
        }
        return doc
    }

    /// Where few-shot examples come from, with what is needed to leave the doc itself out cheaply.
    struct FewShotPool {
        var docs: [Doc]
        var isSameDataset: Bool
        /// For a separate source: the positions of each distinct doc, so a doc that also appears in
        /// the source is excluded without comparing it against every example.
        var positionsByDoc: [Doc: [Int]] = [:]

        /// Pool positions the doc may not use as examples, ascending.
        func excluded(docIndex: Int, doc: Doc) -> [Int] {
            isSameDataset ? [docIndex] : positionsByDoc[doc] ?? []
        }
    }

    func fewshotPool(docs: [Doc]) throws -> FewShotPool {
        switch task.fewshot.source {
        case .sameDataset: return FewShotPool(docs: docs, isSameDataset: true)
        case .file(let url, let format, let split):
            let raw = try DatasetLoader.load(url: url, format: format, split: split)
            let pool = try raw.enumerated().map { try Self.withFields($1, task: task, index: $0) }
            var positions: [Doc: [Int]] = [:]
            for (index, doc) in pool.enumerated() { positions[doc, default: []].append(index) }
            return FewShotPool(docs: pool, isSameDataset: false, positionsByDoc: positions)
        }
    }

    /// Builds the instances for the selected docs.
    /// - Throws: `DocError` naming the first doc (by dataset index) that cannot be rendered.
    public func build(docs: [Doc], selected: [Int]) throws -> [DocInstance] {
        let pool = fewshotCount > 0 ? try fewshotPool(docs: docs) : FewShotPool(docs: [], isSameDataset: true)
        if fewshotCount > 0 && pool.docs.count - (pool.isSameDataset ? 1 : 0) < fewshotCount {
            throw DocError(task: task.name, file: task.file, docIndex: 0,
                           message: "few-shot needs \(fewshotCount) examples but the source has only \(pool.docs.count - (pool.isSameDataset ? 1 : 0)) besides the doc")
        }
        return try selected.map { index in
            do {
                return try instance(docIndex: index, doc: docs[index], pool: pool)
            } catch let error as DocError {
                throw error
            } catch {
                throw DocError(task: task.name, file: task.file, docIndex: index, message: "\(error)")
            }
        }
    }

    /// The few-shot examples for one doc: seeded per doc (so they do not depend on which other docs
    /// run or in which order), never the doc itself.
    func examples(for docIndex: Int, doc: Doc, pool: FewShotPool) -> [Int] {
        guard fewshotCount > 0 else { return [] }
        // The candidates are the pool's positions without the excluded ones, in order. They are not
        // materialised: candidate k is found by stepping over the (few) excluded positions, and the
        // partial Fisher–Yates shuffle records its swaps in a dictionary. O(n) per doc, not O(pool).
        let excluded = pool.excluded(docIndex: docIndex, doc: doc)
        let count = pool.docs.count - excluded.count
        func candidate(_ k: Int) -> Int {
            var position = k
            for skipped in excluded where skipped <= position { position += 1 }
            return position
        }
        let n = min(fewshotCount, max(0, count))
        switch task.fewshot.sampler {
        case .first: return (0..<n).map(candidate)
        case .random:
            var generator = Xoshiro256(seed: fewshotSeed, stream: UInt64(docIndex))
            var swapped: [Int: Int] = [:]
            var chosen: [Int] = []
            for i in 0..<n {
                let j = i + generator.nextInt(below: count - i)
                let atJ = swapped[j] ?? j
                swapped[j] = swapped[i] ?? i
                chosen.append(candidate(atJ))
            }
            return chosen
        }
    }

    /// "question + delimiter + answer" for an example, as lm-evaluation-harness writes few-shot examples.
    func renderExample(_ doc: Doc) throws -> String {
        let question = try task.prompt?.render(doc) ?? ""
        let answer: String
        switch task.kind {
        case .multipleChoice:
            let (choices, golds) = try multipleChoice(doc)
            answer = choices[golds[0]]
        default:
            answer = try references(doc).first ?? ""
        }
        return question + task.targetDelimiter + answer
    }

    func multipleChoice(_ doc: Doc) throws -> (choices: [String], golds: [Int]) {
        guard let choicesTemplate = task.choices, let targetTemplate = task.target else { return ([], []) }
        let choices = try choicesTemplate.renderList(doc)
        if choices.isEmpty || (choices.count == 1 && choices[0].isEmpty) {
            throw ScoringInputError("the choice list is empty")
        }
        let labels = try task.choiceLabels?.renderList(doc)
        let targets = try targetTemplate.renderList(doc).flatMap { rendered in
            // "0, 2" or "0,2" lists several gold indices.
            rendered.contains(",") && rendered.split(separator: ",").allSatisfy({ Int($0.trimmingCharacters(in: .whitespaces)) != nil })
                ? rendered.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : [rendered]
        }
        var golds: [Int] = []
        for target in targets {
            let trimmed = target.trimmingCharacters(in: .whitespacesAndNewlines)
            if let labels {
                guard let index = labels.firstIndex(of: trimmed) else {
                    throw ScoringInputError("target '\(trimmed)' is not one of the choice labels \(labels)")
                }
                golds.append(index)
            } else if let index = Int(trimmed) {
                guard choices.indices.contains(index) else {
                    throw ScoringInputError("gold index \(index) is out of range: the doc has \(choices.count) choices (0...\(choices.count - 1))")
                }
                golds.append(index)
            } else if let index = choices.firstIndex(of: target) ?? choices.firstIndex(of: trimmed) {
                golds.append(index)
            } else {
                throw ScoringInputError("target '\(trimmed)' is neither a choice index nor one of the choices")
            }
        }
        guard !golds.isEmpty else { throw ScoringInputError("the target is empty") }
        return (choices, golds)
    }

    func references(_ doc: Doc) throws -> [String] {
        guard let target = task.target else { return [] }
        return try target.renderList(doc)
    }

    func instance(docIndex: Int, doc: Doc, pool: FewShotPool) throws -> DocInstance {
        let exampleIndices = examples(for: docIndex, doc: doc, pool: pool)
        var prefix = ""
        for example in exampleIndices {
            do {
                prefix += try renderExample(pool.docs[example]) + task.fewshot.delimiter
            } catch {
                throw DocError(task: task.name, file: task.file, docIndex: docIndex,
                               message: "few-shot example \(example) of the source: \(error)")
            }
        }
        var instance = DocInstance(docIndex: docIndex, doc: doc, prompt: "", choices: [], goldIndices: [], references: [],
                                   logLikelihoodRequests: [], unconditionalRequests: [], rollingRequest: nil, generationRequests: [])
        switch task.kind {
        case .multipleChoice:
            instance.prompt = prefix + (try task.prompt?.render(doc) ?? "")
            let (choices, golds) = try multipleChoice(doc)
            instance.choices = choices
            instance.goldIndices = golds
            instance.references = golds.map { choices[$0] }
            instance.logLikelihoodRequests = choices.map {
                LogLikelihoodRequest(context: instance.prompt, continuation: task.targetDelimiter + $0)
            }
            if task.metrics.contains(where: { $0.name == "acc_pmi" }) {
                instance.unconditionalRequests = choices.map {
                    LogLikelihoodRequest(context: task.unconditionalPrompt, continuation: task.targetDelimiter + $0)
                }
            }
        case .generation:
            instance.prompt = prefix + (try task.prompt?.render(doc) ?? "")
            instance.references = try references(doc)
            instance.goldIndices = Array(instance.references.indices)
            let generation = task.generation
            instance.generationRequests = (0..<generation.samples).map { sample in
                GenerationRequest(prompt: .text(instance.prompt), maxTokens: generation.maxTokens, stop: generation.stop,
                                  temperature: generation.temperature, topP: generation.topP,
                                  seed: generation.seed &+ UInt64(sample))
            }
        case .perplexity:
            let text = try task.text?.render(doc) ?? {
                guard let value = doc["text"] else { throw TemplateError.missingField("text") }
                return value.textValue
            }()
            instance.prompt = text
            instance.rollingRequest = RollingLogLikelihoodRequest(text: text)
        case .judge:
            guard let spec = task.judge else { throw ScoringInputError("judge task without judge settings") }
            let question = try judgeQuestion(doc, spec: spec)
            instance.prompt = question.turns[0]
            instance.references = question.references ?? []
            instance.judge = question
        case .chess:
            throw ScoringInputError("kind chess is run by the arena, not as requests")
        }
        return instance
    }
}

extension RequestBuilder {
    /// A judge question's turns, references and category, checked: at least one non-empty turn,
    /// a reference per turn when the task has references, the graded turn present, and the judge
    /// templates renderable for this doc.
    func judgeQuestion(_ doc: Doc, spec: JudgeSpec) throws -> JudgeQuestion {
        let turns = try spec.turns.renderList(doc)
        if turns.isEmpty || turns.contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            throw ScoringInputError("a turn of the question is empty")
        }
        var references: [String]? = nil
        if let template = spec.reference {
            let rendered = try template.renderList(doc)
            guard rendered.count >= turns.count else {
                throw ScoringInputError("the question has \(turns.count) turns but \(rendered.count) reference answer(s); give one per turn")
            }
            references = Array(rendered.prefix(turns.count))
        }
        if case .number(let n) = spec.gradedTurns, n > turns.count {
            throw ScoringInputError("judge.turn is \(n) but the question has \(turns.count) turn(s)")
        }
        let category = try spec.category.map { try $0.render(doc) }
        let question = JudgeQuestion(turns: turns, references: references, category: category)
        try JudgeContext.check(doc: doc, question: question, spec: spec)
        return question
    }
}

/// A doc whose content cannot be scored (empty choices, gold out of range...).
struct ScoringInputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
