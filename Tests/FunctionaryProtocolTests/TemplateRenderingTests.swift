import Foundation
import Testing

@testable import FunctionaryProtocol

/// Reads the reference fixtures bundled with the test target (`resources: [.copy("Fixtures")]`).
enum RenderingFixtures {
    static func url(_ name: String) throws -> URL {
        let resources = try #require(Bundle.module.resourceURL, "the test bundle has no resource folder")
        return resources.appendingPathComponent("Fixtures").appendingPathComponent(name)
    }

    static func text(_ name: String) throws -> String {
        let data = try Data(contentsOf: try url(name))
        return try #require(String(data: data, encoding: .utf8), "\(name) is not UTF-8")
    }

    static func json(_ name: String) throws -> JSONValue {
        try JSONValue(parsing: try text(name))
    }

    /// `tools` and `messages` of `test_case.json`.
    static func testCase() throws -> (tools: [Tool], messages: [ChatMessage]) {
        let value = try json("test_case.json")
        let tools = try JSONValueDecoder().decode([Tool].self, from: try #require(value["tools"]))
        let messages = try JSONValueDecoder().decode([ChatMessage].self, from: try #require(value["messages"]))
        return (tools, messages)
    }
}

/// Python's `str.strip()`, as the reference's fixture comparison uses it.
func pythonStripped(_ text: String) -> String {
    TypeScriptSchema.pythonStrip(text)
}

@Suite struct TemplateRenderingTests {
    @Test(arguments: TemplateVersion.allCases)
    func rendersReferenceFixture(version: TemplateVersion) throws {
        let (tools, messages) = try RenderingFixtures.testCase()
        var expected = try RenderingFixtures.text("prompt_test_\(version.rawValue).txt")
        if version == .v2 { expected = expected.replacing("\n\n<|from|>", with: "\n<|from|>") }
        let rendered = try version.template.render(messages: messages, tools: tools, addGenerationPrompt: false)
        #expect(pythonStripped(rendered) == pythonStripped(expected))
    }
}
