/// A JSON syntax error with the position where reading stopped.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    /// What was wrong, e.g. `expected ':' after an object key`.
    public let reason: String
    /// 1-based line and column of the offending character.
    public let line: Int
    public let column: Int
    /// Set when the text is valid so far but exceeds one of the parser's limits (not a syntax error).
    public var exceededLimit: Limit? = nil

    /// A parser limit that the document exceeded.
    public enum Limit: Sendable, Hashable {
        /// Objects and arrays nested deeper than `maxDepth`.
        case depth(maximum: Int)
        /// More object keys in the whole document than `maxKeys`.
        case keys(maximum: Int)
        /// More array elements in the whole document (all arrays together) than `maxElements`.
        case elements(maximum: Int)

        /// The limit itself.
        var maximum: Int {
            switch self {
            case .depth(let maximum), .keys(let maximum), .elements(let maximum): return maximum
            }
        }

        /// What the document did: `nesting deeper than 512 levels`, `more than 1000 object keys`.
        var reason: String {
            switch self {
            case .depth(let maximum): return "nesting deeper than \(maximum) levels"
            case .keys(let maximum): return "more than \(maximum) object keys"
            case .elements(let maximum): return "more than \(maximum) array elements"
            }
        }
    }

    public var description: String { "invalid JSON at line \(line), column \(column): \(reason)" }
}

extension JSONValue {
    /// Parses JSON text (RFC 8259), keeping key order and number spelling.
    ///
    /// - Parameters:
    ///   - text: the JSON document.
    ///   - maxDepth: nesting limit, so hostile input cannot exhaust the stack.
    ///   - maxKeys: the most object keys in the whole document (hostile input cannot make one request hold
    ///     millions of members).
    ///   - maxElements: the most array elements in the whole document, all arrays together (`[[0],[0],…]` cannot
    ///     expand a body into millions of values). Every value but the root is an object member or an array
    ///     element, so the two bound the number of values.
    /// - Throws: `JSONParseError` naming the position and the problem (`exceededLimit` set for a limit).
    public init(parsing text: String, maxDepth: Int = 512, maxKeys: Int = .max, maxElements: Int = .max) throws {
        try self.init(parsing: Array(text.utf8), maxDepth: maxDepth, maxKeys: maxKeys, maxElements: maxElements)
    }

    /// Parses UTF-8 bytes as JSON.
    public init(parsing bytes: [UInt8], maxDepth: Int = 512, maxKeys: Int = .max, maxElements: Int = .max) throws {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth, maxKeys: maxKeys, maxElements: maxElements)
        self = try parser.parseDocument()
    }
}

struct JSONParser {
    /// A count the document may not take past its limit (nesting depth, object keys, array elements).
    struct Budget {
        let limit: JSONParseError.Limit
        var count = 0

        /// Counts one more: false when that passes the limit.
        mutating func take() -> Bool {
            count += 1
            return count <= limit.maximum
        }
    }

    let bytes: [UInt8]
    var index = 0
    var depth: Budget
    var keys: Budget
    var elements: Budget

    init(bytes: [UInt8], maxDepth: Int, maxKeys: Int = .max, maxElements: Int = .max) {
        self.bytes = bytes
        depth = Budget(limit: .depth(maximum: maxDepth))
        keys = Budget(limit: .keys(maximum: maxKeys))
        elements = Budget(limit: .elements(maximum: maxElements))
    }

    mutating func parseDocument() throws -> JSONValue {
        skipWhitespace()
        if index < bytes.count, bytes[index] == 0xEF, index + 2 < bytes.count, bytes[index + 1] == 0xBB, bytes[index + 2] == 0xBF {
            index += 3  // UTF-8 byte order mark
            skipWhitespace()
        }
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count { throw error("unexpected data after the JSON value") }
        return value
    }

    func error(_ reason: String) -> JSONParseError {
        var line = 1
        var column = 1
        var i = 0
        while i < min(index, bytes.count) {
            if bytes[i] == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if bytes[i] & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return JSONParseError(reason: reason, line: line, column: column)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(String(decoding: [bytes[index]], as: UTF8.self))'")
        }
    }

    mutating func parseLiteral(_ word: String, _ value: JSONValue) throws -> JSONValue {
        for byte in word.utf8 {
            guard index < bytes.count, bytes[index] == byte else { throw error("invalid literal, expected '\(word)'") }
            index += 1
        }
        return value
    }

    /// The error for a document over one of its limits.
    func limitError(_ limit: JSONParseError.Limit) -> JSONParseError {
        var failure = error(limit.reason)
        failure.exceededLimit = limit
        return failure
    }

    mutating func enter() throws {
        guard depth.take() else { throw limitError(depth.limit) }
    }

    /// Reads the opening bracket of an object or array: true when the container is empty (`closing` follows, read too).
    mutating func openIsEmpty(closing: UInt8) -> Bool {
        index += 1
        skipWhitespace()
        guard index < bytes.count, bytes[index] == closing else { return false }
        index += 1
        return true
    }

    /// Reads what follows a member of an object or an element of an array: a comma (false: another one follows) or
    /// the container's closing bracket (true).
    mutating func closes(_ closing: UInt8, in container: String) throws -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input in \(container)") }
        switch bytes[index] {
        case UInt8(ascii: ","):
            index += 1
            return false
        case closing:
            index += 1
            return true
        default:
            throw error("expected ',' or '\(Character(Unicode.Scalar(closing)))' in \(container)")
        }
    }

    mutating func parseObject() throws -> JSONValue {
        try enter()
        defer { depth.count -= 1 }
        var object = JSONObject()
        if openIsEmpty(closing: UInt8(ascii: "}")) { return .object(object) }
        repeat {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key in object") }
            guard keys.take() else { throw limitError(keys.limit) }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
            index += 1
            skipWhitespace()
            object[key] = try parseValue()
        } while try !closes(UInt8(ascii: "}"), in: "object")
        return .object(object)
    }

    mutating func parseArray() throws -> JSONValue {
        try enter()
        defer { depth.count -= 1 }
        var array: [JSONValue] = []
        if openIsEmpty(closing: UInt8(ascii: "]")) { return .array(array) }
        repeat {
            skipWhitespace()
            guard elements.take() else { throw limitError(elements.limit) }
            array.append(try parseValue())
        } while try !closes(UInt8(ascii: "]"), in: "array")
        return .array(array)
    }

    mutating func parseNumber() throws -> JSONValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number: digit expected after '.'") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number: digit expected in exponent") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return .number(JSONNumber(literal: String(decoding: bytes[start..<index], as: UTF8.self)))
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func parseString() throws -> String {
        index += 1  // opening quote
        var runStart = index
        var output = ""
        func flushRun(_ parser: JSONParser, _ end: Int) throws -> String {
            let slice = parser.bytes[runStart..<end]
            guard let s = String(validating: slice, as: UTF8.self) else { throw parser.error("invalid UTF-8 in string") }
            return s
        }
        while true {
            guard index < bytes.count else { throw error("unterminated string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                output += try flushRun(self, index)
                index += 1
                return output
            }
            if byte < 0x20 { throw error("control character in string must be escaped") }
            if byte != UInt8(ascii: "\\") {
                index += 1
                continue
            }
            output += try flushRun(self, index)
            index += 1
            guard index < bytes.count else { throw error("unterminated escape in string") }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "\""): output += "\""
            case UInt8(ascii: "\\"): output += "\\"
            case UInt8(ascii: "/"): output += "/"
            case UInt8(ascii: "b"): output += "\u{08}"
            case UInt8(ascii: "f"): output += "\u{0C}"
            case UInt8(ascii: "n"): output += "\n"
            case UInt8(ascii: "r"): output += "\r"
            case UInt8(ascii: "t"): output += "\t"
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800...0xDBFF).contains(code) {
                    if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        let save = index
                        index += 2
                        let low = try parseHex4()
                        if (0xDC00...0xDFFF).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            index = save
                            code = 0xFFFD
                        }
                    } else {
                        code = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(code) {
                    code = 0xFFFD
                }
                output.unicodeScalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default:
                index -= 1
                throw error("invalid escape sequence in string")
            }
            runStart = index
        }
    }

    mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }
}
