import OrderedCollections

/// A JSON value that keeps what Python's `json.loads` + `json.dumps` would keep: object key order
/// (insertion order, first position wins for a repeated key, last value wins) and the spelling of numbers.
///
/// Prompts embed tool definitions as `json.dumps(ensure_ascii=False)` writes them, so a dictionary
/// that reorders keys, or a `Double` that turns `1` into `1.0`, would change the prompt.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON number as written in its source text.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The literal, e.g. `36`, `-1.50`, `1e5`.
    public let literal: String

    /// Creates a number from a JSON literal; the caller guarantees it is valid JSON number syntax.
    public init(literal: String) { self.literal = literal }

    public init(_ value: Int) { self.literal = String(value) }

    /// A float; Swift's shortest round-trip spelling (`3.0`, `1e+16`) matches Python's `repr`.
    public init(_ value: Double) { self.literal = String(value) }

    /// Whether Python's `json.loads` would give an `int` (no fraction, no exponent).
    public var isInteger: Bool {
        !literal.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }

    public var doubleValue: Double { Double(literal) ?? .nan }

    /// The value as an `Int` when it is an integer literal that fits.
    public var intValue: Int? {
        if isInteger { return Int(literal) }
        let d = doubleValue
        if d == d.rounded(), abs(d) < 9.0e15 { return Int(d) }
        return nil
    }

    public var description: String { literal }
}

/// A JSON object that keeps key order, with keyed lookup in constant time (swift-collections'
/// `OrderedDictionary`): a request with hundreds of thousands of keys parses in linear time.
///
/// Semantics are Python's `dict`: insertion order; setting a key that is present keeps its first
/// position and takes the new value (so a repeated key in a document keeps the first position and
/// the last value); setting `nil` removes the key.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: JSONValue)

    private var storage: OrderedDictionary<String, JSONValue> = [:]

    public init() {}

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (key, value) in elements { self[key] = value }
    }

    public init(_ pairs: [(String, JSONValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }
    public var keys: [String] { Array(storage.keys) }

    /// Reads a member; setting `nil` removes it, setting a present key keeps its position.
    public subscript(key: String) -> JSONValue? {
        get { storage[key] }
        set { storage[key] = newValue }
    }

    public struct Iterator: IteratorProtocol {
        fileprivate var base: OrderedDictionary<String, JSONValue>.Iterator

        public mutating func next() -> Element? { base.next() }
    }

    public func makeIterator() -> Iterator { Iterator(base: storage.makeIterator()) }

    public var underestimatedCount: Int { storage.count }

    /// Equal when the same keys hold equal values in the same order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.storage == rhs.storage
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage)
    }
}

extension JSONValue {
    /// The member of an object, or `nil` for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var numberValue: JSONNumber? {
        if case .number(let n) = self { return n }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// Python/Jinja truthiness: `None`, `False`, `0`, `""`, `[]`, `{}` are false.
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .number(let n): return n.doubleValue != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        }
    }

    /// The JSON type name, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(floatLiteral value: Double) { self = .number(JSONNumber(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}
