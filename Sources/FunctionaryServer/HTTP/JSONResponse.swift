import FunctionaryProtocol
import Hummingbird

/// A JSON answer: the value's compact JSON with `Content-Type: application/json` (status 200 unless told).
struct JSONResponse: ResponseGenerator {
    var value: JSONValue
    var status: HTTPResponse.Status
    /// Headers after `Content-Type`.
    var headers: HTTPFields

    init(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) {
        self.value = value
        self.status = status
        self.headers = headers
    }

    func response(from request: Request, context: some RequestContext) -> Response { response() }

    func response() -> Response {
        var fields: HTTPFields = [.contentType: "application/json"]
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: value.compactJSON())))
    }
}
