import ArgumentParser

@main
struct Functionary: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "functionary",
        abstract: "Serve and run function-calling language models in the Functionary prompt formats.",
        subcommands: Functionary.allSubcommands
    )
}
