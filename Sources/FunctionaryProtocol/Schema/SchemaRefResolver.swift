/// Inlines local JSON Schema `$ref`s the way the reference does before rendering (protocol §1.1
/// step 6, `jsonref.replace_refs`).
///
/// The document root of a reference is the `parameters` object of its function, so `#/$defs/X` and
/// `#/definitions/X` point into that object. An object whose `"$ref"` is a string is replaced as a
/// whole by the (itself resolved) target; sibling keys of `$ref` are dropped, as `jsonref` does by
/// default. `$defs`/`definitions` stay where they are (JSON-dumped templates show them).
///
/// What the reference would fail on is left as written instead: a reference that is not local
/// (`other.json#/X`), a pointer that leads nowhere, and a reference to a schema that is being
/// inlined already (a cycle, e.g. a tree node whose children are nodes). Expansion stops (leaving
/// the remaining references as written) after `maxInlinedNodes` inlined values, so a schema whose
/// references fan out exponentially cannot make the prompt explode.
public enum SchemaRefResolver {
    /// How many JSON values in all may be copied in by inlining, per document.
    public static let maxInlinedNodes = 100_000

    /// The tools with the `$ref`s of each function's `parameters` inlined.
    public static func resolve(tools: [Tool]) -> [Tool] {
        tools.map { tool in
            guard var function = tool.function, let parameters = function.parameters, parameters.containsRef else {
                return tool
            }
            function.parameters = resolve(parameters)
            var resolved = tool
            resolved.function = function
            return resolved
        }
    }

    /// `schema` with its local `$ref`s inlined, `schema` itself being the document root.
    public static func resolve(_ schema: JSONValue) -> JSONValue {
        guard schema.containsRef else { return schema }
        var state = State(root: schema)
        return state.resolve(schema)
    }

    struct State {
        let root: JSONValue
        /// Pointers being inlined, innermost last: a reference to one of them is a cycle.
        var stack: [String] = []
        var budget = SchemaRefResolver.maxInlinedNodes

        mutating func resolve(_ value: JSONValue) -> JSONValue {
            switch value {
            case .array(let items):
                return .array(items.map { resolve($0) })
            case .object(let object):
                if case .string(let ref)? = object["$ref"] {
                    return inline(ref, original: value)
                }
                var out = JSONObject()
                for (key, member) in object { out[key] = resolve(member) }
                return .object(out)
            default:
                return value
            }
        }

        mutating func inline(_ ref: String, original: JSONValue) -> JSONValue {
            guard ref.first == "#", !stack.contains(ref),
                let target = SchemaRefResolver.lookup(pointer: ref.dropFirst(), in: root)
            else { return original }
            let size = target.nodeCount
            guard size <= budget else { return original }
            budget -= size
            stack.append(ref)
            defer { stack.removeLast() }
            return resolve(target)
        }
    }

    /// Follows a JSON pointer (`/$defs/X`, percent-encoded as in a URI fragment, `~1` for `/`, `~0`
    /// for `~`) from `root`; the empty pointer is the root itself.
    static func lookup(pointer: Substring, in root: JSONValue) -> JSONValue? {
        let decoded = percentDecoded(pointer)
        if decoded.isEmpty { return root }
        guard decoded.first == "/" else { return nil }
        var current = root
        for rawPart in decoded.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let part = String(rawPart).replacing("~1", with: "/").replacing("~0", with: "~")
            switch current {
            case .object(let object):
                guard let next = object[part] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(part), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// `%XX` escapes decoded as UTF-8; malformed escapes are kept as written.
    static func percentDecoded(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count,
                let high = hexValue(utf8[i + 1]), let low = hexValue(utf8[i + 2])
            {
                bytes.append(high << 4 | low)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension JSONValue {
    /// Whether some object inside has a string `$ref` (most schemas have none: skip the copy).
    var containsRef: Bool {
        switch self {
        case .array(let items): return items.contains { $0.containsRef }
        case .object(let object):
            if case .string? = object["$ref"] { return true }
            return object.contains { $0.value.containsRef }
        default: return false
        }
    }

    /// The number of JSON values in this one, itself included.
    var nodeCount: Int {
        switch self {
        case .array(let items): return items.reduce(1) { $0 + $1.nodeCount }
        case .object(let object): return object.reduce(1) { $0 + $1.value.nodeCount }
        default: return 1
        }
    }
}
