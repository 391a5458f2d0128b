/// Serialisations that match Python byte for byte.
extension JSONValue {
    /// `json.dumps(value, ensure_ascii=False)`: separators `", "` and `": "`, key order kept,
    /// non-ASCII written raw, numbers as Python would print them after `json.loads`.
    public func pythonJSON() -> String {
        var out = ""
        writePythonJSON(into: &out)
        return out
    }

    /// Compact JSON (separators `,` and `:`), key order kept, number literals as written: what an
    /// OpenAI-style API sends over the wire.
    public func compactJSON() -> String {
        var out = ""
        writeCompactJSON(into: &out)
        return out
    }

    /// Python's `str(value)` of what `json.loads` returns: `True`, `None`, `{'k': 1}`, `['a', 'b']`;
    /// a top-level string is itself, nested strings are `repr`-quoted.
    public func pythonStr() -> String {
        if case .string(let s) = self { return s }
        var out = ""
        writePythonRepr(into: &out)
        return out
    }

    /// How one serialisation spells each part of a value; `write(_:style:into:)` walks the value.
    struct Style: Sendable {
        var null: String
        var `true`: String
        var `false`: String
        /// Between array items and object members.
        var itemSeparator: String
        /// Between an object key and its value.
        var keySeparator: String
        var number: @Sendable (JSONNumber) -> String
        /// Strings and object keys.
        var string: @Sendable (String, inout String) -> Void

        static let pythonJSON = Style(
            null: "null", true: "true", false: "false", itemSeparator: ", ", keySeparator: ": ",
            number: { $0.pythonRepr }, string: JSONValue.writeJSONString)
        static let compactJSON = Style(
            null: "null", true: "true", false: "false", itemSeparator: ",", keySeparator: ":",
            number: { $0.literal }, string: JSONValue.writeJSONString)
        static let pythonRepr = Style(
            null: "None", true: "True", false: "False", itemSeparator: ", ", keySeparator: ": ",
            number: { $0.pythonRepr }, string: JSONValue.writePythonStringRepr)
    }

    func write(style: Style, into out: inout String) {
        switch self {
        case .null: out += style.null
        case .bool(let b): out += b ? style.true : style.false
        case .number(let n): out += style.number(n)
        case .string(let s): style.string(s, &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += style.itemSeparator }
                item.write(style: style, into: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            var first = true
            for (key, value) in object {
                if !first { out += style.itemSeparator }
                first = false
                style.string(key, &out)
                out += style.keySeparator
                value.write(style: style, into: &out)
            }
            out += "}"
        }
    }

    func writePythonJSON(into out: inout String) { write(style: .pythonJSON, into: &out) }
    func writeCompactJSON(into out: inout String) { write(style: .compactJSON, into: &out) }
    func writePythonRepr(into out: inout String) { write(style: .pythonRepr, into: &out) }

    /// A JSON string literal as Python's `json.dumps(ensure_ascii=False)` writes it.
    public static func writeJSONString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            if let escape = controlEscape(scalar) {
                out += escape
                continue
            }
            switch scalar {
            case "\"": out += "\\\""
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00"
                    out += hexDigit(scalar.value >> 4)
                    out += hexDigit(scalar.value & 0xF)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// A quoted JSON string (Python `json.dumps` escaping).
    public static func quoted(_ s: String) -> String {
        var out = ""
        writeJSONString(s, into: &out)
        return out
    }

    /// Python's `repr(str)`: single quotes unless the text has `'` and no `"`.
    static func writePythonStringRepr(_ s: String, into out: inout String) {
        let quote: Character = (s.contains("'") && !s.contains("\"")) ? "\"" : "'"
        out.append(quote)
        for scalar in s.unicodeScalars {
            if let escape = controlEscape(scalar) {
                out += escape
            } else if Character(scalar) == quote {
                out += "\\"
                out.unicodeScalars.append(scalar)
            } else if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\x" + hexDigit(scalar.value >> 4) + hexDigit(scalar.value & 0xF)
            } else if !scalar.isPythonPrintable, scalar != PromptText.literalStart, scalar != PromptText.literalEnd {
                // (The literal markers of guarded client text pass through: they are not part of the text.)
                let hex = String(scalar.value, radix: 16)
                if scalar.value <= 0xFF {
                    out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                } else if scalar.value <= 0xFFFF {
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out += "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
                }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        out.append(quote)
    }

    /// The escape that JSON and Python string literals share for a backslash, a newline, a carriage return and a tab;
    /// nil for any other scalar.
    private static func controlEscape(_ scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "\\": return "\\\\"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default: return nil
        }
    }

    private static func hexDigit(_ v: UInt32) -> String {
        String(v, radix: 16)
    }
}

extension Unicode.Scalar {
    /// An approximation of Python's `str.isprintable()` for one character (used by `repr`).
    var isPythonPrintable: Bool {
        switch properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: return false
        case .spaceSeparator: return value == 0x20
        default: return true
        }
    }
}

extension JSONNumber {
    /// How Python prints the number `json.loads` makes of this literal: an `int` as its digits,
    /// a `float` as its shortest `repr` (`1.0`, `1e+16`, `1e-05`).
    public var pythonRepr: String {
        if isInteger {
            var digits = Substring(literal)
            var negative = false
            if digits.first == "-" {
                negative = true
                digits = digits.dropFirst()
            }
            let trimmed = digits.drop { $0 == "0" }
            if trimmed.isEmpty { return "0" }
            return (negative ? "-" : "") + trimmed
        }
        let value = doubleValue
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        if value.isNaN { return "NaN" }
        return Self.pythonFloatRepr(value)
    }

    /// Python's `repr(float)`: shortest round-trip digits, scientific notation when the decimal
    /// exponent is below -4 or at least 16, exponent written with a sign and at least two digits.
    static func pythonFloatRepr(_ value: Double) -> String {
        let swift = "\(value)"  // shortest round-trip digits
        // Split Swift's spelling into sign, digits and decimal exponent.
        var mantissa = Substring(swift)
        var exponent = 0
        if let e = swift.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = swift[..<e]
            exponent = Int(swift[swift.index(after: e)...]) ?? 0
        }
        var negative = false
        if mantissa.first == "-" {
            negative = true
            mantissa = mantissa.dropFirst()
        }
        var intPart = Substring(mantissa)
        var fracPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = mantissa[..<dot]
            fracPart = mantissa[mantissa.index(after: dot)...]
        }
        var digits = String(intPart) + String(fracPart)
        var pointPosition = intPart.count + exponent  // digits before the decimal point
        let leadingZeros = digits.prefix { $0 == "0" }.count
        if leadingZeros == digits.count { return (negative ? "-" : "") + "0.0" }
        digits.removeFirst(leadingZeros)
        pointPosition -= leadingZeros
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let decimalExponent = pointPosition - 1
        var out = negative ? "-" : ""
        if decimalExponent < -4 || decimalExponent >= 16 {
            out += String(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += decimalExponent < 0 ? "e-" : "e+"
            let magnitude = String(abs(decimalExponent))
            out += magnitude.count < 2 ? "0" + magnitude : magnitude
        } else if pointPosition <= 0 {
            out += "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            out += digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
        } else {
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            out += digits[..<split] + "." + digits[split...]
        }
        return out
    }
}
