import FunctionaryProtocol
import Testing

/// Schema walkers and the JSON object against hostile input (issue "Hardening").
@Suite("hardening: schema limits, reference chains, big objects")
struct ProtocolHardeningTests {
    /// `$defs` d0 → d1 → … → d(hops) (a string), referenced from property `x`.
    static func chain(_ hops: Int) -> JSONValue {
        var defs = JSONObject()
        for i in 0..<hops { defs["d\(i)"] = ["$ref": .string("#/$defs/d\(i + 1)")] }
        defs["d\(hops)"] = ["type": "string"]
        return ["type": "object", "properties": ["x": ["$ref": "#/$defs/d0"]], "$defs": .object(defs)]
    }

    /// A 40,000-hop chain overflowed the stack of the resolver (and so of the TypeScript renderer).
    @Test func longReferenceChainsNeitherCrashNorPass() {
        let schema = Self.chain(40_000)
        #expect(throws: SchemaLimitError.self) { try SchemaLimits().check(schema) }
        let resolved = SchemaRefResolver.resolve(schema)
        #expect(resolved["properties"]?["x"] != nil)
        let rendered = TypeScriptSchema.render(tools: [Tool(function: FunctionDefinition(name: "chain", parameters: schema))])
        #expect(rendered.contains("chain"))
    }

    @Test func shortChainsPass() throws {
        try SchemaLimits().check(Self.chain(10))
        #expect(SchemaRefResolver.resolve(Self.chain(10))["properties"]?["x"] == ["type": "string"])
    }

    @Test func hopLimitNamesTheLimit() {
        do {
            try SchemaLimits(maxRefHops: 5).check(Self.chain(6), name: "tools[0].function.parameters")
            Issue.record("expected a limit error")
        } catch {
            #expect(error.limit == .refHops)
            #expect(error.maximum == 5)
            #expect(error.description.contains("tools[0].function.parameters"))
        }
    }

    /// One 1 MiB definition referenced from 3,000 properties: 3 GB once inlined. The check stops after its byte
    /// budget; the resolver (what rendering uses) stops inlining at its own byte budget.
    @Test func definitionsBombIsBoundedInBytes() {
        var properties = JSONObject()
        for i in 0..<3000 { properties["p\(i)"] = ["$ref": "#/$defs/big"] }
        let schema: JSONValue = [
            "type": "object", "$defs": ["big": ["type": "string", "description": .string(String(repeating: "d", count: 1 << 20))]],
            "properties": .object(properties),
        ]
        do {
            try SchemaLimits().check(schema)
            Issue.record("expected a limit error")
        } catch {
            #expect(error.limit == .bytes)
        }
        let resolved = SchemaRefResolver.resolve(schema)
        #expect(resolved.compactJSON().utf8.count < 8 * SchemaRefResolver.maxInlinedBytes)
    }

    @Test func cyclesAreNotCountedForever() throws {
        let tree: JSONValue = [
            "type": "object", "properties": ["root": ["$ref": "#/$defs/node"]],
            "$defs": ["node": ["type": "object", "properties": ["children": ["type": "array", "items": ["$ref": "#/$defs/node"]]]]],
        ]
        try SchemaLimits().check(tree)
    }

    @Test func depthAfterInliningIsBounded() {
        var schema: JSONValue = ["type": "string"]
        for _ in 0..<200 { schema = ["type": "array", "items": schema] }
        #expect(throws: SchemaLimitError.self) { try SchemaLimits().check(schema) }
    }

    /// 550,000 keys: every insertion scanned the keys before it (no answer within 120 s on the server).
    @Test func manyKeysParseInLinearTime() throws {
        var text = "{"
        for i in 0..<550_000 { text += (i == 0 ? "" : ",") + "\"k\(i)\":\(i)" }
        text += "}"
        let started = ContinuousClock.now
        let value = try JSONValue(parsing: text)
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(value.objectValue?.count == 550_000)
        #expect(value["k549999"] == 549_999)
    }

    @Test func repeatedKeysKeepFirstPositionAndLastValue() throws {
        let value = try JSONValue(parsing: #"{"a":1,"b":2,"a":3}"#)
        #expect(value.objectValue?.keys == ["a", "b"])
        #expect(value["a"] == 3)
        #expect(value.compactJSON() == #"{"a":3,"b":2}"#)
        var object = value.objectValue!
        object["a"] = nil
        object["a"] = 4
        #expect(object.keys == ["b", "a"])
    }

    @Test func parserKeyLimit() {
        do {
            _ = try JSONValue(parsing: #"{"a":{"b":1,"c":2},"d":3}"#, maxKeys: 3)
            Issue.record("expected a limit error")
        } catch let error as JSONParseError {
            #expect(error.exceededLimit == .keys(maximum: 3))
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect((try? JSONValue(parsing: #"{"a":{"b":1,"c":2}}"#, maxKeys: 3)) != nil)
    }

    /// Array elements are counted across all arrays of the document (nested ones too), like object keys.
    @Test func parserArrayElementLimit() {
        do {
            _ = try JSONValue(parsing: "[[0],[0],[0]]", maxElements: 5)
            Issue.record("expected a limit error")
        } catch let error as JSONParseError {
            #expect(error.exceededLimit == .elements(maximum: 5))
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect((try? JSONValue(parsing: #"{"a":[1,2],"b":[[3]],"c":[]}"#, maxElements: 4)) != nil)
        #expect((try? JSONValue(parsing: #"{"a":[1,2],"b":[[3]],"c":[4]}"#, maxElements: 4)) == nil)
        // Stops at the limit rather than parsing the rest (a body of millions of elements costs only the limit).
        let hostile = "[" + Array(repeating: "[0]", count: 200_000).joined(separator: ",") + "]"
        do {
            _ = try JSONValue(parsing: hostile, maxElements: 1000)
            Issue.record("expected a limit error")
        } catch let error as JSONParseError {
            #expect(error.exceededLimit == .elements(maximum: 1000))
            #expect(error.column < 5000)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func sseEventWithoutBlankLineIsBounded() {
        var decoder = ServerSentEventDecoder(maximumLineBytes: 1024)
        let line = Array(("data: " + String(repeating: "x", count: 100) + "\n").utf8)
        var thrown: ServerSentEventError?
        for _ in 0..<100 {
            do {
                _ = try decoder.feed(line)
            } catch {
                thrown = error
                break
            }
        }
        #expect(thrown == .eventTooLong(1024))
    }
}
