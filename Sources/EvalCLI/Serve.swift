import ArgumentParser
import Backends
import Engine
import EvalCore
import Foundation
import Hummingbird
import Server

extension Eval {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a model over an OpenAI-compatible HTTP API (completions, chat, logprobs, vLLM's /tokenize); see docs/serving.md.")

        @Option(name: .long, help: ArgumentHelp(
            "The model: a checkpoint folder (config.json + model.safetensors + tokenizer.json), openai:MODEL@URL, or a name from models.yaml.",
            valueName: "spec"))
        var model: String

        @Option(name: .long, help: ArgumentHelp("Address to bind; anything but a loopback address exposes the model to the network.", valueName: "host"))
        var host = "127.0.0.1"

        @Option(name: .long, help: ArgumentHelp("Port to listen on (0: any free port, printed at start).", valueName: "port"))
        var port = 8000

        @Option(name: .long, help: ArgumentHelp("Require 'Authorization: Bearer KEY' on every route but /health.", valueName: "key"))
        var apiKey: String?

        @Option(name: .long, help: ArgumentHelp("Like --api-key, with the key read from this environment variable (kept out of the process list).", valueName: "name"))
        var apiKeyEnv: String?

        @Option(name: .long, help: ArgumentHelp("The model name clients send (default: the checkpoint folder's name).", valueName: "name"))
        var servedModelName: String?

        @Option(name: .long, help: ArgumentHelp("Tokens one batched scoring pass gathers at most from queued requests.", valueName: "n"))
        var maxBatchTokens = 4096

        @Option(name: .long, help: ArgumentHelp(
            "OpenBLAS threads for the engine (default: OPENBLAS_NUM_THREADS or one per core); 1 when a client shares the cores.", valueName: "n"))
        var threads: Int?

        func validate() throws {
            if !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
            if maxBatchTokens < 1 { throw ValidationError("--max-batch-tokens must be at least 1") }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
            if apiKey != nil, apiKeyEnv != nil { throw ValidationError("give --api-key or --api-key-env, not both") }
            if let apiKey, apiKey.isEmpty { throw ValidationError("--api-key must not be empty") }
        }

        func run() async throws {
            var key = apiKey
            if let variable = apiKeyEnv {
                guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
                    throw UsageError("--api-key-env \(variable): the environment variable is not set")
                }
                key = value
            }
            // Before the model loads, while no thread is inside a BLAS call.
            if let threads { BLAS.threadCount = threads }
            let resolved = try ModelResolver.resolve(model)
            guard resolved.count == 1, let only = resolved.first else {
                throw UsageError("--model \(model) names \(resolved.count) checkpoints (a training run); serve one of them, e.g. \(model)/step-NNNNNN")
            }
            let loaded: any LanguageModel
            do { loaded = try only.load() } catch { throw ModelError("cannot load --model \(model): \(error)") }
            let served = ServedModel(name: servedModelName ?? only.name, model: loaded, maxBatchTokens: maxBatchTokens)
            let loopback = ["127.0.0.1", "localhost", "::1"].contains(host)
            if !loopback, key == nil {
                EvalMain.printError("warning: serving on \(host) without --api-key: anyone who can reach this address can use the model")
            }
            let (host, name, context, keyed) = (self.host, served.name, served.contextLength, key != nil)
            let application = OpenAIServer(model: served, apiKey: key).application(host: host, port: port) { boundPort in
                let line = "Serving '\(name)' (context \(context) tokens) at http://\(host):\(boundPort)/v1\(keyed ? " (API key required)" : ""); Ctrl-C stops.\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
            try await application.runService()
            served.shutdown()
        }
    }
}
