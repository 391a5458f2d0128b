/// Bounds on what JSON Schemas may cost once their `$ref`s are inlined, checked without recursion before
/// anything recursive (the TypeScript renderer, the GBNF converters, llama.cpp's converter) sees them.
///
/// A `$ref` chain 40,000 hops long would overflow the stack of every schema walker; a 1 MiB `$defs` entry
/// referenced from 3,000 properties would inline into 3 GB of prompt. `check(_:)` walks the schemas as
/// `SchemaRefResolver` inlines them, with an explicit stack, and stops at the first limit exceeded, after at
/// most `maxBytes` bytes' worth of work.
public struct SchemaLimits: Sendable, Hashable {
    /// The most bytes (as compact JSON) of all checked schemas together, after `$ref` inlining.
    public var maxBytes: Int
    /// The deepest nesting of objects and arrays after inlining.
    public var maxDepth: Int
    /// The most `$ref`s followed along one path (a chain `A → B → C` is two hops, nested references add up).
    public var maxRefHops: Int

    public init(maxBytes: Int = 1 << 20, maxDepth: Int = 128, maxRefHops: Int = 32) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxRefHops = maxRefHops
    }

    /// Checks schemas one after the other against one shared byte budget.
    /// - Parameter schemas: each with a name for messages (`tools[3].function.parameters`); each schema is the
    ///   document root its own `$ref`s point into.
    /// - Throws: `SchemaLimitError` naming the limit, the schema and the value that went over it.
    public func check(_ schemas: [(name: String, schema: JSONValue)]) throws(SchemaLimitError) {
        var bytes = 0
        for (name, schema) in schemas {
            var walk = SchemaWalk(root: schema, name: name, limits: self, bytes: bytes)
            try walk.run()
            bytes = walk.bytes
        }
    }

    /// Checks one schema.
    public func check(_ schema: JSONValue, name: String = "schema") throws(SchemaLimitError) {
        try check([(name, schema)])
    }
}

/// A schema over one of `SchemaLimits`' bounds.
public struct SchemaLimitError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Limit: String, Sendable, Hashable {
        case bytes = "schema bytes after $ref inlining"
        case depth = "schema nesting depth after $ref inlining"
        case refHops = "$ref hops along one path"
    }

    public var limit: Limit
    /// Which schema (`tools[0].function.parameters`, `response_format.json_schema.schema`).
    public var schema: String
    /// The value reached when the walk stopped (at least `maximum + 1`; the rest was not counted).
    public var value: Int
    public var maximum: Int

    public var description: String {
        "'\(schema)' exceeds the limit on \(limit.rawValue): more than \(maximum) (reached \(value) before stopping)"
    }
}

/// One iterative walk of a schema as `SchemaRefResolver` would inline it.
struct SchemaWalk {
    let root: JSONValue
    let name: String
    let limits: SchemaLimits
    var bytes: Int
    /// Targets being inlined (and their ancestors), as `SchemaRefResolver` tracks them for cycles.
    var inlining: [String: Int] = [:]
    var targets: [String: (components: [String], value: JSONValue)?] = [:]

    /// A document path as a linked list, so that pushing a child costs no copy.
    final class Path {
        let component: String
        let parent: Path?
        init(_ component: String, parent: Path?) {
            self.component = component
            self.parent = parent
        }

        static func components(_ path: Path?) -> [String] {
            var out: [String] = []
            var node = path
            while let current = node {
                out.append(current.component)
                node = current.parent
            }
            return out.reversed()
        }
    }

    enum Work {
        case visit(JSONValue, path: Path?, depth: Int, hops: Int)
        case leave(target: [String])
    }

    mutating func run() throws(SchemaLimitError) {
        var stack: [Work] = [.visit(root, path: nil, depth: 0, hops: 0)]
        while let work = stack.popLast() {
            switch work {
            case .leave(let target):
                for length in 0...target.count {
                    let key = SchemaRefResolver.State.key(target[..<length])
                    inlining[key] = (inlining[key] ?? 1) > 1 ? (inlining[key] ?? 1) - 1 : nil
                }
            case .visit(let value, let path, let depth, let hops):
                try visit(value, path: path, depth: depth, hops: hops, stack: &stack)
            }
        }
    }

    private mutating func add(_ count: Int) throws(SchemaLimitError) {
        bytes += count
        if bytes > limits.maxBytes { throw SchemaLimitError(limit: .bytes, schema: name, value: bytes, maximum: limits.maxBytes) }
    }

    private mutating func visit(_ value: JSONValue, path: Path?, depth: Int, hops: Int, stack: inout [Work]) throws(SchemaLimitError) {
        switch value {
        case .null: try add(4)
        case .bool(let b): try add(b ? 4 : 5)
        case .number(let n): try add(n.literal.utf8.count)
        case .string(let s): try add(s.utf8.count + 2)
        case .array(let items):
            try enter(depth)
            try add(2 + max(0, items.count - 1))
            for (index, item) in items.enumerated().reversed() {
                stack.append(.visit(item, path: Path(String(index), parent: path), depth: depth + 1, hops: hops))
            }
        case .object(let object):
            if case .string(let ref)? = object["$ref"], let (target, resolved) = inlinable(ref, at: path) {
                if hops + 1 > limits.maxRefHops {
                    throw SchemaLimitError(limit: .refHops, schema: name, value: hops + 1, maximum: limits.maxRefHops)
                }
                for length in 0...target.count { inlining[SchemaRefResolver.State.key(target[..<length]), default: 0] += 1 }
                stack.append(.leave(target: target))
                // The target replaces the reference object: same depth, one more hop.
                var targetPath: Path? = nil
                for component in target { targetPath = Path(component, parent: targetPath) }
                stack.append(.visit(resolved, path: targetPath, depth: depth, hops: hops + 1))
                return
            }
            try enter(depth)
            try add(2 + max(0, object.count - 1))
            for (key, member) in object.reversed() {
                try add(key.utf8.count + 3)
                stack.append(.visit(member, path: Path(key, parent: path), depth: depth + 1, hops: hops))
            }
        }
    }

    private func enter(_ depth: Int) throws(SchemaLimitError) {
        if depth + 1 > limits.maxDepth {
            throw SchemaLimitError(limit: .depth, schema: name, value: depth + 1, maximum: limits.maxDepth)
        }
    }

    /// The target of a local reference that `SchemaRefResolver` would inline here (not a cycle), else nil.
    private mutating func inlinable(_ ref: String, at path: Path?) -> ([String], JSONValue)? {
        let found: (components: [String], value: JSONValue)?
        if let cached = targets[ref] {
            found = cached
        } else {
            var lookedUp: (components: [String], value: JSONValue)? = nil
            if ref.first == "#", let components = SchemaRefResolver.pointerComponents(ref.dropFirst()),
                let value = SchemaRefResolver.value(at: components, in: root)
            {
                lookedUp = (components, value)
            }
            targets[ref] = .some(lookedUp)
            found = lookedUp
        }
        guard let (target, value) = found, inlining[SchemaRefResolver.State.key(target[...])] == nil else { return nil }
        if SchemaRefResolver.State.isAncestorOrSelf(target, of: Path.components(path)) { return nil }
        return (target, value)
    }
}
