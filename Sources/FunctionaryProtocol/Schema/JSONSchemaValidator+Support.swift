import Foundation

/// `$ref` resolution, JSON equality, paths and value descriptions for the validator.
extension SchemaRun {
    /// Resolves a local reference (`#`, `#/$defs/X`, `#/definitions/X`, any JSON pointer) in `root`.
    static func resolve(_ reference: String, in root: JSONValue) -> Result<JSONValue, ReferenceError> {
        guard reference.hasPrefix("#") else {
            return .failure(ReferenceError("only references inside the schema ('#/…') are supported, got '\(reference)'"))
        }
        let pointer = reference.dropFirst()
        if pointer.isEmpty { return .success(root) }
        guard pointer.hasPrefix("/") else {
            return .failure(ReferenceError("cannot resolve '$ref' '\(reference)': anchors are not supported, use a JSON pointer"))
        }
        var target = root
        for rawToken in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let token = (String(rawToken).removingPercentEncodingIfValid)
                .replacingOccurrences(of: "~1", with: "/")
                .replacingOccurrences(of: "~0", with: "~")
            switch target {
            case .object(let object):
                guard let next = object[token] else {
                    return .failure(ReferenceError("cannot resolve '$ref' '\(reference)': no member '\(token)'"))
                }
                target = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else {
                    return .failure(ReferenceError("cannot resolve '$ref' '\(reference)': no item '\(token)'"))
                }
                target = items[index]
            default:
                return .failure(ReferenceError("cannot resolve '$ref' '\(reference)': '\(token)' is inside a \(target.typeName)"))
            }
        }
        return .success(target)
    }

    struct ReferenceError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// JSON equality as JSON Schema defines it: numbers by value (`1 == 1.0`), objects regardless of
    /// key order.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x.literal == y.literal || x.doubleValue == y.doubleValue
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            return x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        default: return false
        }
    }

    /// `path.key`, or `path["key"]` when the key is not an identifier.
    static func member(_ path: String, _ key: String) -> String {
        let isIdentifier =
            !key.isEmpty
            && key.unicodeScalars.enumerated().allSatisfy { i, c in
                c == "_" || (c.isASCII && (c.properties.isAlphabetic || (i > 0 && ("0"..."9").contains(c))))
            }
        return isIdentifier ? "\(path).\(key)" : "\(path)[\(JSONValue.quoted(key))]"
    }

    /// A value for messages: its type and (shortened) compact JSON, e.g. `integer 5`, `string "x"`.
    static func show(_ value: JSONValue, limit: Int = 60) -> String {
        let kind: String
        switch value {
        case .null: return "null"
        case .number(let n): kind = isIntegral(n) && n.isInteger ? "integer" : "number"
        default: kind = value.typeName
        }
        var text = value.compactJSON()
        if text.count > limit { text = String(text.prefix(limit)) + "…" }
        return "\(kind) \(text)"
    }

    /// ` (closest: …)`: the alternative with the fewest violations, for anyOf/oneOf messages.
    static func closest(_ results: [[SchemaViolation]]) -> String {
        guard let best = results.filter({ !$0.isEmpty }).min(by: { $0.count < $1.count }), let first = best.first else { return "" }
        let more = best.count > 1 ? " and \(best.count - 1) more" : ""
        return " (closest: \(first.path): \(first.message)\(more))"
    }
}

extension String {
    /// Percent-decoding for URI-fragment JSON pointers; the text itself when it is not valid.
    fileprivate var removingPercentEncodingIfValid: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return self }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? self
    }
}

extension JSONSchemaValidator {
    /// A value as violation messages show it: its type and (shortened) compact JSON, e.g. `integer 5`, `string "x"`.
    public static func show(_ value: JSONValue) -> String { SchemaRun.show(value) }
}
