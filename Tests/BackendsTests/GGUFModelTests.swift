import Backends
import Engine
import EvalCore
import Foundation
import Testing

/// GGUF models in the backend: models.yaml `path:` entries, the built-in `gemma-3-270m` alias,
/// `.gguf` paths, and (when scripts/fetch-models has run) scoring through `EngineLanguageModel`.
@Suite struct GGUFModelTests {
    static var gemmaURL: URL {
        FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/evalkit/models/gemma-3-270m-q4_k_m.gguf")
    }
    static var gemmaPresent: Bool { FileManager.default.fileExists(atPath: gemmaURL.path) }

    @Test func registryPathEntriesResolveAgainstTheFile() throws {
        let yaml = """
        models:
          - name: local-gemma
            path: weights/gemma.gguf
            context_length: 2048
          - name: absolute
            path: /data/llama.gguf
          - name: remote
            base_url: http://127.0.0.1:8000/v1
            model: m
        """
        let registry = try ModelRegistry.parse(yaml, file: "/etc/evalkit/models.yaml")
        #expect(registry.file(named: "local-gemma") == ModelRegistry.LocalModelFile(
            name: "local-gemma", url: URL(fileURLWithPath: "/etc/evalkit/weights/gemma.gguf"), contextLength: 2048))
        #expect(registry.file(named: "absolute")?.url.path == "/data/llama.gguf")
        #expect(registry.file(named: "remote") == nil)
        #expect(try registry.endpoint(named: "remote").model == "m")
    }

    @Test func registryPathErrorsNameFileAndLine() {
        let cases: [(String, String)] = [
            ("models:\n  - name: a\n    path: a.gguf\n    base_url: http://127.0.0.1:1/v1\n", "models.yaml:4: 'base_url' does not apply to a model file entry"),
            ("models:\n  - name: a\n    path: a.gguf\n  - name: a\n    path: b.gguf\n", "models.yaml:4: duplicate model name 'a'"),
            ("models:\n  - name: a\n    path: a.gguf\n    context_length: 0\n", "models.yaml:4: 'context_length' must be positive"),
            ("models:\n  - name: a\n", "model entry lacks 'base_url' (an endpoint has base_url and model; a model file has path)"),
        ]
        expectRegistryParseErrors(cases)
    }

    @Test func localSpecOptionsAreCheckedBeforeTheFileIsLookedFor() throws {
        #expect { try ModelResolver.resolve("/nonexistent/m.gguf,context_length=512") } throws: { "\($0)".contains("no GGUF file at '/nonexistent/m.gguf'") }
        #expect { try ModelResolver.resolve("/nonexistent/m.gguf,context_length=0") } throws: { "\($0)".contains("context_length must be a positive integer, got '0'") }
        #expect { try ModelResolver.resolve("/nonexistent/m.gguf,batch=4") } throws: {
            "\($0)".contains("unknown option 'batch' (a local model takes context_length= and chat_template=)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resolver-options-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect { try ModelResolver.resolve(folder.path + ",context_length=512") } throws: { "\($0)".contains("apply to GGUF models and Hugging Face Llama folders") }
    }

    @Test func builtInGemmaAliasPointsIntoTheFetchModelsCache() {
        let files = ModelRegistry.builtInFiles(environment: ["EVALKIT_CACHE": "/tmp/evalkit-cache"])
        #expect(files.map(\.name) == ["gemma-3-270m"])
        #expect(files.first?.url.path == "/tmp/evalkit-cache/models/gemma-3-270m-q4_k_m.gguf")
    }

    @Test func missingOrInvalidGGUFFilesAreClearErrors() throws {
        #expect { try ModelResolver.resolve("/nonexistent/folder/model.gguf") } throws: { "\($0)".contains("no GGUF file at '/nonexistent/folder/model.gguf'") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-model-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let bogus = folder.appendingPathComponent("bogus.gguf")
        try Data("not a model".utf8).write(to: bogus)
        let resolved = try ModelResolver.resolve(bogus.path)
        #expect(resolved.map(\.name) == ["bogus"])
        #expect { _ = try resolved[0].load() } throws: { "\($0)".contains("not a GGUF file") && "\($0)".contains(bogus.path) }
    }

    @Test(.enabled(if: gemmaPresent, "the Gemma 3 270M GGUF is not in the cache (run scripts/fetch-models)"))
    func gemmaScoresWithBOSThroughTheBackend() async throws {
        // The whole-file SHA-256 is skipped here: it takes minutes in a debug build.
        let model = try EngineLanguageModel(ggufAt: Self.gemmaURL, contentHash: "not-hashed-in-tests")
        #expect(model.identity.name == "gemma-3-270m-q4_k_m")
        #expect(model.prependBOS)
        #expect(model.capabilities.contextLength == DecoderModel.defaultMaximumContextLength)
        let text = "The capital of France is Paris"
        let responses = try await model.logLikelihoods([
            LogLikelihoodRequest(context: "The capital of France is", continuation: " Paris"),
            LogLikelihoodRequest(context: "The capital of France is", continuation: " London"),
            LogLikelihoodRequest(context: "", continuation: text),
        ])
        #expect(responses[0].logLikelihood > responses[1].logLikelihood)
        #expect(responses[0].tokenCount == 1)
        // An empty context is BOS alone, and a rolling text starts after BOS: the two paths score
        // the same tokens given the same BOS.
        let rolling = try await model.rollingLogLikelihoods([RollingLogLikelihoodRequest(text: text)])
        #expect(rolling[0].tokenCount == responses[2].tokenCount)
        #expect(abs(rolling[0].logLikelihood - responses[2].logLikelihood) < 1e-3)
    }
}
