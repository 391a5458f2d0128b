import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import HummingbirdTesting
import Testing

/// `logprobs`, `top_logprobs` and `logit_bias` through the routes, on a scripted engine.
@Suite("log probabilities and logit bias")
struct LogprobsRouteTests {
    static func token(_ text: String, _ logprob: Double) -> TokenLogprob { TokenLogprob(bytes: Array(text.utf8), logprob: logprob) }

    /// "海" (e6 b5 b7) split over two tokens, then " ok".
    static let entries: [TokenLogprobs] = [
        TokenLogprobs(token: TokenLogprob(bytes: [0xE6, 0xB5], logprob: -0.5), top: [TokenLogprob(bytes: [0xE6, 0xB5], logprob: -0.5)]),
        TokenLogprobs(token: TokenLogprob(bytes: [0xB7], logprob: -0.25), top: [TokenLogprob(bytes: [0xB7], logprob: -0.25)]),
        TokenLogprobs(token: token(" ok", -1), top: [token(" ok", -1), token(" no", -2)]),
    ]

    static var engine: ScriptedEngine {
        ScriptedEngine(steps: [
            .logprobs(0, Array(entries[0..<2])), .text(0, "海"), .logprobs(0, [entries[2]]), .text(0, " ok"), .finish(0, .stop),
            .usage(prompt: 5, completion: 3),
        ])
    }

    @Test func chatNonStreamedShape() async throws {
        let engine = Self.engine
        try await TestServer.app(engine: engine).test(.router) { client in
            let json = try await client.post("/v1/chat/completions", json: TestServer.chat(#""logprobs":true,"top_logprobs":2"#)).json()
            let logprobs = try #require(json["choices"]?.arrayValue?.first?["logprobs"])
            #expect(
                logprobs.compactJSON()
                    == #"{"content":[{"token":"\#u{FFFD}","logprob":-0.5,"bytes":[230,181],"top_logprobs":[{"token":"\#u{FFFD}","logprob":-0.5,"bytes":[230,181]}]},{"token":"\#u{FFFD}","logprob":-0.25,"bytes":[183],"top_logprobs":[{"token":"\#u{FFFD}","logprob":-0.25,"bytes":[183]}]},{"token":" ok","logprob":-1.0,"bytes":[32,111,107],"top_logprobs":[{"token":" ok","logprob":-1.0,"bytes":[32,111,107]},{"token":" no","logprob":-2.0,"bytes":[32,110,111]}]}],"refusal":null}"#
            )
            #expect(engine.requests.first?.sampling.logprobs == 2)
        }
    }

    @Test func chatWithoutLogprobsSaysNull() async throws {
        try await TestServer.app(engine: Self.engine).test(.router) { client in
            let json = try await client.post("/v1/chat/completions", json: TestServer.chat()).json()
            #expect(json["choices"]?.arrayValue?.first?["logprobs"] == .null)
        }
    }

    /// Each chunk carries the entries of its tokens; in order they are the whole completion's, and their bytes the text.
    @Test func chatStreamedEntriesConcatenate() async throws {
        try await TestServer.app(engine: Self.engine).test(.router) { client in
            let chunks = try await client.post("/v1/chat/completions", json: TestServer.chat(#""stream":true,"logprobs":true"#)).chunks()
            var bytes: [Int] = []
            var text = ""
            var perChunk: [Int] = []
            for chunk in chunks {
                guard let choice = chunk["choices"]?.arrayValue?.first else { continue }
                text += choice["delta"]?["content"]?.stringValue ?? ""
                let content = choice["logprobs"]?["content"]?.arrayValue ?? []
                perChunk.append(content.count)
                bytes += content.flatMap { $0["bytes"]?.arrayValue ?? [] }.compactMap { $0.intValue }
            }
            #expect(text == "海 ok")
            #expect(bytes.map { UInt8($0) } == Array(text.utf8))
            #expect(perChunk == [0, 2, 1, 0], "role chunk, 海, ok, finish")
        }
    }

    @Test func completionsLegacyShape() async throws {
        let engine = Self.engine
        try await TestServer.app(engine: engine).test(.router) { client in
            let json = try await client.post("/v1/completions", json: #"{"model":"test-model","prompt":"Hi","logprobs":2}"#).json()
            let logprobs = try #require(json["choices"]?.arrayValue?.first?["logprobs"])
            #expect(
                logprobs.compactJSON()
                    == #"{"tokens":["\#u{FFFD}","\#u{FFFD}"," ok"],"token_logprobs":[-0.5,-0.25,-1.0],"top_logprobs":[{"\#u{FFFD}":-0.5},{"\#u{FFFD}":-0.25},{" ok":-1.0," no":-2.0}],"text_offset":[0,0,1]}"#
            )
            let plain = try await client.post("/v1/completions", json: #"{"model":"test-model","prompt":"Hi"}"#).json()
            #expect(plain["choices"]?.arrayValue?.first?["logprobs"] == .null)
        }
    }

    @Test func completionsStreamContinuesTextOffset() async throws {
        try await TestServer.app(engine: Self.engine).test(.router) { client in
            let chunks = try await client.post("/v1/completions", json: #"{"model":"test-model","prompt":"Hi","logprobs":0,"stream":true}"#)
                .chunks()
            let offsets = chunks.compactMap { $0["choices"]?.arrayValue?.first?["logprobs"]?["text_offset"]?.arrayValue }
            #expect(offsets.map { $0.compactMap(\.intValue) } == [[0, 0], [1]])
        }
    }

    @Test func logitBiasReachesTheEngine() async throws {
        let engine = Self.engine
        try await TestServer.app(engine: engine).test(.router) { client in
            let response = try await client.post("/v1/chat/completions", json: TestServer.chat(#""logit_bias":{"42":-100,"7":5.5}"#))
            #expect(response.status == .ok)
            #expect(engine.requests.first?.sampling.logitBias == [42: -100, 7: 5.5])
            #expect(engine.requests.first?.sampling.logprobs == nil)
        }
    }

    /// Each bad field gets a 400 naming it (and the key at fault).
    @Test(arguments: [
        (#""logit_bias":{"abc":1}"#, "logit_bias", "'abc'"),
        (#""logit_bias":{"-3":1}"#, "logit_bias", "'-3'"),
        (#""logit_bias":{"1.5":1}"#, "logit_bias", "'1.5'"),
        (#""logit_bias":{"1099511627776":1}"#, "logit_bias", "'1099511627776'"),
        (#""logit_bias":{"5":101}"#, "logit_bias", "'5'"),
        (#""logit_bias":{"5":-100.5}"#, "logit_bias", "'5'"),
        (#""logit_bias":{"5":"x"}"#, "logit_bias", "'5'"),
        (#""logit_bias":[1,2]"#, "logit_bias", "logit_bias"),
        (#""logprobs":true,"top_logprobs":21"#, "top_logprobs", "21"),
        (#""logprobs":true,"top_logprobs":-1"#, "top_logprobs", "-1"),
        (#""top_logprobs":3"#, "top_logprobs", "requires 'logprobs'"),
    ])
    func chatRejects(extra: String, param: String, mention: String) async throws {
        try await TestServer.app(engine: Self.engine).test(.router) { client in
            let response = try await client.post("/v1/chat/completions", json: TestServer.chat(extra))
            #expect(response.status == .badRequest, "\(extra)")
            #expect(try response.errorParam() == param)
            let message = try response.errorMessage() ?? ""
            #expect(message.contains(mention), "\(message)")
        }
    }

    @Test func completionsRejectLogprobsOutOfRange() async throws {
        try await TestServer.app(engine: Self.engine).test(.router) { client in
            let response = try await client.post("/v1/completions", json: #"{"model":"test-model","prompt":"Hi","logprobs":21}"#)
            #expect(response.status == .badRequest)
            #expect(try response.errorParam() == "logprobs")
            let bias = try await client.post("/v1/completions", json: #"{"model":"test-model","prompt":"Hi","logit_bias":{"x":1}}"#)
            #expect(bias.status == .badRequest)
            #expect(try bias.errorParam() == "logit_bias")
        }
    }
}
