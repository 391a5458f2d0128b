import FunctionaryProtocol

/// The arguments of a tool as a Swift type. The JSON Schema shown to the model is derived from the
/// type's `init(from:)` (usually the one Swift synthesizes):
///
/// ```swift
/// struct WeatherArguments: ToolArguments {
///     enum Unit: String, Decodable, CaseIterable { case celsius, fahrenheit }
///     var location: String
///     var unit: Unit?
///     static let fieldDescriptions = ["location": "The city and state, e.g. San Francisco, CA"]
/// }
/// ```
/// gives `{"type": "object", "properties": {"location": {"type": "string", "description": …},
/// "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}`.
///
/// `String` → `string`, integers → `integer`, `Double`/`Float` → `number`, `Bool` → `boolean`, arrays →
/// `array` with `items`, `[String: T]` → `object` with `additionalProperties`, nested `Decodable` structs →
/// `object` (with their own `fieldDescriptions` when they are `ToolArguments` too), optionals (read with
/// `decodeIfPresent`) are not required, and `CaseIterable` enums with raw values list their values in `enum`.
public protocol ToolArguments: Decodable, Sendable {
    /// A description for each field, by its JSON name (the coding key).
    static var fieldDescriptions: [String: String] { get }
}

extension ToolArguments {
    public static var fieldDescriptions: [String: String] { [:] }

    /// The JSON Schema of this type.
    /// - Throws: `AgentError(.schema)` when the type does not decode from an object, or `fieldDescriptions`
    ///   names a field the type does not have.
    public static func jsonSchema() throws -> JSONValue {
        try SchemaDerivation.schema(for: Self.self)
    }
}

/// The arguments of a tool that takes none.
public struct NoArguments: ToolArguments {
    public init() {}
}
