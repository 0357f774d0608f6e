import ArgumentParser
import Backends
import EvalCore
import Foundation

/// Which model to evaluate; see docs/models.md for the spec syntax.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The model (repeat for several; chess tasks play them against each other): a checkpoint folder (config.json + model.safetensors + tokenizer.json), a training run folder (every checkpoint in step order), openai:MODEL@URL, or a name from models.yaml.",
        valueName: "spec"))
    var model: [String] = []

    @Option(name: .long, help: ArgumentHelp("Requests sent to the model per call (scores do not depend on it).", valueName: "n"))
    var batchSize: Int = 32

    @Option(name: .long, help: ArgumentHelp("Response cache (SQLite); default ${EVALKIT_CACHE:-~/.cache/evalkit}/responses.sqlite.", valueName: "path"))
    var cache: String?

    @Flag(name: .long, help: "Do not read or write the response cache.")
    var noCache = false

    /// Wraps a loaded model in the response cache unless --no-cache.
    func cached(_ model: any LanguageModel) throws -> any LanguageModel {
        if noCache { return model }
        let cache = try ResponseCache(url: self.cache.map { URL(fileURLWithPath: $0) } ?? ResponseCache.defaultURL())
        return CachedLanguageModel(wrapping: model, cache: cache)
    }
}
