import Foundation
import FunctionaryProtocol

/// The result of one tool call, as it is sent back to the model.
public struct ToolResult: Sendable, Hashable {
    /// The `tool_call_id` of the call.
    public var callID: String
    public var name: String
    /// The arguments as the model wrote them.
    public var arguments: String
    /// The text sent back to the model.
    public var output: String
    /// The call failed (unknown tool, bad arguments, an error thrown, a timeout); `output` says why.
    public var isError: Bool
    public var duration: Duration

    public init(callID: String, name: String, arguments: String, output: String, isError: Bool, duration: Duration = .zero) {
        self.callID = callID
        self.name = name
        self.arguments = arguments
        self.output = output
        self.isError = isError
        self.duration = duration
    }

    /// The `tool` message for the history.
    public var message: ChatMessage { ChatMessage(role: "tool", content: output, name: name, toolCallID: callID) }
}

/// Runs the calls of one assistant turn: all at once, each with its timeout; a failure of any kind
/// becomes a result that tells the model what went wrong.
struct ToolRunner: Sendable {
    let tools: [AgentTool]
    let defaultTimeout: Duration?

    /// Runs `calls` concurrently. `onResult` sees each result as it finishes (with the call's position);
    /// the returned results are in call order.
    func run(_ calls: [ToolCall], onResult: @escaping @Sendable (Int, ToolResult) -> Void) async -> [ToolResult] {
        await withTaskGroup(of: (Int, ToolResult).self) { group in
            for (index, call) in calls.enumerated() {
                group.addTask { (index, await run(call)) }
            }
            var results = [ToolResult?](repeating: nil, count: calls.count)
            for await (index, result) in group {
                results[index] = result
                onResult(index, result)
            }
            return results.enumerated().map { index, result in
                result ?? failure(calls[index], "Error: the call did not run.", .zero)
            }
        }
    }

    func run(_ call: ToolCall) async -> ToolResult {
        let name = call.function.name
        let start = ContinuousClock.now
        guard let tool = tools.first(where: { $0.name == name }) else {
            let names = tools.map(\.name).joined(separator: ", ")
            return failure(call, "Error: there is no tool named '\(name)'. Available tools: \(names).", .zero)
        }
        let timeout = tool.definition.type == .codeInterpreter ? nil : (tool.timeout ?? defaultTimeout)
        let outcome = await Self.outcome(of: tool, arguments: call.function.arguments, timeout: timeout)
        let elapsed = ContinuousClock.now - start
        switch outcome {
        case .success(let text):
            return ToolResult(
                callID: call.id ?? "", name: name, arguments: call.function.arguments, output: text, isError: false, duration: elapsed)
        case .failure(let error as ToolArgumentError):
            return failure(call, "Error: \(error.message). Call \(name) again with arguments that match its parameters.", elapsed)
        case .failure(let error as TimedOut):
            return failure(call, "Error: \(name) did not finish within \(error.limit.formattedSeconds).", elapsed)
        case .failure(is CancellationError):
            return failure(call, "Error: \(name) was cancelled.", elapsed)
        case .failure(let error):
            return failure(call, "Error: \(name) failed: \(Self.describe(error))", elapsed)
        }
    }

    struct TimedOut: Error {
        let limit: Duration
    }

    /// Runs the handler, racing it against the timeout. A handler that outlives its timeout is
    /// cancelled; the call ends as soon as the handler honours the cancellation.
    static func outcome(of tool: AgentTool, arguments: String, timeout: Duration?) async -> Result<String, any Error> {
        guard let timeout else { return await capture { try await tool.handler(arguments) } }
        return await withTaskGroup(of: Result<String, any Error>?.self) { group in
            group.addTask { await capture { try await tool.handler(arguments) } }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                } catch {
                    return nil  // the handler finished first
                }
                return .failure(TimedOut(limit: timeout))
            }
            var first: Result<String, any Error>?
            while first == nil, let next = await group.next() { first = next }
            group.cancelAll()
            return first ?? .failure(CancellationError())
        }
    }

    static func capture(_ body: () async throws -> String) async -> Result<String, any Error> {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? LocalizedError, let text = error.errorDescription { return text }
        return String(describing: error)
    }

    func failure(_ call: ToolCall, _ text: String, _ elapsed: Duration) -> ToolResult {
        ToolResult(
            callID: call.id ?? "", name: call.function.name, arguments: call.function.arguments, output: text, isError: true,
            duration: elapsed)
    }
}
