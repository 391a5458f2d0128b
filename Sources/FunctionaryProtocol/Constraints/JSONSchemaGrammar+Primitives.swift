/// The shared rules for JSON values, in the language of llama.cpp's converter.
extension JSONSchemaGrammar {
    /// Adds the primitive rule `name` (and the rules it uses) once, and returns its rule name.
    mutating func primitive(_ name: String) -> String {
        if let existing = primitiveNames[name] { return existing }
        let body = Self.primitiveBody(name, self: &self)
        let ruleName = rules.add(name, body)
        primitiveNames[name] = ruleName
        return ruleName
    }

    private static func primitiveBody(_ name: String, self grammar: inout JSONSchemaGrammar) -> String {
        let digit = "[0-9]"
        let hexDigit = "[0-9a-fA-F]"
        switch name {
        case "space":
            return "| \" \" | " + GrammarText.repeated("\"\\n\"", min: 1, max: 2) + " " + GrammarText.repeated("[ \\t]", min: 0, max: 20)
        case "boolean":
            return "(\"true\" | \"false\")"
        case "null":
            return "\"null\""
        case "decimal-part":
            return GrammarText.repeated(digit, min: 1, max: 16)
        case "integral-part":
            return "[0] | [1-9] " + GrammarText.repeated(digit, min: 0, max: 15)
        case "number":
            let integral = grammar.primitive("integral-part")
            let decimal = grammar.primitive("decimal-part")
            return "(\"-\"? \(integral)) (\".\" \(decimal))? ([eE] [-+]? \(integral))?"
        case "integer":
            return "(\"-\"? " + grammar.primitive("integral-part") + ")"
        case "char":
            return "[^\"\\\\\\x7F\\x00-\\x1F] | [\\\\] ([\"\\\\bfnrt] | \"u\" " + GrammarText.repeated(hexDigit, min: 4, max: 4) + ")"
        case "string":
            return "\"\\\"\" " + grammar.primitive("char") + "* \"\\\"\""
        case "value":
            // The names are claimed first: object, array and value refer to each other.
            let value = grammar.rules.claim("value")
            grammar.primitiveNames["value"] = value
            let parts = ["object", "array", "string", "number", "boolean", "null"].map { grammar.primitive($0) }
            grammar.rules.define(value, parts.joined(separator: " | "))
            return parts.joined(separator: " | ")
        case "object":
            let (string, value) = (grammar.primitive("string"), grammar.primitive("value"))
            let (separator, padding) = (grammar.separatorSpace, grammar.padding)
            let member = "\(string) \":\" \(separator) \(value)"
            return "\"{\" \(padding) ( \(member) (\",\" \(separator) \(member))* )? \(padding) \"}\""
        case "array":
            let value = grammar.primitive("value")
            let (separator, padding) = (grammar.separatorSpace, grammar.padding)
            return "\"[\" \(padding) ( \(value) (\",\" \(separator) \(value))* )? \(padding) \"]\""
        case "uuid":
            let groups = [8, 4, 4, 4, 12].map { GrammarText.repeated(hexDigit, min: $0, max: $0) }
            return "\"\\\"\" " + groups.joined(separator: " \"-\" ") + " \"\\\"\""
        case "date":
            return GrammarText.repeated(digit, min: 4, max: 4)
                + " \"-\" ( \"0\" [1-9] | \"1\" [0-2] ) \"-\" ( \"0\" [1-9] | [1-2] [0-9] | \"3\" [0-1] )"
        case "time":
            return "([01] [0-9] | \"2\" [0-3]) \":\" [0-5] [0-9] \":\" [0-5] [0-9] ( \".\" "
                + GrammarText.repeated(digit, min: 3, max: 3)
                + " )? ( \"Z\" | ( \"+\" | \"-\" ) ( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] )"
        case "date-time":
            return grammar.primitive("date") + " \"T\" " + grammar.primitive("time")
        case "date-string", "time-string", "date-time-string":
            return "\"\\\"\" " + grammar.primitive(String(name.dropLast("-string".count))) + " \"\\\"\""
        case "dot":
            return "[^\\x0A\\x0D]"
        default:
            return "\"\""
        }
    }
}
