import Foundation

extension Conversation {
    /// Starts an MCP server (stdio) and offers its tools to the model; a tool whose name is already taken is offered
    /// as `<server name>_<tool name>`. Stop the returned server when the conversation ends.
    /// - Parameters:
    ///   - environment: variables passed besides `MCPServer.inheritedEnvironment` (a name, or `NAME=VALUE`).
    ///   - limits: what the server may cost; tools it lists that fail the checks are skipped (`server.warnings`).
    /// - Throws: `AgentError(.mcp)` when the server cannot be started or does not list its tools within the limits.
    @discardableResult
    public func addMCPServer(
        command: String, arguments: [String] = [], environment: [String] = [], limits: MCPServer.Limits = MCPServer.Limits()
    ) async throws -> MCPServer {
        let server = MCPServer(command: command, arguments: arguments, environment: environment, limits: limits)
        let taken = Set(tools.map(\.name))
        for tool in try await server.start(avoiding: taken) { register(tool) }
        return server
    }

    /// Connects to an MCP server behind a streamable-HTTP endpoint (e.g. `http://127.0.0.1:8000/mcp`) and offers
    /// its tools, as `addMCPServer(command:arguments:)` does.
    @discardableResult
    public func addMCPServer(url: URL, limits: MCPServer.Limits = MCPServer.Limits()) async throws -> MCPServer {
        let server = MCPServer(url: url, limits: limits)
        let taken = Set(tools.map(\.name))
        for tool in try await server.start(avoiding: taken) { register(tool) }
        return server
    }
}
