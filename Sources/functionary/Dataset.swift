import ArgumentParser

/// `functionary dataset`: tools for Functionary training files (JSONL, one conversation per line).
struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Check and render Functionary training files (JSONL, one conversation per line).",
        subcommands: [CheckCommand.self, RenderCommand.self]
    )
}
