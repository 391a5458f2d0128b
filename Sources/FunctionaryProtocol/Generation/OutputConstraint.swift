/// A grammar that constrains generated text, in llama.cpp's GBNF. Rules listed in `schemas` are
/// not in `grammar`: the engine generates each from its JSON Schema (llama.cpp's
/// `json_schema_to_grammar`) and adds it under that rule name.
public struct OutputConstraint: Sendable, Hashable {
    /// GBNF text with a `root` rule; may reference the rules named in `schemas`.
    public var grammar: String
    /// Rule name → JSON Schema of a JSON value the rule must match.
    public var schemas: [String: JSONValue]

    public init(grammar: String, schemas: [String: JSONValue] = [:]) {
        self.grammar = grammar
        self.schemas = schemas
    }
}
