/// What the struct and enum expansions share: the `@Generable` description, the access modifier of the generated
/// members (`"public "` or empty), where diagnostics go, and the three members every `Generable` type gets.
struct GenerableContext {
    let description: String?
    let access: String
    let sink: DiagnosticSink

    /// `init(_:)`, `generationSchema` and `generatedContent`, with their bodies: each body's first line is indented by
    /// the member, the lines after it carry their own indentation.
    func members(decoding: String, schema: String, content: String) -> String {
        """
        \(access)init(_ content: Functionary.GeneratedContent) throws {
        \(decoding)
        }
        \(access)static var generationSchema: Functionary.GeneratedContent {
            \(schema)
        }
        \(access)var generatedContent: Functionary.GeneratedContent {
            \(content)
        }
        """
    }
}
