import FunctionaryAgent
import FunctionaryProtocol

/// Reads the beginning of a JSON text that is still being generated, as the value it is so far: open
/// strings, arrays and objects are closed; a member whose value has not started, a number or literal that
/// may go on, and a dangling escape are left out.
///
/// `{"city": "Par` reads as `{"city": "Par"}`; `{"days": 1` as `{}` (the number may be `14`); `[1, 2,` as `[1, 2]`.
public enum PartialJSON {
    /// The value so far, or nil when nothing usable has been generated yet.
    public static func parse(_ text: String) -> JSONValue? {
        var reader = Reader(scalars: Array(text.unicodeScalars))
        reader.skipSpace()
        return reader.value()
    }

    struct Reader {
        let scalars: [Unicode.Scalar]
        var position = 0

        var atEnd: Bool { position >= scalars.count }

        mutating func skipSpace() {
            while !atEnd, [" ", "\n", "\t", "\r"].contains(scalars[position]) { position += 1 }
        }

        /// A value, or nil when it is cut short before anything certain (an unfinished number or literal).
        mutating func value() -> JSONValue? {
            skipSpace()
            guard !atEnd else { return nil }
            switch scalars[position] {
            case "{": return object()
            case "[": return array()
            case "\"": return string().map { .string($0.text) }
            default: return scalar()
            }
        }

        /// A number or literal, only when something follows it (so it cannot grow).
        mutating func scalar() -> JSONValue? {
            let start = position
            while !atEnd, !",]} \n\t\r".unicodeScalars.contains(scalars[position]) { position += 1 }
            guard !atEnd else { return nil }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars[start..<position])
            return try? JSONValue(parsing: text)
        }

        /// A string's text so far and whether it was closed.
        mutating func string() -> (text: String, closed: Bool)? {
            position += 1
            var text = ""
            while !atEnd {
                let scalar = scalars[position]
                if scalar == "\"" {
                    position += 1
                    return (text, true)
                }
                if scalar == "\\" {
                    guard position + 1 < scalars.count else { return (text, false) }
                    let next = scalars[position + 1]
                    if next == "u" {
                        guard position + 6 <= scalars.count else { return (text, false) }
                        var escape = ""
                        escape.unicodeScalars.append(contentsOf: scalars[position..<position + 6])
                        // Surrogate pairs and the rest: the JSON parser decodes the escape (a lone half is dropped).
                        if let decoded = try? JSONValue(parsing: "\"\(escape)\"").stringValue { text += decoded }
                        position += 6
                        continue
                    }
                    let map: [Unicode.Scalar: String] = [
                        "n": "\n", "t": "\t", "r": "\r", "b": "\u{08}", "f": "\u{0C}", "/": "/", "\\": "\\", "\"": "\"",
                    ]
                    text += map[next] ?? ""
                    position += 2
                    continue
                }
                text.unicodeScalars.append(scalar)
                position += 1
            }
            return (text, false)
        }

        mutating func array() -> JSONValue {
            position += 1
            var items: [JSONValue] = []
            while true {
                skipSpace()
                guard !atEnd else { return .array(items) }
                if scalars[position] == "]" {
                    position += 1
                    return .array(items)
                }
                if scalars[position] == "," {
                    position += 1
                    continue
                }
                let before = position
                guard let item = value() else { return .array(items) }
                items.append(item)
                if position == before { return .array(items) }
            }
        }

        mutating func object() -> JSONValue {
            position += 1
            var object = JSONObject()
            while true {
                skipSpace()
                guard !atEnd else { return .object(object) }
                switch scalars[position] {
                case "}":
                    position += 1
                    return .object(object)
                case ",":
                    position += 1
                    continue
                case "\"":
                    guard let key = string(), key.closed else { return .object(object) }
                    skipSpace()
                    guard !atEnd, scalars[position] == ":" else { return .object(object) }
                    position += 1
                    guard let member = value() else { return .object(object) }
                    object[key.text] = member
                default:
                    return .object(object)  // not JSON: stop here
                }
            }
        }
    }
}
