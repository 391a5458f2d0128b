import Foundation
import FunctionaryProtocol

/// Derives a JSON Schema from a `Decodable` type by running its `init(from:)` against a probing
/// decoder that records every key and type it is asked for.
enum SchemaDerivation {
    static func schema<T: Decodable>(for type: T.Type) throws -> JSONValue {
        let root = SchemaNode()
        do {
            _ = try probe(T.self, into: root, path: [])
        } catch let error as AgentError {
            throw error
        } catch {
            throw AgentError(.schema, "Cannot derive a JSON Schema for \(T.self): \(JSONValueDecoder.describe(error).message)")
        }
        if root.kind == .unknown { root.kind = .object }  // a struct without fields asks for nothing
        guard root.kind == .object else {
            throw AgentError(
                .schema, "Cannot derive a JSON Schema for \(T.self): tool arguments must decode from a JSON object (a struct).")
        }
        try root.checkDescriptions(owner: T.self)
        return root.json
    }

    /// Records the schema of `T` into `node` and returns a placeholder value of `T`.
    static func probe<T: Decodable>(_ type: T.Type, into node: SchemaNode, path: [any CodingKey]) throws -> T {
        if let described = T.self as? any ToolArguments.Type {
            node.descriptions = described.fieldDescriptions
            node.describedType = "\(T.self)"
        }
        switch T.self {
        case is URL.Type:
            node.kind = .string
            node.format = "uri"
            if let url = URL(string: "https://example.com") as? T { return url }
        case is UUID.Type:
            node.kind = .string
            node.format = "uuid"
            if let uuid = UUID() as? T { return uuid }
        case is Decimal.Type:
            node.kind = .number
            if let zero = Decimal(0) as? T { return zero }
        default: break
        }
        if let iterable = T.self as? any CaseIterable.Type, let value: T = try enumeration(iterable, node: node) {
            return value
        }
        do {
            return try T(from: ProbeDecoder(node: node, codingPath: path))
        } catch {
            if T.self is any RawRepresentable.Type, !(T.self is any CaseIterable.Type) {
                throw AgentError(
                    .schema,
                    "Cannot derive a JSON Schema for \(T.self): a RawRepresentable type must also be CaseIterable "
                        + "so that its values become the schema's enum."
                )
            }
            throw error
        }
    }

    /// A `CaseIterable` type with raw values: records `enum` and returns its first case.
    static func enumeration<T, E: CaseIterable>(_ type: E.Type, node: SchemaNode) throws -> T? {
        var values: [JSONValue] = []
        for value in E.allCases {
            guard let raw = value as? any RawRepresentable else { return nil }
            switch raw.rawValue {
            case let text as String:
                node.kind = .string
                values.append(.string(text))
            case let number as Int:
                node.kind = .integer
                values.append(.number(JSONNumber(number)))
            case let number as Double:
                node.kind = .number
                values.append(.number(JSONNumber(number)))
            default: return nil
            }
        }
        node.enumValues = values
        return E.allCases.first as? T
    }
}

/// One node of the schema being recorded.
final class SchemaNode {
    enum Kind { case unknown, string, integer, number, boolean, object, array, map }

    var kind = Kind.unknown
    var format: String?
    var enumValues: [JSONValue]?
    /// Object properties in the order `init(from:)` asked for them.
    var properties: [(name: String, node: SchemaNode)] = []
    var required: [String] = []
    /// Array items, or map values.
    var items: SchemaNode?
    /// Descriptions of this object's properties, and the type that declared them.
    var descriptions: [String: String] = [:]
    var describedType: String?

    func property(_ name: String, required isRequired: Bool) -> SchemaNode {
        kind = .object
        if isRequired, !required.contains(name) { required.append(name) }
        if let existing = properties.first(where: { $0.name == name }) { return existing.node }
        let node = SchemaNode()
        properties.append((name, node))
        return node
    }

    func element() -> SchemaNode {
        if let items { return items }
        let node = SchemaNode()
        items = node
        return node
    }

    func checkDescriptions(owner: Any.Type) throws {
        if kind == .object, let describedType {
            let names = properties.map(\.name)
            for key in descriptions.keys.sorted() where !names.contains(key) {
                throw AgentError(
                    .schema,
                    "\(describedType).fieldDescriptions names '\(key)', which is not a field of \(describedType) "
                        + "(fields: \(names.joined(separator: ", ")))."
                )
            }
        }
        for (_, node) in properties { try node.checkDescriptions(owner: owner) }
        try items?.checkDescriptions(owner: owner)
    }

    var json: JSONValue {
        var object: JSONObject = [:]
        switch kind {
        case .unknown: break
        case .string: object["type"] = "string"
        case .integer: object["type"] = "integer"
        case .number: object["type"] = "number"
        case .boolean: object["type"] = "boolean"
        case .array:
            object["type"] = "array"
            object["items"] = items?.json ?? [:]
        case .map:
            object["type"] = "object"
            object["additionalProperties"] = items?.json ?? true
        case .object:
            object["type"] = "object"
            var members: JSONObject = [:]
            for (name, node) in properties {
                var member = node.json
                if let text = descriptions[name], case .object(var fields) = member {
                    var ordered: JSONObject = [:]
                    if let type = fields["type"] { ordered["type"] = type }
                    ordered["description"] = .string(text)
                    fields["type"] = nil
                    for (key, value) in fields { ordered[key] = value }
                    member = .object(ordered)
                }
                members[name] = member
            }
            object["properties"] = .object(members)
            if !required.isEmpty { object["required"] = .array(required.map(JSONValue.string)) }
        }
        if let format { object["format"] = .string(format) }
        if let enumValues { object["enum"] = .array(enumValues) }
        return .object(object)
    }
}
