/// Llama 3 turn markup shared by v2.llama3, v3.llama3 and v3-llama3.1.
enum LlamaHeaders {
    static let endOfTurn = "<|eot_id|>"

    /// `<|start_header_id|>ROLE<|end_header_id|>\n\n`.
    static func header(_ role: String) -> String {
        "<|start_header_id|>" + role + "<|end_header_id|>\n\n"
    }

    /// A whole turn: header, content, `<|eot_id|>`.
    static func appendTurn(_ role: String, _ content: String, into out: inout String) {
        out += "<|start_header_id|>"
        out += role
        out += "<|end_header_id|>\n\n"
        out += content
        out += endOfTurn
    }
}
