/// Renders tools as the TypeScript-like `namespace functions` block of the v2, v2.llama3 and
/// v3.llama3 prompts (protocol §2).
///
/// The output follows the reference's Jinja macros (`json_to_ts_schema.txt`) byte for byte, with
/// four deliberate exceptions where those macros write malformed text (protocol §2.4, each pinned
/// by a test in `SchemaTests`):
/// - a property with no usable type (no `type`, no typed `oneOf` item) is typed `any`, not left empty;
/// - a `oneOf` without any `format` adds no `Format=` part (and no comment line on its own);
/// - enum values are always separated by `" | "` (Jinja drops the separator after any value that
///   equals the last one);
/// - `oneOf` formats are joined with `" or "` without a trailing `" or "`.
/// A `description: null`, which makes the reference fail, is treated as an absent description.
public enum TypeScriptSchema {
    static let header = "// Supported function definitions that should be called when necessary.\nnamespace functions {\n\n"
    static let footer = "} // namespace functions"

    /// The `namespace functions` block for `tools`, after inlining `$ref`s (`SchemaRefResolver`).
    /// Code-interpreter tools produce nothing; with no function tools the block is empty.
    public static func render(tools: [Tool]) -> String {
        render(resolvedTools: SchemaRefResolver.resolve(tools: tools))
    }

    /// The block for tools whose `$ref`s are already resolved.
    static func render(resolvedTools tools: [Tool]) -> String {
        var out = header
        for tool in tools where tool.type == .function {
            guard let function = tool.function, !function.name.isEmpty else { continue }
            out += "// " + (function.description ?? "") + "\n"
            out += "type " + function.name
            if case .object(let parameters)? = function.parameters, case .object(let properties)? = parameters["properties"],
                !properties.isEmpty
            {
                out += " = (_: {"
                out += parameterLines(properties, required: parameters["required"] ?? .array([]), depth: 0)
                out += "\n}) => any;\n\n"
            } else {
                out += " = () => any;\n\n"
            }
        }
        out += footer
        return out
    }

    /// `get_parameter_typescript`: one declaration (with its comment and examples) per property.
    static func parameterLines(_ properties: JSONObject, required: JSONValue, depth: Int) -> String {
        var out = ""
        let offset = indent(depth)
        for (name, value) in properties {
            guard case .object(let param) = value else { continue }
            let comment = info(param)
            let examples = exampleLines(name: name, param: param)
            let declaration = isOptional(name, required: required) ? name + "?" : name
            let type = paramType(param)
            switch type {
            case "object":
                if let comment { out += "\n" + offset + comment }
                for line in examples { out += "\n" + offset + line }
                out += "\n" + offset + declaration + ": {"
                out += parameterLines(param["properties"]?.objectValue ?? [:], required: param["required"] ?? .array([]), depth: depth + 1)
                out += "\n" + offset + "},"
            case "array":
                guard case .object(let items)? = param["items"], items["type"] != nil else {
                    out += paramInfoLines(declaration + ": [],", comment: comment, examples: examples, offset: offset)
                    continue
                }
                if let comment { out += "\n" + offset + comment }
                for line in examples { out += "\n" + offset + line }
                let array = arrayType(name: declaration, param: param, depth: depth)
                out += array
                if !array.hasSuffix(",") { out += "," }
            default:
                var shown = param["enum"].map { enumOptions($0) } ?? type
                if shown.isEmpty { shown = "any" }
                if param["nullable"]?.isTruthy == true { shown += " | null" }
                out += paramInfoLines(declaration + ": " + shown + ",", comment: comment, examples: examples, offset: offset)
            }
        }
        return out
    }

    /// `append_new_param_info`: comment and examples only when there is a comment, then the declaration.
    static func paramInfoLines(_ declaration: String, comment: String?, examples: [String], offset: String) -> String {
        var out = ""
        if let comment {
            out += "\n" + offset + comment
            for line in examples { out += "\n" + offset + line }
        }
        out += "\n" + offset + declaration
        return out
    }

    /// `get_array_typescript`: the declaration of an array property whose `items` have a type.
    /// `name` is nil for the inner arrays of nested arrays.
    static func arrayType(name: String?, param: JSONObject, depth: Int) -> String {
        let offset = indent(depth)
        let items = param["items"]?.objectValue ?? [:]
        let named = name.map { !$0.isEmpty } ?? false
        if items.isEmpty {
            return named ? "\n" + offset + (name ?? "") + ": []" : "\n" + offset + "[]"
        }
        let itemType = paramType(items)
        switch itemType {
        case "object":
            var out = named ? "\n" + offset + (name ?? "") + ": {" : "\n" + offset + "{"
            out += parameterLines(items["properties"]?.objectValue ?? [:], required: items["required"] ?? .array([]), depth: depth + 1)
            out += "\n" + offset + "}[]"
            return out
        case "array":
            let inner = arrayType(name: nil, param: items, depth: depth + 1)
            return named ? "\n" + offset + (name ?? "") + ": " + pythonStrip(inner) + "[]" : "\n" + inner + "[]"
        default:
            if let values = items["enum"] {
                let options = enumOptions(values)
                guard let name else { return "(" + options + ")[]" }
                return "\n" + offset + name + ": (" + options + ")[]"
            }
            let shown = itemType.isEmpty ? "any" : itemType
            guard let name else { return "\n" + shown + "[]" }
            return "\n" + offset + name + ": " + shown + "[],"
        }
    }

    /// `name?` unless `required` names it. As in Jinja, a string `required` is searched as text, an
    /// object by key, and a `required` that is not a collection makes every property required.
    static func isOptional(_ name: String, required: JSONValue) -> Bool {
        switch required {
        case .array(let names): return !names.contains(.string(name))
        case .string(let text): return !(name.isEmpty || text.contains(name))
        case .object(let object): return object[name] == nil
        default: return false
        }
    }

    static func indent(_ depth: Int) -> String {
        depth >= 1 ? String(repeating: "    ", count: depth) : ""
    }
}
