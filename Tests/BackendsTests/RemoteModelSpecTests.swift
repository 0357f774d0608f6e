import Backends
import Foundation
import Testing

@Suite struct RemoteModelSpecTests {
    @Test func parsesInlineSpecWithOptions() throws {
        let endpoint = try OpenAIEndpoint(spec: "openai:meta-llama/Llama-3.2-1B@http://127.0.0.1:8000/v1/,api=chat,key_env=VLLM_KEY,concurrency=8,timeout=2.5,retries=3,context=4096,prompts_per_request=16")
        #expect(endpoint.model == "meta-llama/Llama-3.2-1B")
        #expect(endpoint.name == "meta-llama/Llama-3.2-1B")
        #expect(endpoint.baseURL == "http://127.0.0.1:8000/v1")
        #expect(endpoint.api == .chat)
        #expect(endpoint.apiKeyEnvironmentVariable == "VLLM_KEY")
        #expect(endpoint.concurrency == 8 && endpoint.timeout == 2.5 && endpoint.maxRetries == 3 && endpoint.contextLength == 4096)
        #expect(endpoint.promptsPerRequest == 16)
    }

    @Test func defaultsAndHash() throws {
        let endpoint = try OpenAIEndpoint(spec: "openai:gpt2@http://127.0.0.1:8000/v1")
        #expect(endpoint.api == .completions && endpoint.apiKeyEnvironmentVariable == nil && endpoint.promptsPerRequest == 8)
        #expect(endpoint.contentHash == (try OpenAIEndpoint(spec: "openai:gpt2@http://127.0.0.1:8000/v1/,concurrency=2")).contentHash)
        #expect(endpoint.contentHash != (try OpenAIEndpoint(spec: "openai:gpt2@http://127.0.0.1:8001/v1")).contentHash)
    }

    @Test(arguments: [
        ("openai:gpt2", "openai:MODEL@BASE_URL"),
        ("openai:gpt2@ftp://x/v1", "must start with http"),
        ("openai:gpt2@http://127.0.0.1:8000/v1,api=rest", "api must be completions or chat"),
        ("openai:gpt2@http://127.0.0.1:8000/v1,concurrency=0", "concurrency must be at least 1"),
        ("openai:gpt2@http://127.0.0.1:8000/v1,retries=x", "retries must be an integer"),
        ("openai:gpt2@http://127.0.0.1:8000/v1,prompts_per_request=0", "prompts_per_request must be at least 1"),
        ("openai:gpt2@http://127.0.0.1:8000/v1,colour=red", "unknown option 'colour'"),
        ("openai:gpt2@http://user:pw@127.0.0.1:8000/v1", "must not hold credentials"),
    ])
    func rejectsBadSpecs(spec: String, message: String) {
        do {
            _ = try OpenAIEndpoint(spec: spec)
            Issue.record("accepted \(spec)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func registryEntriesAndNamedSpecs() throws {
        let yaml = """
            models:
              - name: local
                base_url: http://127.0.0.1:8000/v1
                model: gpt2
                concurrency: 2
                timeout: 30
                max_retries: 1
                context_length: 1024
                prompts_per_request: 1
                headers:
                  X-Team: evals
              - name: chatty
                base_url: http://127.0.0.1:8001/v1
                model: tiny-chat
                api: chat
                api_key_env: CHAT_KEY
            """
        let registry = try ModelRegistry.parse(yaml, file: "models.yaml")
        let local = try registry.endpoint(named: "local")
        #expect(local.model == "gpt2" && local.concurrency == 2 && local.timeout == 30 && local.maxRetries == 1)
        #expect(local.contextLength == 1024 && local.headers == ["X-Team": "evals"] && local.promptsPerRequest == 1)
        let chatty = try registry.endpoint(named: "chatty")
        #expect(chatty.api == .chat && chatty.apiKeyEnvironmentVariable == "CHAT_KEY")
        let model = try OpenAICompatibleModel(spec: "openai:chatty", registry: registry, environment: ["CHAT_KEY": "k"])
        #expect(model.identity.name == "chatty" && model.capabilities.canScoreLogLikelihoods == false)
        #expect(throws: RemoteModelSpecError.self) { try registry.endpoint(named: "missing") }
        #expect(try OpenAIEndpoint.resolve(spec: "openai:local", registry: registry).model == "gpt2")
        #expect(try OpenAIEndpoint.resolve(spec: "openai:m@http://127.0.0.1:1/v1", registry: nil).model == "m")
        #expect(throws: RemoteModelSpecError.self) { try OpenAIEndpoint.resolve(spec: "openai:local", registry: nil) }
        #expect(OpenAIEndpoint.isRemoteSpec("openai:x") && !OpenAIEndpoint.isRemoteSpec("runs/tiny"))
    }

    @Test func registryErrorsNameFileAndLine() {
        let cases: [(String, String)] = [
            ("models:\n  - name: a\n    base_url: http://127.0.0.1:1/v1\n    model: m\n    baseurl: x\n", "models.yaml:5: unknown key 'baseurl'"),
            ("models:\n  - name: a\n    base_url: http://127.0.0.1:1/v1\n    model: m\n    concurrency: many\n", "models.yaml:5: 'concurrency' must be an integer"),
            ("models:\n  - name: a\n    model: m\n", "models.yaml:2: model entry lacks 'base_url'"),
            ("modles: []\n", "models.yaml:1: unknown key 'modles'"),
            ("models:\n  - name: a\n    base_url: http://127.0.0.1:1/v1\n    model: m\n    api: rest\n", "models.yaml:5: 'api' must be completions or chat"),
        ]
        expectRegistryParseErrors(cases)
    }
}

/// Each (models.yaml text, expected message): parsing fails with an error containing the message.
func expectRegistryParseErrors(_ cases: [(yaml: String, message: String)], sourceLocation: SourceLocation = #_sourceLocation) {
    for (yaml, message) in cases {
        do {
            _ = try ModelRegistry.parse(yaml, file: "models.yaml")
            Issue.record("accepted \(yaml)", sourceLocation: sourceLocation)
        } catch {
            #expect("\(error)".contains(message), "\(error)", sourceLocation: sourceLocation)
        }
    }
}
