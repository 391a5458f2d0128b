import FunctionaryProtocol
import Hummingbird

/// Reading and decoding request bodies with errors in OpenAI's shape.
enum RequestJSON {
    /// How much of an oversized body is read and thrown away before answering 413, so that a client that sends
    /// the whole body before reading (most do, without `Expect: 100-continue`) gets the answer instead of a stall.
    static let discardLimit = 256 * 1024 * 1024

    /// Collects the body, refusing more than `limit` bytes (413), also when `Content-Length` announces it.
    ///
    /// An oversized body is still read to its end (and thrown away, up to `discardLimit`), so that a client
    /// that sends the whole body before reading the answer gets its 413 instead of a stalled upload.
    /// The collected body is put back into the request.
    static func collect(_ request: inout Request, limit: Int) async throws(OpenAIError) -> [UInt8] {
        let announced = request.headers[.contentLength].flatMap(Int.init)
        var bytes: [UInt8] = []
        var seen = 0
        var tooLarge = (announced ?? 0) > limit
        if !tooLarge, let announced { bytes.reserveCapacity(announced) }
        do {
            for try await buffer in request.body {
                seen += buffer.readableBytes
                if seen > limit { tooLarge = true }
                if tooLarge {
                    if seen > discardLimit { break }
                    continue
                }
                bytes.append(contentsOf: buffer.readableBytesView)
            }
        } catch {
            throw OpenAIError.badRequest("The request body could not be read: \(error).")
        }
        if tooLarge {
            throw OpenAIError.bodyTooLarge(limit: limit)
        }
        request.body = RequestBody(buffer: ByteBuffer(bytes: bytes))
        return bytes
    }

    /// Parses the body as a JSON object, within `limits`' JSON depth, key count and array element count (the parser
    /// stops there).
    /// - Throws: 400 for an empty body, text that is not JSON, JSON that is not an object, or a limit exceeded.
    static func parseObject(_ bytes: [UInt8], limits: RequestLimits) throws(OpenAIError) -> JSONObject {
        if bytes.isEmpty { throw OpenAIError.badRequest("The request body is empty; expected a JSON object.") }
        let value: JSONValue
        do {
            value = try JSONValue(
                parsing: bytes, maxDepth: limits.maxJSONDepth, maxKeys: limits.maxJSONKeys, maxElements: limits.maxJSONArrayElements)
        } catch let error as JSONParseError {
            switch error.exceededLimit {
            case .depth(let maximum)?:
                throw LimitViolation(
                    what: "JSON nesting depth", flag: "--max-json-depth", value: "more than \(maximum) levels", maximum: maximum
                ).error
            case .keys(let maximum)?:
                throw LimitViolation(what: "JSON object keys in the body", flag: "--max-json-keys", value: "more than \(maximum)", maximum: maximum)
                    .error
            case .elements(let maximum)?:
                throw LimitViolation(
                    what: "JSON array elements in the body", flag: "--max-json-array-elements", value: "more than \(maximum)", maximum: maximum
                ).error
            case nil:
                break
            }
            throw OpenAIError.invalidJSON(error.description)
        } catch {
            throw OpenAIError.invalidJSON("\(error)")
        }
        guard case .object(let object) = value else {
            throw OpenAIError.badRequest("The request body must be a JSON object (got \(value.typeName)).")
        }
        return object
    }

    /// Parses the body as a JSON object and decodes `T` from it.
    /// - Throws: 400 for text that is not JSON, JSON that is not an object, or a field of the wrong type
    ///   (naming the field, e.g. `'messages[0].role' is a required property`).
    ///   Over `limits`' JSON depth or key count: 400 naming the limit (the parser stops there, before more work).
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], limits: RequestLimits) throws(OpenAIError) -> (T, JSONObject) {
        let object = try parseObject(bytes, limits: limits)
        let value = JSONValue.object(object)
        do {
            return (try JSONValueDecoder().decode(T.self, from: value), object)
        } catch {
            let (path, message) = JSONValueDecoder.describe(error)
            throw OpenAIError.badRequest(message, param: path.isEmpty ? nil : path, code: "invalid_value")
        }
    }
}
