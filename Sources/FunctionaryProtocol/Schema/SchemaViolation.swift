/// One way a JSON value fails a JSON Schema: where (`$`, `$.location`, `$.items[2].name`) and what.
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// A JSON path into the validated value: `$` is the value itself, `.key` an object member
    /// (`["key"]` when the key is not an identifier), `[n]` an array element.
    public var path: String
    /// What is wrong, e.g. `expected string, got integer 5` or `required property 'location' is missing`.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}
