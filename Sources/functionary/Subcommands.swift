import ArgumentParser

extension Functionary {
    /// Subcommands; those that run a model exist only in the full build (not with FUNCTIONARY_PROTOCOL_ONLY).
    static var allSubcommands: [any ParsableCommand.Type] {
        var commands: [any ParsableCommand.Type] = [Render.self, Parse.self, DatasetCommand.self]
        #if canImport(FunctionaryEngine)
            commands += [Serve.self, Generate.self, Chat.self, Eval.self]
        #endif
        return commands
    }
}
