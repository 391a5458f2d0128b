import ArgumentParser

struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dataset")
    func run() async throws {}
}
