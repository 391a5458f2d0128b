/// Types, comments and examples of one property (the `get_param_type`, `get_param_info`,
/// `get_format_param` and `get_enum_option_str` macros). Values are shown with Python's `str()`.
extension TypeScriptSchema {
    /// `get_param_type`: the `type` (a list joined with `" | "`), else the distinct types of the
    /// `oneOf` items, with `integer`/`float` shown as `number`. Empty when there is neither; the
    /// caller shows that as `any`.
    static func paramType(_ param: JSONObject) -> String {
        if let type = param["type"] {
            switch type {
            case .array(let names): return convertDataType(names.map { $0.pythonStr() }.joined(separator: " | "))
            case .object(let object): return convertDataType(object.keys.joined(separator: " | "))
            default: return convertDataType(type.pythonStr())
            }
        }
        if let oneOf = param["oneOf"] {
            // `selectattr("type", "defined") | map(attribute="type") | unique`: first occurrence wins,
            // strings compared case-insensitively.
            var seen = Set<String>()
            var types: [String] = []
            for item in oneOf.arrayValue ?? [] {
                guard let type = item.objectValue?["type"] else { continue }
                let key = type.stringValue.map { "s" + $0.lowercased() } ?? "v" + type.pythonJSON()
                if seen.insert(key).inserted { types.append(type.pythonStr()) }
            }
            return convertDataType(types.joined(separator: " | "))
        }
        return ""
    }

    /// `convert_data_type`: only the exact names `integer` and `float` change.
    static func convertDataType(_ type: String) -> String {
        type == "integer" || type == "float" ? "number" : type
    }

    /// `get_param_info`: the `// …` comment line, or nil when the property has none of description,
    /// default, format, or a truthy maximum/minimum/maxLength/minLength.
    static func info(_ param: JSONObject) -> String? {
        // (JSONValue is ExpressibleByNilLiteral: spell out the Optional.)
        let description: JSONValue? = param["description"] == .null ? Optional.none : param["description"]
        let format = formatInfo(param)
        let bounds = ["maximum", "minimum", "maxLength", "minLength"]
        guard description != nil || param["default"] != nil || format != nil || bounds.contains(where: { param[$0]?.isTruthy == true })
        else { return nil }
        var out = "//"
        if let description {
            var text = description.pythonStr()
            if text.unicodeScalars.last != "." { text += "." }
            out += " " + text
        }
        if let value = param["default"] {
            let shown = param["type"] == .string("string") ? "\"" + value.pythonStr() + "\"" : value.pythonStr()
            out += " Default=" + shown + "."
        }
        if let format { out += " Format=" + format }
        for (field, label) in [("maximum", "Maximum"), ("minimum", "Minimum"), ("maxLength", "Maximum length"), ("minLength", "Minimum length")] {
            if let value = param[field] { out += " " + label + "=" + value.pythonStr() }
        }
        return out
    }

    /// `get_format_param`: `format`, else the formats of the `oneOf` items joined with `" or "`;
    /// nil when there is none.
    static func formatInfo(_ param: JSONObject) -> String? {
        if let format = param["format"] { return format.pythonStr() }
        guard let oneOf = param["oneOf"] else { return nil }
        let formats = (oneOf.arrayValue ?? []).compactMap { $0.objectValue?["format"]?.pythonStr() }
        return formats.isEmpty ? nil : formats.joined(separator: " or ")
    }

    /// `get_enum_option_str`: strings in double quotes, other values as `str()`, joined by `" | "`.
    static func enumOptions(_ values: JSONValue) -> String {
        let options = values.arrayValue ?? [values]
        return options.map { value in
            if case .string(let s) = value { return "\"" + s + "\"" }
            return value.pythonStr()
        }.joined(separator: " | ")
    }

    /// The `// Example name:` line and one line per example, each as `str()` with `'` turned into `"`.
    static func exampleLines(name: String, param: JSONObject) -> [String] {
        guard let examples = param["examples"] else { return [] }
        let values = [JSONValue.string("Example " + name + ":")] + (examples.arrayValue ?? [examples])
        return values.map { value in
            var line = String.UnicodeScalarView()
            for scalar in value.pythonStr().unicodeScalars { line.append(scalar == "'" ? "\"" : scalar) }
            return "// " + String(line)
        }
    }

    /// Python's `str.strip()`: removes leading and trailing whitespace as Python defines it.
    static func pythonStrip(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isPythonWhitespace($0) }),
            let last = scalars.lastIndex(where: { !isPythonWhitespace($0) })
        else { return "" }
        return String(Substring(scalars[first...last]))
    }

    static func isPythonWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}
