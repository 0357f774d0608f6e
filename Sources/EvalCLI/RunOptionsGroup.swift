import ArgumentParser
import EvalCore

/// Options that decide which docs, shots and seeds a run uses.
struct SelectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Evaluate at most N docs per task: a random sample seeded by --seed.", valueName: "n"))
    var limit: Int?

    @Flag(name: .long, help: "With --limit, take the first N docs instead of a random sample.")
    var limitFirst = false

    @Option(name: .long, help: ArgumentHelp("Few-shot examples per prompt, overriding each task's fewshot.n.", valueName: "k"))
    var fewshot: Int?

    @Option(name: .long, help: ArgumentHelp("Seed for --limit sampling and bootstrap standard errors.", valueName: "n"))
    var seed: UInt64 = 1234

    @Option(name: .long, help: ArgumentHelp("Bootstrap resamples for corpus metrics' standard errors.", valueName: "n"))
    var bootstrapIters: Int = 1000

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let fewshot, fewshot < 0 { throw ValidationError("--fewshot must be 0 or more") }
        if bootstrapIters < 1 { throw ValidationError("--bootstrap-iters must be at least 1") }
        if limitFirst && limit == nil { throw ValidationError("--limit-first needs --limit") }
    }

    func runOptions(batchSize: Int, quiet: Bool) -> RunOptions {
        RunOptions(limit: limit, limitFirst: limitFirst, fewshot: fewshot, seed: seed, batchSize: batchSize,
                   bootstrapResamples: bootstrapIters, quiet: quiet)
    }
}
