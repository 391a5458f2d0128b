import Foundation
import FunctionaryProtocol

/// Minimal prompts and output readers per template, written from protocol §3 for the engine tests,
/// so that they check the engine and its grammars whatever the state of the template renderers.
enum TestTemplates {
    /// A short conversation in `version`'s format ending with the generation prompt and the
    /// tool_choice prefix (§3.1), with the tools listed as JSON in a system turn.
    static func prompt(_ version: TemplateVersion, tools: [Tool], choice: ToolChoice, user: String) -> String {
        let toolsText = "Available functions:\n" + tools.map { $0.json.pythonJSON() }.joined(separator: "\n")
        let base: String
        switch version {
        case .v2:
            base = "<|from|>system\n<|recipient|>all\n<|content|>\(toolsText)\n<|from|>user\n<|recipient|>all\n<|content|>\(user)"
                + "\n<|from|>assistant\n<|recipient|>"
        case .v2Llama3, .v3Llama31, .v3Llama3:
            base = "<|start_header_id|>system<|end_header_id|>\n\n\(toolsText)<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\n\(user)<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n" + (version == .v3Llama3 ? ">>>" : "")
        case .qwen25:
            base = "<|im_start|>system\n\(toolsText)<|im_end|>\n<|im_start|>user\n\(user)<|im_end|>\n<|im_start|>assistant\n"
        case .gemma3:
            base = "<start_of_turn>system\n\(toolsText)<end_of_turn>\n<start_of_turn>user\n\(user)<end_of_turn>\n<start_of_turn>model\n"
        }
        return base + prefix(version, choice)
    }

    /// The tool_choice prefix (§3.1 table).
    static func prefix(_ version: TemplateVersion, _ choice: ToolChoice) -> String {
        switch (version, choice) {
        case (_, .auto): return ""
        case (.v2, .none): return "all\n<|content|>"
        case (.v2, .required): return ""
        case (.v2, .function(let name)): return "\(name)\n<|content|>"
        case (.v2Llama3, .none): return ""
        case (.v2Llama3, .required): return "<|reserved_special_token_249|>"
        case (.v2Llama3, .function(let name)): return "<|reserved_special_token_249|>\(name)\n"
        case (.v3Llama3, .none): return "all\n"
        case (.v3Llama3, .required): return ""
        case (.v3Llama3, .function(let name)): return "\(name)\n"
        case (.v3Llama31, .none): return ""
        case (.v3Llama31, .required): return "<function="
        case (.v3Llama31, .function(let name)): return "<function=\(name)>"
        case (.qwen25, .none), (.gemma3, .none): return ""
        case (.qwen25, .required), (.gemma3, .required): return "<tool_call>\n"
        case (.qwen25, .function(let name)), (.gemma3, .function(let name)): return "<tool_call>\n{\"name\": \"\(name)\", \"arguments"
        }
    }

    /// The template's stop tokens (§3.1).
    static func stops(_ version: TemplateVersion) -> [String] {
        switch version {
        case .v2: return ["<|stop|>"]
        case .v2Llama3, .v3Llama3: return ["<|eot_id|>", "<|end_of_text|>"]
        case .v3Llama31: return ["<|eot_id|>", "<|end_of_text|>", "<|eom_id|>"]
        case .qwen25: return ["<|im_end|>"]
        case .gemma3: return ["<end_of_turn>"]
        }
    }

    /// The calls in a raw output (after prompt and prefix), read as the reference parsers do (§3.2–3.7).
    static func calls(_ version: TemplateVersion, _ choice: ToolChoice, raw: String) -> [(name: String, arguments: String)] {
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        for stop in stops(version) where text.hasSuffix(stop) { text.removeLast(stop.count) }
        text = prefix(version, choice) + text
        func nameAndArguments(_ chunk: String) -> (name: String, arguments: String)? {
            guard let newline = chunk.firstIndex(of: "\n") else { return nil }
            return (
                chunk[..<newline].trimmingCharacters(in: .whitespaces),
                chunk[chunk.index(after: newline)...].trimmingCharacters(in: .whitespacesAndNewlines)
            )
        }
        switch version {
        case .v2:
            text = "<|from|>assistant\n<|recipient|>" + text
            return text.components(separatedBy: "<|from|>").compactMap { piece in
                guard let r = piece.range(of: "<|recipient|>"), let c = piece.range(of: "<|content|>") else { return nil }
                let name = piece[r.upperBound..<c.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
                let content = piece[c.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
                return name == "all" ? nil : (name, content)
            }
        case .v2Llama3:
            return text.components(separatedBy: "<|reserved_special_token_249|>").dropFirst().compactMap(nameAndArguments)
        case .v3Llama3:
            return text.components(separatedBy: ">>>").compactMap(nameAndArguments).filter { $0.name != "all" }
        case .v3Llama31:
            var calls: [(name: String, arguments: String)] = []
            for part in text.components(separatedBy: "<function=").dropFirst() {
                guard let end = part.range(of: "</function>"), let gt = part.firstIndex(of: ">") else { continue }
                calls.append((String(part[..<gt]), String(part[part.index(after: gt)..<end.lowerBound])))
            }
            return calls
        case .qwen25, .gemma3:
            var calls: [(name: String, arguments: String)] = []
            for part in text.components(separatedBy: "<tool_call>").dropFirst() {
                guard let end = part.range(of: "</tool_call>"),
                    case .object(let object)? = try? JSONValue(parsing: String(part[..<end.lowerBound])),
                    case .string(let name)? = object["name"], let arguments = object["arguments"]
                else { continue }
                calls.append((name, arguments.pythonJSON()))
            }
            return calls
        }
    }
}

/// Checks a JSON value against the parts of JSON Schema the tests use (type, enum, required,
/// properties, additionalProperties, items, maxLength). Returns the problems found.
enum MiniSchema {
    static func problems(_ value: JSONValue, _ schema: JSONValue, path: String = "$") -> [String] {
        guard case .object(let s) = schema else { return [] }
        var found: [String] = []
        if case .array(let options)? = s["enum"], !options.contains(value) {
            found.append("\(path): \(value.compactJSON()) is not one of the enum values")
        }
        if case .string(let type)? = s["type"], !has(type: type, value) {
            found.append("\(path): expected \(type), got \(value.compactJSON())")
            return found
        }
        switch value {
        case .object(let object):
            if case .array(let required)? = s["required"] {
                for case .string(let key) in required where object[key] == nil { found.append("\(path): missing '\(key)'") }
            }
            let properties: JSONObject
            if case .object(let p)? = s["properties"] { properties = p } else { properties = [:] }
            for (key, member) in object {
                if let propertySchema = properties[key] {
                    found += problems(member, propertySchema, path: "\(path).\(key)")
                } else if s["additionalProperties"] == .bool(false) {
                    found.append("\(path): unexpected '\(key)'")
                }
            }
        case .array(let items):
            if let itemSchema = s["items"] {
                for (i, item) in items.enumerated() { found += problems(item, itemSchema, path: "\(path)[\(i)]") }
            }
        case .string(let text):
            if case .number(let max)? = s["maxLength"], let limit = max.intValue, text.count > limit {
                found.append("\(path): longer than \(limit)")
            }
        default:
            break
        }
        return found
    }

    private static func has(type: String, _ value: JSONValue) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null): return true
        case ("number", .number): return true
        case ("integer", .number(let n)): return n.isInteger
        default: return false
        }
    }
}
