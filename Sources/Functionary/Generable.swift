@_exported import FunctionaryAgent
@_exported import FunctionaryProtocol

/// Generated JSON: what a model produced for a `Generable` type, before it is decoded (a `JSONValue`).
public typealias GeneratedContent = JSONValue

/// A type that can be decoded from generated JSON.
public protocol ConvertibleFromGeneratedContent: Sendable {
    /// Decodes the value.
    /// - Throws: `GeneratedContentError` when `content` does not have the type's shape.
    init(_ content: GeneratedContent) throws
}

/// A type that can be written as JSON (for tool outputs, transcripts and schema tests).
public protocol ConvertibleToGeneratedContent {
    /// The value as JSON.
    var generatedContent: GeneratedContent { get }
}

/// A type a model can generate: it has a JSON Schema, decodes from JSON that satisfies it, and encodes back.
///
/// Declare one with `@Generable` (the schema is built at compile time from the declaration and its `@Guide`
/// attributes):
///
/// ```swift
/// @Generable(description: "A plan for a short trip")
/// struct TripPlan {
///     @Guide(description: "The city to visit") var destination: String
///     @Guide(description: "Days", .range(1...14)) var days: Int
///     @Guide(description: "Things to do", .count(2...5)) var activities: [String]
/// }
/// ```
public protocol Generable: ConvertibleFromGeneratedContent, ConvertibleToGeneratedContent {
    /// What is known while a response is still streaming (`Self` for types that are all or nothing).
    associatedtype PartiallyGenerated: ConvertibleFromGeneratedContent = Self
    /// The JSON Schema of the type (the same for `response_format` and tool parameters).
    static var generationSchema: GeneratedContent { get }
}

/// Makes a struct or enum `Generable`: its JSON Schema at compile time, `init(_:)` from generated JSON,
/// `generatedContent`, and (for structs) `PartiallyGenerated`.
///
/// Supported property types: `String`, `Bool`, integer and floating-point types, optionals (not required),
/// arrays, `[String: T]` dictionaries and other `Generable` types. Anything else (a tuple, a function type,
/// `Any`, a `Set`, a dictionary with non-`String` keys) is a compile-time error, with a fix-it where one exists.
@attached(extension, conformances: Generable, names: named(init), named(generationSchema), named(generatedContent), named(PartiallyGenerated))
public macro Generable(description: String? = nil) = #externalMacro(module: "FunctionaryMacros", type: "GenerableMacro")

/// Describes and constrains a property of a `@Generable` type: `@Guide(description: "Days", .range(1...14))`.
/// The arguments must be literals (the schema is built at compile time).
@attached(peer)
public macro Guide(description: String? = nil, _ guides: GenerationGuide...) =
    #externalMacro(module: "FunctionaryMacros", type: "GuideMacro")

/// A constraint on a property, written in `@Guide(…)`: it becomes a JSON Schema keyword.
public struct GenerationGuide: Sendable, Hashable {
    /// The keyword and its value, for documentation; `@Generable` reads the attribute's syntax.
    public let keyword: String

    /// A number within `range` (`minimum`/`maximum`).
    public static func range(_ range: ClosedRange<Double>) -> GenerationGuide { GenerationGuide(keyword: "range") }
    /// A number at least `value`.
    public static func minimum(_ value: Double) -> GenerationGuide { GenerationGuide(keyword: "minimum") }
    /// A number at most `value`.
    public static func maximum(_ value: Double) -> GenerationGuide { GenerationGuide(keyword: "maximum") }
    /// An array with a number of elements in `range` (`minItems`/`maxItems`).
    public static func count(_ range: ClosedRange<Int>) -> GenerationGuide { GenerationGuide(keyword: "count") }
    /// An array of exactly `count` elements.
    public static func count(_ count: Int) -> GenerationGuide { GenerationGuide(keyword: "count") }
    /// An array of at least `count` elements.
    public static func minimumCount(_ count: Int) -> GenerationGuide { GenerationGuide(keyword: "minItems") }
    /// An array of at most `count` elements.
    public static func maximumCount(_ count: Int) -> GenerationGuide { GenerationGuide(keyword: "maxItems") }
    /// A string matching a regular expression (JSON Schema `pattern`, anchored by the grammar).
    public static func pattern(_ regex: String) -> GenerationGuide { GenerationGuide(keyword: "pattern") }
    /// A string that is one of `choices` (`enum`).
    public static func anyOf(_ choices: [String]) -> GenerationGuide { GenerationGuide(keyword: "enum") }
    /// Exactly this string (`enum` of one).
    public static func constant(_ value: String) -> GenerationGuide { GenerationGuide(keyword: "enum") }
}

/// Generated JSON did not have the shape of the type it was decoded into.
public struct GeneratedContentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What did not fit (it names the property or the expected type).
    public let message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension JSONValue {
    /// Decodes the member `name` of an object (a missing member decodes as `null`: `nil` for optionals).
    public func property<T: ConvertibleFromGeneratedContent>(_ name: String) throws -> T {
        guard case .object(let object) = self else {
            throw GeneratedContentError("expected an object with '\(name)', got \(compactJSON())")
        }
        do {
            return try T(object[name] ?? .null)
        } catch let error as GeneratedContentError {
            throw GeneratedContentError(object[name] == nil ? "missing property '\(name)'" : "'\(name)': \(error.message)")
        }
    }

    /// The member `name` when it is there and complete, else `nil` (for partially generated values).
    public func partialProperty<T: ConvertibleFromGeneratedContent>(_ name: String) -> T? {
        guard case .object(let object) = self, let value = object[name], value != .null else { return nil }
        return try? T(value)
    }

    /// The case name of a string enum.
    public func caseName(among names: [String]) throws -> String {
        guard case .string(let name) = self, names.contains(name) else {
            throw GeneratedContentError("expected one of \(names), got \(compactJSON())")
        }
        return name
    }

    /// The case name and associated values of an enum written as `{"case": {values}}`.
    public func taggedCase(among names: [String]) throws -> (String, JSONValue) {
        guard case .object(let object) = self, object.count == 1, let (name, payload) = object.first(where: { _ in true }),
            names.contains(name)
        else {
            throw GeneratedContentError("expected an object with one of the keys \(names), got \(compactJSON())")
        }
        return (name, payload)
    }
}
