import Foundation
import FunctionaryProtocol
import GBNFTestSupport
import Testing

/// The project's JSON Schema → GBNF converter (`ConstraintGrammar`, used by the embedded and the remote engines)
/// against llama.cpp's `json_schema_to_grammar` (the pinned source, run as `.deps/bin/llama-schema-reference`,
/// built by `make deps`), over a corpus of schemas:
/// - the tool schemas of the repository's fixtures and of the adapter's dev set (`models/tool-use-dev.jsonl`),
/// - the schemas of llama.cpp's own converter test (`tests/test-json-schema-to-grammar.cpp` of the pinned source),
/// - random schemas (seeded).
///
/// For each schema, strings are derived at random from each grammar (so instances of both languages), and each is
/// mutated into near-misses (a character deleted, inserted or replaced, the text cut short or extended): both
/// grammars must accept and reject the same strings. Every deliberate difference is named in
/// `deliberateDifferences`, and each named case must still differ (the list cannot go stale).
@Suite struct SchemaConverterDifferentialTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let referencePath = repository.appendingPathComponent(".deps/bin/llama-schema-reference").path
    static let llamaTestPath = repository.appendingPathComponent(".deps/src/llama.cpp/tests/test-json-schema-to-grammar.cpp").path

    /// Where the languages differ on purpose: case name → why.
    static let deliberateDifferences: [String: String] = [
        "nullable": "\"nullable\": true (OpenAPI) also admits null here; llama.cpp ignores the keyword",
        "llama.cpp: optional props with empty name":
            "llama.cpp names the rule of the property \"\" after nothing, so it takes the place of root and the grammar "
            + "accepts a bare integer; ours gives the property its own rule and accepts the object",
    ]

    /// Cases of llama.cpp's test that fail there on purpose (invalid schemas, unsupported features): ours must
    /// refuse them too, or say here why it does not.
    static let acceptedFailures: [String: String] = [:]

    struct Case: Sendable {
        var name: String
        var schema: String
    }

    // MARK: - the test

    @Test func bothConvertersAcceptTheSameStrings() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.referencePath),
            "llama.cpp's converter is missing: run make deps (it builds \(Self.referencePath))")
        let llama = try Self.llamaCases()
        #expect(llama.success.count >= 60, "llama.cpp's test should give many schemas, got \(llama.success.count)")
        let cases =
            try Self.fixtureCases() + llama.success + Self.randomCases(count: 150, seed: 0x5eed)
            + [Case(name: "nullable", schema: #"{"type": "object", "properties": {"a": {"type": "integer", "nullable": true}}, "required": ["a"]}"#)]
        let references = try Self.reference(cases.map(\.schema))
        var compared = 0, strings = 0
        var differing: Set<String> = []
        for (index, testCase) in cases.enumerated() {
            let reference = references[index]
            guard let referenceGrammar = reference.grammar else {
                Issue.record("llama.cpp's converter failed on \(testCase.name): \(reference.error ?? "?")\n\(testCase.schema)")
                continue
            }
            let ours: String
            do {
                ours = try Self.ourGrammar(testCase.schema)
            } catch {
                Issue.record("our converter failed on \(testCase.name): \(error)\n\(testCase.schema)")
                continue
            }
            let theirs = try GBNFMatcher(referenceGrammar)
            let mine = try GBNFMatcher(ours)
            var rng = SplitMix64(seed: UInt64(index) &* 0x9E37_79B9 &+ 17)
            var samples: [String] = []
            for _ in 0..<4 {
                if let s = GrammarSampler(theirs).sample(&rng) { samples.append(s) }
                if let s = GrammarSampler(mine).sample(&rng) { samples.append(s) }
            }
            var probes = samples
            for sample in samples { probes += Self.nearMisses(of: sample, rng: &rng) }
            var disagreements: [String] = []
            for probe in probes {
                let a = theirs.accepts(probe), b = mine.accepts(probe)
                if a != b { disagreements.append("\(a ? "llama.cpp accepts" : "llama.cpp rejects"), ours \(b ? "accepts" : "rejects"): \(probe)") }
            }
            strings += probes.count
            compared += 1
            if !disagreements.isEmpty {
                differing.insert(testCase.name)
                if Self.deliberateDifferences[testCase.name] == nil {
                    let examples = disagreements.prefix(4).joined(separator: "\n")
                    let message =
                        "the converters disagree on \(testCase.name) (\(disagreements.count) of \(probes.count) strings)\n\(testCase.schema)\n"
                        + "\(examples)\n--- llama.cpp:\n\(referenceGrammar)--- ours:\n\(ours)"
                    Issue.record(Comment(rawValue: message))
                }
            }
        }
        for name in Self.deliberateDifferences.keys where cases.contains(where: { $0.name == name }) {
            #expect(differing.contains(name), "\(name) is listed as a deliberate difference but the converters agree on it")
        }
        #expect(compared >= 250, "only \(compared) schemas compared")
        #expect(strings >= 250 * 8, "only \(strings) strings compared")

        // llama.cpp's failure cases: ours refuses them too.
        let failures = try Self.reference(llama.failure.map(\.schema))
        for (index, testCase) in llama.failure.enumerated() {
            let oursFails = (try? Self.ourGrammar(testCase.schema)) == nil
            if !oursFails, Self.acceptedFailures[testCase.name] == nil, failures[index].grammar == nil {
                Issue.record("llama.cpp refuses \(testCase.name) but ours converts it\n\(testCase.schema)")
            }
        }
    }

    // MARK: - the two converters

    static func ourGrammar(_ schema: String) throws -> String {
        let constraint = OutputConstraint(grammar: "root ::= schema\n", schemas: ["schema": try JSONValue(parsing: schema)])
        return try ConstraintGrammar.render(constraint).grammar
    }

    struct ReferenceResult {
        var grammar: String?
        var error: String?
    }

    /// llama.cpp's grammars for `schemas` (compact JSON, one per line), from one run of the reference command.
    static func reference(_ schemas: [String]) throws -> [ReferenceResult] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: referencePath)
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let lines = try schemas.map { try JSONValue(parsing: $0).compactJSON() }.joined(separator: "\n") + "\n"
        let writer = Thread {
            input.fileHandleForWriting.write(Data(lines.utf8))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let results = String(decoding: data, as: UTF8.self).split(separator: "\n").map { line -> ReferenceResult in
            guard let json = try? JSONValue(parsing: String(line)) else { return ReferenceResult(error: "unreadable output") }
            return ReferenceResult(grammar: json["grammar"]?.stringValue, error: json["error"]?.stringValue)
        }
        try #require(results.count == schemas.count, "the reference answered \(results.count) of \(schemas.count) schemas")
        return results
    }

    // MARK: - the corpus

    /// Every `parameters` object of the fixtures' tools and of the dev set's tools.
    static func fixtureCases() throws -> [Case] {
        var cases: [Case] = []
        var seen = Set<String>()
        func collect(_ value: JSONValue, source: String) {
            switch value {
            case .object(let object):
                if let parameters = object["parameters"], parameters["type"]?.stringValue == "object" {
                    let text = parameters.compactJSON()
                    if seen.insert(text).inserted { cases.append(Case(name: "\(source)#\(cases.count)", schema: text)) }
                }
                for (_, child) in object { collect(child, source: source) }
            case .array(let items):
                for item in items { collect(item, source: source) }
            default:
                break
            }
        }
        let fixtures = repository.appendingPathComponent("Tests/FunctionaryProtocolTests/Fixtures")
        for name in try FileManager.default.contentsOfDirectory(atPath: fixtures.path).sorted() where name.hasSuffix(".json") {
            collect(try JSONValue(parsing: String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)), source: name)
        }
        let dev = try String(contentsOf: repository.appendingPathComponent("models/tool-use-dev.jsonl"), encoding: .utf8)
        for line in dev.split(separator: "\n") { collect(try JSONValue(parsing: String(line)), source: "tool-use-dev") }
        return cases
    }

    /// The schemas of llama.cpp's converter test, split by the outcome it expects.
    static func llamaCases() throws -> (success: [Case], failure: [Case]) {
        let text = try String(contentsOfFile: llamaTestPath, encoding: .utf8)
        // test({ SUCCESS|FAILURE, "name", R"""(schema)""", ...
        let pattern = try NSRegularExpression(
            pattern: #"test\(\{\s*(SUCCESS|FAILURE),\s*"((?:[^"\\]|\\.)*)",\s*R"""\((.*?)\)""""#, options: [.dotMatchesLineSeparators])
        var success: [Case] = [], failure: [Case] = []
        let range = NSRange(text.startIndex..., in: text)
        for match in pattern.matches(in: text, range: range) {
            guard let outcome = Range(match.range(at: 1), in: text), let name = Range(match.range(at: 2), in: text),
                let schema = Range(match.range(at: 3), in: text)
            else { continue }
            guard (try? JSONValue(parsing: String(text[schema]))) != nil else { continue }
            let testCase = Case(name: "llama.cpp: " + text[name], schema: String(text[schema]))
            if text[outcome] == "SUCCESS" { success.append(testCase) } else { failure.append(testCase) }
        }
        return (success, failure)
    }

    /// Random schemas over the keywords both converters read.
    static func randomCases(count: Int, seed: UInt64) -> [Case] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { i in
            var generator = RandomSchema()
            let schema = generator.schema(&rng, depth: 0)
            let hasDefs = !generator.definitions.isEmpty
            var root = schema
            if hasDefs, case .object(var object) = schema {
                object["$defs"] = .object(JSONObject(generator.definitions.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
                root = .object(object)
            } else if hasDefs {
                root = .object([
                    "allOf": .array([schema]),
                    "$defs": .object(JSONObject(generator.definitions.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })),
                ])
            }
            return Case(name: "random-\(i)", schema: root.compactJSON())
        }
    }

    // MARK: - near-misses

    static let palette: [Character] = ["\"", ",", "}", "]", "{", "[", ":", "0", "7", "-", ".", "e", "a", "Z", " ", "\n", "\\", "n", "t", "é"]

    static func nearMisses(of text: String, rng: inout SplitMix64) -> [String] {
        let characters = Array(text)
        var out: [String] = [text + "x", text + " ", "x" + text]
        if !characters.isEmpty {
            var deleted = characters
            deleted.remove(at: rng.below(characters.count))
            out.append(String(deleted))
            var replaced = characters
            replaced[rng.below(characters.count)] = palette[rng.below(palette.count)]
            out.append(String(replaced))
            out.append(String(characters.prefix(rng.below(characters.count))))
        }
        var inserted = characters
        inserted.insert(palette[rng.below(palette.count)], at: rng.below(characters.count + 1))
        out.append(String(inserted))
        return out
    }
}

// MARK: - random strings of a grammar

extension SplitMix64 {
    /// A number in 0..<n (0 when n ≤ 1).
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
}

/// Derives random strings from a grammar: each alternative and repetition count chosen at random, and past a depth
/// only the alternatives that end soonest (so that every derivation ends).
struct GrammarSampler {
    let matcher: GBNFMatcher
    /// Per rule, the fewest nested rule expansions any of its derivations needs.
    let depths: [String: Int]
    static let candidates: [Unicode.Scalar] = ["a", "Q", "7", " ", "_", "é", "中", "\t", "\"", "\\", "-", "/", "😀"]

    init(_ matcher: GBNFMatcher) {
        self.matcher = matcher
        var depths: [String: Int] = [:]
        var changed = true
        while changed {
            changed = false
            for (name, node) in matcher.rules {
                let depth = Self.depth(node, depths).map { $0 + 1 }
                if let depth, depth < depths[name] ?? Int.max {
                    depths[name] = depth
                    changed = true
                }
            }
        }
        self.depths = depths
    }

    static func depth(_ node: GBNFMatcher.Node, _ depths: [String: Int]) -> Int? {
        switch node {
        case .literal, .characterClass, .any: return 0
        case .reference(let name): return depths[name]
        case .sequence(let items):
            var worst = 0
            for item in items {
                guard let d = depth(item, depths) else { return nil }
                worst = max(worst, d)
            }
            return worst
        case .alternatives(let items): return items.compactMap { depth($0, depths) }.min()
        case .repetition(let item, let min, _): return min == 0 ? 0 : depth(item, depths)
        }
    }

    func sample(_ rng: inout SplitMix64) -> String? {
        var out = String.UnicodeScalarView()
        guard let root = matcher.rules["root"], emit(root, depth: 0, into: &out, rng: &rng) else { return nil }
        return String(out)
    }

    private func emit(_ node: GBNFMatcher.Node, depth: Int, into out: inout String.UnicodeScalarView, rng: inout SplitMix64) -> Bool {
        if out.count > 4000 { return false }
        let deep = depth > 12
        switch node {
        case .literal(let scalars):
            out.append(contentsOf: scalars)
        case .characterClass(let negated, let ranges):
            if negated {
                let allowed = Self.candidates.filter { c in !ranges.contains { $0.contains(c.value) } }
                guard !allowed.isEmpty else { return false }
                out.append(allowed[rng.below(allowed.count)])
            } else {
                guard !ranges.isEmpty else { return false }
                let range = ranges[rng.below(ranges.count)]
                let span = Int(range.upperBound - range.lowerBound)
                let value = range.lowerBound + UInt32(rng.below(min(span, 1 << 20) + 1))
                guard let scalar = Unicode.Scalar(value) else { return false }
                out.append(scalar)
            }
        case .any:
            out.append(Self.candidates[rng.below(Self.candidates.count)])
        case .reference(let name):
            guard let rule = matcher.rules[name] else { return false }
            return emit(rule, depth: depth + 1, into: &out, rng: &rng)
        case .sequence(let items):
            for item in items where !emit(item, depth: depth, into: &out, rng: &rng) { return false }
        case .alternatives(let items):
            var choices = items.indices.filter { Self.depth(items[$0], depths) != nil }
            if deep, let best = choices.map({ Self.depth(items[$0], depths)! }).min() {
                choices = choices.filter { Self.depth(items[$0], depths)! == best }
            }
            guard !choices.isEmpty else { return false }
            return emit(items[choices[rng.below(choices.count)]], depth: depth, into: &out, rng: &rng)
        case .repetition(let item, let min, let max):
            var count = min
            let room = max.map { $0 - min } ?? 3
            if !deep, room > 0 { count += rng.below(Swift.min(room, 3) + 1) }
            for _ in 0..<count where !emit(item, depth: depth, into: &out, rng: &rng) { return false }
        }
        return true
    }
}

// MARK: - random schemas

struct RandomSchema {
    var definitions: [String: JSONValue] = [:]
    var names = ["city", "count", "unit", "tags", "when", "price", "ok", "mode", "items", "note", "id", "level"]

    mutating func schema(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
        let roll = depth >= 3 ? rng.below(7) : rng.below(14)
        switch roll {
        case 0: return string(&rng)
        case 1: return integer(&rng)
        case 2: return .object(["type": "number"])
        case 3: return .object(["type": "boolean"])
        case 4:
            return .object([
                "enum": .array(["red", "green", .number(JSONNumber(3)), .null].shuffled(using: &rng).prefix(1 + rng.below(4)).map { $0 })
            ])
        case 5: return .object(["const": .string(["on", "off", "a\"b"][rng.below(3)])])
        case 6: return .object(["type": .array([.string("string"), .string("null")])])
        case 7, 8, 9: return object(&rng, depth: depth)
        case 10:
            var array: JSONObject = ["type": "array", "items": schema(&rng, depth: depth + 1)]
            if rng.below(2) == 0 { array["minItems"] = .number(JSONNumber(rng.below(3))) }
            if rng.below(2) == 0 { array["maxItems"] = .number(JSONNumber(2 + rng.below(3))) }
            return .object(array)
        case 11:
            return .object([["anyOf", "oneOf"][rng.below(2)]: .array([schema(&rng, depth: depth + 1), schema(&rng, depth: depth + 1)])])
        case 12:
            let name = "def\(definitions.count)"
            if definitions[name] == nil { definitions[name] = object(&rng, depth: depth + 1) }
            return .object(["$ref": .string("#/$defs/\(name)")])
        default:
            return .object(["type": "array", "prefixItems": .array([string(&rng), integer(&rng)])])
        }
    }

    mutating func string(_ rng: inout SplitMix64) -> JSONValue {
        var object: JSONObject = ["type": "string"]
        switch rng.below(6) {
        case 0:
            object["minLength"] = .number(JSONNumber(rng.below(3)))
            object["maxLength"] = .number(JSONNumber(3 + rng.below(4)))
        case 1: object["format"] = .string(["date", "time", "date-time", "uuid"][rng.below(4)])
        case 2: object["pattern"] = .string(["^[a-z]{2,4}-[0-9]+$", "^(yes|no)$", "^\\d{3}$", "^[A-Z][a-z]*( [A-Z][a-z]*)?$"][rng.below(4)])
        case 3: object["enum"] = .array(["x", "y z", "é"].map { .string($0) })
        default: break
        }
        return .object(object)
    }

    mutating func integer(_ rng: inout SplitMix64) -> JSONValue {
        var object: JSONObject = ["type": "integer"]
        switch rng.below(5) {
        case 0: object["minimum"] = .number(JSONNumber(rng.below(200) - 50))
        case 1: object["maximum"] = .number(JSONNumber(rng.below(2000) - 100))
        case 2:
            let low = rng.below(100) - 20
            object["minimum"] = .number(JSONNumber(low))
            object["maximum"] = .number(JSONNumber(low + rng.below(500)))
        case 3: object["exclusiveMinimum"] = .number(JSONNumber(rng.below(10)))
        default: break
        }
        return .object(object)
    }

    mutating func object(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
        var properties = JSONObject()
        var required: [JSONValue] = []
        let count = 1 + rng.below(4)
        var pool = names
        for _ in 0..<count {
            let name = pool.remove(at: rng.below(pool.count))
            properties[name] = schema(&rng, depth: depth + 1)
            if rng.below(3) != 0 { required.append(.string(name)) }
        }
        var object: JSONObject = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { object["required"] = .array(required) }
        switch rng.below(4) {
        case 0: object["additionalProperties"] = false
        case 1: object["additionalProperties"] = .object(["type": "integer"])
        default: break
        }
        return .object(object)
    }
}
