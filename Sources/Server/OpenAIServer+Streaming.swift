import Foundation
import Hummingbird
import NIOCore

/// `stream: true`: server-sent events, one `data: {json}` event per piece of text, a last event per
/// choice with its `finish_reason`, then `data: [DONE]`, as OpenAI's API streams.
extension OpenAIServer {
    typealias TextSink = @Sendable (String) -> Bool

    /// - Parameters:
    ///   - choiceCount: choices, streamed one after another (`index` tells them apart).
    ///   - choicesPerPrompt: `n` of a completions request (prompt tokens count once per prompt).
    ///   - chat: chunks of `chat.completion.chunk` (else `text_completion`).
    ///   - start: text sent first for a choice (the echoed prompt), or nil; for chat the role chunk is always sent.
    ///   - run: makes a choice, reporting text as it becomes final; what it returns beyond the text
    ///     already sent is sent before the choice's last event.
    func stream(choiceCount: Int, choicesPerPrompt: Int = 1, includeUsage: Bool, chat: Bool, start: @escaping @Sendable (Int) -> String?,
                run: @escaping @Sendable (Int, TextSink?) async throws -> ChoiceOutput) -> Response {
        let id = Self.identifier(chat ? "chatcmpl" : "cmpl")
        let created = Self.now
        let name = model.name
        @Sendable func event(_ value: any Encodable) -> ByteBuffer {
            var data = Data("data: ".utf8)
            data.append(JSONBody.data(value))
            data.append(Data("\n\n".utf8))
            return ByteBuffer(bytes: data)
        }
        @Sendable func chunk(_ index: Int, text: String?, role: String? = nil, finish: String? = nil) -> ByteBuffer {
            if chat {
                let delta = ChatMessageBody(role: role, content: finish == nil ? text : nil)
                return event(ChatBody(id: id, object: "chat.completion.chunk", created: created, model: name,
                                      choices: [ChatChoiceBody(index: index, message: delta, isDelta: true, logprobs: nil, finishReason: finish)]))
            }
            return event(CompletionBody(id: id, created: created, model: name,
                                        choices: [CompletionChoiceBody(index: index, text: text ?? "", logprobs: nil, finishReason: finish)]))
        }
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var outputs: [ChoiceOutput] = []
            for index in 0..<choiceCount {
                if chat {
                    try await writer.write(chunk(index, text: "", role: "assistant"))
                } else if let first = start(index), !first.isEmpty {
                    try await writer.write(chunk(index, text: first))
                }
                let (pieces, continuation) = AsyncStream<String>.makeStream()
                let clientGone = Locked(false)
                let producer = Task {
                    defer { continuation.finish() }
                    return try await run(index) { piece in
                        continuation.yield(piece)
                        return !clientGone.withLock { $0 }
                    }
                }
                var sent = ""
                do {
                    for await piece in pieces {
                        try await writer.write(chunk(index, text: piece))
                        sent += piece
                    }
                } catch {
                    clientGone.withLock { $0 = true }
                    _ = try? await producer.value
                    throw error
                }
                let output: ChoiceOutput
                do {
                    output = try await producer.value
                } catch {
                    let failure = (error as? APIError) ?? APIError.server(error)
                    try await writer.write(event(failure.body))
                    break
                }
                if output.text.count > sent.count, output.text.hasPrefix(sent) {
                    try await writer.write(chunk(index, text: String(output.text.dropFirst(sent.count))))
                }
                try await writer.write(chunk(index, text: "", finish: output.finishReason))
                outputs.append(output)
            }
            if includeUsage {
                let usage = Self.usage(outputs, n: chat ? choiceCount : choicesPerPrompt)
                if chat {
                    try await writer.write(event(ChatBody(id: id, object: "chat.completion.chunk", created: created, model: name, choices: [], usage: usage)))
                } else {
                    try await writer.write(event(CompletionBody(id: id, created: created, model: name, choices: [], usage: usage)))
                }
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        })
    }
}
