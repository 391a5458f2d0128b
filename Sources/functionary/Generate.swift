import ArgumentParser

struct Generate: AsyncParsableCommand {
    func run() async throws {}
}
