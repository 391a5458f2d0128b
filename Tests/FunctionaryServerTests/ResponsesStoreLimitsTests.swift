import FunctionaryProtocol
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import FunctionaryServer

/// Issue 20: what a client can leave in the Responses store is bounded: metadata to OpenAI's limits, input items and
/// `text.format` to the members the server reads, entries to an age.
@Suite("responses store limits")
struct ResponsesStoreLimitsTests {
    @Test func metadataIsHeldToOpenAIsLimits() async throws {
        let engine = ScriptedEngine.answering(["Hi"])
        try await TestServer.app(engine: engine).test(.router) { client in
            func post(_ metadata: String) async throws -> TestResponse {
                try await client.post("/v1/responses", json: #"{"model":"test-model","input":"Hi","metadata":\#(metadata)}"#)
            }
            let sixteen = (0..<16).map { #""k\#($0)":"v""# }.joined(separator: ",")
            let longest = #"{"\#(String(repeating: "k", count: 64))":"\#(String(repeating: "é", count: 512))"}"#
            for ok in ["{\(sixteen)}", longest, "{}"] {
                let response = try await post(ok)
                #expect(response.status == .ok, "\(response.text)")
            }
            let ok = try await post(#"{"a":"b"}"#)
            #expect(try ok.json()["metadata"] == ["a": "b"])
            let bad = [
                "{\(sixteen),\"k16\":\"v\"}", #"{"\#(String(repeating: "k", count: 65))":"v"}"#,
                #"{"k":"\#(String(repeating: "v", count: 513))"}"#, #"{"k":1}"#, #"{"k":{"nested":"x"}}"#, #"{"k":["x"]}"#, #"["x"]"#,
            ]
            for metadata in bad {
                let response = try await post(metadata)
                #expect(response.status == .badRequest, "\(metadata.prefix(80))")
                #expect(try response.errorParam()?.hasPrefix("metadata") == true)
            }
        }
    }

    /// Unknown members of input items, their content parts and `text.format` are dropped: not stored, not echoed.
    @Test func unknownMembersAreNotStored() async throws {
        let engine = ScriptedEngine.answering([#"{"a":1}"#])
        try await TestServer.app(engine: engine).test(.router) { client in
            let junk = #""junk":{"big":[1,2,3]}"#
            let body = #"""
                {"model":"test-model","input":[
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"Hi",\#(junk)}],\#(junk)},
                  {"type":"function_call","call_id":"c1","name":"f","arguments":"{}",\#(junk)},
                  {"type":"function_call_output","call_id":"c1","output":"ok","id":{"not":"a string"},\#(junk)}],
                 "text":{"format":{"type":"json_schema","name":"r","schema":{"type":"object"},"strict":true,\#(junk)}}}
                """#
            let response = try await client.post("/v1/responses", json: body)
            #expect(response.status == .ok, "\(response.text)")
            let json = try response.json()
            #expect(!response.text.contains("junk"))
            #expect(json["text"]?["format"]?["strict"] == true)
            let id = try #require(json["id"]?.stringValue)
            let items = try await client.execute(uri: "/v1/responses/\(id)/input_items?order=asc", method: .get)
            #expect(!items.text.contains("junk"), "\(items.text)")
            let data = try #require(try items.json()["data"]?.arrayValue)
            #expect(data.count == 3)
            #expect(data[0]["content"] == [["type": "input_text", "text": "Hi"]])
            #expect(data[2]["id"]?.stringValue?.hasPrefix("fco_") == true)
            let stored = try await client.execute(uri: "/v1/responses/\(id)", method: .get)
            #expect(!stored.text.contains("junk"))
        }
    }

    /// Entries expire after `--responses-ttl`: not found, not chained, and evicted when the next one is stored.
    @Test func entriesExpire() {
        let clock = Mutex(ContinuousClock.now)
        let store = ResponseStore(maxEntries: 10, maxBytes: 1 << 20, maxAge: .seconds(60), now: { clock.withLock { $0 } })
        store.store(id: "resp_old", tenant: "t", response: ["id": "resp_old"], inputItems: [], conversation: [])
        #expect(store.entry("resp_old", tenant: "t") != nil)
        #expect(store.entry("resp_old", tenant: "other") == nil)
        clock.withLock { $0 += .seconds(59) }
        #expect(store.entry("resp_old", tenant: "t") != nil)
        clock.withLock { $0 += .seconds(2) }
        #expect(store.entry("resp_old", tenant: "t") == nil)
        #expect(store.usage.entries == 1)
        store.store(id: "resp_new", tenant: "t", response: ["id": "resp_new"], inputItems: [], conversation: [])
        #expect(store.usage.entries == 1, "the expired entry is evicted")
        #expect(store.entry("resp_new", tenant: "t") != nil)
        #expect(!store.delete("resp_new", tenant: "other"))
        #expect(store.delete("resp_new", tenant: "t"))
        #expect(store.usage.entries == 0)
    }
}
