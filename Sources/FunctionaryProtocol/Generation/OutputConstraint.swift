/// A grammar that constrains generated text, in llama.cpp's GBNF. Rules listed in `schemas` are
/// not in `grammar`: `ConstraintGrammar.render` converts each JSON Schema to rules and adds them under
/// that rule name.
public struct OutputConstraint: Sendable, Hashable {
    /// GBNF text with a `root` rule; may reference the rules named in `schemas`.
    public var grammar: String
    /// Rule name → JSON Schema of a JSON value the rule must match.
    public var schemas: [String: JSONValue]
    /// The whitespace the schemas' JSON may have.
    public var whitespace: JSONWhitespace

    public init(grammar: String, schemas: [String: JSONValue] = [:], whitespace: JSONWhitespace = .any) {
        self.grammar = grammar
        self.schemas = schemas
        self.whitespace = whitespace
    }
}

/// Where a schema's JSON may have whitespace.
public enum JSONWhitespace: Sendable, Hashable {
    /// Where llama.cpp's converter allows it: none, a space, or one or two newlines and up to 20 spaces or tabs,
    /// after `{`, `[`, `,`, `:` and keys and before `}` and `]` (`response_format`).
    case any
    /// As Python's `json.dumps` writes it: `", "` between members and items, `": "` after keys, nothing inside
    /// brackets. Tool-call arguments: the Functionary models (and the project's adapter) were trained on
    /// `json.dumps` output, and fixed separators make each key and its punctuation text the grammar forces, so
    /// jump-forward decoding writes it instead of the model sampling it token by token.
    case canonical
}
