import Functionary
import Testing

/// Reading JSON that is still being generated.
@Suite struct PartialJSONTests {
    @Test(arguments: [
        (#"{"#, #"{}"#),
        (#"{"a": "x"#, #"{"a":"x"}"#),
        (#"{"a": "x\"#, #"{"a":"x"}"#),
        (#"{"a": 12"#, #"{}"#),
        (#"{"a": 12,"#, #"{"a":12}"#),
        (#"{"a": [1, 2"#, #"{"a":[1]}"#),
        (#"{"a": [1, 2,"#, #"{"a":[1,2]}"#),
        (#"{"a": {"b": tr"#, #"{"a":{}}"#),
        (#"{"a": true}"#, #"{"a":true}"#),
        (#"{"a"#, #"{}"#),
        (#"{"a": "\u00e9"#, #"{"a":"é"}"#),
        (#"["x", {"k": "v"#, #"["x",{"k":"v"}]"#),
    ])
    func prefixes(_ prefix: String, _ expected: String) throws {
        #expect(PartialJSON.parse(prefix) == (try JSONValue(parsing: expected)))
    }

    @Test func nothingYet() {
        #expect(PartialJSON.parse("") == nil)
        #expect(PartialJSON.parse("  12") == nil)
    }
}
