import FunctionaryProtocol

// Generable conformances of the standard types a @Generable property may have.

extension GeneratedContent {
    /// The value `extract` finds in this content, or an error that names what was `expected`.
    func decoded<T>(expected: String, _ extract: (GeneratedContent) -> T?) throws -> T {
        guard let value = extract(self) else { throw GeneratedContentError("expected \(expected), got \(compactJSON())") }
        return value
    }
}

/// A JSON string.
extension String: Generable {
    public init(_ content: GeneratedContent) throws {
        self = try content.decoded(expected: "a string") { if case .string(let value) = $0 { value } else { nil } }
    }
    public static var generationSchema: GeneratedContent { GenerableSupport.string() }
    public var generatedContent: GeneratedContent { .string(self) }
}

/// A JSON boolean.
extension Bool: Generable {
    public init(_ content: GeneratedContent) throws {
        self = try content.decoded(expected: "a boolean") { if case .bool(let value) = $0 { value } else { nil } }
    }
    public static var generationSchema: GeneratedContent { GenerableSupport.boolean() }
    public var generatedContent: GeneratedContent { .bool(self) }
}

/// Integers decode from integral JSON numbers that fit.
public protocol GenerableInteger: FixedWidthInteger, Generable {}

extension GenerableInteger {
    public init(_ content: GeneratedContent) throws {
        let number = try content.decoded(expected: "an integer") { if case .number(let number) = $0 { number } else { nil } }
        if number.isInteger, let exact = Self(number.literal) {
            self = exact
            return
        }
        let value = number.doubleValue
        guard value.rounded() == value, let exact = Self(exactly: value) else {
            throw GeneratedContentError("expected an integer \(Self.self), got \(number.literal)")
        }
        self = exact
    }
    public static var generationSchema: GeneratedContent { GenerableSupport.integer() }
    public var generatedContent: GeneratedContent { .number(JSONNumber(literal: String(self))) }
}

extension Int: GenerableInteger {}
extension Int8: GenerableInteger {}
extension Int16: GenerableInteger {}
extension Int32: GenerableInteger {}
extension Int64: GenerableInteger {}
extension UInt: GenerableInteger {}
extension UInt8: GenerableInteger {}
extension UInt16: GenerableInteger {}
extension UInt32: GenerableInteger {}
extension UInt64: GenerableInteger {}

/// A JSON number (any number: JSON has one number type).
extension Double: Generable {
    public init(_ content: GeneratedContent) throws {
        self = try content.decoded(expected: "a number") { if case .number(let number) = $0 { number.doubleValue } else { nil } }
    }
    public static var generationSchema: GeneratedContent { GenerableSupport.number() }
    public var generatedContent: GeneratedContent { .number(JSONNumber(self)) }
}

/// A JSON number, rounded to the nearest `Float`.
extension Float: Generable {
    public init(_ content: GeneratedContent) throws { self = Float(try Double(content)) }
    public static var generationSchema: GeneratedContent { GenerableSupport.number() }
    public var generatedContent: GeneratedContent { .number(JSONNumber(Double(self))) }
}

extension Optional: ConvertibleFromGeneratedContent where Wrapped: ConvertibleFromGeneratedContent {
    /// `null` is `nil`; anything else decodes as `Wrapped`.
    public init(_ content: GeneratedContent) throws {
        if content == .null {
            self = nil
        } else {
            self = try Wrapped(content)
        }
    }
}

extension Optional: ConvertibleToGeneratedContent where Wrapped: ConvertibleToGeneratedContent {
    public var generatedContent: GeneratedContent { self?.generatedContent ?? .null }
}

extension Array: ConvertibleFromGeneratedContent where Element: ConvertibleFromGeneratedContent {
    public init(_ content: GeneratedContent) throws {
        guard case .array(let items) = content else { throw GeneratedContentError("expected an array, got \(content.compactJSON())") }
        self = try items.enumerated().map { index, item in
            do { return try Element(item) } catch let error as GeneratedContentError {
                throw GeneratedContentError("[\(index)]: \(error.message)")
            }
        }
    }
}

extension Array: ConvertibleToGeneratedContent where Element: ConvertibleToGeneratedContent {
    public var generatedContent: GeneratedContent { .array(map(\.generatedContent)) }
}

extension Array: Generable where Element: Generable {
    public static var generationSchema: GeneratedContent { GenerableSupport.array(Element.generationSchema) }
}

extension Dictionary: ConvertibleFromGeneratedContent where Key == String, Value: ConvertibleFromGeneratedContent {
    public init(_ content: GeneratedContent) throws {
        guard case .object(let object) = content else { throw GeneratedContentError("expected an object, got \(content.compactJSON())") }
        var result: [String: Value] = [:]
        for (key, value) in object { result[key] = try Value(value) }
        self = result
    }
}

extension Dictionary: ConvertibleToGeneratedContent where Key == String, Value: ConvertibleToGeneratedContent {
    /// Keys sorted, so that the same dictionary always gives the same JSON.
    public var generatedContent: GeneratedContent {
        .object(JSONObject(keys.sorted().map { ($0, self[$0]!.generatedContent) }))
    }
}

extension JSONValue: ConvertibleFromGeneratedContent, ConvertibleToGeneratedContent {
    public init(_ content: GeneratedContent) throws { self = content }
    public var generatedContent: GeneratedContent { self }
}
