/// Inlines local JSON Schema `$ref`s the way the reference does before rendering (protocol §1.1
/// step 6, `jsonref.replace_refs`).
///
/// The document root of a reference is the `parameters` object of its function, so `#/$defs/X` and
/// `#/definitions/X` point into that object. An object whose `"$ref"` is a string is replaced as a
/// whole by the (itself resolved) target; sibling keys of `$ref` are dropped, as `jsonref` does by
/// default. `$defs`/`definitions` stay where they are (JSON-dumped templates show them).
///
/// What the reference would fail on is left as written instead: a reference that is not local
/// (`other.json#/X`), a pointer that leads nowhere, and a cycle: a reference to a schema that
/// contains it, or that is being inlined already (a tree node whose children are nodes is inlined
/// once where it is used, its inner reference to itself stays). References are also left as
/// written once `maxInlinedNodes` values or `maxInlinedBytes` bytes have been inlined, so that
/// references fanning out exponentially (or to one huge definition) cannot make the prompt explode, and
/// deeper than `maxInlineDepth` (each reference followed counts as a level, so a chain of references
/// cannot make inlining recurse without bound). The server checks `SchemaLimits` first and refuses such
/// schemas with a 400 instead.
public enum SchemaRefResolver {
    /// How many JSON values in all may be copied in by inlining, per document.
    public static let maxInlinedNodes = 50_000
    /// How many bytes (as compact JSON) in all may be copied in by inlining, per document.
    public static let maxInlinedBytes = 4 << 20
    /// References nested deeper than this in the result are left as written (rendering recurses).
    public static let maxInlineDepth = 64

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
        /// The targets being inlined and all their ancestors (keys from `key(_:)`, with counts).
        var inlining: [String: Int] = [:]
        var budget = SchemaRefResolver.maxInlinedNodes
        var byteBudget = SchemaRefResolver.maxInlinedBytes
        var targets: [String: (target: [String], value: JSONValue, size: Int, bytes: Int)?] = [:]

        /// Resolves `value`, found at `path` in the document and placed `depth` levels deep in the result.
        mutating func resolve(_ value: JSONValue, at path: [String] = [], depth: Int = 0) -> JSONValue {
            switch value {
            case .array(let items):
                var out: [JSONValue] = []
                out.reserveCapacity(items.count)
                for (index, item) in items.enumerated() { out.append(resolve(item, at: path + [String(index)], depth: depth + 1)) }
                return .array(out)
            case .object(let object):
                if case .string(let ref)? = object["$ref"] {
                    return inline(ref, original: value, at: path, depth: depth)
                }
                var out = JSONObject()
                for (key, member) in object { out[key] = resolve(member, at: path + [key], depth: depth + 1) }
                return .object(out)
            default:
                return value
            }
        }

        /// The resolved target of `ref`, or `original` when it cannot or must not be inlined: a
        /// target that contains the reference itself, or one of the targets being inlined, is a cycle.
        mutating func inline(_ ref: String, original: JSONValue, at path: [String], depth: Int) -> JSONValue {
            guard depth <= SchemaRefResolver.maxInlineDepth, let (target, value, size, bytes) = lookup(ref),
                !Self.isAncestorOrSelf(target, of: path),
                inlining[Self.key(target[...])] == nil, size <= budget, bytes <= byteBudget
            else { return original }
            budget -= size
            byteBudget -= bytes
            for length in 0...target.count { inlining[Self.key(target[..<length]), default: 0] += 1 }
            defer {
                for length in 0...target.count {
                    let key = Self.key(target[..<length])
                    inlining[key] = (inlining[key] ?? 1) > 1 ? (inlining[key] ?? 1) - 1 : nil
                }
            }
            // One level per reference followed: a chain A → B → C … ends at `maxInlineDepth`.
            return resolve(value, at: target, depth: depth + 1)
        }

        /// The pointer's components, its target and the target's size; nil for a reference that is
        /// not local or leads nowhere. Cached: a schema tends to use the same references many times.
        mutating func lookup(_ ref: String) -> (target: [String], value: JSONValue, size: Int, bytes: Int)? {
            if let cached = targets[ref] { return cached }
            var found: (target: [String], value: JSONValue, size: Int, bytes: Int)?
            if ref.first == "#", let target = SchemaRefResolver.pointerComponents(ref.dropFirst()),
                let value = SchemaRefResolver.value(at: target, in: root)
            {
                found = (target, value, value.nodeCount, value.compactByteCount)
            }
            targets[ref] = .some(found)
            return found
        }

        static func key(_ components: ArraySlice<String>) -> String {
            components.joined(separator: "\u{0}")
        }

        static func isAncestorOrSelf(_ target: [String], of path: [String]) -> Bool {
            guard target.count <= path.count else { return false }
            for index in target.indices where target[index] != path[index] { return false }
            return true
        }
    }

    /// The reference tokens of a JSON pointer (`/$defs/X`, percent-encoded as in a URI fragment,
    /// `~1` for `/`, `~0` for `~`); the empty pointer (the root) has none.
    static func pointerComponents(_ pointer: Substring) -> [String]? {
        let decoded = percentDecoded(pointer)
        if decoded.isEmpty { return [] }
        guard decoded.first == "/" else { return nil }
        return decoded.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map { token in
            guard token.contains("~") else { return String(token) }  // (`replacing` is slow: skip it when it cannot apply)
            return String(token).replacing("~1", with: "/").replacing("~0", with: "~")
        }
    }

    /// The value at `components` from `root`, nil when there is none.
    static func value(at components: [String], in root: JSONValue) -> JSONValue? {
        var current = root
        for part in components {
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
        case .array(let items):
            for item in items where item.containsRef { return true }
            return false
        case .object(let object):
            for (key, value) in object {
                if key == "$ref", case .string = value { return true }
                if value.containsRef { return true }
            }
            return false
        default:
            return false
        }
    }

    /// About how many bytes this value takes as compact JSON (escapes not counted).
    var compactByteCount: Int {
        switch self {
        case .null, .bool(true): return 4
        case .bool(false): return 5
        case .number(let n): return n.literal.utf8.count
        case .string(let s): return s.utf8.count + 2
        case .array(let items): return items.reduce(1 + max(1, items.count)) { $0 + $1.compactByteCount }
        case .object(let object): return object.reduce(1 + max(1, object.count)) { $0 + $1.key.utf8.count + 3 + $1.value.compactByteCount }
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
