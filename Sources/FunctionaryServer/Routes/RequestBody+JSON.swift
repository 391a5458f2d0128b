import FunctionaryProtocol
import Hummingbird

/// Reading and decoding request bodies with errors in OpenAI's shape.
enum RequestJSON {
    /// Collects the body, refusing more than `limit` bytes (413), also when `Content-Length` announces it.
    static func collect(_ request: inout Request, limit: Int) async throws(OpenAIError) -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw OpenAIError.bodyTooLarge(limit: limit)
        }
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw OpenAIError.bodyTooLarge(limit: limit)
        } catch {
            throw OpenAIError.badRequest("The request body could not be read: \(error).")
        }
    }

    /// Parses the body as a JSON object and decodes `T` from it.
    /// - Throws: 400 for text that is not JSON, JSON that is not an object, or a field of the wrong type
    ///   (naming the field, e.g. `'messages[0].role' is a required property`).
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(OpenAIError) -> (T, JSONObject) {
        if bytes.isEmpty { throw OpenAIError.badRequest("The request body is empty; expected a JSON object.") }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch let error as JSONParseError {
            throw OpenAIError.invalidJSON(error.description)
        } catch {
            throw OpenAIError.invalidJSON("\(error)")
        }
        guard case .object(let object) = value else {
            throw OpenAIError.badRequest("The request body must be a JSON object (got \(value.typeName)).")
        }
        do {
            return (try JSONValueDecoder().decode(T.self, from: value), object)
        } catch {
            let (path, message) = JSONValueDecoder.describe(error)
            throw OpenAIError.badRequest(message, param: path.isEmpty ? nil : path, code: "invalid_value")
        }
    }
}
