import EvalCore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The OpenAI-compatible HTTP server over one `ServedModel` (see docs/serving.md):
///
/// - `GET /health`, `GET /v1/models`
/// - `POST /v1/completions`, `POST /v1/chat/completions` (`stream: true` as server-sent events)
/// - vLLM's `POST /tokenize`, `POST /detokenize`, `GET /tokenizer_info`
///
/// With an API key, every route but `/health` needs `Authorization: Bearer <key>`.
public struct OpenAIServer: Sendable {
    public let model: ServedModel
    let apiKey: String?
    /// Largest request body read.
    static let maxBodyBytes = 64 << 20

    public init(model: ServedModel, apiKey: String? = nil) {
        self.model = model
        self.apiKey = apiKey
    }

    /// An application bound to host:port (port 0: any free port, reported to `onRunning`).
    public func application(host: String = "127.0.0.1", port: Int = 8000, logger: Logger? = nil,
                            onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        var quiet = Logger(label: "evalkit-serve")
        quiet.logLevel = .warning
        return Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "evalkit"),
                           onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
                           logger: logger ?? quiet)
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: BearerTokenMiddleware(apiKey: apiKey))
        router.get("/health") { _, _ in JSONBody.response(["status": "ok"]) }
        router.get("/v1/models") { _, _ in self.models() }
        router.post("/v1/completions") { request, _ in try await self.completions(try await Self.fields(request)) }
        router.post("/v1/chat/completions") { request, _ in try await self.chat(try await Self.fields(request)) }
        router.post("/tokenize") { request, _ in try self.tokenize(try await Self.fields(request)) }
        router.post("/detokenize") { request, _ in try self.detokenize(try await Self.fields(request)) }
        router.get("/tokenizer_info") { _, _ in try self.tokenizerInfo() }
        return router
    }

    static func fields(_ request: Request) async throws -> RequestFields {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBodyBytes)
        } catch {
            throw APIError(status: .contentTooLarge, message: "The request body is larger than \(maxBodyBytes >> 20) MiB.", type: "invalid_request_error")
        }
        return try RequestFields(body: Data(buffer.readableBytesView))
    }

    func checkModel(_ requested: String?) throws {
        if let requested, requested != model.name { throw APIError.modelNotFound(requested, served: model.name) }
    }

    static var now: Int { Int(Date().timeIntervalSince1970) }
    static func identifier(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())" }

    func models() -> Response {
        JSONBody.response(ModelListBody(data: [.init(id: model.name, created: Self.now, maxModelLen: model.contextLength,
                                                     echoLogprobsFrom: model.tokenLevel?.distributions != nil ? true : nil)]))
    }

    // MARK: Tokenizer routes

    func tokenize(_ fields: RequestFields) throws -> Response {
        try checkModel(try fields.string("model"))
        let text: String
        if let messages = fields["messages"] {
            let chat = try ChatRequest(RequestFields(object: ["messages": messages]))
            text = try model.renderChat(chat.messages)
        } else {
            guard let prompt = try fields.string("prompt") else { throw APIError.invalid("prompt", "is required: the text to tokenize") }
            text = prompt
        }
        let ids = try model.tokenize(text, addSpecialTokens: try fields.bool("add_special_tokens") ?? true)
        let strings = try fields.bool("return_token_strs") == true ? ids.map { model.tokenLevel?.tokenizer.tokenString($0) ?? "" } : nil
        return JSONBody.response(TokenizeBody(count: ids.count, maxModelLen: model.contextLength, tokens: ids, tokenStrs: strings))
    }

    func detokenize(_ fields: RequestFields) throws -> Response {
        try checkModel(try fields.string("model"))
        guard let value = fields["tokens"], case .array(let items) = value else {
            throw APIError.invalid("tokens", "is required: an array of token ids")
        }
        let ids = try CompletionRequest.tokenIDs(items, at: "tokens")
        let tokens = try model.requireTokenLevel(for: "tokens", "detokenizing")
        let size = tokens.causal.vocabularySize
        if let bad = ids.firstIndex(where: { $0 >= size }) {
            throw APIError.invalid("tokens[\(bad)]", "token id \(ids[bad]) is outside the vocabulary 0..<\(size)")
        }
        return JSONBody.response(["prompt": tokens.tokenizer.decode(ids)])
    }

    /// The Jinja form of `PlainChatTemplate`, for clients that render chats themselves.
    static let plainChatTemplateJinja =
        "{% for message in messages %}{{ message['role'] | capitalize }}: {{ message['content'] }}\n\n{% endfor %}{% if add_generation_prompt %}Assistant:{% endif %}"

    func tokenizerInfo() throws -> Response {
        let tokens = try model.requireTokenLevel(for: "model", "tokenizer information")
        let tokenizer = tokens.tokenizer
        let eos = tokenizer.endOfTextTokenID.flatMap { tokenizer.tokenString($0) }
        let bos = tokenizer.beginningOfTextTokenID.flatMap { tokenizer.tokenString($0) } ?? eos
        return JSONBody.response(TokenizerInfoBody(
            tokenizerClass: String(describing: type(of: tokenizer)), eosToken: eos, bosToken: bos, padToken: nil,
            modelMaxLength: model.contextLength, vocabSize: tokenizer.vocabularySize, addBosToken: tokens.startsWithBOS,
            chatTemplate: model.chatTemplate == .plain ? Self.plainChatTemplateJinja : model.chatTemplate.jinja))
    }
}

/// Turns every thrown error into an OpenAI-style JSON error body with its status.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response()
        } catch let error as HTTPError where error.status == .notFound {
            return APIError(status: .notFound, message: "No route \(request.method) \(request.uri.path); see docs/serving.md for the endpoints.",
                            type: "not_found_error").response()
        } catch let error as HTTPError {
            return APIError(status: error.status, message: error.body ?? "\(error.status)", type: "invalid_request_error").response()
        } catch {
            return APIError.server(error).response()
        }
    }
}

/// With an API key set, refuses (401) any request to a route but `/health` without `Authorization: Bearer <key>`.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let apiKey: String?
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let apiKey, request.uri.path != "/health" else { return try await next(request, context) }
        let header = request.headers[.authorization] ?? ""
        let expected = "Bearer \(apiKey)"
        // Compare every byte so the time taken does not tell how much of the key was right.
        var difference = header.utf8.count ^ expected.utf8.count
        for (a, b) in zip(header.utf8, expected.utf8) { difference |= Int(a ^ b) }
        guard difference == 0 else { throw APIError.unauthorized }
        return try await next(request, context)
    }
}
