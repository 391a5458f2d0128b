import Foundation
import Testing

@testable import FunctionaryProtocol

/// Runs the built `functionary` executable (next to the test products) as a subprocess.
private enum CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The executable: `$FUNCTIONARY_BIN`, else `functionary` in the products directory (the folder that
    /// holds the test bundle and its resource bundle), else the usual scratch paths of the package.
    static let binary: URL? = {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["FUNCTIONARY_BIN"] { candidates.append(URL(fileURLWithPath: path)) }
        if let resources = Bundle.module.resourceURL {
            candidates.append(resources.deletingLastPathComponent().appendingPathComponent("functionary"))
        }
        candidates.append(Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("functionary"))
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("functionary"))
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("functionary"))
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for scratch in [".build", ".build-proto", ".build-noengine"] {
            candidates.append(root.appendingPathComponent("\(scratch)/debug/functionary"))
        }
        return candidates.first { fm.isExecutableFile(atPath: $0.path) && !$0.hasDirectoryPath }
    }()

    /// Runs `functionary ARGS` with `stdin` as standard input.
    static func run(_ arguments: [String], stdin: String = "") throws -> Result {
        let binary = try #require(binary, "the functionary executable was not found next to the test bundle")
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("functionary-cli-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let input = dir.appendingPathComponent("stdin")
        let output = dir.appendingPathComponent("stdout")
        let errors = dir.appendingPathComponent("stderr")
        try Data(stdin.utf8).write(to: input)
        _ = fm.createFile(atPath: output.path, contents: nil)
        _ = fm.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: output), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errors), as: UTF8.self))
    }

    /// Writes a temporary file and returns its path.
    static func file(_ text: String, name: String = "input.json") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("functionary-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    static func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func fixturePath(_ name: String) throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")).path
    }
}

private let llama31Header = "<|start_header_id|>assistant<|end_header_id|>\n\n"

/// `swift build --build-tests` builds the executable with the tests; a missing one fails these (`CLI.run`), it
/// does not skip them.
@Suite
struct CLITests {
    // MARK: render (needs the template implementations)

    @Test func renderMatchesFixture() throws {
        let path = try CLI.fixturePath("test_case.json")
        let expected = try CLI.fixture("prompt_test_v3-llama3.1.txt").trimmingCharacters(in: .whitespacesAndNewlines)
        let plain = try CLI.run(["render", "--template", "v3-llama3.1", path])
        #expect(plain.status == 0)
        #expect(plain.stderr == "")
        #expect(plain.stdout == expected)
        // Standard input works the same.
        #expect(try CLI.run(["render", "--template", "v3-llama3.1", "-"], stdin: CLI.fixture("test_case.json")).stdout == expected)
        // The inference prompt: rendering + generation prompt + tool-choice prefix (§1.1, §3.1).
        let auto = try CLI.run(["render", "--template", "v3-llama3.1", "--generation-prompt", path])
        #expect(auto.stdout == expected + llama31Header)
        let required = try CLI.run(["render", "--template", "v3-llama3.1", "--generation-prompt", "--tool-choice", "required", path])
        #expect(required.stdout == expected + llama31Header + "<function=")
    }

    @Test func renderFiltersToolsForToolChoice() throws {
        let path = try CLI.fixturePath("test_case.json")
        let named = try CLI.run(["render", "--template", "v3-llama3.1", "--generation-prompt", "--tool-choice", "get_weather", path])
        #expect(named.status == 0)
        #expect(named.stdout.contains("Use the function 'get_weather'"))
        #expect(!named.stdout.contains("Use the function 'get_car_price'"))
        #expect(!named.stdout.contains("Environment: ipython"))  // code_interpreter is removed too
        #expect(named.stdout.hasSuffix(llama31Header + "<function=get_weather>"))
        let none = try CLI.run(["render", "--template", "v3-llama3.1", "--generation-prompt", "--tool-choice", "none", path])
        #expect(
            none.stdout.hasPrefix(
                "<|start_header_id|>system<|end_header_id|>\n\n\nCutting Knowledge Date: December 2023\n\n<|eot_id|><|start_header_id|>user"))
        #expect(none.stdout.hasSuffix(llama31Header))
        let unknown = try CLI.run(["render", "--template", "v3-llama3.1", "--generation-prompt", "--tool-choice", "get_time", path])
        #expect(unknown.status == 2)
        #expect(
            unknown.stderr
                == "error: Invalid value for 'tool_choice': no function named get_time was specified in the 'tools' parameter\n")
    }

    // MARK: parse

    @Test func parseText() throws {
        let result = try CLI.run(["parse", "--template", "v3-llama3.1"], stdin: "Normal text generation\n")
        #expect(result.status == 0)
        #expect(result.stdout == #"{"role":"assistant","content":"Normal text generation","tool_calls":null}"# + "\n")
    }

    /// Appendix A case 6 for v3-llama3.1 (needs the parser implementation).
    @Test func parseToolCall() throws {
        let raw = #"Normal text generation<function=get_weather>{"location": "Istanbul"}</function>"#
        let result = try CLI.run(["parse", "--template", "v3-llama3.1", try CLI.file(raw, name: "raw.txt")])
        #expect(result.status == 0)
        let pattern =
            #"^\{"role":"assistant","content":"Normal text generation","tool_calls":\[\{"id":"call_[A-Za-z0-9]{24}","type":"function","function":\{"name":"get_weather","arguments":"\{\\"location\\": \\"Istanbul\\"\}"\}\}\]\}\n$"#
        #expect(result.stdout.contains(try Regex(pattern)), "got \(result.stdout)")
        // A named tool choice: the prefix is part of the prompt, so the output starts with the arguments.
        let named = try CLI.run(
            ["parse", "--template", "v3-llama3.1", "--tool-choice", "get_weather"],
            stdin: #"{"location": "Istanbul"}</function>"#)
        #expect(named.stdout.contains(#""name":"get_weather","arguments":"{\"location\": \"Istanbul\"}""#), "got \(named.stdout)")
    }

    /// The chunks as JSON objects.
    func chunks(_ stdout: String) throws -> [JSONValue] {
        try stdout.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
    }

    @Test func parseStreamText() throws {
        let result = try CLI.run(["parse", "--template", "v3-llama3.1", "--stream"], stdin: #"["Hel", "lo", " there"]"#)
        #expect(result.status == 0)
        let chunks = try chunks(result.stdout)
        #expect(result.stdout.hasSuffix("\n"))
        #expect(chunks.first?["choices"]?.arrayValue?.first?["delta"]?["role"] == "assistant")
        #expect(Set(chunks.compactMap { $0["id"]?.stringValue }).count == 1)
        #expect(chunks.allSatisfy { $0["object"] == "chat.completion.chunk" && $0["model"] == "functionary" })
        let text = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
        #expect(text == "Hello there")
        #expect(chunks.last?["choices"]?.arrayValue?.first?["finish_reason"] == "stop")
        #expect(chunks.dropLast().allSatisfy { $0["choices"]?.arrayValue?.first?["finish_reason"] == .null })
    }

    /// A call split inside its markers (needs the streaming parser implementation).
    @Test func parseStreamToolCall() throws {
        let deltas: JSONValue = ["Let me check.<func", "tion=get_we", #"ather>{"location":"#, #" "Istanbul"}</fun"#, "ction>"]
        let result = try CLI.run(["parse", "--template", "v3-llama3.1", "--stream"], stdin: deltas.compactJSON())
        #expect(result.status == 0)
        let deltasOut = try chunks(result.stdout).compactMap { $0["choices"]?.arrayValue?.first }
        #expect(deltasOut.first?["delta"]?["role"] == "assistant")
        let text = deltasOut.compactMap { $0["delta"]?["content"]?.stringValue }.joined()
        #expect(text == "Let me check.")
        let calls = deltasOut.compactMap { $0["delta"]?["tool_calls"]?.arrayValue?.first }
        let header = try #require(calls.first)
        #expect(header["index"] == 0)
        #expect(header["function"]?["name"] == "get_weather")
        #expect(header["id"]?.stringValue?.hasPrefix("call_") == true)
        let arguments = calls.compactMap { $0["function"]?["arguments"]?.stringValue }.joined()
        #expect(arguments == #"{"location": "Istanbul"}"#)
        #expect(deltasOut.last?["finish_reason"] == "tool_calls")
    }

    // MARK: dataset

    @Test func datasetCheckGoodFile() throws {
        let lines = try ["test_case.json", "test_case_v2.json"].map { try JSONValue(parsing: CLI.fixture($0)).compactJSON() }
        let path = try CLI.file(lines.joined(separator: "\n") + "\n", name: "good.jsonl")
        let result = try CLI.run(["dataset", "check", path])
        #expect(result.status == 0)
        #expect(result.stdout == "")
        #expect(result.stderr == "ok: 2 conversations, no problems\n")
    }

    @Test func datasetCheckBadFile() throws {
        let good = try JSONValue(parsing: CLI.fixture("test_case_v2.json")).compactJSON()
        let jsonl = [
            good,
            #"{"messages": [{"role": "user", "content": "q"}, {"role": "bot", "content": "x"}, {"role": "assistant", "content": "a"}]}"#,
            #"{"tools": [{"type": "code_interpreter"}], "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": null, "tool_calls": [{"function": {"name": "get_time", "arguments": "{}"}}]}, {"role": "tool", "name": "python", "content": "1"}]}"#,
            "{not json",
        ].joined(separator: "\n")
        let result = try CLI.run(["dataset", "check", try CLI.file(jsonl, name: "bad.jsonl")])
        #expect(result.status == 1)
        #expect(
            result.stdout.split(separator: "\n").map(String.init) == [
                "2: $.messages[1].role: role 'bot' is not allowed; allowed roles are system, user, assistant, tool",
                "3: $.messages[1].tool_calls[0].function.name: calls undeclared tool 'get_time' (declared: python)",
                "3: $.messages[2].name: 'python' answers no call of $.messages[1] (calls: get_time)",
                "4: $: invalid JSON at column 2: expected a string key in object",
            ])
        #expect(result.stderr == "4 problems in 3 of 4 lines\n")
    }

    /// Needs the template implementations.
    @Test func datasetRender() throws {
        let line = try JSONValue(parsing: CLI.fixture("test_case.json")).compactJSON()
        let result = try CLI.run(["dataset", "render", "--template", "v3-llama3.1", try CLI.file(line + "\n", name: "one.jsonl")])
        #expect(result.status == 0)
        let objects = try chunks(result.stdout)
        #expect(objects.count == 1)
        let object = try #require(objects.first)
        #expect(object["line"] == 1)
        let prompt = try #require(object["prompt"]?.stringValue)
        #expect(prompt == (try CLI.fixture("prompt_test_v3-llama3.1.txt")).trimmingCharacters(in: .whitespacesAndNewlines))
        let spans = try #require(object["spans"]?.arrayValue)
        #expect(spans.count == 9)
        let scalars = Array(prompt.unicodeScalars)
        let first = try #require(spans.first?.arrayValue?.compactMap { $0.numberValue?.intValue })
        #expect(String(String.UnicodeScalarView(scalars[first[0]..<first[1]])) == "James Kaplan is the Co-Founder and CEO of MeetKai Inc.<|eot_id|>")
    }

    // MARK: errors: one line on stderr, exit code 2

    @Test func inputErrors() throws {
        let known = TemplateVersion.allCases.map(\.rawValue).joined(separator: ", ")
        let cases: [(arguments: [String], stdin: String, message: String)] = [
            (["render", "--template", "v9", "-"], "{}", "error: unknown template 'v9'; known templates: \(known)"),
            (["parse", "--template", "v9"], "x", "error: unknown template 'v9'; known templates: \(known)"),
            (["dataset", "render", "--template", "v9", "-"], "", "error: unknown template 'v9'; known templates: \(known)"),
            (
                ["render", "--template", "v2", "/nonexistent/conversation.json"], "",
                "error: cannot read '/nonexistent/conversation.json': no such file"
            ),
            (["dataset", "check", "/nonexistent/data.jsonl"], "", "error: cannot read '/nonexistent/data.jsonl': no such file"),
            (
                ["render", "--template", "v2"], #"{"messages": ["#,
                "error: standard input: invalid JSON at line 1, column 15: unexpected end of input"
            ),
            (
                ["render", "--template", "v2"], #"{"messages": [{"role": "user", "content": 5}]}"#,
                "error: invalid input: 'messages[0].content': expected a string, content must be a string, an array of parts or null"
            ),
            (["render", "--template", "v2"], #"{"tools": "x", "messages": []}"#, "error: invalid input: 'tools': expected an array, got string"),
            (["parse", "--template", "v2", "--stream"], #"{"a": 1}"#, "error: expected a JSON array of text deltas, got object"),
            (["parse", "--template", "v2", "--stream"], #"["a", 2]"#, "error: expected a JSON array of text deltas, but item 1 is number"),
        ]
        for (arguments, stdin, message) in cases {
            let result = try CLI.run(arguments, stdin: stdin)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stdout == "", "\(arguments)")
            #expect(result.stderr == message + "\n", "\(arguments)")
        }
    }
}
