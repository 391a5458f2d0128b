import ArgumentParser

struct Chat: AsyncParsableCommand {
    func run() async throws {}
}
