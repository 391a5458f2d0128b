import Functionary
import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import HummingbirdTesting
import Testing

/// A `@Generable` type as the HTTP API's `response_format`: its compile-time schema is what constrains the
/// engine, and the answer decodes back as the type.
@Generable(description: "A booking")
struct Booking {
    @Guide(description: "Guest name") var guest: String
    @Guide(.range(1...9)) var nights: Int
    @Guide(.anyOf(["single", "double"])) var room: String
    var extras: [String]?
}

@Suite("response_format from a @Generable type")
struct GenerableResponseFormatTests {
    @Test func theTypesSchemaConstrainsTheEngineAndTheAnswerDecodes() async throws {
        let answer = #"{"guest": "Ada", "nights": 3, "room": "double"}"#
        let engine = ScriptedEngine.answering([answer])
        let format: JSONValue = ["type": "json_schema", "json_schema": ["name": "booking", "schema": Booking.generationSchema, "strict": true]]
        try await TestServer.app(engine: engine).test(.router) { client in
            let response = try await client.post("/v1/chat/completions", json: TestServer.chat(#""response_format":\#(format.compactJSON())"#))
            #expect(response.status == .ok)
            #expect(engine.requests.last?.constraint?.schemas.values.first == Booking.generationSchema)
            let content = try #require(try response.json()["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue)
            let booking = try Booking(try JSONValue(parsing: content))
            #expect(booking.guest == "Ada" && booking.nights == 3 && booking.room == "double" && booking.extras == nil)
            #expect(JSONSchemaValidator(schema: Booking.generationSchema).isValid(booking.generatedContent))
        }
    }
}
