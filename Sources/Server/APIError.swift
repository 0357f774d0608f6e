import EvalCore
import Foundation
import Hummingbird

/// An error answered as OpenAI does: an HTTP status and
/// `{"error": {"message": ..., "type": ..., "param": ..., "code": ...}}`.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    /// `invalid_request_error`, `authentication_error`, `not_found_error` or `server_error`.
    public var type: String
    /// The request field that is wrong, when one is.
    public var param: String?
    public var code: String?

    public init(status: HTTPResponse.Status, message: String, type: String, param: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    public var description: String { "HTTP \(status.code) \(type): \(message)" }

    /// 400: a request field is missing, of the wrong type or out of range; the message names it.
    static func invalid(_ param: String, _ message: String) -> APIError {
        APIError(status: .badRequest, message: "'\(param)': \(message)", type: "invalid_request_error", param: param)
    }

    /// 400 about the request as a whole.
    static func badRequest(_ message: String) -> APIError {
        APIError(status: .badRequest, message: message, type: "invalid_request_error")
    }

    static func modelNotFound(_ requested: String, served: String) -> APIError {
        APIError(status: .notFound, message: "The model '\(requested)' does not exist; this server serves '\(served)'.",
                 type: "invalid_request_error", param: "model", code: "model_not_found")
    }

    static let unauthorized = APIError(
        status: .unauthorized, message: "Missing or incorrect API key: send 'Authorization: Bearer <key>' with the key given to eval serve --api-key.",
        type: "authentication_error", code: "invalid_api_key")

    /// Any other failure, as a 500 with its description (model errors say what went wrong).
    static func server(_ error: any Error) -> APIError {
        APIError(status: .internalServerError, message: "\(error)", type: "server_error")
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            var message: String
            var type: String
            var param: String?
            var code: String?
            func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(message, forKey: .message)
                try container.encode(type, forKey: .type)
                try container.encode(param, forKey: .param)
                try container.encode(code, forKey: .code)
            }
            enum CodingKeys: String, CodingKey { case message, type, param, code }
        }
        var error: Detail
    }

    /// The JSON body.
    var body: Body { Body(error: .init(message: message, type: type, param: param, code: code)) }

    /// The HTTP response carrying this error.
    func response() -> Response {
        JSONBody.response(body, status: status)
    }
}

/// JSON response bodies.
enum JSONBody {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    static func data(_ value: some Encodable) -> Data {
        (try? encoder.encode(value)) ?? Data(#"{"error":{"message":"response could not be encoded","type":"server_error","param":null,"code":null}}"#.utf8)
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data(value))))
    }
}
