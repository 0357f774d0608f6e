import ArgumentParser

/// Which model to evaluate; see docs/models.md for the spec syntax.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The model: a checkpoint folder (config.json + model.safetensors + tokenizer.json), a training run folder (every checkpoint in step order), or an alias from models.yaml.",
        valueName: "spec"))
    var model: String

    @Option(name: .long, help: ArgumentHelp("Requests sent to the model per call (scores do not depend on it).", valueName: "n"))
    var batchSize: Int = 32
}
