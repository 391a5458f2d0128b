import FunctionaryProtocol

/// Message-level checks: roles, content, tool calls and their arguments, tool results, masking.
extension ConversationCheck {
    /// The calls of the assistant message that tool results answer.
    struct OpenCalls {
        var path: String
        var names: [String]
        var ids: [String?]
        var unanswered: [String]
        var results = 0
    }

    mutating func checkMessages(_ messages: [JSONValue]) {
        var open: OpenCalls?
        var learnable = 0
        for (i, message) in messages.enumerated() {
            let path = "$.messages[\(i)]"
            guard case .object(let object) = message else {
                report(path, "expected a message object, got \(message.typeName)")
                open = nil
                continue
            }
            guard let roleValue = object["role"] else {
                report(path, "missing 'role'")
                open = nil
                continue
            }
            guard let role = roleValue.stringValue, DatasetChecker.allowedRoles.contains(role) else {
                let shown = roleValue.stringValue.map { "'\($0)'" } ?? Self.show(roleValue)
                report(
                    path + ".role", "role \(shown) is not allowed; allowed roles are \(DatasetChecker.allowedRoles.joined(separator: ", "))")
                open = nil
                continue
            }
            let masked = checkMetadata(object, role: role, at: path)
            if role != "assistant", object["tool_calls"].map({ $0 != .null }) ?? false {
                report(path + ".tool_calls", "tool calls are only allowed on assistant messages")
            }
            switch role {
            case "assistant":
                open = checkAssistant(object, at: path)
                if !masked { learnable += 1 }
            case "tool":
                checkContent(object, role: role, at: path)
                checkToolResult(object, answering: &open, at: path)
            default:
                checkContent(object, role: role, at: path)
                open = nil
            }
        }
        if learnable == 0 {
            report("$.messages", "no assistant turn to learn (none, or all masked): training drops this conversation")
        }
    }

    /// Checks `metadata`; returns whether the message is masked.
    mutating func checkMetadata(_ message: JSONObject, role: String, at path: String) -> Bool {
        guard let metadata = message["metadata"], metadata != .null else { return false }
        guard case .object(let object) = metadata else {
            report(path + ".metadata", "expected an object, got \(metadata.typeName)")
            return false
        }
        guard let masked = object["masked"] else { return false }
        if role != "assistant" {
            report(path + ".metadata.masked", "'masked' is only allowed on assistant messages (this is a \(role) message)")
        }
        guard case .bool(let flag) = masked else {
            report(path + ".metadata.masked", "expected a boolean, got \(Self.show(masked))")
            return false
        }
        return flag
    }

    /// system, user and tool messages need string content (user may also use a list of parts).
    mutating func checkContent(_ message: JSONObject, role: String, at path: String) {
        guard let content = message["content"] else {
            report(path, "missing 'content'")
            return
        }
        switch content {
        case .string: break
        case .array(let parts) where role == "user":
            for (j, part) in parts.enumerated() where part["type"]?.stringValue == nil {
                report(path + ".content[\(j)]", "expected a content part object with a 'type', got \(Self.show(part))")
            }
        default:
            report(path + ".content", "expected a string, got \(Self.show(content))")
        }
    }

    /// Checks an assistant turn; returns its calls for the tool results that follow.
    mutating func checkAssistant(_ message: JSONObject, at path: String) -> OpenCalls? {
        let content = message["content"] ?? .null
        var hasText = false
        switch content {
        case .null: break
        case .string(let text): hasText = !text.isEmpty
        default:
            report(path + ".content", "expected a string or null, got \(Self.show(content))")
            hasText = true  // reported already
        }
        if let legacy = message["function_call"], legacy != .null {
            report(path + ".function_call", "'function_call' is ignored by every template; use 'tool_calls'")
        }
        var calls = OpenCalls(path: path, names: [], ids: [], unanswered: [])
        let callsValue = message["tool_calls"] ?? .null
        switch callsValue {
        case .null: break
        case .array(let list):
            for (j, call) in list.enumerated() {
                if let (name, id) = checkCall(call, at: "\(path).tool_calls[\(j)]") {
                    calls.names.append(name)
                    calls.ids.append(id)
                }
            }
        default:
            report(path + ".tool_calls", "expected an array of tool calls, got \(callsValue.typeName)")
        }
        if !hasText, callsValue.arrayValue?.isEmpty ?? true {
            report(path, "assistant message has neither content nor tool calls: it renders nothing and shifts the training mask")
        }
        calls.unanswered = calls.names
        return calls.names.isEmpty ? nil : calls
    }

    /// Checks one tool call; returns its name and id when it has a name.
    mutating func checkCall(_ call: JSONValue, at path: String) -> (String, String?)? {
        guard case .object(let object) = call else {
            report(path, "expected a tool call object, got \(call.typeName)")
            return nil
        }
        if let type = object["type"], type != .null, type != "function" {
            report(path + ".type", "expected 'function', got \(Self.show(type))")
        }
        var id: String?
        if let idValue = object["id"], idValue != .null {
            id = idValue.stringValue
            if id == nil { report(path + ".id", "expected a string, got \(Self.show(idValue))") }
        }
        guard let function = object["function"]?.objectValue else {
            report(path + ".function", "expected an object with 'name' and 'arguments'")
            return nil
        }
        guard let name = function["name"]?.stringValue, !name.isEmpty else {
            report(path + ".function.name", "expected the name of a declared tool, got \(Self.show(function["name"] ?? .null))")
            return nil
        }
        let argumentsPath = path + ".function.arguments"
        guard let argumentsValue = function["arguments"] else {
            report(path + ".function", "missing 'arguments'")
            return (name, id)
        }
        guard let arguments = argumentsValue.stringValue else {
            report(argumentsPath, "expected a string (JSON text, or code for python), got \(Self.show(argumentsValue))")
            return (name, id)
        }
        guard let schema = schemas[name] else {
            if name == "python" {
                if !hasCodeInterpreter {
                    report(path + ".function.name", "calls 'python' but no code_interpreter tool is declared")
                }
                return (name, id)  // raw code: any string
            }
            let declared = schemas.keys.sorted() + (hasCodeInterpreter ? ["python"] : [])
            let list = declared.isEmpty ? "no tools are declared" : "declared: \(declared.joined(separator: ", "))"
            report(path + ".function.name", "calls undeclared tool '\(name)' (\(list))")
            return (name, id)
        }
        checkArguments(arguments, schema: schema, function: name, at: argumentsPath)
        return (name, id)
    }

    /// Function arguments must be a JSON object valid for the function's `parameters`.
    mutating func checkArguments(_ arguments: String, schema: JSONValue?, function: String, at path: String) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: arguments)
        } catch let error as JSONParseError {
            report(path, "arguments are not valid JSON (column \(error.column): \(error.reason))")
            return
        } catch {
            report(path, "arguments are not valid JSON")
            return
        }
        guard case .object = value else {
            report(path, "arguments must be a JSON object, got \(Self.show(value))")
            return
        }
        guard let schema else { return }
        for violation in JSONSchemaValidator(schema: schema).validate(value) {
            report(path + violation.path.dropFirst(), "\(violation.message) (parameters of \(function))")
        }
    }

    /// A tool message must answer a call of the assistant message right before the run of results.
    mutating func checkToolResult(_ message: JSONObject, answering open: inout OpenCalls?, at path: String) {
        guard var calls = open else {
            report(path, "tool result does not follow an assistant message with tool calls")
            return
        }
        calls.results += 1
        defer { open = calls }
        if calls.results > calls.names.count {
            let count = calls.names.count == 1 ? "1 tool call" : "\(calls.names.count) tool calls"
            report(path, "more tool results than the \(count) of \(calls.path)")
            return
        }
        if let nameValue = message["name"], nameValue != .null {
            guard let name = nameValue.stringValue else {
                report(path + ".name", "expected a string, got \(Self.show(nameValue))")
                return
            }
            if let index = calls.unanswered.firstIndex(of: name) {
                calls.unanswered.remove(at: index)
            } else if calls.names.contains(name) {
                report(path + ".name", "'\(name)' has more results than \(calls.path) has calls to it")
            } else {
                let list = calls.names.joined(separator: ", ")
                report(path + ".name", "'\(name)' answers no call of \(calls.path) (calls: \(list))")
            }
        }
        if let idValue = message["tool_call_id"], idValue != .null {
            guard let id = idValue.stringValue else {
                report(path + ".tool_call_id", "expected a string, got \(Self.show(idValue))")
                return
            }
            let ids = calls.ids.compactMap { $0 }
            if !ids.isEmpty, !ids.contains(id) {
                report(path + ".tool_call_id", "'\(id)' matches no call id of \(calls.path) (ids: \(ids.joined(separator: ", ")))")
            }
        }
    }
}
