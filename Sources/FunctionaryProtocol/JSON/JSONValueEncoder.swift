/// Encodes `Encodable` types into a `JSONValue`, keys in the order the type encodes them (the counterpart of
/// `JSONValueDecoder`). The API objects (`ChatCompletion`, `ChatCompletionChunk`, `TextCompletion`…) go out
/// through it, so the server's JSON writer (and its key order and number spelling) stays the one for every
/// response. Hand-written because Foundation's `JSONEncoder` produces bytes, not values the server can
/// still edit or frame, and non-finite numbers have no JSON spelling here: they are an encoding error.
public struct JSONValueEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if let json = value as? JSONValue { return json }
        let node = EncodedNode()
        try value.encode(to: ValueEncoder(node: node, codingPath: []))
        return node.value
    }
}

extension Encodable {
    /// The value as JSON, for the API objects: they hold only finite numbers (log probabilities are clamped), so
    /// their encoding cannot fail; were it to, the result is `null` rather than a crash.
    public var encodedJSON: JSONValue { (try? JSONValueEncoder().encode(self)) ?? .null }
}

/// What one `encode(to:)` wrote: nothing yet, a scalar, an object or an array.
private final class EncodedNode {
    enum Content {
        case empty
        case scalar(JSONValue)
        case object(keys: [String], members: [String: EncodedNode])
        case array([EncodedNode])
    }

    var content = Content.empty

    var value: JSONValue {
        switch content {
        case .empty: return .object([:])
        case .scalar(let value): return value
        case .object(let keys, let members): return .object(JSONObject(keys.map { ($0, members[$0]?.value ?? .null) }))
        case .array(let items): return .array(items.map(\.value))
        }
    }

    /// The member `key` (created, or replaced by a fresh node when encoded twice), making this node an object.
    func member(_ key: String) -> EncodedNode {
        var (keys, members) = object()
        let child = EncodedNode()
        if members[key] == nil { keys.append(key) }
        members[key] = child
        content = .object(keys: keys, members: members)
        return child
    }

    /// The existing member `key` for a nested container that continues it, else a new one.
    func existingMember(_ key: String) -> EncodedNode {
        if case .object(_, let members) = content, let child = members[key] { return child }
        return member(key)
    }

    func makeObject() {
        if case .object = content { return }
        content = .object(keys: [], members: [:])
    }

    func makeArray() {
        if case .array = content { return }
        content = .array([])
    }

    func append() -> EncodedNode {
        makeArray()
        let child = EncodedNode()
        if case .array(var items) = content {
            content = .empty
            items.append(child)
            content = .array(items)
        }
        return child
    }

    var count: Int {
        switch content {
        case .array(let items): return items.count
        case .object(let keys, _): return keys.count
        default: return 0
        }
    }

    private func object() -> ([String], [String: EncodedNode]) {
        if case .object(let keys, let members) = content { return (keys, members) }
        return ([], [:])
    }

    /// Writes a value into this node: JSON values as they are, anything else through its `encode(to:)`.
    func write<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        if let json = value as? JSONValue {
            content = .scalar(json)
        } else if let number = Self.number(value, codingPath: codingPath) {
            content = .scalar(.number(try number()))
        } else if let string = value as? String {
            content = .scalar(.string(string))
        } else if let bool = value as? Bool {
            content = .scalar(.bool(bool))
        } else {
            try value.encode(to: ValueEncoder(node: self, codingPath: codingPath))
        }
    }

    private static func number<T>(_ value: T, codingPath: [any CodingKey]) -> (() throws -> JSONNumber)? {
        switch value {
        case let v as Int: return { JSONNumber(v) }
        case let v as Int8: return { JSONNumber(Int(v)) }
        case let v as Int16: return { JSONNumber(Int(v)) }
        case let v as Int32: return { JSONNumber(Int(v)) }
        case let v as Int64: return { JSONNumber(Int(v)) }
        case let v as UInt: return { JSONNumber(literal: String(v)) }
        case let v as UInt8: return { JSONNumber(Int(v)) }
        case let v as UInt16: return { JSONNumber(Int(v)) }
        case let v as UInt32: return { JSONNumber(Int(v)) }
        case let v as UInt64: return { JSONNumber(literal: String(v)) }
        case let v as Double: return { try finite(v, codingPath) }
        case let v as Float: return { try finite(Double(v), codingPath) }
        default: return nil
        }
    }

    private static func finite(_ value: Double, _ codingPath: [any CodingKey]) throws -> JSONNumber {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "JSON has no \(value)"))
        }
        return JSONNumber(value)
    }
}

private struct ValueEncoder: Encoder {
    let node: EncodedNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedValueEncoder<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedValueEncoder(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueEncoder(node: node, codingPath: codingPath)
    }
}

private struct KeyedValueEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodedNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.member(key.stringValue).content = .scalar(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try node.member(key.stringValue).write(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = node.existingMember(key.stringValue)
        child.makeObject()
        return KeyedEncodingContainer(KeyedValueEncoder<NestedKey>(node: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.existingMember(key.stringValue)
        child.makeArray()
        return UnkeyedValueEncoder(node: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        ValueEncoder(node: node.member("super"), codingPath: codingPath + [NameKey("super")])
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        ValueEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedValueEncoder: UnkeyedEncodingContainer {
    let node: EncodedNode
    let codingPath: [any CodingKey]
    var count: Int { node.count }

    mutating func encodeNil() throws { node.append().content = .scalar(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = codingPath + [EncodingIndexKey(count)]
        try node.append().write(value, codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = codingPath + [EncodingIndexKey(count)]
        let child = node.append()
        child.makeObject()
        return KeyedEncodingContainer(KeyedValueEncoder<NestedKey>(node: child, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = codingPath + [EncodingIndexKey(count)]
        let child = node.append()
        child.makeArray()
        return UnkeyedValueEncoder(node: child, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let path = codingPath + [EncodingIndexKey(count)]
        return ValueEncoder(node: node.append(), codingPath: path)
    }
}

private struct SingleValueEncoder: SingleValueEncodingContainer {
    let node: EncodedNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.content = .scalar(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws { try node.write(value, codingPath: codingPath) }
}

private struct EncodingIndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}
